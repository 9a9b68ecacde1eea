"""Two writers, each with its own story cache, adding to the same stories: neither works from what its
cache remembers of a story the other has changed since."""

from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session, select
from store import story_cache
from store.app import build_app
from store.content import ContentState, build_state, content_rows
from store.features import Features
from store.ingest import ingest_articles
from store.models import Article, Story
from store.settings import StoreSettings
from store.similarity import CentroidView, add_to_centroid
from store.story_cache import StoryCache
from store.story_states import StoryStates
from store.testing import message_from_record, migrated_engine, read_records

NOW = datetime(2026, 11, 4, 12, 0, tzinfo=UTC)
LABELLED = Path(__file__).resolve().parents[3] / "bench" / "store" / "data" / "labelled.jsonl"


def stories_from_rows(engine) -> dict[str, tuple[dict, dict]]:
    """Each live story's centroid and content state as recomputed from its articles' rows."""
    with Session(engine) as session:
        articles = session.exec(select(Article).order_by(Article.published_at, Article.id)).all()
        stories = session.exec(select(Story).where(Story.article_count > 0)).all()
        rows = content_rows(session, [story.id for story in stories])
        expected = {}
        for story in stories:
            centroid: dict = {}
            for article in (a for a in articles if a.story_id == story.id):
                centroid = add_to_centroid(centroid, Features.from_json(article.features))
            expected[story.id] = (centroid, build_state(rows[story.id]).as_json())
        return expected


def stored(engine) -> dict[str, tuple[dict, dict]]:
    with Session(engine) as session:
        return {s.id: (s.centroid, s.content_state)
                for s in session.exec(select(Story).where(Story.article_count > 0)).all()}


def test_writers_taking_turns_on_the_same_stories_build_them_as_one_writer_would(tmp_path: Path) -> None:
    """The labelled set fed by two engines in turns of three articles: every story's centroid is the sum of
    its articles' features and its content state covers exactly its articles, as if recomputed from rows."""
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    writers = [migrated_engine(url), migrated_engine(url)]
    messages = [message_from_record(r) for r in read_records(LABELLED)]
    for turn, first in enumerate(range(0, len(messages), 3)):
        ingest_articles(writers[turn % 2], messages[first:first + 3], now=NOW)
    expected, actual = stories_from_rows(writers[0]), stored(writers[0])
    assert actual.keys() == expected.keys()
    for story_id, (centroid, state) in expected.items():
        assert actual[story_id][0] == centroid, story_id
        mine, rebuilt = ContentState.from_json(actual[story_id][1]), ContentState.from_json(state)
        assert mine.articles == rebuilt.articles
        assert {title[2] for title in mine.titles} == {title[2] for title in rebuilt.titles}
    for writer in writers:
        writer.dispose()


def test_a_writer_reads_again_a_story_another_writer_changed() -> None:
    """An entry is only good for the version it was cached at."""
    cache = StoryCache(written=2, scored=2)
    view = CentroidView({"title": {"kursk": 1.0}})
    cache.put("s1", 3, view, {"articles": 1}, written=True)
    assert cache.get("s1", 3).view is view
    assert cache.get("s1", 4) is None


def test_one_off_candidates_do_not_push_out_the_stories_being_written() -> None:
    """Stories only scored wait in probation: a flood of them leaves the written ones cached."""
    cache = StoryCache(written=2, scored=2)
    cache.put("hot", 1, CentroidView({}), written=True)
    for n in range(10):
        cache.put(f"near-miss-{n}", 1, CentroidView({}), written=False)
    assert cache.get("hot", 1) is not None
    assert cache.get("near-miss-0", 1) is None and cache.get("near-miss-9", 1) is not None


def test_stories_read_in_one_go_are_all_found_when_reading_them_evicts_cached_ones(tmp_path: Path) -> None:
    """Reading the uncached stories fills the cache; a story counted as cached before that may be evicted
    by it, and must still be read (it was once reported absent: at 100k stories in the window, an article
    missed its own event's story, founded a second one and the two merged later)."""
    engine = migrated_engine(f"sqlite:///{tmp_path / 'store.db'}")
    ingest_articles(engine, [message_from_record(r) for r in read_records(LABELLED)], now=NOW)
    with Session(engine) as session:
        versions = dict(session.exec(select(Story.id, Story.version)).all())
        ids = sorted(versions)
        cache = StoryCache(written=1, scored=2)
        cache.put(ids[0], versions[ids[0]], CentroidView({}), written=False)  # a story scored once before
        states = StoryStates(session, cache)
        states.prefetch(ids)  # the other stories' reads push it out of the small cache
        assert [state.id for state in states.many(ids)] == ids
        assert not states.absent
    engine.dispose()


def test_a_smaller_cache_keeps_the_most_recently_used_entries_and_a_larger_one_keeps_more() -> None:
    cache = StoryCache(written=2, scored=3)
    for n in range(3):
        cache.put(f"written-{n}", 1, CentroidView({}), written=True)  # the oldest is demoted to probation
    for n in range(2):
        cache.put(f"scored-{n}", 1, CentroidView({}), written=False)
    cache.resize(written=1, scored=1)
    # written-2 stays written; written-1, demoted, is the newest in probation; the older ones go
    kept = [story for story in ("written-0", "written-1", "written-2", "scored-0", "scored-1") if story in cache]
    assert kept == ["written-1", "written-2"]
    cache.resize(written=1, scored=5)
    for n in range(4):
        cache.put(f"more-{n}", 1, CentroidView({}), written=False)
    assert sum(f"more-{n}" in cache for n in range(4)) == 4


def test_the_writer_sizes_its_story_cache_from_its_settings(sqlite_url: str) -> None:
    build_app(StoreSettings(DATABASE_URL=sqlite_url, story_cache_written=7, story_cache_candidates=9))
    assert {"protected": 7, "probation": 9} in [cache.sizes for cache in story_cache._CACHES.values()]
