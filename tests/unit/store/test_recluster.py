"""Re-clustering a time range from stored rows, after tuning: the stories are rebuilt, old ids resolve."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis
from faststream.redis.parser import BinaryMessageFormatV1
from newsflow_shared.contracts import story_updates
from newsflow_shared.contracts.story_updates import StoryChange, StoryUpdated
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from store.coverage import story_updated
from store.evaluation import pairwise
from store.features import Features, article_features
from store.idf import TermStats, weighted_terms
from store.ingest import ingest_article
from store.models import Article, Story, TermStat
from store.recluster import main, recluster
from store.stories import DEFAULT_MATCHING, Matching, resolve_story_id
from store.testing import extracted, message_from_record, migrated_engine, read_records, source_ref

from tests.unit.store.test_stories import ZH_FLOODS, ZH_KURSK, ZH_KURSK_REWORDED

LABELLED = Path(__file__).resolve().parents[3] / "bench" / "store" / "data" / "labelled.jsonl"
NOW = datetime(2026, 11, 4, 12, 0, tzinfo=UTC)
RANGE = {"since": datetime(2025, 6, 1, tzinfo=UTC), "until": datetime(2025, 7, 1, tzinfo=UTC)}


def placed(engine: Engine, records: list[dict]) -> dict[str, str]:
    return stories_at(engine, {r["id"]: f"https://eval.example/{r['id']}" for r in records})


def stories_at(engine: Engine, urls: dict[str, str]) -> dict[str, str]:
    """name → the current story of the article stored under that canonical URL."""
    with Session(engine) as session:
        rows = dict(session.exec(select(Article.canonical_url, Article.story_id)).all())
        return {name: resolve_story_id(session, rows[url]) for name, url in urls.items()}


def chinese_reports() -> list:
    """Two reports of the Kursk deployment worded differently, and one of other news (no entities)."""
    return [extracted("https://zh.example/1", language="zh", published_at=NOW, **ZH_KURSK),
            extracted("https://harbor.example/zh", language="zh", source=source_ref("harbor"), published_at=NOW,
                      **ZH_KURSK_REWORDED),
            extracted("https://zh.example/2", language="zh", published_at=NOW, **ZH_FLOODS)]


def test_recluster_regroups_a_badly_clustered_range_and_keeps_old_ids_resolvable(sqlite_url: str) -> None:
    """Stored with a threshold nothing passes (55 stories), re-clustered with the defaults: the gold 18."""
    engine = migrated_engine(sqlite_url)
    records = read_records(LABELLED)
    first = {r["id"]: ingest_article(engine, message_from_record(r), now=NOW,
                                     matching=Matching(min_similarity=5.0)).update.story_id for r in records}
    gold = {r["id"]: r["story"] for r in records}
    assert len(set(first.values())) == len(records) - 2  # only the two syndicated copies joined
    seen = []
    counts = recluster(engine, **RANGE, matching=DEFAULT_MATCHING, now=NOW,
                       progress=lambda done, total: seen.append((done, total)))
    after = placed(engine, records)
    assert pairwise(after, gold).f1 == 1.0
    assert counts["articles"] == len(records)
    assert seen[-1] == (len(records), len(records))
    with Session(engine) as session:
        assert all(resolve_story_id(session, old) == after[i] for i, old in first.items())
    engine.dispose()


def test_the_recluster_command_runs_on_database_url(sqlite_url: str, monkeypatch, capsys) -> None:
    """`python -m store.recluster --since … --until …` reports what it did; an empty range is fine."""
    migrated_engine(sqlite_url).dispose()
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    assert main(["--since", "2025-06-01", "--until", "2025-07-01T00:00:00+00:00"]) == 0
    assert "re-clustered 0 articles" in capsys.readouterr().out


def test_every_story_the_recluster_changes_is_published_at_its_new_version(sqlite_url: str) -> None:
    """As the writer does: each changed story's update goes out after its transaction commits, versions
    only grow, the last one a story gets is its stored state, and an emptied story's says where it went."""
    engine = migrated_engine(sqlite_url)
    for record in read_records(LABELLED):
        ingest_article(engine, message_from_record(record), now=NOW, matching=Matching(min_similarity=5.0))
    with Session(engine) as session:
        before = dict(session.exec(select(Story.id, Story.version)).all())
    published: list = []
    counts = recluster(engine, **RANGE, matching=DEFAULT_MATCHING, now=NOW, publish=published.extend)
    with Session(engine) as session:
        stories = {story.id: story for story in session.exec(select(Story)).all()}
        changed = {story_id for story_id, story in stories.items() if story.version != before.get(story_id)}
        last: dict[str, StoryUpdated] = {}
        for update in published:
            previous = last[update.story_id].version if update.story_id in last else before.get(update.story_id, 0)
            assert update.version > previous
            last[update.story_id] = update
        assert set(last) == changed and counts["updates"] == len(published)
        for story_id, update in last.items():
            assert update == story_updated(session, stories[story_id])
    emptied = [update for update in last.values() if update.merged_into]
    assert len(emptied) == counts["stories_emptied"] > 0
    assert all(update.article_count == 0 and update.change == StoryChange.MERGED for update in emptied)
    engine.dispose()


