"""The model every worker serves: the version promoted in the database, the same on every app server.

A promoted model's artifact is stored in its ``model_versions`` row (``classifier.dumps``), so several gunicorn
hosts behind a load balancer on one database serve the same version: each worker looks up the promoted
version at most every ``reload_seconds`` and loads its bytes when it changed.  A promotion is a committed row
(``routing.retraining.promote``), so no server can serve a model the database does not know.

Until a version is promoted in the database (a fresh install before ``flask suggestions setup`` has registered
the trained file, or a test), the file at ``CLASSIFIER_MODEL_PATH`` is served.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from suggestions.extensions import db
from suggestions.models import ModelVersion

if TYPE_CHECKING:
    import classifier

log = logging.getLogger(__name__)

_NEVER_LOADED = object()


class ModelHolder:
    """Load the served model on first use and again whenever another version is promoted."""

    def __init__(self, path: str | Path, reload_seconds: float = 10.0):
        self.path = Path(path)
        self.reload_seconds = reload_seconds
        self.problem: str | None = None
        self._model: classifier.Router | None = None
        self._source: object = _NEVER_LOADED  # ("db", version) or ("file", inode, mtime, size) or None
        self._checked_at: float | None = None
        self._lock = threading.Lock()

    def get(self) -> classifier.Router | None:
        """Return the current model, or None if there is no usable one (within an app context)."""
        now = time.monotonic()
        if self._checked_at is not None and now - self._checked_at < self.reload_seconds:
            return self._model
        with self._lock:
            self._checked_at = now
            version = self._promoted_version()
            source = ("db", version) if version else self._file_stamp()
            if source != self._source:
                self._source = source
                self._reload(source)
            return self._model

    def current_problem(self) -> str | None:
        """Return why there is no usable model right now (in Chinese), or None."""
        self.get()
        return self.problem

    def _promoted_version(self) -> str | None:
        try:
            return db.session.scalar(sa.select(ModelVersion.version).where(ModelVersion.state == "promoted"))
        except SQLAlchemyError:  # a database not migrated yet (e.g. before `flask db upgrade`)
            db.session.rollback()
            return None

    def _file_stamp(self) -> tuple | None:
        try:
            stat = os.stat(self.path)
        except OSError:
            return None
        return ("file", stat.st_ino, stat.st_mtime_ns, stat.st_size)

    def _reload(self, source: tuple | None) -> None:
        if source is None:
            self._model = None
            self.problem = "未找到分类模型，所有建议将转人工分拨。"
            log.warning("no promoted model and no model file at %s; routing everything to manual dispatch", self.path)
            return
        # Imported here, not at module level: scikit-learn and jieba cost ~2 s to import,
        # and CLI commands such as `flask db upgrade` never need them.
        import classifier

        try:
            if source[0] == "db":
                data = db.session.scalar(sa.select(ModelVersion.artifact).where(ModelVersion.version == source[1]))
                model = classifier.loads(data or b"")
            else:
                model = classifier.load(self.path)
        except classifier.ModelError as exc:
            self.problem = "分类模型无法加载，所有建议将转人工分拨。"
            log.warning("classifier model %s not usable (%s); routing to manual dispatch", source, exc)
            self._model = None
            return
        self._model = model
        self.problem = None
        where = "the database" if source[0] == "db" else self.path
        log.info("classifier model %s loaded from %s", model.version, where)
