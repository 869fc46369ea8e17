"""Save and load a ``Router``: its fitted pipelines and their card, as one file or as bytes for a database.

Layout (``dumps``): a magic line, the length of a JSON header, the header (artifact format, the card, the sha256 of
the body), then the body: a joblib pickle of ``{model name: Pipeline}``.  Everything is checked before anything is
unpickled: the format, the library versions the card records, the body's digest; after unpickling, that the
pipelines are the card's models with the card's labels.  A JSON copy of the card is written beside a saved file
for humans.  Artifacts are files and rows this project wrote, never user uploads: unpickling runs code.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import tempfile
import warnings
from importlib import metadata
from pathlib import Path

import joblib

from classifier.config import ARTIFACT_FORMAT
from classifier.router import Router
from classifier.tokenize import warm_up

MAGIC = b"jindianzi-classifier\n"
_LENGTH_BYTES = 8
# Libraries whose version changes can silently change predictions (scikit-learn fits the numbers, jieba segments).
PINNED_LIBRARIES = ("scikit-learn", "numpy", "scipy", "jieba")


class ModelError(RuntimeError):
    """Raised when an artifact is missing, unreadable, altered, of another format or built with other libraries."""


def library_versions() -> dict[str, str]:
    """Return the installed versions the card records."""
    versions = {name: metadata.version(name) for name in PINNED_LIBRARIES}
    versions["python"] = platform.python_version()
    return versions


def card_path(model_path: Path) -> Path:
    """Where the human-readable copy of an artifact's card lives."""
    return Path(model_path).with_suffix(".json")


def dumps(router: Router) -> bytes:
    """Serialise a router (pipelines and card) to bytes that ``loads`` accepts."""
    buffer = io.BytesIO()
    joblib.dump(router.models, buffer, compress=3)
    body = buffer.getvalue()
    header = json.dumps(
        {"format": ARTIFACT_FORMAT, "card": router.card, "sha256": hashlib.sha256(body).hexdigest()},
        ensure_ascii=False,
    ).encode("utf-8")
    return MAGIC + len(header).to_bytes(_LENGTH_BYTES, "big") + header + body


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


def _header(data: bytes) -> tuple[dict, bytes]:
    if not data.startswith(MAGIC):
        raise ModelError(f"not a model artifact of format {ARTIFACT_FORMAT} (an older or foreign file); retrain it")
    start = len(MAGIC) + _LENGTH_BYTES
    length = int.from_bytes(data[len(MAGIC) : start], "big")
    try:
        header = json.loads(data[start : start + length].decode("utf-8"))
    except ValueError as exc:
        raise ModelError(f"unreadable artifact header: {exc}") from exc
    if not isinstance(header, dict) or header.get("format") != ARTIFACT_FORMAT:
        found = header.get("format") if isinstance(header, dict) else None
        raise ModelError(f"not a model artifact of format {ARTIFACT_FORMAT} (found {found!r}); retrain it")
    return header, data[start + length :]


def loads(data: bytes) -> Router:
    """Check and unpickle ``dumps`` output into a ready ``Router`` (jieba's dictionary loaded)."""
    header, body = _header(bytes(data))
    card = header["card"]
    check_versions(card)
    if hashlib.sha256(body).hexdigest() != header.get("sha256"):
        raise ModelError("artifact altered or truncated: its body does not match the digest in its header")
    try:
        with warnings.catch_warnings():
            # A pickle that warns (e.g. about another library version) is refused rather than trusted.
            warnings.simplefilter("error")
            models = joblib.load(io.BytesIO(body))
    except Exception as exc:  # joblib and pickle raise many types for a broken body
        raise ModelError(f"cannot read the artifact's models: {exc}") from exc
    described = {name for name, model_card in card.get("models", {}).items() if model_card}
    if not isinstance(models, dict) or set(models) != described:
        raise ModelError(f"the artifact's models {sorted(models)} are not the card's {sorted(described)}")
    for name, pipeline in models.items():
        if [str(label) for label in pipeline.classes_] != card["models"][name]["labels"]:
            raise ModelError(f"the {name} model's labels differ from its card")
    warm_up()
    return Router(models, card)


def save(router: Router, path: Path) -> Path:
    """Write the artifact atomically and its card beside it; return the artifact path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(dumps(router))
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    card_path(path).write_text(json.dumps(router.card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def load(path: Path) -> Router:
    """Read and check an artifact file (see ``loads``)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ModelError(f"model file not found: {path}") from None
    except OSError as exc:
        raise ModelError(f"cannot read model file {path}: {exc}") from exc
    return loads(data)
