"""What one transaction knows of the stories its articles may join: read in bulk without row locks, placed
against in memory, and locked in one statement at the end, where a story another writer changed meanwhile
(its version moved) makes the transaction run again.

Placement needs little of a story (its centroid, newest article time, size, merge pointer). The stories
the batch changes are written whole from `StoryRow`s, every column recomputed (store.ingest.finish_stories),
so of their rows only the version, title, creation time and content state are read, under the lock.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime

import sqlalchemy as sa
from newsflow_shared.contracts.story_updates import StoryChange
from sqlmodel import Session, col, select

from store.filters import one_of
from store.models import Story
from store.similarity import CentroidView
from store.story_cache import StoryCache
from store.upserts import insert_rows, json_rows, recordset

MAX_MERGE_HOPS = 20
CHUNK = 1000


class StaleStory(Exception):
    """A story changed under this transaction after it was read: run the transaction again."""


@dataclass(slots=True)
class StoryRow:
    """A story row as the writer writes it, every column; a plain object (an ORM instance costs ~0.2 ms)."""

    id: str
    title: str
    created_at: datetime
    updated_at: datetime
    version: int = 0
    last_change: str = StoryChange.CREATED
    key_terms: str = ""
    article_count: int = 0
    source_count: int = 0
    bias_counts: dict = field(default_factory=dict)
    first_published_at: datetime | None = None
    last_article_id: str | None = None
    centroid: dict = field(default_factory=dict)
    last_published_at: datetime | None = None
    merged_into: str | None = None
    coverage: dict = field(default_factory=dict)
    summary: list = field(default_factory=list)
    key_numbers: list = field(default_factory=list)
    entities: list = field(default_factory=list)
    event: dict | None = None
    content_state: dict = field(default_factory=dict)


COLUMNS = [f.name for f in fields(StoryRow)]
assert sorted(COLUMNS) == sorted(c.name for c in Story.__table__.columns), "StoryRow must mirror the story table"


@dataclass
class StoryState:
    id: str
    version: int  # as read (a new story's is 0): the row must still have it when locked
    created_at: datetime
    article_count: int
    merged_into: str | None
    last_published_at: datetime | None
    view: CentroidView
    row: StoryRow | None = field(default=None, repr=False)  # the row to write, once locked (a new one's at once)

    @property
    def centroid(self) -> dict:
        return self.view.centroid

    @centroid.setter
    def centroid(self, value: dict) -> None:
        self.view = CentroidView(value)

    def apply(self) -> StoryRow:
        """Copy what placement changed onto the row."""
        assert self.row is not None
        self.row.centroid = self.centroid
        self.row.last_published_at = self.last_published_at
        self.row.merged_into = self.merged_into
        return self.row


_LIGHT = (Story.id, Story.version, Story.created_at, Story.article_count, Story.merged_into, Story.last_published_at)
_LOCKED = (Story.id, Story.version, Story.merged_into, Story.title, Story.created_at)


class StoryStates:
    def __init__(self, session: Session, cache: StoryCache) -> None:
        self.session = session
        self.cache = cache
        self.states: dict[str, StoryState] = {}
        self.absent: set[str] = set()  # ids with no row (yet)
        self.created: list[StoryRow] = []  # new rows not inserted yet

    def prefetch(self, ids: Iterable[str]) -> None:
        """Read the stories not read yet: with their centroids those the cache has never seen, without
        those it may hold (and then the centroids of the few whose version moved on)."""
        # Membership tests, not set differences: `set - dict.keys()` walks every story read so far, and a
        # batch asks ~2 times an article with ~1,500 read at 100k stories in the window.
        wanted = sorted({story_id for story_id in ids if story_id not in self.states and story_id not in self.absent})
        if not wanted:
            return
        rows, views = {}, {}
        # Split before reading: the reads below fill the cache, which may evict a story counted as cached.
        uncached = [story_id for story_id in wanted if story_id not in self.cache]
        cached = [story_id for story_id in wanted if story_id in self.cache]
        for part in chunks(uncached):
            for row in self.session.execute(
                sa.select(*_LIGHT, Story.centroid).where(one_of(self.session, col(Story.id), part))
            ):
                rows[row.id], views[row.id] = row, CentroidView(row.centroid)
                self.cache.put(row.id, row.version, views[row.id], written=False)
        for part in chunks(cached):
            for row in self.session.execute(sa.select(*_LIGHT).where(one_of(self.session, col(Story.id), part))):
                rows[row.id] = row
                cached = self.cache.get(row.id, row.version)
                if cached is not None:
                    views[row.id] = cached.view
        for part in chunks(sorted(rows.keys() - views.keys())):
            for story_id, centroid in self.session.execute(
                sa.select(Story.id, Story.centroid).where(one_of(self.session, col(Story.id), part))
            ):
                views[story_id] = CentroidView(centroid)
                self.cache.put(story_id, rows[story_id].version, views[story_id], written=False)
        self.absent.update(story_id for story_id in wanted if story_id not in rows)
        for story_id, row in rows.items():
            self.states[story_id] = StoryState(row.id, row.version, row.created_at, row.article_count,
                                               row.merged_into, row.last_published_at, views[story_id])

    def get(self, story_id: str) -> StoryState | None:
        self.prefetch([story_id])
        return self.states.get(story_id)

    def many(self, ids: list[str]) -> list[StoryState]:
        self.prefetch(ids)
        return [self.states[story_id] for story_id in ids if story_id in self.states]

    def live(self, story_id: str) -> StoryState:
        """The story, or the one it was merged into (following merges)."""
        state = self.states[story_id] if story_id in self.states else self.get(story_id)
        if state is None:
            raise StaleStory(f"story {story_id} not found")
        for _ in range(MAX_MERGE_HOPS):
            if state.merged_into is None:
                break
            state = self.get(state.merged_into)
            if state is None:
                raise StaleStory("a merge points at a missing story")
        return state

    def add(self, row: StoryRow) -> StoryState:
        """A story founded in this transaction: no one else sees it before the commit."""
        state = StoryState(row.id, row.version, row.created_at, row.article_count, None, None, CentroidView({}),
                           row=row)
        self.states[row.id] = state
        self.absent.discard(row.id)
        self.created.append(row)
        return state

    def insert_created(self) -> None:
        """Insert the stories founded since the last call (their articles' rows refer to them)."""
        if self.created:
            with self.session.no_autoflush:  # the pending articles go after their stories
                insert_rows(self.session, Story.__table__, [row_values(row) for row in self.created])
            self.created = []

    def lock(self, states: Iterable[StoryState]) -> None:
        """Lock the stories' rows, smallest id first; StaleStory if one has moved on since it was read."""
        pending = {state.id: state for state in states if state.row is None}
        ids = sorted(pending)
        for part in chunks(ids):
            rows = self.session.execute(
                sa.select(*_LOCKED).where(one_of(self.session, col(Story.id), part)).order_by(Story.id).with_for_update()
            ).all()
            for row in rows:
                state = pending[row.id]
                if row.version != state.version or row.merged_into != state.merged_into:
                    raise StaleStory(f"story {row.id} changed from version {state.version} to {row.version}")
                state.row = StoryRow(id=row.id, title=row.title, created_at=row.created_at, updated_at=row.created_at,
                                     version=row.version, merged_into=row.merged_into)
        gone = [story_id for story_id, state in pending.items() if state.row is None]
        if gone:
            raise StaleStory(f"stories {gone[:3]} disappeared")
        self.read_content_states([pending[story_id] for story_id in ids])

    def read_content_states(self, states: list[StoryState]) -> None:
        missing = {}
        for state in states:
            cached = self.cache.get(state.id, state.version)
            if cached is not None and cached.content_state is not None:
                state.row.content_state = cached.content_state
            else:
                missing[state.id] = state
        for part in chunks(sorted(missing)):
            for story_id, content_state in self.session.execute(
                sa.select(Story.id, Story.content_state).where(one_of(self.session, col(Story.id), part))
            ):
                missing[story_id].row.content_state = content_state or {}

    def read(self, ids: Iterable[str]) -> dict[str, Story]:
        """Whole rows, unlocked, of stories this transaction announces without changing them."""
        wanted = sorted(set(ids))
        rows = self.session.exec(select(Story).where(one_of(self.session, col(Story.id), wanted))).all() if wanted else []
        for row in rows:
            self.session.expunge(row)
        return {row.id: row for row in rows}


def chunks(ids: list[str]) -> Iterable[list[str]]:
    for first in range(0, len(ids), CHUNK):
        yield ids[first:first + CHUNK]


def row_values(story: StoryRow | Story) -> dict:
    return {name: getattr(story, name) for name in COLUMNS}


_UPDATE = (sa.update(Story.__table__).where(Story.__table__.c.id == sa.bindparam("p_id"))
           .values({name: sa.bindparam(f"p_{name}") for name in COLUMNS if name != "id"}))


def story_rows_update(session: Session, stories: list[StoryRow | Story]) -> tuple[sa.Update, dict | list[dict]]:
    """The statement and parameters that write the (non-empty) stories' rows, every column: on PostgreSQL
    one UPDATE … FROM json_to_recordset (one statement, one plan, the rows as one JSON parameter),
    elsewhere an executemany. Built apart from running it, so the JSON is made while the database works."""
    stories = sorted(stories, key=lambda s: s.id)  # rows locked in one order by every writer
    if session.get_bind().dialect.name == "postgresql":
        return _UPDATE_PG, {"rows": json_rows([row_values(story) for story in stories])}
    return _UPDATE, [{f"p_{name}": value for name, value in row_values(story).items()} for story in stories]


_ROWS = recordset(Story.__table__, tuple(COLUMNS)).subquery("v")
_UPDATE_PG = (sa.update(Story.__table__).where(Story.__table__.c.id == _ROWS.c.id)
              .values({name: _ROWS.c[name] for name in COLUMNS if name != "id"}))
