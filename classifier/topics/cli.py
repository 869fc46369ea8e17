"""Read a messages CSV for ``python -m classifier topics`` and print the hot issues.

The CSV has a header with ``id`` and ``body`` (required), ``title``, and optionally ``time``, ``likes``,
``dislikes`` and a resident column (``user``, ``author``, ``resident`` or ``留言用户``).  A row without an id or
a body, or with an id seen before, is skipped with a line on stderr naming its line; an unreadable time or count
is reported and treated as missing.  Nothing in a text can stop the command.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TextIO

from classifier.topics.grouping import Message
from classifier.topics.heat import HEAT_EXPLANATION
from classifier.topics.index import Topic, group_messages

RESIDENT_COLUMNS = ("user", "author", "resident", "留言用户", "用户")
_TIME_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%Y-%m-%d %H:%M", "%Y.%m.%d")

# Fields may hold long bodies; the default limit (128 KiB) would stop the reader on one huge cell.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


class CsvError(ValueError):
    """The file cannot be read as a messages CSV at all (no header, no id or body column)."""


def parse_time(value: str) -> datetime | None:
    """Parse the time formats the board exports use; return None for an empty value; raise ValueError else."""
    value = value.strip()
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        pass
    for pattern in _TIME_FORMATS:
        try:
            return datetime.strptime(value, pattern)
        except ValueError:
            continue
    raise ValueError(value)


def _count(value: str | None) -> int:
    value = (value or "").strip()
    if not value:
        return 0
    return max(0, int(float(value)))


def read_messages(path: Path, errors: TextIO | None = None) -> Iterator[Message]:
    """Yield the usable rows of a messages CSV, reporting the others on ``errors`` (default stderr)."""
    errors = errors or sys.stderr
    with path.open(encoding="utf-8-sig", newline="", errors="replace") as handle:
        reader = csv.DictReader(handle)
        columns = [c.strip() for c in reader.fieldnames or []]
        if "id" not in columns or "body" not in columns:
            raise CsvError(f"{path}: the header needs id and body columns (found: {', '.join(columns) or 'none'})")
        reader.fieldnames = columns
        resident_column = next((c for c in RESIDENT_COLUMNS if c in columns), None)
        seen: set[str] = set()
        for row in reader:
            # line_num is the row's last line; quoted newlines inside it tell how many lines it spans.
            line = reader.line_num - sum(str(v).count("\n") for v in row.values() if v is not None)
            if None in row:
                print(f"line {line}: {len(row[None])} extra field(s) ignored", file=errors)
            message_id = (row.get("id") or "").strip()
            body = row.get("body") or ""
            if not message_id:
                print(f"line {line}: skipped, no id", file=errors)
                continue
            if not body.strip():
                print(f"line {line}: skipped, id {message_id} has no body", file=errors)
                continue
            if message_id in seen:
                print(f"line {line}: skipped, id {message_id} appears more than once", file=errors)
                continue
            seen.add(message_id)
            try:
                time = parse_time(row.get("time") or "")
            except ValueError:
                print(f"line {line}: id {message_id}: unreadable time {row.get('time')!r}, left empty", file=errors)
                time = None
            counts = {}
            for name in ("likes", "dislikes"):
                try:
                    counts[name] = _count(row.get(name))
                except ValueError:
                    print(f"line {line}: id {message_id}: unreadable {name} {row.get(name)!r}, taken as 0", file=errors)
                    counts[name] = 0
            resident = (row.get(resident_column) or "").strip() if resident_column else ""
            yield Message(
                id=message_id,
                title=row.get("title") or "",
                body=body,
                time=time,
                likes=counts["likes"],
                dislikes=counts["dislikes"],
                resident=resident or None,
            )


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else "—"


def format_table(topics: list[Topic], limit: int | None = None) -> str:
    """Return the issues as a plain-text table in Chinese, hottest first."""
    shown = topics if limit is None else topics[:limit]
    lines = [f"共 {len(topics)} 个热点问题（按热度排序）", HEAT_EXPLANATION, ""]
    lines.append("排名  热度    留言  居民  点赞+反对  时间范围                 热点问题")
    for rank, topic in enumerate(shown, start=1):
        span = f"{_when(topic.first)} 至 {_when(topic.last)}"
        lines.append(
            f"{rank:>4}  {topic.heat:>6.2f}  {len(topic.members):>4}  {topic.residents:>4}  {topic.votes:>9}  "
            f"{span:<23}  {topic.label}"
        )
        more = "…" if len(topic.members) > 12 else ""
        lines.append(
            f"{'':>6}关键词：{'、'.join(topic.keywords) or '—'}；留言编号：{'、'.join(topic.members[:12])}{more}"
        )
    if limit is not None and len(topics) > limit:
        lines.append(f"（另有 {len(topics) - limit} 个，用 --limit 0 全部列出）")
    return "\n".join(lines)


def run(data: Path, *, as_json: bool, limit: int | None, min_size: int, out: TextIO | None = None) -> int:
    """Group the CSV's messages and print them (default stdout); return the exit status."""
    out = out or sys.stdout
    messages = list(read_messages(data))
    topics = group_messages(messages, min_size=min_size, workers=os.cpu_count() or 1)
    if as_json:
        payload = {
            "topics": [t.to_dict() for t in (topics if limit is None else topics[:limit])],
            "heat_explanation": HEAT_EXPLANATION,
            "messages": len(messages),
        }
        print(json.dumps(payload, ensure_ascii=False), file=out)
    else:
        print(format_table(topics, limit), file=out)
    return 0
