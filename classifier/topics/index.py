"""The API the web application calls: ``group_messages`` for a full regroup, ``TopicIndex`` to keep one up to date.

``TopicIndex.add`` files one new message: it is scored only against the messages that share a place key with
it, and only the group it joins is clustered again, so a message joins an issue in milliseconds however large
the index is.  Adding messages one by one gives the same issues as ``group_messages`` on the same messages
(see ``classifier.topics.grouping`` for why).  ``snapshot``/``restore`` keep the messages and rebuild the rest:
the application may as well rebuild from its database on start.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from classifier.topics import labels
from classifier.topics.grouping import MAX_DENSE, Grouping, Message, _order_key, prepare_many
from classifier.topics.heat import HEAT_EXPLANATION, HeatInput, heat, residents

SNAPSHOT_FORMAT = 1
_EMPTY = np.empty(0)


@dataclass(frozen=True, slots=True)
class Topic:
    """One hot issue: its members (oldest first), heat, time span, places and a label for staff."""

    id: str
    label: str
    members: tuple[str, ...]
    heat: float
    residents: int
    votes: int
    first: datetime | None
    last: datetime | None
    places: tuple[str, ...]
    keywords: tuple[str, ...]
    place: str = ""
    problem: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form printed by ``python -m classifier topics --json``."""
        return {
            "id": self.id,
            "label": self.label,
            "members": list(self.members),
            "heat": self.heat,
            "residents": self.residents,
            "messages": len(self.members),
            "votes": self.votes,
            "first": self.first.isoformat(sep=" ") if self.first else None,
            "last": self.last.isoformat(sep=" ") if self.last else None,
            "places": list(self.places),
            "keywords": list(self.keywords),
        }


def as_message(row: Message | Mapping[str, Any]) -> Message:
    """Accept a ``Message`` or a mapping with id, title, body, time (datetime or ISO text), likes, dislikes, resident."""
    if isinstance(row, Message):
        return row
    time = row.get("time")
    if isinstance(time, str):
        time = datetime.fromisoformat(time) if time.strip() else None
    return Message(
        id=str(row["id"]),
        title=row.get("title") or "",
        body=row.get("body") or "",
        time=time,
        likes=int(row.get("likes") or 0),
        dislikes=int(row.get("dislikes") or 0),
        resident=row.get("resident") or None,
    )


