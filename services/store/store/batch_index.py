"""One transaction's view of the candidate and fingerprint indexes, so a batch reads and writes each once.

Articles of one batch must see what the earlier ones added (a story founded by article 3 is a
candidate for article 7), so index rows are kept in memory, overlaid on what was read, and written
in one upsert at the end. The answers are the ones the per-article queries give on the updated
tables (story_keys.candidates, copies.find_original); a merge writes the overlay out and re-reads.
"""

import warnings
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from store import copies, story_keys
from store.models import Article, Fingerprint, Story, StoryKey

_TOP_PER_KEY_PG = sa.text(
    "select wanted.key, hit.story_id, hit.last_seen from unnest(cast(:keys as varchar[])) as wanted(key) "
    "cross join lateral (select story_id, last_seen from story_key where story_key.key = wanted.key "
    "and story_key.last_seen >= :since order by story_key.last_seen desc, story_key.story_id "
    "limit :per_key) as hit"
)


class KeyIndex:
    """story_key rows for the batch's keys: each key's PER_KEY most recent stories seen since `since`."""

    def __init__(self, session: Session, *, since: datetime) -> None:
        self.session = session
        self.since = since  # the earliest window start of the batch: every later one reads a prefix
        self.rows: dict[str, dict[str, datetime]] = {}
        self.pending: dict[str, dict[str, datetime]] = defaultdict(dict)

    def load(self, keys: Iterable[str]) -> None:
        wanted = sorted(set(keys) - set(self.rows))
        if not wanted:
            return
        for key in wanted:
            self.rows[key] = {}
        if self.session.get_bind().dialect.name == "postgresql":
            found = self.session.execute(
                _TOP_PER_KEY_PG, {"keys": wanted, "since": self.since, "per_key": story_keys.PER_KEY}
            ).all()
        else:
            found = []
            for key in wanted:
                found += [(key, story_id, seen) for story_id, seen in self.session.execute(
                    sa.select(StoryKey.story_id, StoryKey.last_seen)
                    .where(StoryKey.key == key, col(StoryKey.last_seen) >= self.since)
                    .order_by(col(StoryKey.last_seen).desc(), StoryKey.story_id).limit(story_keys.PER_KEY)
                ).all()]
        for key, story_id, seen in found:
            self.rows[key][story_id] = seen
        for key in wanted:
            for story_id, seen in self.pending.get(key, {}).items():
                self._raise(key, story_id, seen)

    def _raise(self, key: str, story_id: str, seen: datetime) -> None:
        current = self.rows[key].get(story_id)
        if current is None or seen > current:
            self.rows[key][story_id] = seen

    def candidates(self, keys: Iterable[str], *, since: datetime, limit: int) -> list[str]:
        """What story_keys.candidates answers once this batch's rows are written."""
        keys = sorted(set(keys))
        self.load(keys)
        shared: dict[str, int] = defaultdict(int)
        for key in keys:
            recent = sorted(((seen, story_id) for story_id, seen in self.rows[key].items() if seen >= since),
                            key=lambda pair: (-pair[0].timestamp(), pair[1]))
            for _, story_id in recent[:story_keys.PER_KEY]:
                shared[story_id] += 1
        return [story_id for story_id, _ in sorted(shared.items(), key=lambda item: (-item[1], item[0]))[:limit]]

    def add(self, story_id: str, keys: Iterable[str], *, seen: datetime) -> None:
        for key in keys:
            current = self.pending[key].get(story_id)
            if current is None or seen > current:
                self.pending[key][story_id] = seen
            if key in self.rows:
                self._raise(key, story_id, seen)

    def write(self) -> None:
        """Upsert the pending rows (sorted, so concurrent writers lock them in one order)."""
        rows = [{"key": key, "story_id": story_id, "last_seen": seen}
                for key in sorted(self.pending) for story_id, seen in sorted(self.pending[key].items())]
        story_keys.upsert_keys(self.session, rows)
        self.pending = defaultdict(dict)

    def forget(self) -> None:
        """After a merge moved rows in the database: write ours out and read again when asked."""
        self.write()
        self.rows = {}


class FingerprintIndex:
    """Fingerprints of the batch's articles and of the stored articles sharing one with them."""

    def __init__(self, session: Session, keys: Iterable[str]) -> None:
        self.session = session
        self.articles: dict[str, dict[str, Article]] = defaultdict(dict)  # key → article id → article
        self.pending: set[tuple[str, str]] = set()
        self.batch_articles: dict[str, Article] = {}  # not flushed yet, so session.get cannot see them
        wanted = sorted(set(keys))
        for first in range(0, len(wanted), 1000):
            part = wanted[first:first + 1000]
            found = session.execute(
                select(Fingerprint.key, Article).join(Article, col(Fingerprint.article_id) == col(Article.id))
                .where(col(Fingerprint.key).in_(part), col(Article.story_id).is_not(None))
            ).all()
            for key, article in found:
                self.articles[key][article.id] = article

    def find_original(self, article: Article) -> Article | None:
        """What copies.find_original answers once this batch's fingerprints are written."""
        keys = copies.fingerprint_keys(article.simhash, article.text_hash)
        found = {other.id: other for key in keys for other in self.articles.get(key, {}).values()
                 if other.id != article.id and other.story_id is not None}
        return copies.earliest_original(self.session, article, list(found.values()), self.batch_articles)

    def add(self, article: Article) -> None:
        self.batch_articles[article.id] = article
        for key in copies.fingerprint_keys(article.simhash, article.text_hash):
            self.articles[key][article.id] = article
            self.pending.add((key, article.id))

    def write(self) -> None:
        copies.upsert_fingerprints(self.session, sorted(self.pending))
        self.pending = set()


class BatchIndex:
    """The indexes and the row locks one transaction holds, shared by every article of the batch."""

    def __init__(self, session: Session, *, since: datetime, index_keys: Iterable[str],
                 fingerprint_keys: Iterable[str]) -> None:
        self.session = session
        self.keys = KeyIndex(session, since=since)
        self.keys.load(index_keys)
        self.fingerprints = FingerprintIndex(session, fingerprint_keys)
        self.locked: dict[str, Story] = {}  # stories this transaction holds a row lock on (current in memory)
        self.loaded: dict[str, Story] = {}  # stories read this transaction, locked or not
        self.created: list[Story] = []  # not flushed yet

    def flush(self) -> None:
        """Write the pending rows, new stories first: without ORM relationships the flush would not
        know that an article's story_id needs its story inserted before it."""
        if self.created:
            with warnings.catch_warnings():
                # flush(objects) is deprecated but still the one way to order two tables without relationships.
                warnings.simplefilter("ignore", sa.exc.SADeprecationWarning)
                self.session.flush(self.created)
            self.created = []
        self.session.flush()

    def write(self) -> None:
        self.keys.write()
        self.fingerprints.write()
