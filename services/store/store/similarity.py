"""How alike an article and a story are: TF-IDF sub-vectors compared field by field, with time decay.

In the spirit of Miranda et al. (2018), "Multilingual Clustering of Streaming News": a story keeps
the summed term frequencies of its articles per field (its centroid); IDF is applied at comparison
time with the current document frequencies, so old centroids never go stale. Weights are fixed
(tuned on bench/store/data/labelled.jsonl) instead of learned.

Only the article's own terms have their document frequency looked up; every other centroid term
counts as unseen (the highest IDF). Then a cosine visits only the terms the two share: the
centroid's norm is its cached sum of squared sub-linear frequencies, corrected for the article's terms.
"""

import math
from dataclasses import dataclass, field

from store.features import Features
from store.idf import TermStats

CENTROID_FIELDS = ("title", "body", "entities", "events", "quantities")
CENTROID_TERMS = 150  # per field: enough to describe an event, small enough to load per candidate

# Text fields' weights; when either side lacks entities their share goes to title and body.
TEXT_WEIGHTS = {"title": 0.3, "body": 0.45, "entities": 0.25}
EVENT_WEIGHT = 0.15  # added only when both sides carry event records
QUANTITY_WEIGHT = 0.1  # added only when both sides report figures
DECAY_GRACE_H = 24.0  # a day's gap costs nothing: follow-ups and time zones
DECAY_SCALE_H = 72.0


@dataclass(frozen=True)
class Score:
    value: float
    title: float
    body: float
    entities: float
    events: float
    quantities: float
    decay: float


def sublinear(tf: float) -> float:
    return 1.0 + math.log(tf)


def weighted(vector: dict[str, float], stats: TermStats, *, prefix: str = "") -> dict[str, float]:
    """Sub-linear TF × IDF, the classic weighting that keeps one repeated word from dominating."""
    # sublinear() and stats.idf() written out: the writer weighs ~200 terms an article (same arithmetic).
    log, documents, frequency = math.log, 1 + stats.documents, stats.frequencies.get
    return {t: (1.0 + log(tf)) * (log(documents / (1 + frequency(prefix + t, 0))) + 1.0)
            for t, tf in vector.items() if tf > 0}


def decay(gap_hours: float) -> float:
    return math.exp(-max(0.0, abs(gap_hours) - DECAY_GRACE_H) / DECAY_SCALE_H)


@dataclass
class CentroidView:
    """A centroid with what scoring needs of it computed once per field, when first needed (it changes
    only when the story does): the sum of its terms' squared sub-linear frequencies."""

    centroid: dict
    squares: dict[str, float] = field(default_factory=dict)
    _events_norm: float | None = None

    def square_sum(self, name: str) -> float:
        total = self.squares.get(name)
        # fsum: the same total whatever the terms' order (JSONB reordered keys, before migration 0004)
        if total is None:
            log = math.log
            total = self.squares[name] = math.fsum([(1.0 + log(tf)) ** 2
                                                    for tf in self.centroid.get(name, {}).values() if tf > 0])
        return total

    @property
    def events_norm(self) -> float:
        if self._events_norm is None:
            self._events_norm = math.sqrt(sum(w * w for w in self.centroid.get("events", {}).values()))
        return self._events_norm


