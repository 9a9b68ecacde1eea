"""How alike an article and a story are: TF-IDF sub-vectors compared field by field, with time decay.

In the spirit of Miranda et al. (2018), "Multilingual Clustering of Streaming News": a story keeps
the summed term frequencies of its articles per field (its centroid); IDF is applied at comparison
time with the current document frequencies, so old centroids never go stale. Weights are fixed
(tuned on bench/store/data/labelled.jsonl) instead of learned.
"""

import math
from dataclasses import dataclass

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


def weighted(vector: dict[str, float], stats: TermStats, *, prefix: str = "") -> dict[str, float]:
    """Sub-linear TF × IDF, the classic weighting that keeps one repeated word from dominating."""
    return {t: (1.0 + math.log(tf)) * stats.idf(prefix + t) for t, tf in vector.items() if tf > 0}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    dot = sum(w * b[t] for t, w in a.items() if t in b)
    if dot == 0.0:
        return 0.0
    return dot / math.sqrt(sum(w * w for w in a.values()) * sum(w * w for w in b.values()))


def decay(gap_hours: float) -> float:
    return math.exp(-max(0.0, abs(gap_hours) - DECAY_GRACE_H) / DECAY_SCALE_H)


def score(article: Features, centroid: dict, stats: TermStats, *, gap_hours: float) -> Score:
    """The article's similarity to a story's centroid, in [0, 1.25] before the time decay."""
    parts = {
        name: cosine(weighted(getattr(article, name), stats, prefix="e:" if name == "entities" else ""),
                     weighted(centroid.get(name, {}), stats, prefix="e:" if name == "entities" else ""))
        for name in TEXT_WEIGHTS
    }
    weights = dict(TEXT_WEIGHTS)
    if not article.entities or not centroid.get("entities"):
        share = weights.pop("entities")
        weights = {name: w + share * w / (1 - share) for name, w in weights.items()}
    value = sum(parts[name] * w for name, w in weights.items())
    events = cosine(article.events, centroid.get("events", {}))
    quantities = overlap(article.quantities, centroid.get("quantities", {}))
    if article.events and centroid.get("events"):
        value += EVENT_WEIGHT * events
    if article.quantities and centroid.get("quantities"):
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
        kept = sorted(((t, v) for t, v in summed.items() if v > 1e-9), key=lambda tv: (-tv[1], tv[0]))
        updated[name] = dict(kept[:CENTROID_TERMS])
    return updated


def merge_centroids(a: dict, b: dict) -> dict:
    return add_to_centroid(a, Features(**{name: b.get(name, {}) for name in CENTROID_FIELDS}))
