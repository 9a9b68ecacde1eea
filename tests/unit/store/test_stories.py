"""Clustering decisions: join, found, copies, time window, determinism and merges, on SQLite."""

from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from newsflow_shared.contracts.story_updates import StoryChange
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from store import story_keys
from store.batch_index import KeyIndex
from store.evaluation import bcubed, pairwise
from store.features import Features
from store.idf import TermStats
from store.ingest import Outcome, ingest_article
from store.models import Article, Story, StoryMerge
from store.stories import Matching, resolve_story_id
from store.story_states import StoryRow
from store.upserts import insert_rows
from store.testing import extracted, message_from_record, migrated_engine, read_records, source_ref

NOW = datetime(2026, 11, 4, 12, 0, tzinfo=UTC)
LABELLED = Path(__file__).resolve().parents[3] / "bench" / "store" / "data" / "labelled.jsonl"
REWORDED = {
    "title": "Pyongyang to dispatch 6,000 troops to help clear mines in Kursk",
    "text": "North Korea is sending 6000 military builders and deminers to the Kursk region of Russia, "
            "Moscow's security council secretary said.",
}
FLOODS = {"title": "Flash floods kill dozens in eastern Spain",
          "text": "Torrential rain caused flash floods in Valencia, killing at least 40 people."}
WIRE_TEXT = " ".join(["North Korea will send 6,000 military engineers and deminers to Russia's Kursk region to",
                      "help rebuild infrastructure destroyed in fighting, Sergei Shoigu, secretary of Russia's",
                      "Security Council, said on Tuesday after talks with Kim Jong Un in Pyongyang. One thousand",
                      "deminers will clear the area of mines and 5,000 military builders will restore roads",
                      "bridges and power lines, Shoigu said, according to state news agencies."])


@pytest.fixture
def engine(sqlite_url: str) -> Engine:
    engine = migrated_engine(sqlite_url)
    yield engine
    engine.dispose()


def story_of(engine: Engine, canonical_url: str) -> str:
    with Session(engine) as session:
        return session.exec(select(Article.story_id).where(Article.canonical_url == canonical_url)).one()


def test_differently_worded_reports_of_one_event_share_a_story(engine: Engine) -> None:
    """Two outlets' reports of the Kursk deployment, worded differently, land in one story."""
    first = ingest_article(engine, extracted(), now=NOW).update
    second = ingest_article(engine, extracted("https://harbor.example/k", source=source_ref("harbor"), **REWORDED),
                            now=NOW).update
    assert second.story_id == first.story_id


def test_an_unrelated_article_founds_its_own_story(engine: Engine) -> None:
    """A report on floods in Spain does not join the Kursk story."""
    kursk = ingest_article(engine, extracted(), now=NOW).update
    floods = ingest_article(engine, extracted("https://n.example/floods", **FLOODS), now=NOW).update
    assert floods.story_id != kursk.story_id


def test_a_story_quiet_for_longer_than_the_window_takes_no_new_article(engine: Engine) -> None:
    """The index lookup only returns stories seen within the window (72 h) of the article's time."""
    old = extracted(published_at=NOW - timedelta(hours=100))
    ingest_article(engine, old, now=NOW)
    recent = extracted("https://harbor.example/k", source=source_ref("harbor"), published_at=NOW, **REWORDED)
    assert ingest_article(engine, recent, now=NOW).update.story_id != story_of(engine, old.canonical_url)


