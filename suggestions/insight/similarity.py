"""Possible duplicates of a text, most similar first: what the campaign office checks before merging.

The database narrows the field to a bounded set of recent items that share a key word with the text (those
sharing the most words first); each candidate is then scored in Python by the overlap of character bigrams
(the Dice coefficient of the two sets), which suits Chinese, where a near-identical message shares almost every
pair of characters however it is segmented.  Ranking by that score, not by date, is what lets an earlier,
near-identical item be found among newer ones that merely share a word or two.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from suggestions.extensions import db
from suggestions.insight.queues import ROW_RELATIONS
from suggestions.models import Suggestion
from suggestions.workflow import Status

# How many recent items sharing a key word are scored: bounds the work per page, whatever the volume.
CANDIDATES = 200
# Below this, two texts share only common phrases (小区、建议、希望…), not a matter.
MIN_SIMILARITY = 0.2
# Characters that carry meaning; punctuation, spaces and symbols do not make two texts alike.
_MEANINGFUL = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbfA-Za-z0-9]+")


@dataclass(frozen=True)
class Similar:
    suggestion: Suggestion
    score: float  # 0..1, 1 for the same text


def bigrams(text: str) -> frozenset[str]:
    """The set of adjacent character pairs of the meaningful characters of ``text``."""
    pairs = set()
    for run in _MEANINGFUL.findall((text or "").lower()):
        pairs.update(run[i : i + 2] for i in range(len(run) - 1))
    return frozenset(pairs)


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Dice coefficient of two bigram sets."""
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def similar_suggestions(
    text: str, words: list[str], *, exclude_id: int | None, since: datetime, limit: int = 5
) -> list[Similar]:
    """Recent, unmerged items most like ``text``, best first; ``words`` (its key words) narrow the candidates."""
    words = [word for word in words if len(word) >= 2][:4]
    if not words:
        return []
    hits = sum(
        sa.case(
            (sa.or_(Suggestion.title.contains(w, autoescape=True), Suggestion.body.contains(w, autoescape=True)), 1),
            else_=0,
        )
        for w in words
    )
    query = (
        sa.select(Suggestion)
        .options(*ROW_RELATIONS)
        .where(Suggestion.received_at >= since, Suggestion.status != Status.MERGED, hits >= 1)
        .order_by(hits.desc(), Suggestion.received_at.desc(), Suggestion.id.desc())
        .limit(CANDIDATES)
    )
    if exclude_id is not None:
        query = query.where(Suggestion.id != exclude_id)
    source = bigrams(text)
    scored = [
        Similar(candidate, similarity(source, bigrams(f"{candidate.title} {candidate.body}")))
        for candidate in db.session.scalars(query)
    ]
    ranked = sorted(
        (item for item in scored if item.score >= MIN_SIMILARITY),
        key=lambda item: (-item.score, -item.suggestion.id),
    )
    return ranked[:limit]
