"""Save and load the fitted models together with their model card.

The artifact is one joblib file holding the category model, the handler-type
model (or None) and the card, so they can never drift apart; a JSON copy of the
card is written beside it for humans.  The models are plain numpy arrays and
dicts, so loading does not import scikit-learn.  Artifacts are trusted files
produced by this project, never user uploads.
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
import warnings
from importlib import metadata
from pathlib import Path

import joblib

from classifier.config import ARTIFACT_FORMAT
from classifier.predict import Classifier
from classifier.tokenize import warm_up

# Libraries whose version changes can silently change predictions (scikit-learn fits the numbers, jieba segments).
PINNED_LIBRARIES = ("scikit-learn", "numpy", "scipy", "jieba")


class ModelError(RuntimeError):
    """Raised when a model artifact is missing, unreadable or built with other library versions."""


def library_versions() -> dict[str, str]:
    """Return the installed versions the card records."""
    versions = {name: metadata.version(name) for name in PINNED_LIBRARIES}
    versions["python"] = platform.python_version()
    return versions


def card_path(model_path: Path) -> Path:
    return Path(model_path).with_suffix(".json")


def save(category, handler, card: dict, path: Path) -> Path:
    """Write the artifact atomically and its card beside it; return the artifact path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"format": ARTIFACT_FORMAT, "category": category, "handler": handler, "card": card}
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        joblib.dump(payload, tmp_name, compress=3)
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    card_path(path).write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def check_versions(card: dict) -> None:
    """Raise ModelError if the card's library versions differ from the installed ones."""
    recorded = card.get("versions", {})
    installed = library_versions()
    mismatched = [
        f"{name} {recorded.get(name)} (installed {installed[name]})"
        for name in PINNED_LIBRARIES
        if recorded.get(name) != installed[name]
    ]
    if mismatched:
        raise ModelError("model was trained with other library versions: " + ", ".join(mismatched) + "; retrain it")


def load_payload(path: Path) -> dict:
    """Read an artifact and return its payload after the format and version checks."""
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"model file not found: {path}")
    try:
        with warnings.catch_warnings():
            # A pickle from another library version may warn; refuse it rather than guess.
            warnings.simplefilter("error")
            payload = joblib.load(path)
    except Exception as exc:  # joblib raises many types for a corrupt or truncated file
        raise ModelError(f"cannot read model file {path}: {exc}") from exc
    if not isinstance(payload, dict) or payload.get("format") != ARTIFACT_FORMAT:
        found = payload.get("format") if isinstance(payload, dict) else None
        raise ModelError(f"{path} is not a model artifact of format {ARTIFACT_FORMAT} (found {found!r}); retrain it")
    check_versions(payload["card"])
    return payload


def load(path: Path) -> Classifier:
    """Load an artifact into a ready-to-use ``Classifier`` (jieba's dictionary included, so the first
    prediction is as fast as the others)."""
    payload = load_payload(path)
    warm_up()
    return Classifier(payload["category"], payload["handler"], payload["card"])
