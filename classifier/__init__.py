"""Self-contained text classifier that routes citizen suggestions: category, handler type and (to come) domain.

Nothing here imports Flask or the ``suggestions`` package: the web application depends on this package, never
the other way round.  The public surface: ``load(path)`` / ``loads(data)`` give a ``Router`` (``dumps`` and
``save`` write one), whose ``predict(title, body)`` returns ``Predictions`` (a ``ModelOutput`` per model);
``ModelError`` when an artifact cannot be used.  ``classifier.train.train`` trains an artifact and
``classifier.retrain.retrain`` trains a candidate with staff corrections and says whether it may replace the
current one.
"""

from classifier.artifacts import ModelError, dumps, load, loads, save
from classifier.router import ModelOutput, Predictions, Router

__all__ = ["ModelError", "ModelOutput", "Predictions", "Router", "dumps", "load", "loads", "save"]
