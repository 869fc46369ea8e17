"""Group messages into hot issues: one problem at one place, raised by several messages.

How two messages are compared
-----------------------------
* Places (``classifier.topics.places``): each message has *title places* (the places its title names, or the
  first places of its body when the title names none) and *linking places* (title places plus the first two
  places of the body).  Two messages can only be linked when a linking place of one matches a linking place
  of the other (``keys_match``), and not when both titles name districts and the districts differ.  A shared
  road or town is not enough when each message names its own, more specific place (two compounds on the same
  road): that pair is never linked.
* Problem (``classifier.topics.text``): the cosine of the place-free bigram vectors, minus a penalty that grows
  as the shared place gets less specific (compound 0, road or village ``AREA_PENALTY``, town
  ``TOWN_PENALTY``) and when the shared place is read from a body (``BODY_PENALTY``), plus ``KIND_BONUS``
  when two messages about one compound, school or company name the same kind of trouble; two titles that name
  one compound and one family of trouble (房屋质量 and 交房) score at least ``FAMILY_LINK``.  Messages that name no place at all are linked only to other such messages that share one
  of their two strongest title bigrams, and only when nearly identical (``NO_PLACE_PENALTY``).

How messages become issues
--------------------------
The linked pairs whose score reaches ``THRESHOLD`` join messages into connected groups; inside each group,
average-linkage clustering (over every pair's score, 0 for pairs that may not be linked) cut at the same
``THRESHOLD`` gives the issues.  Because a pair below the threshold can never raise an average to it, this is
exactly average linkage over the whole collection, computed one small group at a time.

Everything a pair's score depends on is a function of the two messages alone, and the clustering of a group
sorts its members first, so the result does not depend on the order messages arrive in: adding them one by one
to a ``TopicIndex`` gives the same issues as ``group_messages`` on the same data.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import scipy.sparse as sp
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform

from classifier.tokenize import normalize
from classifier.topics import text as text_features
from classifier.topics.places import LEVEL_AREA, LEVEL_ORG, LEVEL_TOWN, LEVEL_UNIT, Place, extract_places, keys_match

THRESHOLD = 0.10
AREA_PENALTY = 0.08
TOWN_PENALTY = 0.12
NO_PLACE_PENALTY = 0.35
# Added to the score of two messages about one compound, school or company that name the same kind of trouble
# (``classifier.topics.text.PROBLEM_KINDS``) in their titles; half of it when only a body names it.
KIND_BONUS = 0.06
# Two titles that name one compound, school or company (no body reading involved) and kinds of one family
# (``classifier.topics.text.PROBLEM_FAMILIES``) score at least this.
FAMILY_LINK = 0.12
# Added for each side whose shared place is read from its body rather than its title.
BODY_PENALTY = 0.05
# A cluster of one or two joins a cluster of ATTACH_MIN_SIZE or more when its ATTACH_TOP best scores with it
# average ATTACH_SCORE (see ``_attach_stragglers``).
ATTACH_MIN_SIZE = 3
ATTACH_TOP = 3
ATTACH_SCORE = 0.12
ATTACH_LINKED = 0.25
# Pair scores below this count as 0 and are not stored.
MIN_SCORE = 0.04
_PENALTY = {LEVEL_UNIT: 0.0, LEVEL_ORG: 0.0, LEVEL_AREA: AREA_PENALTY, LEVEL_TOWN: TOWN_PENALTY}
_BODY_LINK_PLACES = 2
# A title that names no place borrows the places the body names this early (its opening sentence).
_BODY_PLACE_CHARS = 80
_DISTRICT = re.compile(r"[A-Z]\d+[区县]")


@dataclass(frozen=True, slots=True)
class Message:
    """One resident message as the grouping reads it."""

    id: str
    title: str = ""
    body: str = ""
    time: datetime | None = None
    likes: int = 0
    dislikes: int = 0
    resident: str | None = None


@dataclass(slots=True)
class _Item:
    message: Message
    order: tuple[str, str]
    title_places: tuple[Place, ...]
    link_places: tuple[Place, ...]
    places: tuple[Place, ...]
    districts: frozenset[str]
    block_keys: tuple[str, ...]
    indices: np.ndarray
    values: np.ndarray
    title_kinds: int
    title_families: int
    all_kinds: int
    problem_title: str
    title: str
    admin: tuple[str, ...]


def _order_key(message: Message) -> tuple[str, str]:
    return (message.time.isoformat() if message.time else "", message.id)


def prepare(message: Message) -> _Item:
    """Read the places and the problem vector of one message."""
    title, body = normalize(message.title), normalize(message.body)
    reading = extract_places(title, body)
    masked_title = text_features.mask_spans(title, reading.title_spans)
    masked_body = text_features.mask_spans(body, reading.body_spans)
    in_title = tuple(p for p in reading.places if p.in_title)
    # The title's places again wherever the body repeats them (the body scan may miss a name with no kind word).
    names = sorted({n for p in in_title for n in (p.name, p.key) if len(n) >= 2}, key=len, reverse=True)
    if names:
        pattern = re.compile("|".join(map(re.escape, names)), re.IGNORECASE)
        masked_body = pattern.sub(" ", masked_body)
    indices, values = text_features.problem_vector(masked_title, masked_body)
    title_kinds = text_features.problem_kinds(masked_title)
    all_kinds = title_kinds | text_features.problem_kinds(masked_body[: text_features.BODY_CHARS])
    in_body = tuple(p for p in reading.places if not p.in_title)
    title_places = in_title or tuple(p for p in in_body[:_BODY_LINK_PLACES] if p.start < _BODY_PLACE_CHARS)
    link_places = title_places + tuple(p for p in in_body[:_BODY_LINK_PLACES] if p not in title_places)
    if link_places:
        block_keys = tuple(dict.fromkeys(p.key for p in link_places))
    else:
        block_keys = tuple(f"\x00{code}" for code in _strongest_title_bigrams(masked_title))
    return _Item(
        message=message,
        order=_order_key(message),
        title_places=title_places,
        link_places=link_places,
        places=reading.places,
        districts=frozenset(_DISTRICT.findall(title)),
        block_keys=block_keys,
        indices=indices,
        values=values.astype(np.float64),
        title_kinds=title_kinds,
        title_families=text_features.family_mask(title_kinds),
        all_kinds=all_kinds,
        problem_title=masked_title,
        title=title,
        admin=reading.admin,
    )


def _attach_stragglers(clusters: list[list[int]], similarity: np.ndarray) -> list[list[int]]:
    """Let clusters of one or two messages join the larger cluster their best links point to.

    Average linkage asks a newcomer to score ``THRESHOLD`` on average with every member, which a fiftieth message
    about a big issue seldom does; here a small cluster joins the larger cluster (``ATTACH_MIN_SIZE`` or more)
    whose top ``ATTACH_TOP`` scores with it average at least ``ATTACH_SCORE``, if it is linked at all to at
    least ``ATTACH_LINKED`` of that cluster's members.  Only the clusters that average
    linkage found take part, so the result does not depend on the order they are visited in.  For a pair, the
    member with the better links decides.
    """
    large = [c for c in clusters if len(c) >= ATTACH_MIN_SIZE]
    if not large:
        return clusters
    joined: dict[int, list[int]] = {id(c): list(c) for c in large}
    kept: list[list[int]] = []
    for cluster in clusters:
        if len(cluster) >= ATTACH_MIN_SIZE:
            continue
        best, best_score = None, ATTACH_SCORE
        for target in large:
            block = similarity[np.ix_(cluster, target)]
            # The better-linked member speaks for a pair (usually one resident's text posted twice); it must be
            # linked to a quarter of the target at least, not to one member that happens to share a word.
            linked = (block > 0).mean(axis=1) >= ATTACH_LINKED
            if not linked.any():
                continue
            score = float(np.sort(block[linked], axis=1)[:, -ATTACH_TOP:].mean(axis=1).max())
            if score >= best_score and (best is None or score > best_score):
                best, best_score = target, score
        if best is None:
            kept.append(cluster)
        else:
            joined[id(best)].extend(cluster)
    return [joined[id(c)] for c in large] + kept


def _strongest_title_bigrams(masked_title: str, count: int = 2) -> list[int]:
    codes, values = text_features._weighted(text_features._bigram_codes(masked_title), 1.0)
    if codes.size == 0:
        return []
    best = np.lexsort((codes, -values))[:count]
    return [int(codes[i]) for i in best if values[i] > 0]


def _shared_level(a: _Item, b: _Item) -> tuple[int, float] | None:
    """Return how specific the place two messages share is (1 best) and the score penalty that goes with it.

    None when they may not be linked.
    """
    if a.districts and b.districts and a.districts.isdisjoint(b.districts):
        return None
    best = None
    best_penalty = 0.0
    for p in a.link_places:
        for q in b.link_places:
            # Two places read only from the bodies do not make a match (both name 自来水公司, say).
            if (p in a.title_places or q in b.title_places) and keys_match(p.key, q.key):
                level = max(p.level, q.level)
                penalty = _PENALTY[level] + BODY_PENALTY * ((not p.in_title) + (not q.in_title))
                if best is None or (level, penalty) < (best, best_penalty):
                    best, best_penalty = level, penalty
    if best is None:
        return None

    def own_specific(x: _Item, y: _Item) -> bool:
        return any(p.level <= best and not any(keys_match(p.key, q.key) for q in y.places) for p in x.title_places)

    if own_specific(a, b) and own_specific(b, a):
        return None
    return best, best_penalty


def kind_bonus(a: _Item, b: _Item) -> float:
    """Return the bonus for naming the same kind of trouble: both titles, or else anywhere."""
    if a.title_kinds & b.title_kinds:
        return KIND_BONUS
    if a.all_kinds & b.all_kinds:
        return KIND_BONUS / 2
    return 0.0


def pair_score(a: _Item, b: _Item, cosine: float) -> float:
    """Return the linking score of two prepared messages given their problem cosine (0 when not linkable)."""
    if a.link_places and b.link_places:
        shared = _shared_level(a, b)
        if shared is None:
            return 0.0
        score = cosine - shared[1]
        if shared[0] <= LEVEL_ORG:
            score += kind_bonus(a, b)
            if shared[1] == 0.0 and a.title_families & b.title_kinds:
                # Both titles name this compound and one family of trouble (质量 and 交房, 油烟 and 噪音).
                score = max(score, FAMILY_LINK)
    elif not a.link_places and not b.link_places:
        if a.districts and b.districts and a.districts.isdisjoint(b.districts):
            return 0.0
        if set(a.block_keys).isdisjoint(b.block_keys):
            return 0.0
        score = cosine - NO_PLACE_PENALTY
    else:
        return 0.0
    return score if score >= MIN_SCORE else 0.0


class _KeyIndex:
    """Find the messages whose block keys match a key: equal, suffix (2+ chars) or prefix (3+ chars)."""

    def __init__(self) -> None:
        self.exact: dict[str, list[int]] = {}
        self.suffix: dict[str, list[int]] = {}
        self.prefix: dict[str, list[int]] = {}

    def add(self, key: str, item: int) -> None:
        self.exact.setdefault(key, []).append(item)
        if key.startswith("\x00"):
            return
        for i in range(1, len(key) - 1):
            self.suffix.setdefault(key[i:], []).append(item)
        for j in range(3, len(key)):
            self.prefix.setdefault(key[:j], []).append(item)

    def lookup(self, key: str) -> Iterator[int]:
        yield from self.exact.get(key, ())
        if key.startswith("\x00"):
            return
        yield from self.suffix.get(key, ())
        yield from self.prefix.get(key, ())
        for i in range(1, len(key) - 1):
            yield from self.exact.get(key[i:], ())
        for j in range(3, len(key)):
            yield from self.exact.get(key[:j], ())


@dataclass
class _Group:
    members: list[int] = field(default_factory=list)
    clusters: list[list[int]] = field(default_factory=list)


class Grouping:
    """The shared engine of ``group_messages`` and ``TopicIndex``: items, pair scores, groups, clusters."""

    def __init__(self) -> None:
        self.items: list[_Item] = []
        self.ids: dict[str, int] = {}
        self.keys = _KeyIndex()
        self.scores: dict[int, dict[int, float]] = {}
        self.parent: list[int] = []
        self.groups: dict[int, _Group] = {}
        self.cluster_of: dict[int, tuple[int, int]] = {}  # item -> (group root, cluster number)
        self._scratch = np.zeros(text_features.N_FEATURES)

    # -- union-find over strong links
    def _find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def insert(self, message: Message) -> int | None:
        """Add one message, score it against the messages that share a place key; return its number."""
        if message.id in self.ids:
            return None
        item = prepare(message)
        n = len(self.items)
        self.items.append(item)
        self.ids[message.id] = n
        self.parent.append(n)
        self.groups[n] = _Group(members=[n], clusters=[[n]])
        candidates: set[int] = set()
        for key in item.block_keys:
            candidates.update(self.keys.lookup(key))
        for key in item.block_keys:
            self.keys.add(key, n)
        candidates.discard(n)
        if candidates and item.indices.size:
            ordered = sorted(candidates)
            cosines = self._cosines(ordered, item)
            for other, cosine in zip(ordered, cosines, strict=True):
                if cosine + KIND_BONUS < MIN_SCORE and not item.title_families & self.items[other].title_kinds:
                    continue
                score = pair_score(self.items[other], item, float(cosine))
                if score > 0.0:
                    self.scores.setdefault(n, {})[other] = score
                    self.scores.setdefault(other, {})[n] = score
                    if score >= THRESHOLD:
                        self._union(n, other)
        return n

    def _cosines(self, rows: list[int], item: _Item) -> np.ndarray:
        """Return the problem cosines of ``item`` with each of ``rows``.

        The sum for each pair runs over the shared features in index order whichever of the two is the query,
        so a pair scores the same bits in any arrival order.
        """
        items = self.items
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum([items[r].indices.size for r in rows], out=indptr[1:])
        indices = np.concatenate([items[r].indices for r in rows])
        data = np.concatenate([items[r].values for r in rows])
        matrix = sp.csr_matrix((data, indices, indptr), shape=(len(rows), text_features.N_FEATURES))
        scratch = self._scratch
        scratch[item.indices] = item.values
        try:
            return matrix @ scratch
        finally:
            scratch[item.indices] = 0.0

    def _union(self, a: int, b: int) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra == rb:
            return
        if len(self.groups[ra].members) < len(self.groups[rb].members):
            ra, rb = rb, ra
        self.parent[rb] = ra
        merged = self.groups.pop(rb)
        self.groups[ra].members.extend(merged.members)
        self.groups[ra].clusters = []  # stale until reclustered

    def recluster(self, root: int) -> None:
        """Cluster one group by average linkage over its members' pair scores."""
        group = self.groups[root]
        members = sorted(group.members, key=lambda i: self.items[i].order)
        if len(members) == 1:
            group.clusters = [members]
        else:
            position = {item: k for k, item in enumerate(members)}
            similarity = np.zeros((len(members), len(members)))
            for k, item in enumerate(members):
                for other, score in self.scores.get(item, {}).items():
                    j = position.get(other)
                    if j is not None:
                        similarity[k, j] = score
            distance = 1.0 - np.minimum(similarity, 1.0)
            np.fill_diagonal(distance, 0.0)
            tree = linkage(squareform(distance, checks=False), method="average")
            labels = fcluster(tree, t=1.0 - THRESHOLD, criterion="distance")
            clusters: dict[int, list[int]] = {}
            for k, label in enumerate(labels):
                clusters.setdefault(int(label), []).append(k)
            found = _attach_stragglers(sorted(clusters.values()), similarity)
            group.clusters = [sorted((members[k] for k in c), key=lambda i: self.items[i].order) for c in found]
            group.clusters.sort(key=lambda c: self.items[c[0]].order)
        for number, cluster in enumerate(group.clusters):
            for item in cluster:
                self.cluster_of[item] = (root, number)

    def recluster_all(self) -> None:
        for root in list(self.groups):
            self.recluster(root)

    def all_clusters(self, min_size: int = 2) -> Iterator[list[int]]:
        """Yield every cluster of ``min_size`` or more messages (members sorted by time, then id)."""
        for root, group in self.groups.items():
            if not group.clusters:
                self.recluster(root)
            for cluster in group.clusters:
                if len(cluster) >= min_size:
                    yield cluster

    def recluster_group_of(self, item: int) -> None:
        """Cluster again the group an item belongs to (after it joined)."""
        self.recluster(self._find(item))

    def cluster_containing(self, item: int) -> list[int]:
        """Return the cluster (sorted members) an item belongs to."""
        root = self._find(item)
        group = self.groups[root]
        if not group.clusters:
            self.recluster(root)
        _, number = self.cluster_of[item]
        return group.clusters[number]
