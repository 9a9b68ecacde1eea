"""How close a clustering is to gold labels: pairwise and BCubed precision, recall and F1.

Pairwise counts pairs of articles put together (the measure Miranda et al. 2018 report); BCubed
averages per article, so one huge wrong cluster cannot hide behind many small right ones.
"""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def pairwise(predicted: Mapping[str, str], gold: Mapping[str, str]) -> Scores:
    """`predicted` and `gold` map article id → cluster label."""
    items = sorted(gold)
    together_p = together_g = both = 0
    for a, b in combinations(items, 2):
        p, g = predicted[a] == predicted[b], gold[a] == gold[b]
        together_p += p
        together_g += g
        both += p and g
    return Scores(both / together_p if together_p else 1.0, both / together_g if together_g else 1.0)


def bcubed(predicted: Mapping[str, str], gold: Mapping[str, str]) -> Scores:
    items = sorted(gold)
    cell = Counter((predicted[i], gold[i]) for i in items)
    size_p = Counter(predicted[i] for i in items)
    size_g = Counter(gold[i] for i in items)
    precision = sum(cell[predicted[i], gold[i]] / size_p[predicted[i]] for i in items) / len(items)
    recall = sum(cell[predicted[i], gold[i]] / size_g[gold[i]] for i in items) / len(items)
    return Scores(precision, recall)