ZH_KURSK = {
    "title": "朝鲜将向俄罗斯库尔斯克州派遣6000名工兵和扫雷人员",
    "text": "俄罗斯联邦安全会议秘书绍伊古周二在平壤与朝鲜领导人金正恩会谈后表示，朝鲜将向俄罗斯库尔斯克州派遣"
            "1000名扫雷人员和5000名军事建筑人员，帮助重建在战斗中被摧毁的基础设施。绍伊古说，这些人员将清除该地区的"
            "地雷，并修复道路、桥梁和电力线路。",
}
ZH_KURSK_REWORDED = {
    "title": "平壤将派6,000名军人赴库尔斯克协助排雷和重建",
    "text": "据俄罗斯官方通讯社报道，绍伊古周二访问平壤时宣布，朝鲜将派出五千名军事建设者和一千名工兵前往库尔斯克"
            "地区。他表示，朝鲜人员将负责清除地雷，重建被战火破坏的道路和桥梁。",
}
ZH_FLOODS = {
    "title": "西班牙东部暴雨引发山洪 至少40人死亡",
    "text": "西班牙东部瓦伦西亚地区周二遭遇罕见暴雨，山洪暴发造成至少40人死亡，数十人失踪。当地政府表示，救援人员"
            "仍在被洪水淹没的城镇中搜寻幸存者。",
}


def test_chinese_reports_of_one_event_worded_differently_share_a_story(engine: Engine) -> None:
    """Chinese is written without spaces: as whole clauses, two outlets' reports shared no term and founded
    two stories. Cut into letter pairs they share 库尔斯克, 绍伊古, 平壤, 地雷 …; a report on other news does not join."""
    first = ingest_article(engine, extracted("https://zh.example/1", language="zh", **ZH_KURSK), now=NOW).update
    second = ingest_article(engine, extracted("https://harbor.example/zh", source=source_ref("harbor"),
                                              language="zh", **ZH_KURSK_REWORDED), now=NOW).update
    floods = ingest_article(engine, extracted("https://zh.example/2", language="zh", **ZH_FLOODS), now=NOW).update
    assert second.story_id == first.story_id
    assert floods.story_id != first.story_id
    assert second.coverage.articles == 2


def test_candidates_come_from_the_index_of_shared_keys(engine: Engine) -> None:
    """Only stories sharing an index key are candidates (ranked by the weight of what they share)."""
    kursk = ingest_article(engine, extracted(), now=NOW).update
    floods = ingest_article(engine, extracted("https://n.example/floods", **FLOODS), now=NOW).update
    with Session(engine) as session:
        since = NOW - timedelta(days=3)
        assert story_keys.candidates(session, {"w:kursk": 2.0, "w:deminer": 2.0}, since=since, limit=10) == [kursk.story_id]
        assert story_keys.candidates(session, {"w:flood": 2.0}, since=since, limit=10) == [floods.story_id]
        assert story_keys.candidates(session, {"w:kursk": 2.0}, since=NOW + timedelta(days=1), limit=10) == []


def test_a_shared_rare_key_outranks_shared_common_ones() -> None:
    """Candidates are ranked by the summed IDF of the keys they share, not by how many: one shared name
    says more than two shared everyday words (with many stories in the window, counting let stories that
    share only common words crowd the article's own story out of the candidates)."""
    keys = {"e:kim jong un": 6.0, "w:said": 1.2, "w:year": 1.3}
    hits = [("w:said", ["common", "other"]), ("w:year", ["common"]), ("e:kim jong un", ["rare"])]
    assert story_keys.ranked(hits, keys, limit=10) == ["rare", "common", "other"]
    assert story_keys.ranked(hits, keys, limit=1) == ["rare"]
    tied = [("w:said", ["b", "a"])]
    assert story_keys.ranked(tied, keys, limit=10) == ["a", "b"]  # equal weight: the smaller id first


def test_the_top_candidates_keep_the_ranking_order_when_weights_tie_at_the_cut() -> None:
    """Only stories at or above the limit-th weight are sorted; ties at that weight still go by id."""
    shared = {"d": 2.0, "a": 1.0, "c": 2.0, "b": 2.0, "e": 3.0}
    assert story_keys.best(shared, 2) == ["e", "b"]
    assert story_keys.best(shared, 4) == ["e", "b", "c", "d"]
    assert story_keys.best(shared, 10) == ["e", "b", "c", "d", "a"]
    assert story_keys.best(shared, 0) == []


def test_a_batch_ranks_candidates_as_the_index_query_does_when_keys_have_more_stories_than_it_reads(
        engine: Engine) -> None:
    """The writer's in-memory ranking (KeyIndex) answers what story_keys.candidates answers on the written
    table, with more than PER_KEY stories under a key, windows that cut into them, and rows the batch adds."""
    assert_batch_ranks_as_the_index_query(engine)


