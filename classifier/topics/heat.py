"""The heat index of a hot issue, and how many residents raised it.

Heat formula
------------
For an issue whose messages come from ``R`` distinct residents::

    heat = [R × (0.8 + 0.2 × recency) + 0.5 × N30 + 0.5 × ln(1 + likes + dislikes)] × (½ if no place)

* ``R``, distinct residents: one per ``resident`` key when the messages carry one (a user or author column);
  otherwise messages whose texts are near-identical (cosine ≥ ``SAME_TEXT`` of their problem vectors, the
  bigrams of title and body start with places cut out) count as one resident, so a person who posts the same
  complaint twenty times counts once.
* ``recency`` = 2^(−d / 90), ``d`` the days from the issue's latest message to the reference time (the newest
  message of the collection unless given): an issue nobody has written about for three months keeps 90 % of
  its resident weight, a long-forgotten one 80 %.
* ``N30``: residents whose first message on the issue is from the last 30 days before the reference time
  (growth: an issue that is drawing new people now).
* ``likes + dislikes``, summed over the messages: both are people who read the message and cared enough to
  react.  The logarithm keeps a single viral post (2,000 likes ≈ 4 residents) from burying an issue that many
  residents raised themselves.
* An issue whose messages name no place or group at all (the same question about a city-wide rule, say)
  counts half: staff look here for trouble at a place.

The TipDM 2020 problem C task 2 (热点问题挖掘) asks for a heat index built from the number of messages, the
residents and their support over a period; this is one such index, written to be explained in one sentence.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import scipy.sparse as sp

HEAT_EXPLANATION = (
    "热度 = 反映该问题的不同居民数（同一人重复留言只算一次；最近三个月无新留言的问题按八到九成计）"
    " + 近30天新加入的居民数 × 0.5 + 0.5 × ln(1 + 点赞数 + 反对数)；未指明具体地点或群体的问题热度减半。"
)

SAME_TEXT = 0.9
RECENCY_HALF_LIFE_DAYS = 90.0
GROWTH_DAYS = 30
VOTE_WEIGHT = 0.5
PLACELESS_FACTOR = 0.5


@dataclass(frozen=True, slots=True)
class HeatInput:
    """What the heat index reads from one message."""

    time: datetime | None
    likes: int
    dislikes: int
    resident: str | None
    text_indices: np.ndarray
    text_values: np.ndarray


def residents(members: Sequence[HeatInput]) -> list[int]:
    """Return a resident number per member: same key, or (without keys) near-identical texts."""
    parent = list(range(len(members)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_key: dict[str, int] = {}
    for i, member in enumerate(members):
        if member.resident:
            first = by_key.setdefault(member.resident, i)
            parent[find(i)] = find(first)
    for i, j in _same_text_pairs(members):
        if members[i].resident and members[j].resident:
            continue  # both named: the names decide
        parent[find(i)] = find(j)
    roots: dict[int, int] = {}
    return [roots.setdefault(find(i), len(roots)) for i in range(len(members))]


def _same_text_pairs(members: Sequence[HeatInput]) -> list[tuple[int, int]]:
    """Return the pairs (i > j) of members whose whole texts are near-identical."""
    if len(members) < 2:
        return []
    if len(members) == 2:
        a, b = members
        common, ia, ib = np.intersect1d(a.text_indices, b.text_indices, assume_unique=True, return_indices=True)
        similar = common.size and float(np.dot(a.text_values[ia], b.text_values[ib])) >= SAME_TEXT
        return [(1, 0)] if similar else []
    columns, inverse = np.unique(np.concatenate([m.text_indices for m in members]), return_inverse=True)
    indptr = np.zeros(len(members) + 1, dtype=np.int64)
    np.cumsum([m.text_indices.size for m in members], out=indptr[1:])
    data = np.concatenate([m.text_values for m in members]).astype(np.float64)
    matrix = sp.csr_matrix((data, inverse, indptr), shape=(len(members), columns.size))
    similar = sp.tril(matrix @ matrix.T, k=-1).tocoo()
    keep = similar.data >= SAME_TEXT
    return list(zip(similar.row[keep].tolist(), similar.col[keep].tolist(), strict=True))


@dataclass(frozen=True, slots=True)
class Heat:
    """The heat of one issue and the figures it is made of."""

    heat: float
    residents: int
    messages: int
    votes: int
    new_residents: int
    recency: float


def heat(
    members: Sequence[HeatInput], now: datetime | None, numbers: Sequence[int] | None = None, *, placeless: bool = False
) -> Heat:
    """Return the heat index of an issue (see the module docstring); ``numbers`` from ``residents`` if known."""
    if numbers is None:
        numbers = residents(members)
    count = len(set(numbers))
    votes = sum(max(0, m.likes) + max(0, m.dislikes) for m in members)
    times = [m.time for m in members if m.time is not None]
    recency = 1.0
    new = 0
    if now is not None and times:
        days = max(0.0, (now - max(times)).total_seconds() / 86400.0)
        recency = 2.0 ** (-days / RECENCY_HALF_LIFE_DAYS)
        first_seen: dict[int, datetime] = {}
        for number, member in zip(numbers, members, strict=True):
            if member.time is not None and (number not in first_seen or member.time < first_seen[number]):
                first_seen[number] = member.time
        since = now - timedelta(days=GROWTH_DAYS)
        new = sum(1 for t in first_seen.values() if t > since)
    value = count * (0.8 + 0.2 * recency) + 0.5 * new + VOTE_WEIGHT * math.log1p(votes)
    if placeless:
        value *= PLACELESS_FACTOR
    return Heat(round(value, 2), count, len(members), votes, new, round(recency, 3))
