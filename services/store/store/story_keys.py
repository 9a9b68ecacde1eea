"""The candidate index: a story's top terms and entities → the story, looked up within a time window.

An arriving article fetches only the stories sharing one of its keys, ranked by the summed IDF of the
keys they share (a shared rare name says more than two shared common words), so the cost of matching
does not grow with the number of stories in the database.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, delete, select

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


def index_keys(features: Features, stats: TermStats) -> dict[str, float]:
    """The article's index keys, each with its IDF (what sharing it is worth when ranking candidates)."""
    return _keys(*_weighed(features, stats), stats)


def article_keys(features: Features, stats: TermStats) -> tuple[dict[str, float], dict[str, float]]:
    """The article's index keys, and the keys it looks candidates up by: those and its best terms some
    counted article already has, the terms weighed once.

    The index keys favour the rarest terms, and a term no counted article has (an article's own
    names, quotes, turns of phrase) has no story under it: an article whose words the event's story
    shares only at a lower IDF ("Okafor", "Calloway" against "brace", "hike") found no candidate at
    all and founded a second story. The seen terms are the ones that can match."""
    words, entities = _weighed(features, stats)
    keys = _keys(words, entities, stats)
    seen = _keys({t: w for t, w in words.items() if stats.frequencies.get(t)},
                 {e: w for e, w in entities.items() if stats.frequencies.get(f"e:{e}")}, stats)
    return keys, keys | seen


def _weighed(features: Features, stats: TermStats) -> tuple[dict[str, float], dict[str, float]]:
    words = dict(features.body)
    for term, tf in features.title.items():
        words[term] = words.get(term, 0.0) + 2 * tf  # a headline word says more than a body word
    return weighted(words, stats), weighted(features.entities, stats, prefix="e:")


def _keys(words: dict[str, float], entities: dict[str, float], stats: TermStats) -> dict[str, float]:
    keys = {f"w:{t}": stats.idf(t) for t in top(words, INDEX_TERMS)}
    keys |= {f"e:{e}": stats.idf(f"e:{e}") for e in top(entities, INDEX_ENTITIES)}
    return {key[:MAX_KEY_CHARS]: weight for key, weight in sorted(keys.items())}


def ranked(stories: Iterable[tuple[str, Iterable[str]]], keys: dict[str, float], limit: int) -> list[str]:
    """Story ids from (key, the key's story ids) hits, by the summed weight of the keys each shares, then by id.
    Each story sums its keys' weights in key order, so equal sets of keys score exactly equal (the writer
    ranks ~1,000 hits an article: sorting keys, not hits)."""
    shared: dict[str, float] = defaultdict(float)
    for key, story_ids in sorted(stories, key=lambda item: item[0]):
        weight = keys[key]
        for story_id in story_ids:
            shared[story_id] += weight
    return best(shared, limit)


def best(shared: dict[str, float], limit: int) -> list[str]:
    """The `limit` story ids of most weight, equal weights by id. Only those at or above the limit-th
    weight are sorted by (weight, id): at 100k stories an article sums ~700 hits, and a key function
    called on each (heapq.nsmallest) cost more than the summing."""
    if limit <= 0:
        return []
    if len(shared) > limit:
        floor = sorted(shared.values(), reverse=True)[limit - 1]
        top = sorted((-weight, story_id) for story_id, weight in shared.items() if weight >= floor)
    else:
        top = sorted((-weight, story_id) for story_id, weight in shared.items())
    return [story_id for _, story_id in top[:limit]]


def candidates(session: Session, keys: dict[str, float], *, since: datetime, limit: int) -> list[str]:
    """Ids of the stories (seen since `since`) sharing the most key weight, as `ranked` orders them.

    Each key contributes only its PER_KEY most recently seen stories (equal times: larger id first, the
    order ix_story_key_recent is read in backwards): a common word indexed by thousands of stories costs
    the same as a rare one, so lookups stay flat as the table grows. The writer answers the same from
    store.batch_index.KeyIndex, for a whole batch at once.
    """
    hits = [(key, session.execute(
        select(StoryKey.story_id).where(StoryKey.key == key, col(StoryKey.last_seen) >= since)
        .order_by(col(StoryKey.last_seen).desc(), col(StoryKey.story_id).desc()).limit(PER_KEY)
    ).scalars().all()) for key in sorted(keys)]
    return ranked(hits, keys, limit)


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
