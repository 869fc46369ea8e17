"""Self-contained text classifier that routes citizen suggestions to a category and a handler type.

Nothing here imports Flask or the ``suggestions`` package: the web application
depends on this package, never the other way round.  The public surface is
``load`` (artifact -> ``Classifier``, with ``predict`` for the category and
``predict_handler`` for 属地政府 vs functional bureaus), ``Prediction`` and
``ModelError``; ``classifier.retrain.retrain`` trains a candidate with staff
corrections and says whether it may replace the current model.
"""

from classifier.artifacts import ModelError, load
from classifier.predict import Classifier, Prediction

__all__ = ["Classifier", "ModelError", "Prediction", "load"]