def test_the_recluster_command_publishes_on_the_story_update_stream(sqlite_url: str, redis_url: str,
                                                                     monkeypatch, capsys) -> None:
    """`python -m store.recluster` sends the updates to REDIS_URL, in the envelope the writer uses."""
    engine = migrated_engine(sqlite_url)
    for record in read_records(LABELLED)[:6]:
        ingest_article(engine, message_from_record(record), now=NOW, matching=Matching(min_similarity=5.0))
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("REDIS_URL", redis_url)
    assert main(["--since", "2025-06-01", "--until", "2025-07-01T00:00:00+00:00"]) == 0
    reported = int(capsys.readouterr().out.split("; ")[-1].split()[0])
    client = redis.Redis.from_url(redis_url)
    entries = client.xrange(story_updates.STREAM)
    client.close()
    decoded = [BinaryMessageFormatV1.parse(fields[b"__data__"]) for _, fields in entries]
    updates = [StoryUpdated.model_validate_json(body) for body, _ in decoded]
    assert len(updates) == reported > 0
    assert all(headers["message_id"] == update.headers()["message_id"] for update, (_, headers) in zip(updates, decoded))


def test_a_range_re_clustered_unchanged_keeps_the_writers_stories(sqlite_url: str) -> None:
    """Re-clustering weighs each article as the writer did, before it was counted. Weighed counted, an article's
    own words looked seen and became its look-up keys: two Chinese reports of one event (no entities to share)
    found no candidate in each other and were split."""
    engine = migrated_engine(sqlite_url)
    reports = chinese_reports()
    written = [ingest_article(engine, report, now=NOW).update.story_id for report in reports]
    assert written[0] == written[1] != written[2]
    recluster(engine, since=NOW - timedelta(hours=1), until=NOW + timedelta(hours=1), matching=DEFAULT_MATCHING,
              now=NOW)
    kursk, harbor, floods = stories_of(engine, reports).values()
    assert kursk == harbor != floods
    engine.dispose()


def stale(features: Features, article: Article) -> Features:
    """The features an article had when a clause written without spaces was one term (before CJK letter pairs)."""
    return Features(title={article.title[:64]: 1.0}, body={article.text[:64]: 1.0})


def test_refeature_reads_stored_articles_again_and_moves_their_term_counts(sqlite_url: str, capsys,
                                                                          monkeypatch) -> None:
    """Chinese reports stored when a clause was one term share none and sit in two stories; re-clustered as
    they are they stay apart. With --refeature their features are computed again from the rows (letter
    pairs), the document frequencies move from the old terms to the new ones, and the two reports join."""
    engine = migrated_engine(sqlite_url)
    reports = chinese_reports()
    for report in reports:
        ingest_article(engine, report, now=NOW)
    with Session(engine) as session, session.begin():  # as an older writer stored and counted them
        stats = TermStats.load(session, [])
        for article in session.exec(select(Article)).all():
            current = Features.from_json(article.features)
            old = stale(current, article)
            article.features = old.as_json()
            for term in weighted_terms(current):
                stats.pending[term] = stats.pending.get(term, 0) - 1
            for term in weighted_terms(old):
                stats.pending[term] = stats.pending.get(term, 0) + 1
        stats.save(session)
    window = {"since": NOW - timedelta(hours=1), "until": NOW + timedelta(hours=1)}
    recluster(engine, **window, matching=DEFAULT_MATCHING, now=NOW)
    assert len(stories_of(engine, reports)) == 3  # the stale features match nothing

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    assert main(["--since", window["since"].isoformat(), "--until", window["until"].isoformat(), "--refeature"]) == 0
    assert "features computed again for 3 articles, 3 changed" in capsys.readouterr().out
    kursk, harbor, floods = stories_of(engine, reports).values()
    assert kursk == harbor != floods
    with Session(engine) as session:
        counts = dict(session.exec(select(TermStat.term, TermStat.documents)).all())
        assert counts["库尔"] == 2 and counts["绍伊"] == 2 and counts["暴雨"] == 1
        assert counts[ZH_KURSK["title"][:64]] == 0 and min(counts.values()) >= 0
        stored = {a.canonical_url: a for a in session.exec(select(Article)).all()}
        assert stored[reports[0].canonical_url].features == article_features(reports[0]).as_json()
    assert main(["--since", window["since"].isoformat(), "--until", window["until"].isoformat(), "--refeature"]) == 0
    assert "features computed again for 3 articles, 0 changed" in capsys.readouterr().out  # current: left as they are
    with Session(engine) as session:
        assert dict(session.exec(select(TermStat.term, TermStat.documents)).all()) == counts
    engine.dispose()


def stories_of(engine: Engine, messages: list) -> dict[str, str]:
    return stories_at(engine, {m.canonical_url: m.canonical_url for m in messages})
