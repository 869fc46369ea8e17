"""The model a worker serves: loaded on first use and reloaded when a newer one is promoted."""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import classifier

log = logging.getLogger(__name__)


_NEVER_LOADED = object()


class ModelHolder:
    """Load the classifier on first use and reload it when a newer artifact is promoted.

    Workers stat the artifact at most every ``reload_seconds``; promotion replaces
    the file atomically, so a changed inode or mtime means a new model.
    """

    def __init__(self, path: str | Path, reload_seconds: float = 10.0):
        self.path = Path(path)
        self.reload_seconds = reload_seconds
        self.problem: str | None = None
        self._model: classifier.Classifier | None = None
        self._stamp: tuple | None | object = _NEVER_LOADED
        self._checked_at: float | None = None
        self._lock = threading.Lock()

    def get(self) -> classifier.Classifier | None:
        """Return the current model, or None if there is no usable one."""
        now = time.monotonic()
        if self._checked_at is not None and now - self._checked_at < self.reload_seconds:
            return self._model
        with self._lock:
            self._checked_at = now
            stamp = self._file_stamp()
            if stamp != self._stamp:
                self._stamp = stamp
                self._reload(stamp)
            return self._model

    def current_problem(self) -> str | None:
        """Return why there is no usable model right now (in Chinese), or None."""
        self.get()
        return self.problem

    def _file_stamp(self) -> tuple | None:
        try:
            stat = os.stat(self.path)
        except OSError:
            return None
        return (stat.st_ino, stat.st_mtime_ns, stat.st_size)

    def _reload(self, stamp: tuple | None) -> None:
        if stamp is None:
            self._model = None
            self.problem = "未找到分类模型文件，所有建议将转人工分拨。"
            log.warning("classifier model missing at %s; routing everything to manual dispatch", self.path)
            return
        # Imported here, not at module level: scikit-learn and jieba cost ~2 s to import,
        # and CLI commands such as `flask db upgrade` never need them.
        import classifier

        try:
            model = classifier.load(self.path)
        except classifier.ModelError as exc:
            self.problem = "分类模型无法加载，所有建议将转人工分拨。"
            log.warning("classifier model at %s not usable (%s); routing to manual dispatch", self.path, exc)
            self._model = None
            return
        self._model = model
        self.problem = None
        log.info("classifier model %s loaded from %s", model.version, self.path)
