"""Applying a sources file's edited ratings: outlets updated, the stories citing them recounted at a new
version and announced, the others untouched; a dry run writes nothing."""

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from newsflow_shared.cli import main as newsflow
from newsflow_shared.contracts.source import SourceRef
from newsflow_shared.contracts.story_updates import StoryChange, StoryUpdated
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from store.coverage import story_updated
from store.ingest import ingest_article
from store.models import Source, Story
from store.ratings import apply_ratings, main, read_sources
from store.testing import extracted, migrated_engine, source_ref

NOW = datetime(2026, 11, 4, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
REWORDED = {
    "title": "Pyongyang to dispatch 6,000 troops to help clear mines in Kursk",
    "text": "North Korea is sending 6000 military builders and deminers to the Kursk region of Russia, "
            "Moscow's security council secretary said.",
}
# As stored by the messages: northwind-herald center/high, harbor-times lean_right/high.
OUTLETS = {"northwind-herald": "center", "harbor-times": "lean_right"}


@pytest.fixture
def engine(sqlite_url: str) -> Engine:
    engine = migrated_engine(sqlite_url)
    yield engine
    engine.dispose()


@pytest.fixture
def stories(engine: Engine) -> dict[str, str]:
    """Kursk, reported by both outlets; floods, by harbor-times alone."""
    kursk = ingest_article(engine, extracted(source=source_ref("northwind-herald")), now=NOW).update
    joined = ingest_article(engine, extracted("https://harbor.example/kursk", **REWORDED,
                                              source=source_ref("harbor-times", bias="lean_right")), now=NOW).update
    floods = ingest_article(engine, extracted("https://harbor.example/floods",
                                              title="Flash floods kill dozens in eastern Spain",
                                              text="Torrential rain caused flash floods in Valencia.",
                                              source=source_ref("harbor-times", bias="lean_right")), now=NOW).update
    assert joined.story_id == kursk.story_id != floods.story_id
    return {"kursk": kursk.story_id, "floods": floods.story_id}


def write_sources(path: Path, biases: dict[str, str]) -> Path:
    """A sources file as the operator writes it: the outlets with these biases, factuality high."""
    lines = ["sources:"]
    for source_id, bias in biases.items():
        lines += [f"  - id: {source_id}", f"    name: {source_id.replace('-', ' ').title()}", f"    bias: {bias}",
                  "    factuality: high", "    feeds:", f"      - url: https://{source_id}.example/feed.xml"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def rerated(tmp_path: Path) -> list[SourceRef]:
    """northwind-herald moved from center to left; harbor-times as stored; one outlet never stored."""
    return read_sources(write_sources(tmp_path / "sources.yaml", OUTLETS | {"northwind-herald": "left",
                                                                            "unseen-gazette": "right"}))


def stored(engine: Engine) -> tuple[dict[str, dict], dict[str, str | None]]:
    """Every story row's columns by id, and every outlet's bias."""
    with Session(engine) as session:
        return ({story.id: story.model_dump() for story in session.exec(select(Story)).all()},
                dict(session.exec(select(Source.id, Source.bias)).all()))


def buckets(coverage: dict, name: str) -> dict[str, int]:
    return {rating: share["sources"] for rating, share in coverage[name]["buckets"].items()}


def test_a_changed_rating_is_recounted_into_the_stories_citing_the_outlet(engine, stories, tmp_path) -> None:
    """Kursk's bias spread moves from center + lean_right to left + lean_right at the next version, and that
    update is published; floods (no article from the re-rated outlet) keeps its version."""
    before, _ = stored(engine)
    published: list[StoryUpdated] = []
    applied = apply_ratings(engine, rerated(tmp_path), now=LATER, publish=published.extend)
    after, biases = stored(engine)
    assert applied.changed == {"northwind-herald": {"bias": ("center", "left")}}
    assert applied.unknown == ["unseen-gazette"]
    assert (applied.stories, applied.updates) == (1, 1)
    assert biases == {"northwind-herald": "left", "harbor-times": "lean_right"}
    kursk, was = after[stories["kursk"]], before[stories["kursk"]]
    assert buckets(was["coverage"], "bias") == {"center": 1, "lean_right": 1}
    assert buckets(kursk["coverage"], "bias") == {"left": 1, "lean_right": 1}
    assert buckets(kursk["coverage"], "bias_3way") == {"left": 1, "right": 1}
    assert kursk["bias_counts"] == {"lean_right": 1, "left": 1}
    assert (kursk["version"], kursk["last_change"], kursk["updated_at"]) == (
        was["version"] + 1, StoryChange.COVERAGE_CHANGED, LATER)
    assert {name: kursk[name] for name in ("title", "summary", "article_count")} == {
        name: was[name] for name in ("title", "summary", "article_count")}
    assert after[stories["floods"]] == before[stories["floods"]]
    with Session(engine) as session:
        assert published == [story_updated(session, session.get(Story, stories["kursk"]))]
    assert published[0].version == kursk["version"]
    assert buckets(published[0].coverage.model_dump(), "bias") == {"left": 1, "lean_right": 1}


def test_applying_the_same_file_again_changes_nothing(engine, stories, tmp_path) -> None:
    """Once the outlets match the file, no story is recounted and nothing is published."""
    apply_ratings(engine, rerated(tmp_path), now=LATER)
    before, _ = stored(engine)
    published: list[StoryUpdated] = []
    applied = apply_ratings(engine, rerated(tmp_path), now=LATER + timedelta(hours=1), publish=published.extend)
    assert (applied.changed, applied.stories, published) == ({}, 0, [])
    assert stored(engine)[0] == before


def test_a_dry_run_reports_what_would_change_and_writes_nothing(engine, stories, tmp_path) -> None:
    """The changed outlet, the unknown one and the story to recount are reported; no row moves, nothing is
    published."""
    before = stored(engine)
    published: list[StoryUpdated] = []
    applied = apply_ratings(engine, rerated(tmp_path), now=LATER, dry_run=True, publish=published.extend)
    assert applied.changed == {"northwind-herald": {"bias": ("center", "left")}}
    assert (applied.unknown, applied.stories, applied.updates) == (["unseen-gazette"], 1, 0)
    assert stored(engine) == before
    assert published == []


def test_since_limits_the_recount_to_recently_updated_stories(engine, stories, tmp_path) -> None:
    """A story last updated before --since keeps its coverage; the outlet's row is updated all the same."""
    before, _ = stored(engine)
    applied = apply_ratings(engine, rerated(tmp_path), now=LATER, since=NOW + timedelta(minutes=1))
    after, biases = stored(engine)
    assert (applied.stories, biases["northwind-herald"]) == (0, "left")
    assert after == before


def test_a_story_merged_away_is_not_recounted(engine, stories, tmp_path) -> None:
    """Only live stories are recounted: one marked as absorbed by a merge is left as it is."""
    with Session(engine) as session, session.begin():
        session.get(Story, stories["kursk"]).merged_into = stories["floods"]
    applied = apply_ratings(engine, rerated(tmp_path), now=LATER)
    assert applied.stories == 0


def test_an_article_fetched_before_the_edit_does_not_put_the_old_rating_back(engine, stories, tmp_path) -> None:
    """After apply-ratings, a message still carrying the old rating (fetched before the command ran) changes
    neither the outlet nor the story it joins."""
    apply_ratings(engine, rerated(tmp_path), now=LATER)
    in_flight = extracted("https://northwind.example/news/kursk-2", **REWORDED, source=source_ref("northwind-herald"),
                          fetched_at=LATER - timedelta(minutes=5))
    joined = ingest_article(engine, in_flight, now=LATER + timedelta(minutes=1)).update
    assert stored(engine)[1]["northwind-herald"] == "left"
    assert joined.story_id == stories["kursk"]
    assert buckets(joined.coverage.model_dump(), "bias") == {"left": 1, "lean_right": 1}


def test_stories_counted_before_a_writer_re_rated_an_outlet_are_recounted(engine, stories, tmp_path) -> None:
    """The fetcher picked up the edited file first: a newer message re-rated harbor-times as the writer stored
    it, so the file and the database agree. The stories counted before that are still recounted, once."""
    newer = extracted("https://harbor.example/markets", title="Stock markets rally on rate hopes",
                      text="Shares rose across Europe as traders bet on lower interest rates.",
                      source=source_ref("harbor-times", bias="right"), fetched_at=LATER)
    markets = ingest_article(engine, newer, now=LATER).update
    before, _ = stored(engine)
    published: list[StoryUpdated] = []
    applied = apply_ratings(engine, read_sources(write_sources(tmp_path / "sources.yaml",
                                                               OUTLETS | {"harbor-times": "right"})),
                            now=LATER + timedelta(hours=1), publish=published.extend)
    after, _ = stored(engine)
    assert (applied.changed, applied.rerated, applied.stories) == ({}, ["harbor-times"], 2)
    assert sorted(u.story_id for u in published) == sorted([stories["kursk"], stories["floods"]])
    assert buckets(before[stories["kursk"]]["coverage"], "bias") == {"center": 1, "lean_right": 1}
    assert buckets(after[stories["kursk"]]["coverage"], "bias") == {"center": 1, "right": 1}
    assert buckets(after[stories["floods"]]["coverage"], "bias") == {"right": 1}
    assert after[markets.story_id] == before[markets.story_id]  # counted with the new rating already
    again = apply_ratings(engine, read_sources(tmp_path / "sources.yaml"), now=LATER + timedelta(hours=2))
    assert (again.rerated, again.stories) == ([], 0)


def test_the_command_reports_a_dry_run(engine, stories, tmp_path, sqlite_url, monkeypatch, capsys) -> None:
    """`python -m store.ratings --dry-run` lists each change field by field and the counts; Redis unused."""
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")  # nothing may be published
    path = write_sources(tmp_path / "sources.yaml", OUTLETS | {"northwind-herald": "left", "unseen-gazette": "right"})
    assert main(["--sources-file", str(path), "--dry-run"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "  northwind-herald: bias center -> left",
        "  not in the database, skipped: unseen-gazette",
        "dry run: 1 sources would change, 1 unknown; 1 stories would be recounted; nothing written",
    ]


def test_the_command_refuses_an_invalid_sources_file_with_exit_code_2(tmp_path, sqlite_url, monkeypatch,
                                                                      capsys) -> None:
    """The fetcher's own message names the entry and the field; nothing is opened."""
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    path = write_sources(tmp_path / "sources.yaml", {"northwind-herald": "centre"})
    assert main(["--sources-file", str(path)]) == 2
    assert "sources[0] (id 'northwind-herald'): bias:" in capsys.readouterr().err


def test_the_command_names_the_fetcher_package_when_it_is_missing(tmp_path, monkeypatch, capsys) -> None:
    """Without newsflow-fetcher the sources file cannot be read: say which package to install, exit 2."""
    monkeypatch.setitem(sys.modules, "fetcher.sources", None)
    path = write_sources(tmp_path / "sources.yaml", OUTLETS)
    assert main(["--sources-file", str(path)]) == 2
    assert "needs the newsflow-fetcher package" in capsys.readouterr().err


def test_newsflow_sources_apply_ratings_delegates_to_the_store(engine, stories, tmp_path, sqlite_url) -> None:
    """`newsflow sources apply-ratings` runs store.ratings with its arguments and exit code; the sources file
    defaults to FETCHER_SOURCES_FILE, as the other `sources` commands."""
    path = write_sources(tmp_path / "sources.yaml", OUTLETS | {"harbor-times": "right"})
    env = {"DATABASE_URL": sqlite_url, "FETCHER_SOURCES_FILE": str(path)}
    result = CliRunner().invoke(newsflow, ["sources", "apply-ratings", "--dry-run"], env=env)
    assert result.exit_code == 0, result.output
    assert "1 sources would change, 0 unknown; 2 stories would be recounted" in result.output
    result = CliRunner().invoke(newsflow, ["sources", "apply-ratings", "--since", "not a time"], env=env)
    assert result.exit_code == 2
