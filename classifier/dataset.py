"""Read the labelled and unlabelled message files."""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

from classifier.tokenize import compose

LABELLED_COLUMNS = ("id", "title", "body", "category")


class DatasetError(ValueError):
    """Raised when a data file is missing or does not have the expected columns."""


@dataclass(frozen=True)
class Message:
    id: str
    title: str
    body: str
    label: str | None = None

    @property
    def text(self) -> str:
        return compose(self.title, self.body)


def _read_rows(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
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
    rows = _read_rows(path, ("id", "title", "body", label_column))
    messages = [
        Message(row["id"], row["title"] or "", row["body"] or "", (row[label_column] or "").strip()) for row in rows
    ]
    return [m for m in messages if m.label and m.text]


def load_unlabelled(path: Path) -> list[Message]:
    """Read a CSV with columns id,title,body; other columns are ignored."""
    rows = _read_rows(path, ("id", "title", "body"))
    messages = [Message(row["id"], row["title"] or "", row["body"] or "") for row in rows]
    return [m for m in messages if m.text]


def file_sha256(path: Path) -> str:
    """Return the hex sha256 of a file, recorded in the model card."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_taxonomy(path: Path) -> list[Message]:
    """One pseudo-message per taxonomy row: title "level2 level3", labelled with its level1 category.

    A level3 of 其他 ("other") says nothing and is left out.  The model learns from these rows the vocabulary of
    sub-topics that the labelled messages of a category never mention.
    """
    rows = _read_rows(path, ("level1", "level2", "level3"))
    messages = []
    for number, row in enumerate(rows, start=1):
        level2, level3 = (row["level2"] or "").strip(), (row["level3"] or "").strip()
        title = f"{level2} {level3}".strip() if level3 != "其他" else level2
        if title and row["level1"].strip():
            messages.append(Message(f"taxonomy-{number}", title, "", row["level1"].strip()))
    return messages