def assert_batch_ranks_as_the_index_query(engine: Engine) -> None:
    rows = [{"key": "w:common", "story_id": f"s{n:03d}", "last_seen": NOW - timedelta(minutes=n)}
            for n in range(story_keys.PER_KEY + 30)]
    rows += [{"key": "e:rare", "story_id": f"s{n:03d}", "last_seen": NOW - timedelta(minutes=n)} for n in range(0, 90, 9)]
    rows += [{"key": "w:year", "story_id": f"s{n:03d}", "last_seen": NOW - timedelta(minutes=2 * n)} for n in range(60)]
    keys = {"w:common": 1.5, "e:rare": 5.0, "w:year": 1.5}
    with Session(engine) as session:
        ids = sorted({row["story_id"] for row in rows} | {"new"})
        insert_rows(session, Story.__table__, [asdict(StoryRow(i, i, created_at=NOW, updated_at=NOW)) for i in ids])
        story_keys.upsert_keys(session, sorted(rows, key=lambda row: (row["key"], row["story_id"])))
        index = KeyIndex(session, since=NOW - timedelta(hours=3))
        index.add("new", ["w:common", "e:rare"], seen=NOW + timedelta(minutes=1))
        index.add("s079", ["w:year"], seen=NOW + timedelta(minutes=1))
        windows = [NOW - timedelta(hours=3), NOW - timedelta(minutes=40), NOW - timedelta(minutes=5)]
        in_memory = [index.candidates(keys, since=since, limit=limit) for since in windows for limit in (1, 10, 200)]
        index.write()
        assert in_memory == [story_keys.candidates(session, keys, since=since, limit=limit)
                             for since in windows for limit in (1, 10, 200)]
        assert in_memory[1][:2] == ["s000", "s009"] and "new" in in_memory[1]  # all three keys, then two rare
        assert len(in_memory[2]) > story_keys.PER_KEY and "s079" in in_memory[2]
        assert sorted(in_memory[8]) == ["new", "s000", "s001", "s002", "s003", "s004", "s005", "s079"]  # 5 minutes


def test_an_article_also_looks_stories_up_by_its_best_words_already_seen() -> None:
    """Index keys favour an article's rarest words, and words no counted article has index no story: a
    report whose own words outweigh the names its event's story shares ("Okafor", "Calloway") must still
    look that story up by them."""
    stats = TermStats(4, {"okafor": 2, "calloway": 2, "port": 2, "e:port calloway": 2})
    own = {f"own{n}": 2.0 for n in range(10)}  # quotes, turns of phrase: seen nowhere else
    features = Features(title={"okafor": 1.0, "port": 1.0, "calloway": 1.0}, body={"okafor": 3.0, **own},
                        entities={"port calloway": 1.0, **{f"person {n}": 1.0 for n in range(4)}})
    keys, lookup = story_keys.article_keys(features, stats)
    assert keys == story_keys.index_keys(features, stats)
    assert not {"w:okafor", "w:calloway", "e:port calloway"} & set(keys)  # what the story is indexed under
    assert set(lookup) == set(keys) | {"w:okafor", "w:port", "w:calloway", "e:port calloway"}


def fire_stories(database: Path, order: list[dict], fire: list[dict], matching: Matching) -> int:
    """How many stories the Cedar Hollow reports end in, the records stored one by one in `order`."""
    engine = migrated_engine(f"sqlite:///{database}")
    try:
        stories = {}
        for record in order:
            message = message_from_record(record)
            stories[record["id"]] = ingest_article(engine, message, now=message.published_at,
                                                   matching=matching).update.story_id
        with Session(engine) as session:
            return len({resolve_story_id(session, stories[r["id"]]) for r in fire})
    finally:
        engine.dispose()


