"""One transaction's view of the candidate and fingerprint indexes, so a batch reads and writes each once.

Articles of one batch must see what the earlier ones added (a story founded by article 3 is a
candidate for article 7), so index rows are kept in memory, overlaid on what was read, and written
in one upsert at the end. The answers are the ones the per-article queries give on the updated
tables (story_keys.candidates, copies.find_original); a merge writes the overlay out and re-reads.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session, col, select

from store import copies, story_keys
from store.filters import one_of
from store.models import Article, Fingerprint, StoryKey
from store.story_cache import StoryCache
from store.story_states import StoryStates
from store.upserts import dumps, insert_rows

ARTICLE_COLUMNS = Article.__table__.columns.keys()

# One row per key, its stories as two arrays: psycopg parses an array in C, where a row per hit (~100 an
# article at 100k stories) cost more in the writer than the query in the server. The arrays come in no
# particular order (an ORDER BY in array_agg sorts every key's rows again); `recent` orders them.
_TOP_PER_KEY_PG = sa.text(  # the keys as a JSON array: see store.filters
    "select wanted.key, hit.story_ids, hit.last_seen from json_array_elements_text(cast(:keys as json)) as wanted(key) "
    "cross join lateral (select array_agg(top.story_id) as story_ids, array_agg(top.last_seen) as last_seen "
    "from (select story_id, last_seen from story_key where story_key.key = wanted.key "
    "and story_key.last_seen >= :since order by story_key.last_seen desc, story_key.story_id desc "
    "limit :per_key) as top) as hit"
)


class KeyIndex:
    """story_key rows for the batch's keys: each key's PER_KEY most recent stories seen since `since`."""

    def __init__(self, session: Session, *, since: datetime) -> None:
        self.session = session
        self.since = since  # the earliest window start of the batch: every later one reads a prefix
        self.rows: dict[str, dict[str, datetime]] = {}
        self.ordered: dict[str, list[tuple[datetime, str]]] = {}  # a key's rows in the index's order
        self.stored: dict[str, dict[str, datetime]] = {}  # key → story id → last_seen, as read
        self.pending: dict[str, dict[str, datetime]] = defaultdict(dict)

    def load(self, keys: Iterable[str]) -> None:
        wanted = sorted({key for key in keys if key not in self.rows})  # asked once per article: no set(self.rows)
        if not wanted:
            return
        if self.session.get_bind().dialect.name == "postgresql":
            found = self.session.execute(
                _TOP_PER_KEY_PG, {"keys": dumps(wanted), "since": self.since, "per_key": story_keys.PER_KEY}
            ).all()
        else:
            found = []
            for key in wanted:
                hits = self.session.execute(
                    sa.select(StoryKey.story_id, StoryKey.last_seen)
                    .where(StoryKey.key == key, col(StoryKey.last_seen) >= self.since)
                    .order_by(col(StoryKey.last_seen).desc(), col(StoryKey.story_id).desc()).limit(story_keys.PER_KEY)
                ).all()
                found.append((key, [story_id for story_id, _ in hits], [seen for _, seen in hits]))
        for key, story_ids, seen in found:
            self.stored[key] = dict(zip(story_ids or (), seen or (), strict=True))
            self.rows[key] = dict(self.stored[key])
        for key in wanted:
            for story_id, seen in self.pending.get(key, {}).items():
                self._raise(key, story_id, seen)

    def _raise(self, key: str, story_id: str, seen: datetime) -> None:
        current = self.rows[key].get(story_id)
        if current is None or seen > current:
            self.rows[key][story_id] = seen
            self.ordered.pop(key, None)

    def candidates(self, keys: dict[str, float], *, since: datetime, limit: int) -> list[str]:
        """What story_keys.candidates answers once this batch's rows are written (summed as `ranked` sums,
        in key order, without building its hit lists: the writer ranks every article this way)."""
        self.load(keys)
        shared: dict[str, float] = {}
        get = shared.get
        for key in sorted(keys):
            weight = keys[key]
            for seen, story_id in self.recent(key):
                if seen < since:
                    break  # the rest are older still
                shared[story_id] = get(story_id, 0.0) + weight
        return story_keys.best(shared, limit)

    def recent(self, key: str) -> list[tuple[datetime, str]]:
        """The key's PER_KEY stories in the index's order: most recently seen first, then by id, descending."""
        if key not in self.ordered:
            self.ordered[key] = sorted(((seen, story_id) for story_id, seen in self.rows[key].items()),
                                       reverse=True)[:story_keys.PER_KEY]
        return self.ordered[key]

    def add(self, story_id: str, keys: Iterable[str], *, seen: datetime) -> None:
        for key in keys:
            current = self.pending[key].get(story_id)
            if current is None or seen > current:
                self.pending[key][story_id] = seen
            if key in self.rows:
                self._raise(key, story_id, seen)

    def write(self) -> None:
        """Upsert the pending rows (sorted, so concurrent writers lock them in one order)."""
        # A row read with a last_seen at least as recent needs no write (last_seen only ever grows).
        rows = [{"key": key, "story_id": story_id, "last_seen": seen}
                for key in sorted(self.pending) for story_id, seen in sorted(self.pending[key].items())
                if (stored := self.stored.get(key, {}).get(story_id)) is None or stored < seen]
        for row in rows:
            self.stored.setdefault(row["key"], {})[row["story_id"]] = row["last_seen"]
        story_keys.upsert_keys(self.session, rows)
        self.pending = defaultdict(dict)

    def forget(self) -> None:
        """After a merge moved rows in the database: write ours out and read the same keys again, in one
        query (read lazily, each later article of the batch would cost a query)."""
        self.write()
        keys = list(self.rows)
        self.rows = {}
        self.ordered = {}
        self.stored = {}
        self.load(keys)


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
                .where(one_of(session, col(Fingerprint.key), part), col(Article.story_id).is_not(None))
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
    """The indexes and the stories one transaction reads, shared by every article of the batch."""

    def __init__(self, session: Session, *, since: datetime, index_keys: Iterable[str],
                 fingerprint_keys: Iterable[str], cache: StoryCache) -> None:
        self.session = session
        self.keys = KeyIndex(session, since=since)
        self.keys.load(index_keys)
        self.fingerprints = FingerprintIndex(session, fingerprint_keys)
        self.stories = StoryStates(session, cache)
        self.new_articles: dict[str, Article] = {}  # not inserted yet

    def add_article(self, article: Article) -> None:
        """An article to write with the batch: a new one in one INSERT, a stored one by the unit of work."""
        if sa.inspect(article).transient:
            if article.id not in self.new_articles:
                self.new_articles[article.id] = article
        else:
            self.session.add(article)

    def flush(self) -> None:
        """Write the pending rows: the stories founded first, then the articles that refer to them."""
        self.stories.insert_created()
        if self.new_articles:
            articles = list(self.new_articles.values())
            insert_rows(self.session, Article.__table__, [{c: getattr(a, c) for c in ARTICLE_COLUMNS} for a in articles])
            for article in articles:  # stored now: later changes in this transaction go out as UPDATEs
                make_transient_to_detached(article)
                self.session.add(article)
            self.new_articles = {}
        self.session.flush()

    def write(self) -> None:
        self.keys.write()
        self.fingerprints.write()
