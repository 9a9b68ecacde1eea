"""Inverse document frequencies kept incrementally in the database, as Miranda et al. (2018) keep them.

Read once per transaction for the terms it needs; the increments are written back in one upsert.
Words and entities share the table, entities under an "e:" prefix; the row "" counts documents.
"""

import math
from collections import ChainMap
from collections.abc import Iterable

from sqlmodel import Session, col, select

from store.features import Features
from store.filters import one_of
from store.models import TermStat
from store.upserts import upsert

DOCUMENTS = ""


def weighted_terms(features: Features) -> set[str]:
    """The terms whose document frequency an article counts towards."""
    return set(features.title) | set(features.body) | {f"e:{e}" for e in features.entities}


class TermStats:
    def __init__(self, documents: int = 0, frequencies: dict[str, int] | None = None) -> None:
        self.documents = documents
        self.frequencies = frequencies or {}
        self.pending: dict[str, int] = {}

    @classmethod
    def load(cls, session: Session, terms: Iterable[str]) -> "TermStats":
        wanted = sorted(set(terms) | {DOCUMENTS})
        rows = session.exec(select(TermStat.term, TermStat.documents).where(one_of(session, col(TermStat.term), wanted)))
        frequencies = dict(rows.all())
        return cls(frequencies.pop(DOCUMENTS, 0), frequencies)

    def idf(self, term: str) -> float:
        return math.log((1 + self.documents) / (1 + self.frequencies.get(term, 0))) + 1.0

    def unseen_idf(self) -> float:
        """The IDF of a term no counted document has."""
        return math.log(1 + self.documents) + 1.0

    def count(self, features: Features) -> None:
        """Count one more document; it also counts at once, so the rest of a batch sees it."""
        for term in weighted_terms(features) | {DOCUMENTS}:
            self.pending[term] = self.pending.get(term, 0) + 1
            if term == DOCUMENTS:
                self.documents += 1
            else:
                self.frequencies[term] = self.frequencies.get(term, 0) + 1

    def without(self, features: Features) -> "TermStats":
        """The counts as they were before this (counted) article was: what the writer weighed it with. Its own
        terms are looked up in front of the shared counts (a copy of those per article would cost more)."""
        own = {term: n - 1 for term in weighted_terms(features) if (n := self.frequencies.get(term, 0)) > 0}
        return TermStats(max(self.documents - 1, 0), ChainMap(own, self.frequencies))  # type: ignore[arg-type]

    def save(self, session: Session) -> None:
        rows = [{"term": term, "documents": n} for term, n in sorted(self.pending.items())]
        upsert(session, TermStat.__table__, rows, keys=["term"],
               update={"documents": lambda current, excluded: current + excluded})
        self.pending = {}
