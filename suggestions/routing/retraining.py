"""Learning from staff: retrain on the base data plus every correction, keep every version, promote only the better.

``flask classifier retrain`` calls :func:`retrain_from_corrections`.  The classifier package trains the candidate
and compares it with the current recipe (old and new on the same folds, and on the corrections); this module feeds
it the corrections from the database and keeps every version with its artifact in ``model_versions``.  A better
(or not worse) candidate is promoted by marking its row; every worker on every app server serves it once the
caller commits (``routing.serving.ModelHolder``).  ``register_file`` makes the model ``make run`` trained the first
promoted version.
"""

from __future__ import annotations

import logging
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from suggestions import clock
from suggestions.extensions import db
from suggestions.models import ModelVersion, RouteCorrection

log = logging.getLogger(__name__)


def correction_set() -> dict[str, list]:
    """Training rows for each model from staff corrections (the latest correction of each suggestion wins):
    ``classifier.dataset.Message`` with the corrected category, handler type (of the corrected department) or
    domain as label."""
    from classifier.dataset import Message

    latest: dict[int, RouteCorrection] = {}
    for correction in db.session.scalars(sa.select(RouteCorrection).order_by(RouteCorrection.id)):
        latest[correction.suggestion_id] = correction
    rows: dict[str, list] = {"category": [], "handler": [], "domain": []}
    for correction in latest.values():
        row_id = f"correction-{correction.id}"
        for model, label in (
            ("category", correction.corrected_category),
            ("handler", correction.corrected_handler_type),
            ("domain", correction.corrected_domain),
        ):
            if label:
                rows[model].append(Message(row_id, correction.title, correction.body, label))
    return rows


def corrections_since_last_version() -> int:
    """How many corrections were made after the newest model version was recorded (all of them if none was)."""
    newest = db.session.scalar(sa.select(sa.func.max(ModelVersion.created_at)))
    query = sa.select(sa.func.count(RouteCorrection.id))
    if newest is not None:
        query = query.where(RouteCorrection.created_at > newest)
    return db.session.scalar(query) or 0


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


def register(card: dict, artifact: bytes, *, state: str, trigger: str, comparison=None, reasons=None) -> ModelVersion:
    """Record a model version with its artifact and card (idempotent per version); flushes."""
    row = db.session.scalar(sa.select(ModelVersion).where(ModelVersion.version == card["version"]))
    if row is None:
        row = ModelVersion(version=card["version"], trigger=trigger, artifact=artifact, created_at=clock.now())
        db.session.add(row)
    category = card.get("models", {}).get("category", {})
    cv = category.get("cv", {})
    row.state = state
    row.card = card
    row.macro_f1 = cv.get("macro_f1_mean")
    row.threshold = category.get("threshold")
    row.coverage = (cv.get("threshold") or {}).get("coverage") if isinstance(cv.get("threshold"), dict) else None
    row.comparison = comparison or {}
    row.reasons = list(reasons or [])
    db.session.flush()
    return row


def promote(row: ModelVersion) -> None:
    """Make ``row`` the served version (the one before it is retired); served everywhere once committed."""
    for serving in db.session.scalars(sa.select(ModelVersion).where(ModelVersion.state == "promoted")):
        if serving.id != row.id:
            serving.state = "retired"
    row.state, row.promoted_at = "promoted", clock.now()
    db.session.flush()


def register_file(model_path: Path) -> ModelVersion | None:
    """Make the model file (what ``make run`` trained) a promoted version unless its version is known already.

    A retrained file (new pins, a new artifact format) replaces the served version; a file whose version the
    database knows (served before, or replaced by a retraining since) changes nothing.  None if there is no
    usable file.
    """
    import classifier

    try:
        data = Path(model_path).read_bytes()
        router = classifier.loads(data)
    except (OSError, classifier.ModelError):
        return None
    known = db.session.scalar(sa.select(ModelVersion).where(ModelVersion.version == router.version))
    if known is not None:
        return known
    row = register(router.card, data, state="candidate", trigger="initial")
    promote(row)
    return row


def served_model():
    """The promoted version's model, or None."""
    import classifier

    data = db.session.scalar(sa.select(ModelVersion.artifact).where(ModelVersion.state == "promoted"))
    return classifier.loads(data) if data else None


@dataclass(frozen=True)
class RetrainOutcome:
    version: ModelVersion
    promoted: bool
    reasons: list[str]


def retrain_from_corrections(
    data_dir: Path, *, current=None, progress=None, cv_repeats: int = 1, tolerance: float = 0.01
) -> RetrainOutcome:
    """Train a candidate on base data + corrections, record it, and promote it unless it is worse.

    ``current`` is the model served now (the promoted version by default).  Flushes; the caller commits, which
    is what makes a promotion take effect.
    """
    from classifier import artifacts
    from classifier.retrain import retrain

    current = current if current is not None else served_model()
    corrections = correction_set()
    kwargs = {"progress": progress} if progress else {}
    with tempfile.TemporaryDirectory(prefix="jdz-retrain-") as folder:
        result = retrain(
            Path(folder) / "candidate.joblib",
            corrections=corrections,
            data_dir=Path(data_dir),
            current=current,
            cv_repeats=cv_repeats,
            tolerance=tolerance,
            **kwargs,
        )
        data = artifacts.dumps(artifacts.load(result.path))
    row = register(
        result.card,
        data,
        state="candidate",
        trigger="retrain",
        comparison=result.comparison,
        reasons=result.reasons,
    )
    row.category_corrections = len(corrections["category"])
    row.handler_corrections = len(corrections["handler"])
    row.domain_corrections = len(corrections["domain"])
    if result.promote:
        promote(row)
        log.info("model %s promoted after retraining on corrections", row.version)
    else:
        row.state = "refused"
        log.info("model %s refused: %s", row.version, "; ".join(result.reasons))
    db.session.flush()
    return RetrainOutcome(row, result.promote, list(result.reasons))