@pytest.mark.parametrize("first", ["frontier-daily", "meridian-post"])
def test_a_follow_up_placed_before_the_story_it_matches_joins_it_later(tmp_path: Path, first: str) -> None:
    """Three reports of the Cedar Hollow fire, min_similarity 0.21: the climate follow-up (meridian) scores
    below it against the forest-management report (frontier) alone, above it against the evacuation
    report (lakeside) and against the two. Arriving before the evacuation report, it founded a story
    of its own for good: the evacuation report joins the other one and matches it too, but far below
    merge_similarity. The lone follow-up matches the story the evacuation report joins: they merge."""
    records = read_records(LABELLED)
    fire = {r["id"].split("/")[0]: r for r in records if r["story"] == "cedar-hollow-wildfire"}
    second = "meridian-post" if first == "frontier-daily" else "frontier-daily"
    order = [r for r in records if r["story"] != "cedar-hollow-wildfire"]
    order += [fire[first], fire[second], fire["lakeside-times"]]
    before = Matching(min_similarity=0.21, adopt_lone_neighbours=False)
    assert fire_stories(tmp_path / "before.db", order, list(fire.values()), before) == 2
    assert fire_stories(tmp_path / "now.db", order, list(fire.values()), Matching(min_similarity=0.21)) == 1


def test_a_syndicated_copy_joins_its_original_and_is_marked_as_a_copy(engine: Engine) -> None:
    """Same text on another site, even under another headline and days later, is a copy of the first."""
    original = extracted("https://wire.example/k", text=WIRE_TEXT, source=source_ref("wire"))
    copy = extracted("https://paper.example/k", title="Kim's men head west", text=WIRE_TEXT.upper() + "  ",
                     source=source_ref("paper"), published_at=NOW + timedelta(days=10))
    founded = ingest_article(engine, original, now=NOW).update
    joined = ingest_article(engine, copy, now=NOW).update
    assert joined.story_id == founded.story_id
    assert (joined.coverage.articles, joined.coverage.originals) == (2, 1)
    with Session(engine) as session:
        row = session.exec(select(Article).where(Article.canonical_url == copy.canonical_url)).one()
        assert (row.is_copy, row.copy_of) == (True, original.article_id)


def test_a_chinese_wire_copy_reflowed_by_another_site_is_a_copy(engine: Engine) -> None:
    """A Chinese text is a few clauses to \\w+: it was too short to hash, and a copy a few days later (spaced
    and punctuated otherwise by another CMS, under its own headline) founded a story of its own."""
    text = ZH_KURSK["text"] * 2
    original = extracted("https://wire.example/zh", language="zh", source=source_ref("wire"), **ZH_KURSK | {"text": text})
    copy = extracted("https://paper.example/zh", language="zh", source=source_ref("paper"), title="金正恩的人向西进发",
                     text=text.replace("，", ", ").replace("。", "。\n"), published_at=NOW + timedelta(days=10))
    founded = ingest_article(engine, original, now=NOW).update
    joined = ingest_article(engine, copy, now=NOW).update
    assert joined.story_id == founded.story_id
    assert (joined.coverage.articles, joined.coverage.originals) == (2, 1)


def test_simhash_within_three_bits_is_a_copy_and_four_bits_apart_is_not(engine: Engine) -> None:
    """A near-duplicate by the extractor's SimHash joins as a copy even with other words; 4 bits off is no copy."""
    ingest_article(engine, extracted(simhash="00000000000000ff"), now=NOW)
    near = extracted("https://a.example/n", simhash="000000000000001f", **FLOODS)  # 3 bits differ
    far = extracted("https://b.example/f", simhash="00000000000000f0", title="Flash floods in Valencia",
                    text=FLOODS["text"])  # 4 bits differ
    ingest_article(engine, near, now=NOW)
    ingest_article(engine, far, now=NOW)
    with Session(engine) as session:
        copies = dict(session.exec(select(Article.canonical_url, Article.is_copy)).all())
    assert copies[near.canonical_url] is True
    assert copies[far.canonical_url] is False
    assert story_of(engine, near.canonical_url) == story_of(engine, extracted().canonical_url)


