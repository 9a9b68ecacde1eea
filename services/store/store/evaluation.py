"""How close a clustering is to gold labels: pairwise and BCubed precision, recall and F1.

Pairwise counts pairs of articles put together (the measure Miranda et al. 2018 report); BCubed
averages per article, so one huge wrong cluster cannot hide behind many small right ones.
"""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def pairwise(predicted: Mapping[str, str], gold: Mapping[str, str]) -> Scores:
    """`predicted` and `gold` map article id → cluster label. Pairs are counted per cluster, not
    enumerated (n(n-1)/2 pairs in a cluster of n), so a 20,000-article run is scored at once."""
    items = sorted(gold)
    together_p = _pairs(Counter(predicted[i] for i in items))
    together_g = _pairs(Counter(gold[i] for i in items))
    both = _pairs(Counter((predicted[i], gold[i]) for i in items))
    return Scores(both / together_p if together_p else 1.0, both / together_g if together_g else 1.0)


def _pairs(sizes: Counter) -> int:
    return sum(n * (n - 1) // 2 for n in sizes.values())


def bcubed(predicted: Mapping[str, str], gold: Mapping[str, str]) -> Scores:
    items = sorted(gold)
    cell = Counter((predicted[i], gold[i]) for i in items)
    size_p = Counter(predicted[i] for i in items)
    size_g = Counter(gold[i] for i in items)
    precision = sum(cell[predicted[i], gold[i]] / size_p[predicted[i]] for i in items) / len(items)
    recall = sum(cell[predicted[i], gold[i]] / size_g[gold[i]] for i in items) / len(items)
    return Scores(precision, recall)