@dataclass
class TopicIndex:
    """Hot issues kept up to date one message at a time.

    ``add`` returns the id of the issue the message is now part of (an issue it joined, or one it formed with
    an earlier message), or None while it stands alone.  Issue ids are the id of the issue's oldest message
    prefixed with ``t``; an issue keeps its id as long as that message stays in it.
    """

    _engine: Grouping = field(default_factory=Grouping)
    # What naming an issue and counting its residents cost, per member list; only the heat changes with time.
    _summaries: dict[tuple[int, ...], tuple[labels.Label, tuple[str, ...], list[int]]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self._engine.items)

    def __contains__(self, message_id: object) -> bool:
        return message_id in self._engine.ids

    def add(self, message: Message | Mapping[str, Any]) -> str | None:
        """File one message and return the id of its issue, or None when it is not part of one."""
        message = as_message(message)
        engine = self._engine
        number = engine.ids.get(message.id)
        if number is None:
            number = engine.insert(message)
            engine.recluster_group_of(number)
        return self._topic_id(engine.cluster_containing(number))

    def extend(self, messages: Iterable[Message | Mapping[str, Any]], *, workers: int = 1) -> None:
        """File many messages and cluster once at the end (what ``group_messages`` does).

        ``workers`` > 1 reads the messages in that many forked processes when there are thousands of them
        (the scoring and clustering stay in this process); the result is the same.
        """
        engine = self._engine
        ordered = sorted((as_message(m) for m in messages), key=_order_key)
        seen: set[str] = set(engine.ids)
        fresh = []
        for message in ordered:
            if message.id not in seen:  # the first of two messages with one id wins, as with add()
                seen.add(message.id)
                fresh.append(message)
        for message, item in zip(fresh, prepare_many(fresh, workers), strict=True):
            engine.insert(message, item)
        engine.recluster_all()

    def topic_of(self, message_id: str) -> str | None:
        """Return the id of the issue a filed message belongs to, or None."""
        number = self._engine.ids.get(message_id)
        if number is None:
            return None
        return self._topic_id(self._engine.cluster_containing(number))

    def group_of(self, message_id: str, *, now: datetime | None = None) -> tuple[tuple[str, ...], list[Topic]]:
        """Return the messages linked (directly or not) to a filed message, and the issues among them.

        Adding a message changes only the issues of its linked group, so these are what a caller keeping issues
        elsewhere (the web application's tables) must bring up to date after ``add``.  In a group too large to
        cluster at once only the message's own issue is returned, with its members as the group.  ``now`` as for
        ``topics``.
        """
        engine = self._engine
        number = engine.ids.get(message_id)
        if number is None:
            return (), []
        if now is None:
            now = self._newest()
        group = engine.groups[engine._find(number)]
        if len(group.members) > MAX_DENSE:
            clusters = [engine.cluster_containing(number)]
            members = clusters[0]
        else:
            if not group.clusters:
                engine.recluster(engine._find(number))
            clusters, members = group.clusters, group.members
        topics = [self._summarise(c, now) for c in clusters if len(c) >= 2]
        topics.sort(key=lambda t: (-t.heat, -len(t.members), t.id))
        return tuple(engine.items[i].message.id for i in members), topics

    def _topic_id(self, cluster: list[int]) -> str | None:
        if len(cluster) < 2:
            return None
        return "t" + self._engine.items[cluster[0]].message.id

    def topics(self, *, now: datetime | None = None, min_size: int = 2) -> list[Topic]:
        """Return the issues of ``min_size`` or more messages, hottest first.

        ``now`` is the reference time for recency and growth; by default the newest message's time.
        """
        engine = self._engine
        if now is None:
            now = self._newest()
        clusters = list(engine.all_clusters(min_size))
        topics = [self._summarise(cluster, now) for cluster in clusters]
        current = {tuple(c) for c in clusters}
        for key in [k for k in self._summaries if k not in current]:
            del self._summaries[key]
        topics.sort(key=lambda t: (-t.heat, -len(t.members), t.id))
        return topics

    def _newest(self) -> datetime | None:
        times = [item.message.time for item in self._engine.items if item.message.time is not None]
        return max(times) if times else None

    def _summarise(self, cluster: list[int], now: datetime | None) -> Topic:
        engine = self._engine
        items = [engine.items[i] for i in cluster]
        key = tuple(cluster)
        cached = self._summaries.get(key)
        if cached is None:
            inputs = []
            for number, item in zip(cluster, items, strict=True):
                indices, values = engine.vector(number)
                m = item.message
                inputs.append(HeatInput(m.time, m.likes, m.dislikes, m.resident, indices, values))
            label = labels.name_issue(
                [labels.TitleInfo(i.title, tuple(p for p in i.title_places if p.in_title), i.admin) for i in items],
                self._central(cluster),
            )
            words = tuple(labels.keywords([i.problem_title for i in items]))
            cached = (label, words, residents(inputs))
            self._summaries[key] = cached
        label, words, numbers = cached
        inputs = [HeatInput(i.message.time, i.message.likes, i.message.dislikes, None, _EMPTY, _EMPTY) for i in items]
        figures = heat(inputs, now, numbers, placeless=not label.places)
        times = [i.message.time for i in items if i.message.time is not None]
        return Topic(
            id="t" + items[0].message.id,
            label=label.text,
            members=tuple(i.message.id for i in items),
            heat=figures.heat,
            residents=figures.residents,
            votes=figures.votes,
            first=min(times) if times else None,
            last=max(times) if times else None,
            places=label.places,
            keywords=words,
            place=label.place,
            problem=label.problem,
        )

    def _central(self, cluster: list[int]) -> int:
        """Return the position of the member whose problem is closest to the issue's taken together.

        Titles that trim to a usable problem phrase (4 to 20 characters) are preferred.
        """
        vectors = [self._engine.vector(i) for i in cluster]
        columns, inverse = np.unique(np.concatenate([v[0] for v in vectors]), return_inverse=True)
        centroid = np.bincount(inverse, weights=np.concatenate([v[1] for v in vectors]), minlength=columns.size)
        closeness = []
        start = 0
        for indices, values in vectors:
            closeness.append(float(np.dot(values, centroid[inverse[start : start + indices.size]])))
            start += indices.size
        best, best_key = 0, None
        for k, number in enumerate(cluster):
            phrase = labels.problem_phrase(self._engine.items[number].problem_title)
            key = (4 <= len(phrase) <= 20, round(closeness[k], 9), -k)
            if best_key is None or key > best_key:
                best, best_key = k, key
        return best

    def snapshot(self) -> dict[str, Any]:
        """Return a JSON-ready copy of the filed messages (the rest is rebuilt by ``restore``)."""
        return {
            "format": SNAPSHOT_FORMAT,
            "messages": [
                {
                    "id": m.id,
                    "title": m.title,
                    "body": m.body,
                    "time": m.time.isoformat() if m.time else None,
                    "likes": m.likes,
                    "dislikes": m.dislikes,
                    "resident": m.resident,
                }
                for m in (item.message for item in self._engine.items)
            ],
        }

    @classmethod
    def restore(cls, snapshot: Mapping[str, Any]) -> TopicIndex:
        """Rebuild an index from ``snapshot()``'s output."""
        if snapshot.get("format") != SNAPSHOT_FORMAT:
            raise ValueError(f"topic snapshot format {snapshot.get('format')!r}, expected {SNAPSHOT_FORMAT}")
        index = cls()
        index.extend(
            Message(
                id=row["id"],
                title=row.get("title") or "",
                body=row.get("body") or "",
                time=datetime.fromisoformat(row["time"]) if row.get("time") else None,
                likes=int(row.get("likes") or 0),
                dislikes=int(row.get("dislikes") or 0),
                resident=row.get("resident"),
            )
            for row in snapshot["messages"]
        )
        return index


def group_messages(
    messages: Iterable[Message | Mapping[str, Any]],
    *,
    now: datetime | None = None,
    min_size: int = 2,
    workers: int = 1,
) -> list[Topic]:
    """Group messages into hot issues from scratch and return them hottest first.

    ``workers``: processes that read the messages (see ``TopicIndex.extend``); the CLI uses every core.
    """
    index = TopicIndex()
    index.extend(messages, workers=workers)
    return index.topics(now=now, min_size=min_size)


__all__ = ["HEAT_EXPLANATION", "Message", "Topic", "TopicIndex", "as_message", "group_messages"]
