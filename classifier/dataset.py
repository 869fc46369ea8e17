"""Read the message files: labelled messages, CSV rows, digests for the model card."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from classifier.tokenize import compose


class DatasetError(ValueError):
    """Raised when a data file is missing or does not have the expected columns."""


@dataclass(frozen=True)
class Message:
    """One message; ``label`` is its category, handler type or domain, depending on the model it trains."""

    id: str
    title: str
    body: str
    label: str | None = None

    @property
    def text(self) -> str:
        """Title and body as one string."""
        return compose(self.title, self.body)


def read_rows(path: Path, required: Sequence[str]) -> list[dict[str, str]]:
    """Read a CSV into dicts; raise DatasetError if it is missing or lacks a ``required`` column."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"data file not found: {path}")
    # utf-8-sig so that files saved by Excel (with a BOM) read the same.
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in required if column not in (reader.fieldnames or [])]
        if missing:
            raise DatasetError(f"{path.name} lacks column(s) {', '.join(missing)}; expected {', '.join(required)}")
        return list(reader)


def load_labelled(path: Path, label_column: str = "category") -> list[Message]:
    """Read a CSV with columns id,title,body and a label column; skip rows without text or label."""
    rows = read_rows(path, ("id", "title", "body", label_column))
    messages = [
        Message(row["id"], row["title"] or "", row["body"] or "", (row[label_column] or "").strip()) for row in rows
    ]
    return [m for m in messages if m.label and m.text]


def file_sha256(path: Path) -> str:
    """Return the hex sha256 of a file, recorded in the model card."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def message_digest(message: Message) -> str:
    """A short hash of one labelled row: the card lists those of the corrections a model was trained on, so a
    later retraining knows which corrections the current model has already seen."""
    text = "\x1f".join((message.title or "", message.body or "", message.label or ""))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