def test_the_same_articles_in_the_same_order_give_the_same_stories(tmp_path: Path) -> None:
    """Clustering is deterministic: two fresh databases fed the labelled set agree on every story id."""
    records = read_records(LABELLED)
    outcomes = []
    for name in ("a", "b"):
        engine = migrated_engine(f"sqlite:///{tmp_path / name}.db")
        outcomes.append([ingest_article(engine, message_from_record(r), now=NOW).update.story_id for r in records])
        engine.dispose()
    assert outcomes[0] == outcomes[1]


def test_the_labelled_set_and_the_demo_group_perfectly(engine: Engine) -> None:
    """The demo's 18 articles form its 5 gold stories, and the 55-article labelled set its 18."""
    records = read_records(LABELLED)
    predicted = {r["id"]: ingest_article(engine, message_from_record(r), now=NOW).update.story_id
                 for r in records}
    with Session(engine) as session:
        predicted = {r["id"]: resolve_story_id(session, predicted[r["id"]]) for r in records}
    gold = {r["id"]: r["story"] for r in records}
    demo = [r["id"] for r in records if r["id"].endswith(".html")]
    assert len(demo) == 18
    assert len({gold[i] for i in demo}) == len({predicted[i] for i in demo}) == 5
    assert pairwise(predicted, gold).f1 == 1.0
    assert bcubed(predicted, gold).f1 == 1.0


def test_an_article_matching_two_stories_strongly_merges_them(engine: Engine) -> None:
    """Two stories of one event (split earlier) merge when an article matches both; the absorbed id
    resolves to the survivor, both are announced, and a redelivery announces both again."""
    apart = Matching(min_similarity=5.0)  # nothing may join: two stories for one event
    first = ingest_article(engine, extracted(), now=NOW, matching=apart).update
    second = ingest_article(engine, extracted("https://h.example/k", source=source_ref("harbor"), **REWORDED),
                            now=NOW, matching=apart).update
    assert first.story_id != second.story_id
    bridge = extracted("https://c.example/k", source=source_ref("capital"),
                       title="North Korea to dispatch 6,000 military engineers and deminers to Kursk",
                       text=REWORDED["text"] + " " + extracted().text)
    merging = Matching(min_similarity=0.18, merge_similarity=0.3)
    ingested = ingest_article(engine, bridge, now=NOW + timedelta(minutes=5), matching=merging)
    [absorbed] = ingested.merged
    survivor = ingested.update
    assert {absorbed.story_id, survivor.story_id} == {first.story_id, second.story_id}
    assert (absorbed.change, absorbed.merged_into, absorbed.article_count) == (
        StoryChange.MERGED, survivor.story_id, 0)
    assert (survivor.change, survivor.merged_from, survivor.article_count) == (
        StoryChange.MERGED, [absorbed.story_id], 3)
    with Session(engine) as session:
        assert resolve_story_id(session, absorbed.story_id) == survivor.story_id
        assert resolve_story_id(session, "no-such-story") is None
        assert session.get(StoryMerge, absorbed.story_id).survivor_id == survivor.story_id
        assert session.get(Story, absorbed.story_id).merged_into == survivor.story_id
    again = ingest_article(engine, bridge, now=NOW + timedelta(minutes=9), matching=merging)
    assert again.outcome is Outcome.UNCHANGED
    assert again.updates == ingested.updates


def test_pairwise_and_bcubed_scores_of_a_cluster_that_joins_two_stories() -> None:
    """Four articles of two gold stories put in one cluster: 2 of its 6 pairs are right (precision 1/3),
    every gold pair is found (recall 1); BCubed precision 1/2 for each article, recall 1."""
    predicted = {"a": "x", "b": "x", "c": "x", "d": "x"}
    gold = {"a": 1, "b": 1, "c": 2, "d": 2}
    assert (pairwise(predicted, gold).precision, pairwise(predicted, gold).recall) == (1 / 3, 1.0)
    assert (bcubed(predicted, gold).precision, bcubed(predicted, gold).recall) == (0.5, 1.0)
    split = {"a": "x", "b": "y", "c": "z", "d": "z"}
    assert (pairwise(split, gold).precision, pairwise(split, gold).recall) == (1.0, 0.5)
