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
  ``TOWN_PENALTY``, and only when both titles name the town) and when the shared place is read from a body
  (``BODY_PENALTY``), plus ``KIND_BONUS``
  when two messages about one compound, school or company name the same kind of trouble; two titles that name
  one compound and one family of trouble (房屋质量 and 交房) score at least ``FAMILY_LINK``.  Messages that name no place at all are linked only to other such messages that share one
  their two strongest title bigrams, and only when nearly identical (``NO_PLACE_PENALTY``).

How messages become issues
--------------------------
The linked pairs whose score reaches ``THRESHOLD`` join messages into connected groups; inside each group,
average-linkage clustering (over every pair's score, 0 for pairs that may not be linked) cut at the same
``THRESHOLD`` gives the issues.  Because a pair below the threshold can never raise an average to it, this is
exactly average linkage over the whole collection, computed one small group at a time.  Then a cluster of one
or two messages may join the larger cluster its best links point to (``_attach_stragglers``).  A group of more
than ``MAX_DENSE`` messages (none in a year of this board's data) is first split by a stricter threshold, so
memory stays bounded whatever the data.

Everything a pair's score depends on is a function of the two messages alone, and the clustering of a group
sorts its members first, so the result does not depend on the order messages arrive in: adding them one by one
to a ``TopicIndex`` gives the same issues as ``group_messages`` on the same data.
"""

from __future__ import annotations

import multiprocessing
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse._sparsetools import csr_matvec
from scipy.spatial.distance import squareform

from classifier.tokenize import normalize
from classifier.topics import text as text_features
from classifier.topics.places import (
    COMPOUND_ENDINGS,
    LEVEL_AREA,
    LEVEL_ORG,
    LEVEL_TOWN,
    LEVEL_UNIT,
    Place,
    exact_only,
    extract_places,
    keys_match,
)
from classifier.topics.places import warm_up as warm_places

THRESHOLD = 0.10
AREA_PENALTY = 0.08
TOWN_PENALTY = 0.25
NO_PLACE_PENALTY = 0.35
# Added to the score of two messages about one compound, school or company that name the same kind of trouble
# (``classifier.topics.text.PROBLEM_KINDS``) in their titles; half of it when only a body names it.  A pair with
# a cosine under KIND_MIN_COSINE shares too few words for a kind to mean the same trouble and gets no bonus.
KIND_BONUS = 0.06
KIND_MIN_COSINE = 0.05
# Two titles that name one compound, school or company (no body reading involved) and kinds of one family
# (``classifier.topics.text.PROBLEM_FAMILIES``) score at least this.
FAMILY_LINK = 0.12
# Added for each side whose shared place is read from its body rather than its title.
BODY_PENALTY = 0.05
# extend() prepares this many messages or more in worker processes when asked to.
PARALLEL_MIN = 5000
# A group of linked messages larger than this is split into the groups of a threshold 0.05 higher (again if
# need be) before average linkage, which needs a dense matrix of the group; see ``Grouping._parts``.
MAX_DENSE = 600
# A cluster of one or two joins a cluster of ATTACH_MIN_SIZE or more when its ATTACH_TOP best scores with it
# average ATTACH_SCORE (see ``_attach_stragglers``).
ATTACH_MIN_SIZE = 3
ATTACH_TOP = 3
ATTACH_SCORE = 0.12
ATTACH_LINKED = 0.25
# Pair scores below this count as 0 and are not stored.
MIN_SCORE = 0.05
_PENALTY = {LEVEL_UNIT: 0.0, LEVEL_ORG: 0.0, LEVEL_AREA: AREA_PENALTY, LEVEL_TOWN: TOWN_PENALTY}
_BODY_LINK_PLACES = 2
# A message "names" a place, for the conflict rule, when its title or one of its first body places does.
_CONFLICT_BODY_PLACES = 8
# A title that names no place borrows the places the body names this early (its opening sentence).
_BODY_PLACE_CHARS = 80
_EMPTY_VECTOR = np.empty(0, dtype=np.float32)
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
    districts: frozenset[str]
    own_keys: tuple[str, ...]
    body_keys: tuple[str, ...]
    indices: np.ndarray
    values: np.ndarray
    title_kinds: int
    title_families: int
    all_kinds: int
    # (key, level, read from the title, is a title place) for each linking place; the keys of all places.
    links: tuple[tuple[str, int, bool, bool], ...]
    own: tuple[tuple[str, int], ...]
    all_keys: tuple[str, ...]
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
    for name in sorted({n for p in in_title for n in (p.name, p.key) if len(n) >= 2}, key=len, reverse=True):
        masked_body = masked_body.replace(name, " ")
    indices, values, strongest = text_features.problem_features(masked_title, masked_body)
    title_kinds = text_features.problem_kinds(masked_title)
    all_kinds = title_kinds | text_features.problem_kinds(masked_body[: text_features.BODY_CHARS])
    in_body = tuple(p for p in reading.places if not p.in_title)
    title_places = in_title or tuple(p for p in in_body[:_BODY_LINK_PLACES] if p.start < _BODY_PLACE_CHARS)
    link_places = title_places + tuple(p for p in in_body[:_BODY_LINK_PLACES] if p not in title_places)
    title_keys = {p.key for p in title_places}
    links = []
    for p in link_places:
        if p.level < LEVEL_TOWN:
            links.append((p.key, p.level, p.in_title, p.key in title_keys))
        elif p.in_title and strongest:
            # A town or zone links two titles only with the same strongest title bigram: thousands of messages
            # name 经开区, and only near-repeats of one another are one issue through it.
            links.append((f"\x01{p.key}|{strongest[0]}", p.level, True, True))
    if links:
        own_keys = tuple(dict.fromkeys(key for key, _, _, own in links if own))
        body_keys = tuple(dict.fromkeys(key for key, _, _, own in links if not own and key not in own_keys))
    else:
        # A message that names no place meets only those whose title has the same two strongest bigrams.
        own_keys = ("\x00" + ":".join(map(str, sorted(strongest))),) if len(strongest) == 2 else ()
        body_keys = ()
    return _Item(
        links=tuple(links),
        own=tuple((p.key, p.level) for p in title_places),
        all_keys=tuple(dict.fromkeys(p.key for p in in_title + in_body[:_CONFLICT_BODY_PLACES])),
        message=message,
        order=_order_key(message),
        title_places=title_places,
        districts=frozenset(_DISTRICT.findall(title)),
        own_keys=own_keys,
        body_keys=body_keys,
        indices=indices,
        values=values,
        title_kinds=title_kinds,
        title_families=text_features.family_mask(title_kinds),
        all_kinds=all_kinds,
        problem_title=masked_title,
        title=title,
        admin=reading.admin,
    )


def _warm() -> None:
    text_features.warm_up()
    warm_places()


def _prepare_detached(message: Message) -> _Item:
    item = prepare(message)
    item.message = None  # the parent has it; not sending it back halves what crosses the pipe
    return item


def prepare_many(messages: list[Message], workers: int = 1) -> list[_Item]:
    """Prepare messages, in ``workers`` processes when there are many (each message is read on its own)."""
    if workers <= 1 or len(messages) < PARALLEL_MIN:
        return [prepare(m) for m in messages]
    _warm()  # forked workers share the dictionaries read once here
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    items = []
    with context.Pool(workers, initializer=_warm) as pool:
        # imap hands results over as they come, so they are never all held twice (pickled and not).
        for message, item in zip(messages, pool.imap(_prepare_detached, messages, chunksize=256), strict=True):
            item.message = message
            items.append(item)
    return items


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


def _shared_level(a: _Item, b: _Item) -> tuple[int, float] | None:
    """Return how specific the place two messages share is (1 best) and the score penalty that goes with it.

    None when they may not be linked: no shared place, districts that differ, or both sides about a place of
    their own (each title names a place as specific as the shared one that the other message never names).
    """
    if a.districts and b.districts and a.districts.isdisjoint(b.districts):
        return None
    best = None
    best_penalty = 0.0
    for key_a, level_a, title_a, own_a in a.links:
        for key_b, level_b, title_b, own_b in b.links:
            # Two places read only from the bodies do not make a match (both name 自来水公司, say).
            if (own_a or own_b) and keys_match(key_a, key_b):
                level = max(level_a, level_b)
                if level == LEVEL_TOWN and not (title_a and title_b):
                    continue  # a town or zone shared through a body says little
                penalty = _PENALTY[level] + BODY_PENALTY * ((not title_a) + (not title_b))
                if best is None or (level, penalty) < (best, best_penalty):
                    best, best_penalty = level, penalty
    if best is None:
        return None

    def own_specific(x: _Item, y: _Item) -> bool:
        return any(level <= best and not any(keys_match(key, k) for k in y.all_keys) for key, level in x.own)

    if own_specific(a, b) and own_specific(b, a):
        return None
    return best, best_penalty


def kind_bonus(a: _Item, b: _Item, cosine: float) -> float:
    """Return the bonus for naming the same kind of trouble: both titles, or else anywhere (some words shared)."""
    if cosine < KIND_MIN_COSINE:
        return 0.0
    if a.title_kinds & b.title_kinds:
        return KIND_BONUS
    if a.all_kinds & b.all_kinds:
        return KIND_BONUS / 2
    return 0.0


def pair_score(a: _Item, b: _Item, cosine: float) -> float:
    """Return the linking score of two prepared messages given their problem cosine (0 when not linkable)."""
    if a.links and b.links:
        shared = _shared_level(a, b)
        if shared is None:
            return 0.0
        score = cosine - shared[1]
        if shared[0] <= LEVEL_ORG:
            score += kind_bonus(a, b, cosine)
            if shared[0] == LEVEL_UNIT and shared[1] == 0.0 and a.title_families & b.title_kinds:
                # Both titles name this compound and one family of trouble (质量 and 交房, 油烟 and 噪音).
                score = max(score, FAMILY_LINK)
    elif not a.links and not b.links:
        if a.districts and b.districts and a.districts.isdisjoint(b.districts):
            return 0.0
        if not a.own_keys or a.own_keys != b.own_keys:
            return 0.0
        score = cosine - NO_PLACE_PENALTY
    else:
        return 0.0
    return score if score >= MIN_SCORE else 0.0


class _KeyIndex:
    """Find the messages whose keys match a key (``keys_match``): equal, suffix, prefix (3+, or 2 + kind word)."""

    def __init__(self) -> None:
        self.exact: dict[str, list[int]] = {}
        self.suffix: dict[str, list[int]] = {}
        self.prefix: dict[str, list[int]] = {}

    def add(self, key: str, item: int) -> None:
        self.exact.setdefault(key, []).append(item)
        if exact_only(key):
            return
        for i in range(1, len(key) - 1):
            self.suffix.setdefault(key[i:], []).append(item)
        for j in range(3, len(key)):
            self.prefix.setdefault(key[:j], []).append(item)
        if len(key) > 2 and key[2:] in COMPOUND_ENDINGS:
            self.prefix.setdefault(key[:2], []).append(item)

    def lookup(self, key: str, into: set[int]) -> None:
        """Add to ``into`` the messages with a key that matches ``key``."""
        exact = self.exact
        into.update(exact.get(key, ()))
        if exact_only(key):
            return
        into.update(self.suffix.get(key, ()))
        into.update(self.prefix.get(key, ()))
        for i in range(1, len(key) - 1):
            if key[i:] in exact:
                into.update(exact[key[i:]])
        for j in range(3, len(key)):
            if key[:j] in exact:
                into.update(exact[key[:j]])
        if len(key) > 2 and key[2:] in COMPOUND_ENDINGS and key[:2] in exact:
            into.update(exact[key[:2]])


@dataclass
class _Group:
    members: list[int] = field(default_factory=list)
    clusters: list[list[int]] = field(default_factory=list)


class Grouping:
    """The shared engine of ``group_messages`` and ``TopicIndex``: items, pair scores, groups, clusters."""

    def __init__(self) -> None:
        self.items: list[_Item] = []
        self.ids: dict[str, int] = {}
        self.title_keys = _KeyIndex()
        self.body_keys = _KeyIndex()
        self.scores: dict[int, dict[int, float]] = {}
        self.parent: list[int] = []
        self.groups: dict[int, _Group] = {}
        self.cluster_of: dict[int, tuple[int, int]] = {}  # item -> (group root, cluster number)
        self._scratch = np.zeros(text_features.N_FEATURES)
        # Clusters of a part of a big group, by its members: a message joining a big group re-links its part only.
        self._part_clusters: dict[tuple[int, ...], list[list[int]]] = {}
        # Every item's problem vector in one flat store, and its kind masks, for vectorised scoring.
        self._flat_indices = np.empty(1 << 16, dtype=np.int32)
        self._flat_values = np.empty(1 << 16, dtype=np.float32)
        self._used = 0
        self._start = np.empty(1 << 10, dtype=np.int64)
        self._size = np.empty(1 << 10, dtype=np.int64)
        self._kinds = np.empty((1 << 10, 3), dtype=np.int64)  # title kinds, title families, all kinds

    # -- union-find over strong links
    def _find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def insert(self, message: Message, item: _Item | None = None) -> int | None:
        """Add one message, score it against the messages that share a place key; return its number.

        ``item`` is the message already prepared (``prepare_many``), to skip doing it here.
        """
        if message.id in self.ids:
            return None
        if item is None:
            item = prepare(message)
        n = len(self.items)
        self.items.append(item)
        self._store(n, item)
        self.ids[message.id] = n
        self.parent.append(n)
        self.groups[n] = _Group(members=[n], clusters=[[n]])
        # A match needs a title place on one side at least, so body places only meet title places.
        candidates: set[int] = set()
        for key in item.own_keys:
            self.title_keys.lookup(key, candidates)
            self.body_keys.lookup(key, candidates)
        for key in item.body_keys:
            self.title_keys.lookup(key, candidates)
        for key in item.own_keys:
            self.title_keys.add(key, n)
        for key in item.body_keys:
            self.body_keys.add(key, n)
        candidates.discard(n)
        if candidates and item.indices.size:
            ordered = np.array(sorted(candidates), dtype=np.int64)
            cosines = self._cosines(ordered, n)
            # Only pairs that could reach MIN_SCORE are scored one by one: a high enough cosine, a shared kind
            # (the bonus) or a shared family (the minimum link).
            kinds = self._kinds[ordered]
            hopeful = (
                (cosines >= MIN_SCORE)
                | ((cosines >= KIND_MIN_COSINE) & ((kinds[:, 2] & item.all_kinds) != 0))
                | ((kinds[:, 0] & item.title_families) != 0)  # may be a family link
            )
            for other, cosine in zip(ordered[hopeful].tolist(), cosines[hopeful].tolist(), strict=True):
                score = pair_score(self.items[other], item, cosine)
                if score > 0.0:
                    self.scores.setdefault(n, {})[other] = score
                    self.scores.setdefault(other, {})[n] = score
                    if score >= THRESHOLD:
                        self._union(n, other)
        # The vector lives on in the flat store only.
        item.indices = item.values = _EMPTY_VECTOR
        return n

    def _store(self, n: int, item: _Item) -> None:
        size = item.indices.size
        while self._used + size > self._flat_indices.size:
            self._flat_indices = np.resize(self._flat_indices, self._flat_indices.size * 2)
            self._flat_values = np.resize(self._flat_values, self._flat_values.size * 2)
        if n >= self._start.size:
            self._start = np.resize(self._start, self._start.size * 2)
            self._size = np.resize(self._size, self._size.size * 2)
            self._kinds = np.resize(self._kinds, (self._kinds.shape[0] * 2, 3))
        self._flat_indices[self._used : self._used + size] = item.indices
        self._flat_values[self._used : self._used + size] = item.values
        self._start[n], self._size[n] = self._used, size
        self._kinds[n] = (item.title_kinds, item.title_families, item.all_kinds)
        self._used += size

    def vector(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Return item ``n``'s problem vector (feature indices, float64 values)."""
        start, size = self._start[n], self._size[n]
        return self._flat_indices[start : start + size], self._flat_values[start : start + size].astype(np.float64)

    def _cosines(self, rows: np.ndarray, n: int) -> np.ndarray:
        """Return the problem cosines of item ``n`` with each of ``rows``.

        The sum for each pair runs over the shared features in index order whichever of the two is the query,
        so a pair scores the same bits in any arrival order.
        """
        sizes = self._size[rows]
        indptr = np.zeros(rows.size + 1, dtype=np.int64)
        np.cumsum(sizes, out=indptr[1:])
        gather = np.arange(indptr[-1], dtype=np.int64) + np.repeat(self._start[rows] - indptr[:-1], sizes)
        start, size = self._start[n], self._size[n]
        query = self._flat_indices[start : start + size]
        scratch = self._scratch
        scratch[query] = self._flat_values[start : start + size]
        out = np.zeros(rows.size)
        try:
            # scipy's CSR mat-vec kernel (what ``csr_matrix @ vector`` runs), called without building the matrix.
            csr_matvec(
                rows.size,
                text_features.N_FEATURES,
                indptr.astype(np.int32),
                self._flat_indices[gather],
                self._flat_values[gather].astype(np.float64),  # exact: the sums are in float64 either way round
                scratch,
                out,
            )
        finally:
            scratch[query] = 0.0
        return out

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
        group.clusters = []
        for part in self._parts(members, THRESHOLD):
            key = tuple(part)
            found = self._part_clusters.get(key)
            if found is None:
                found = self._cluster(part)
                if len(part) >= 20:
                    if len(self._part_clusters) >= 5000:
                        self._part_clusters.clear()  # only a cache: the clusters of a part never change
                    self._part_clusters[key] = found
            group.clusters.extend(found)
        group.clusters.sort(key=lambda c: self.items[c[0]].order)
        for number, cluster in enumerate(group.clusters):
            for item in cluster:
                self.cluster_of[item] = (root, number)

    def _parts(self, members: list[int], threshold: float) -> list[list[int]]:
        """Split a group too big for dense linkage into the groups of a stricter threshold (see ``MAX_DENSE``)."""
        if len(members) <= MAX_DENSE:
            return [members]
        threshold += 0.05
        inside = set(members)
        parent = {i: i for i in members}

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for i in members:
            for j, score in self.scores.get(i, {}).items():
                if score >= threshold and j in inside:
                    parent[find(i)] = find(j)
        split: dict[int, list[int]] = {}
        for i in members:
            split.setdefault(find(i), []).append(i)
        return [p for part in split.values() for p in self._parts(part, threshold)]

    def _cluster(self, members: list[int]) -> list[list[int]]:
        """Return the clusters of a few members (in time order) by average linkage and the attach step."""
        if len(members) == 1:
            return [members]
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
        return [sorted((members[k] for k in c), key=lambda i: self.items[i].order) for c in found]

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
        """Cluster again the group an item belongs to (after it joined); a big group only where the item is."""
        root = self._find(item)
        if len(self.groups[root].members) <= MAX_DENSE:
            self.recluster(root)
        else:
            self.groups[root].clusters = []  # the whole group is linked again when all issues are asked for

    def cluster_containing(self, item: int) -> list[int]:
        """Return the cluster (sorted members) an item belongs to."""
        root = self._find(item)
        group = self.groups[root]
        if not group.clusters:
            if len(group.members) > MAX_DENSE:
                return self._cluster_in_part(item, group.members)
            self.recluster(root)
        _, number = self.cluster_of[item]
        return group.clusters[number]

    def _cluster_in_part(self, item: int, members: list[int]) -> list[int]:
        """Return the cluster of ``item`` in a big group: its part as ``_parts`` would cut it, then linkage."""
        part, threshold = set(members), THRESHOLD
        while len(part) > MAX_DENSE:
            threshold += 0.05
            reached, todo = {item}, [item]
            while todo:
                for j, score in self.scores.get(todo.pop(), {}).items():
                    if score >= threshold and j in part and j not in reached:
                        reached.add(j)
                        todo.append(j)
            part = reached
        ordered = sorted(part, key=lambda i: self.items[i].order)
        key = tuple(ordered)
        found = self._part_clusters.get(key)
        if found is None:
            found = self._cluster(ordered)
            if len(ordered) >= 20:
                self._part_clusters[key] = found
        return next(c for c in found if item in c)
