"""The candidate index: a story's top terms and entities → the story, looked up within a time window.

An arriving article fetches only the stories sharing one of its keys, ranked by how many they share,
so the cost of matching does not grow with the number of stories in the database.
"""

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, delete, func, select

from store.features import Features
from store.idf import TermStats
from store.models import StoryKey
from store.similarity import weighted
from store.upserts import upsert

INDEX_TERMS = 8  # the article's rarest-weighted title and body words
INDEX_ENTITIES = 4
MAX_KEY_CHARS = 200
PER_KEY = 50  # stories per key looked at: the most recently seen ones


def top(vector: dict[str, float], n: int) -> list[str]:
    return [t for t, _ in sorted(vector.items(), key=lambda tw: (-tw[1], tw[0]))[:n]]


def index_keys(features: Features, stats: TermStats) -> list[str]:
    words = dict(features.body)
    for term, tf in features.title.items():
        words[term] = words.get(term, 0.0) + 2 * tf  # a headline word says more than a body word
    keys = [f"w:{t}" for t in top(weighted(words, stats), INDEX_TERMS)]
    keys += [f"e:{e}" for e in top(weighted(features.entities, stats, prefix="e:"), INDEX_ENTITIES)]
    return sorted({k[:MAX_KEY_CHARS] for k in keys})


# One cached statement on PostgreSQL (the portable form below is re-compiled for every key count).
_CANDIDATES_PG = sa.text(
    "select hit.story_id, count(*) as shared from unnest(cast(:keys as varchar[])) as wanted(key) "
    "cross join lateral (select story_id from story_key where story_key.key = wanted.key "
    "and story_key.last_seen >= :since order by story_key.last_seen desc, story_key.story_id desc "
    "limit :per_key) as hit "
    "group by hit.story_id order by shared desc, hit.story_id limit :limit"
)


def candidates(session: Session, keys: Iterable[str], *, since: datetime, limit: int) -> list[str]:
    """Ids of stories sharing the most keys (seen since `since`), most shared first, then by id.

    Each key contributes only its PER_KEY most recently seen stories (equal times: larger id first, the
    order ix_story_key_recent is read in backwards): a common word indexed by thousands of stories costs
    the same as a rare one, so lookups stay flat as the table grows.
    """
    keys = sorted(set(keys))
    if not keys:
        return []
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(_CANDIDATES_PG, {"keys": keys, "since": since, "per_key": PER_KEY, "limit": limit})
        return [story_id for story_id, _ in rows.all()]
    per_key = [
        select(StoryKey.story_id)
        .where(StoryKey.key == key, col(StoryKey.last_seen) >= since)
        .order_by(col(StoryKey.last_seen).desc(), col(StoryKey.story_id).desc())
        .limit(PER_KEY)
        .subquery()
        .select()
        for key in keys
    ]
    hits = sa.union_all(*per_key).subquery()
    shared = func.count().label("shared")
    rows = session.execute(
        sa.select(hits.c.story_id, shared).group_by(hits.c.story_id)
        .order_by(shared.desc(), hits.c.story_id).limit(limit)
    ).all()
    return [story_id for story_id, _ in rows]


def add_keys(session: Session, story_id: str, keys: Iterable[str], *, seen: datetime) -> None:
    upsert_keys(session, [{"key": key, "story_id": story_id, "last_seen": seen} for key in sorted(set(keys))])


def upsert_keys(session: Session, rows: list[dict]) -> None:
    """Rows sorted by (key, story_id); an existing row keeps the later last_seen."""
    upsert(session, StoryKey.__table__, rows, keys=["key", "story_id"],
           update={"last_seen": lambda current, new: sa.case((new > current, new), else_=current)})


def move_keys(session: Session, *, absorbed_id: str, survivor_id: str) -> None:
    """Give the survivor of a merge the absorbed story's keys, so its articles' words find it."""
    rows = session.exec(select(StoryKey.key, StoryKey.last_seen).where(StoryKey.story_id == absorbed_id)).all()
    session.exec(delete(StoryKey).where(col(StoryKey.story_id) == absorbed_id))
    upsert_keys(session, [{"key": key, "story_id": survivor_id, "last_seen": seen} for key, seen in sorted(rows)])


def drop_keys(session: Session, story_ids: Iterable[str]) -> None:
    session.exec(delete(StoryKey).where(col(StoryKey.story_id).in_(sorted(set(story_ids)))))
