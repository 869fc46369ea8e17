"""Self-contained text classifier that routes citizen suggestions to a category.

Nothing here imports Flask or the ``suggestions`` package: the web application
depends on this package, never the other way round.  The public surface is
``load`` (artifact -> ``Classifier``), ``Prediction`` and ``ModelError``.
"""

from classifier.artifacts import ModelError, load
from classifier.predict import Classifier, Prediction

__all__ = ["Classifier", "ModelError", "Prediction", "load"]
