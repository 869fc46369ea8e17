"""Learning from staff: retrain on the base data plus every correction, keep every version, promote only the better.

``flask classifier retrain`` calls :func:`retrain_from_corrections`.  The classifier package does the training
and the comparison (old and new recipe on the same folds, and on the corrections); this module feeds it the
corrections from the database, records the version and, if it is not worse, promotes it by atomically replacing
the production artifact, which every gunicorn worker's ``ModelHolder`` notices on its next stat.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from suggestions import clock
from suggestions.extensions import db
from suggestions.models import ModelVersion, RouteCorrection

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CorrectionSet:
    """Training rows from corrections: the latest correction of each suggestion wins."""

    category: list  # classifier.dataset.Message with the corrected category as label
    handler: list  # classifier.dataset.Message with the corrected department's handler type as label


def correction_set() -> CorrectionSet:
    from classifier.dataset import Message

    latest: dict[int, RouteCorrection] = {}
    for correction in db.session.scalars(sa.select(RouteCorrection).order_by(RouteCorrection.id)):
        latest[correction.suggestion_id] = correction
    category, handler = [], []
    for correction in latest.values():
        row_id = f"correction-{correction.id}"
        if correction.corrected_category:
            category.append(Message(row_id, correction.title, correction.body, correction.corrected_category))
        if correction.corrected_handler_type:
            handler.append(Message(row_id, correction.title, correction.body, correction.corrected_handler_type))
    return CorrectionSet(category, handler)


def correction_pairs() -> dict[str, list[tuple[str, str, int]]]:
    """How often staff moved items from one category (or department) to another, most frequent first."""
    rows = db.session.scalars(sa.select(RouteCorrection)).all()
    categories = Counter(
        (r.predicted_category or "（无预测）", r.corrected_category or "（未指定）")
        for r in rows
        if r.predicted_category != r.corrected_category
    )
    departments = Counter(
        (
            r.predicted_department.name if r.predicted_department else "（人工分拨）",
            r.corrected_department.name if r.corrected_department else "（未指定）",
        )
        for r in rows
        if r.predicted_department_id != r.corrected_department_id
    )
    return {
        "category": [(a, b, n) for (a, b), n in categories.most_common()],
        "department": [(a, b, n) for (a, b), n in departments.most_common()],
    }


def versions_dir(model_path: Path) -> Path:
    return Path(model_path).parent / "versions"


def register(card: dict, path: Path, *, state: str, trigger: str, comparison=None, reasons=None) -> ModelVersion:
    """Record a model file and its card (idempotent per version)."""
    row = db.session.scalar(sa.select(ModelVersion).where(ModelVersion.version == card["version"]))
    if row is None:
        row = ModelVersion(version=card["version"], path=str(path), trigger=trigger)
        db.session.add(row)
    cv = card.get("metrics", {}).get("cv", {})
    threshold = cv.get("threshold", {}) if isinstance(cv.get("threshold"), dict) else {}
    row.state = state
    row.card = card
    row.macro_f1 = cv.get("macro_f1_mean")
    row.threshold = card.get("threshold")
    row.coverage = threshold.get("coverage")
    row.comparison = comparison or {}
    row.reasons = list(reasons or [])
    db.session.flush()
    return row


def promote(row: ModelVersion, model_path: Path) -> None:
    """Make ``row`` the serving model: copy beside the production file, then rename over it (atomic)."""
    from classifier import artifacts

    model_path = Path(model_path)
    source = Path(row.path)
    fd, tmp_name = tempfile.mkstemp(dir=model_path.parent, prefix=f".{model_path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        shutil.copyfile(source, tmp_name)
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, model_path)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    if artifacts.card_path(source).exists():
        shutil.copyfile(artifacts.card_path(source), artifacts.card_path(model_path))
    now = clock.now()
    for serving in db.session.scalars(sa.select(ModelVersion).where(ModelVersion.state == "promoted")):
        if serving.id != row.id:
            serving.state = "retired"
    row.state, row.promoted_at = "promoted", now
    db.session.flush()


def register_current(model_path: Path, card: dict) -> ModelVersion:
    """Make sure the model now serving (its ``card``) has a row, so the admin page and the comparison can name it."""
    row = db.session.scalar(sa.select(ModelVersion).where(ModelVersion.version == card["version"]))
    if row is not None:
        return row
    kept = versions_dir(model_path) / f"{card['version']}.joblib"
    kept.parent.mkdir(parents=True, exist_ok=True)
    if not kept.exists():
        shutil.copyfile(model_path, kept)
    row = register(card, kept, state="promoted", trigger="initial")
    row.promoted_at = clock.now()
    return row


@dataclass(frozen=True)
class RetrainOutcome:
    version: ModelVersion
    promoted: bool
    reasons: list[str]


def retrain_from_corrections(
    model_path: Path, data_dir: Path, *, progress=None, cv_repeats: int = 1, tolerance: float = 0.01
) -> RetrainOutcome:
    """Train a candidate on base data + corrections, record it, and promote it unless it is worse.

    Flushes; the caller commits.
    """
    from classifier import artifacts
    from classifier.retrain import retrain

    model_path = Path(model_path)
    try:
        current = artifacts.load(model_path)
    except artifacts.ModelError:
        current = None  # no usable serving model: the candidate is compared with the base-only fit
    if current is not None:
        register_current(model_path, current.card)
    corrections = correction_set()
    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    out = versions_dir(model_path) / f"candidate-{stamp}.joblib"
    out.parent.mkdir(parents=True, exist_ok=True)
    kwargs = {"progress": progress} if progress else {}
    result = retrain(
        out,
        category_corrections=corrections.category,
        handler_corrections=corrections.handler,
        data_dir=Path(data_dir),
        current=current,
        cv_repeats=cv_repeats,
        tolerance=tolerance,
        **kwargs,
    )
    final_path = versions_dir(model_path) / f"{result.card['version']}.joblib"
    os.replace(result.path, final_path)
    if artifacts.card_path(result.path).exists():
        os.replace(artifacts.card_path(result.path), artifacts.card_path(final_path))
    row = register(
        result.card,
        final_path,
        state="candidate",
        trigger="retrain",
        comparison=result.comparison,
        reasons=result.reasons,
    )
    row.category_corrections = len(corrections.category)
    row.handler_corrections = len(corrections.handler)
    if result.promote:
        promote(row, model_path)
        log.info("model %s promoted after retraining on %d corrections", row.version, len(corrections.category))
    else:
        row.state = "refused"
        log.info("model %s refused: %s", row.version, "; ".join(result.reasons))
    db.session.flush()
    return RetrainOutcome(row, result.promote, list(result.reasons))
