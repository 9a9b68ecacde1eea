"""What the writer process keeps of recent stories between batches — centroid and content state — so a story
seen before is not read and parsed again: the same hot stories are candidates for article after article.

An entry is (story id, version) → centroid, content state. Every change to a story bumps its version in
the same transaction (store.coverage.record_change), so an entry whose version matches the row's holds the
row's values, whichever process wrote them; the version itself is always read from the database. Entries
come from rows read in a transaction, or from this process's own writes once they have committed. Entries
are never modified (readers copy before changing), so a transaction that rolls back leaves them intact.
"""

import weakref
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from store.similarity import CentroidView

# The defaults of StoreSettings.story_cache_written / story_cache_candidates. Measured on the benchmark's
# generated stories (median 6 articles): ~70 KB an entry with its content state, ~15 KB with its centroid
# alone.
WRITTEN = 2048  # stories this process wrote lately: a busy hour's
SCORED = 2048  # stories only read as candidates: many are one-off near misses


@dataclass(frozen=True)
class Cached:
    version: int
    view: CentroidView
    content_state: dict | None = None  # None: not read yet


class StoryCache:
    """A segmented LRU: stories read as candidates wait in a probation segment, and move to the protected
    one when this process writes them or reads them again, so a flood of one-off candidates cannot push
    out the stories that keep receiving articles."""

    def __init__(self, written: int = WRITTEN, scored: int = SCORED) -> None:
        self.sizes = {"protected": written, "probation": scored}
        self.protected: OrderedDict[str, Cached] = OrderedDict()
        self.probation: OrderedDict[str, Cached] = OrderedDict()

    def resize(self, *, written: int, scored: int) -> None:
        """New bounds for the two segments; entries over them go, least recently used first."""
        self.sizes = {"protected": written, "probation": scored}
        self._trim()

    def __contains__(self, story_id: str) -> bool:
        """Whether some version of the story is cached (its centroid may not need reading)."""
        return story_id in self.protected or story_id in self.probation

    def get(self, story_id: str, version: int) -> Cached | None:
        entry = self.protected.get(story_id) or self.probation.get(story_id)
        if entry is None or entry.version != version:
            return None
        self._keep(story_id, entry, self.protected)
        return entry

    def put(self, story_id: str, version: int, view: CentroidView, content_state: dict | None = None, *,
            written: bool) -> None:
        current = self.protected.get(story_id) or self.probation.get(story_id)
        if content_state is None and current is not None and current.version == version:
            content_state = current.content_state
        promoted = written or story_id in self.protected
        self._keep(story_id, Cached(version, view, content_state), self.protected if promoted else self.probation)

    def _keep(self, story_id: str, entry: Cached, segment: OrderedDict) -> None:
        self.protected.pop(story_id, None)
        self.probation.pop(story_id, None)
        segment[story_id] = entry
        self._trim()

    def _trim(self) -> None:
        """Demote the protected segment's least recent entries beyond its bound, then drop probation's."""
        while len(self.protected) > self.sizes["protected"]:
            demoted, kept = self.protected.popitem(last=False)
            self.probation[demoted] = kept
        while len(self.probation) > self.sizes["probation"]:
            self.probation.popitem(last=False)


_CACHES: "weakref.WeakKeyDictionary[Engine, StoryCache]" = weakref.WeakKeyDictionary()


def cache_for(engine: Engine) -> StoryCache:
    """One cache per engine: another database (a test's, a benchmark's) never sees this one's entries."""
    cache = _CACHES.get(engine)
    if cache is None:
        cache = _CACHES[engine] = StoryCache()
    return cache
