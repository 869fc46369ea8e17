"""How often the predicted campaign domain is right, on messages read by hand that training never saw.

Usage: .venv/bin/python -m bench.domain_accuracy [--model PATH] [--labels PATH]

The sample is ``classifier/labels/domains_estimate.csv``: attachment-3 messages (the domain model trains only on
attachment-4 labels, ``classifier/labels/domains.csv``) labelled under ``classifier/labels/GUIDELINES.md``; see
``classifier/labels/README.md`` for how.  Each message goes through ``flask suggestions route-preview``'s code
(``suggestions.routing.preview``) on a fresh database migrated and seeded as ``make run`` does, with the served
model file (``make model`` trains it), so the figure includes the seeded keyword rules and every fallback.

Prints accuracy over all rows and over the rows labelled with high confidence, per-domain precision and recall,
and the most frequent confusions.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classifier.config import DATA_DIR, DEFAULT_MODEL_PATH, LABELS_DIR, UNLABELLED_FILE  # noqa: E402

SECRETS = {
    "SECRET_KEY": "bench",
    "PHONE_ENCRYPTION_KEYS": "7Ub8a1bQy3Vh5mCgZQ0jEYl4mYf1qXb5rO7cS2wq0Xk=",
    "PHONE_HASH_KEY": "bench",
}


def sample(labels_path: Path) -> list[tuple[dict, str, str]]:
    """(message row, hand label, labeller's confidence) for each labelled attachment-3 message."""
    with labels_path.open(encoding="utf-8") as handle:
        labels = {row["id"]: (row["domain"], row.get("confidence") or "") for row in csv.DictReader(handle)}
    csv.field_size_limit(1 << 24)
    with (DATA_DIR / UNLABELLED_FILE).open(encoding="utf-8") as handle:
        rows = {row["id"]: row for row in csv.DictReader(handle) if row["id"] in labels}
    return [(rows[i], label, confidence) for i, (label, confidence) in labels.items() if i in rows]


def predict(rows: list[dict], model_path: Path) -> dict[str, dict]:
    import flask_migrate

    from app import create_app
    from suggestions.extensions import db
    from suggestions.routing.preview import preview
    from suggestions.seed import reference_data

    folder = Path(tempfile.mkdtemp(prefix="jdz-domain-"))
    app = create_app(
        {
            **SECRETS,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
            "CLASSIFIER_MODEL_PATH": str(model_path),
        }
    )
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        reference_data.seed_reference_data()
        db.session.commit()
        result = preview([(n + 2, {"id": r["id"], "title": r["title"], "body": r["body"]}) for n, r in enumerate(rows)])
    if result.errors:
        print(f"{len(result.errors)} rows not predicted, e.g. {result.errors[0]['error']}")
    return {p["id"]: p for p in result.predictions}


def basis(reason: str | None) -> str:
    """Which signal of ``routing.domains.predict_domain`` gave the domain, read from its Chinese reason."""
    if not reason:
        return "none"
    if "低于把握线" in reason:
        return "domain model, below its threshold"
    if "把握" in reason:
        return "domain model"
    if reason.startswith("承办类型"):
        return "handler type"
    if reason.startswith("类别"):
        return "category"
    return "keywords"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL_PATH)
    parser.add_argument("--labels", type=Path, default=LABELS_DIR / "domains_estimate.csv")
    args = parser.parse_args()
    if not args.model.exists():
        sys.exit(f"no model at {args.model}: run `make model` first")
    labelled = sample(args.labels)
    predictions = predict([row for row, _, _ in labelled], args.model)
    pairs = [(label, predictions[row["id"]]["domain"], confidence) for row, label, confidence in labelled]
    right = [truth == guess for truth, guess, _ in pairs]
    high = [truth == guess for truth, guess, confidence in pairs if confidence == "high"]
    print(f"sample: {len(pairs)} hand-labelled attachment-3 messages ({args.labels.name}), model {args.model.name}")
    print(f"accuracy: {sum(right) / len(right):.3f} ({sum(right)}/{len(right)})")
    if high:
        print(f"accuracy on rows labelled with high confidence: {sum(high) / len(high):.3f} ({sum(high)}/{len(high)})")
    sources = Counter(basis(predictions[row["id"]]["domain_reason"]) for row, _, _ in labelled)
    print("prediction basis:", dict(sources.most_common()))
    print(f"{'domain':<8} {'n':>4} {'precision':>9} {'recall':>7}")
    for domain in sorted({t for t, _, _ in pairs} | {g for _, g, _ in pairs}):
        n = sum(t == domain for t, _, _ in pairs)
        predicted = sum(g == domain for _, g, _ in pairs)
        hits = sum(t == g == domain for t, g, _ in pairs)
        precision = f"{hits / predicted:.2f}" if predicted else "—"
        recall = f"{hits / n:.2f}" if n else "—"
        print(f"{domain:<8} {n:>4} {precision:>9} {recall:>7}")
    confusions = Counter((t, g) for t, g, _ in pairs if t != g).most_common(8)
    print("most frequent confusions (hand label -> predicted):", ", ".join(f"{t}->{g} {n}" for (t, g), n in confusions))


if __name__ == "__main__":
    main()