@dataclass
class ArticleVectors:
    """An article's weighted fields, weighed once per placement and compared with every candidate."""

    features: Features
    vectors: dict[str, dict[str, float]]
    norms: dict[str, float]
    known: dict[str, dict[str, float]]  # field → its IDF for each term whose frequency was looked up
    unseen_idf: float
    events_norm: float
    stats: TermStats  # the frequencies it was weighed with: a neighbour's article is weighed alike

    @classmethod
    def of(cls, features: Features, stats: TermStats) -> "ArticleVectors":
        words = {t: stats.idf(t) for t in (*features.title, *features.body)}
        entities = {t: stats.idf("e:" + t) for t in features.entities}
        known = {"title": words, "body": words, "entities": entities}
        vectors = {name: {t: sublinear(tf) * known[name][t] for t, tf in getattr(features, name).items() if tf > 0}
                   for name in TEXT_WEIGHTS}
        return cls(features, vectors, {name: math.sqrt(sum(w * w for w in v.values())) for name, v in vectors.items()},
                   known, stats.unseen_idf(), math.sqrt(sum(w * w for w in features.events.values())), stats)

    def cosine(self, name: str, view: CentroidView) -> float:
        mine, theirs = self.vectors[name], view.centroid.get(name)
        if not mine or not theirs:
            return 0.0
        # Only the shared terms count, and most candidates share a word or two: intersect in C, then visit
        # those. fsum: the same value whatever the order the sets come in.
        shared = mine.keys() & theirs.keys()
        if not shared:
            return 0.0
        known, log = self.known[name], math.log
        dot = math.fsum([mine[t] * (1.0 + log(theirs[t])) * known[t] for t in shared if theirs[t] > 0])
        if dot == 0.0:
            return 0.0
        # The centroid's norm with unseen IDF everywhere, corrected for the terms whose IDF is known.
        unseen = self.unseen_idf * self.unseen_idf
        correction = math.fsum([(1.0 + log(tf)) ** 2 * (known[t] * known[t] - unseen)
                                for t in known.keys() & theirs.keys() if (tf := theirs[t]) > 0])
        return dot / (self.norms[name] * math.sqrt(unseen * view.square_sum(name) + correction))

    def events_cosine(self, view: CentroidView) -> float:
        theirs = view.centroid.get("events", {})
        if not self.features.events or not theirs:
            return 0.0
        dot = sum(w * theirs[t] for t, w in self.features.events.items() if t in theirs)
        return dot / (self.events_norm * view.events_norm) if dot else 0.0


def score(article: Features, centroid: dict, stats: TermStats, *, gap_hours: float) -> Score:
    """The article's similarity to a story's centroid, in [0, 1.25] before the time decay."""
    return score_view(ArticleVectors.of(article, stats), CentroidView(centroid), gap_hours=gap_hours)


def score_view(article: ArticleVectors, view: CentroidView, *, gap_hours: float) -> Score:
    centroid = view.centroid
    parts = {name: article.cosine(name, view) for name in TEXT_WEIGHTS}
    weights = dict(TEXT_WEIGHTS)
    if not article.features.entities or not centroid.get("entities"):
        share = weights.pop("entities")
        weights = {name: w + share * w / (1 - share) for name, w in weights.items()}
    value = sum(parts[name] * w for name, w in weights.items())
    events = article.events_cosine(view)
    quantities = overlap(article.features.quantities, centroid.get("quantities", {}))
    if article.features.events and centroid.get("events"):
        value += EVENT_WEIGHT * events
    if article.features.quantities and centroid.get("quantities"):
        value += QUANTITY_WEIGHT * quantities
    factor = decay(gap_hours)
    return Score(value * factor, parts["title"], parts["body"], parts["entities"], events, quantities, factor)


def overlap(a: dict[str, float], b: dict[str, float]) -> float:
    """Share of the article's figures the story already reports."""
    if not a or not b:
        return 0.0
    return len(a.keys() & b.keys()) / len(a)


def add_to_centroid(centroid: dict, features: Features, *, sign: float = 1.0) -> dict:
    """The centroid with `features` added (or removed, sign=-1), each field cut to its top terms."""
    updated = {}
    for name in CENTROID_FIELDS:
        summed = dict(centroid.get(name, {}))
        for term, value in getattr(features, name).items():
            summed[term] = summed.get(term, 0.0) + sign * value
        kept = {t: v for t, v in summed.items() if v > 1e-9}
        if len(kept) > CENTROID_TERMS:  # keep the strongest terms (ties by term, so the cut is the same everywhere)
            kept = dict(sorted(kept.items(), key=lambda tv: (-tv[1], tv[0]))[:CENTROID_TERMS])
        updated[name] = kept
    return updated


def merge_centroids(a: dict, b: dict) -> dict:
    return add_to_centroid(a, Features(**{name: b.get(name, {}) for name in CENTROID_FIELDS}))
