"""`python -m store.ratings` as its own process on PostgreSQL and Redis: the recounted story's update lands on
the story-update stream, and a writer holding the story's row is waited for, not written over."""

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from faststream.redis.parser import BinaryMessageFormatV1
from newsflow_shared.contracts import story_updates
from newsflow_shared.contracts.story_updates import StoryChange, StoryUpdated
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from store.ingest import ingest_article
from store.models import Source, Story
from store.testing import extracted, source_ref

from tests.support.polling import eventually_sync
from tests.unit.store.test_ratings import OUTLETS, REWORDED, write_sources

NOW = datetime(2026, 11, 4, 12, 0, tzinfo=UTC)


@pytest.fixture
def kursk(engine: Engine) -> str:
    """A story reported by northwind-herald (center) and harbor-times (lean_right); its id."""
    first = ingest_article(engine, extracted(source=source_ref("northwind-herald")), now=NOW).update
    ingest_article(engine, extracted("https://harbor.example/kursk", **REWORDED,
                                     source=source_ref("harbor-times", bias="lean_right")), now=NOW)
    return first.story_id


def command(sources_file: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "store.ratings", "--sources-file", str(sources_file), *args]


def command_env(database_url: str, redis_url: str) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if not k.startswith(("STORE_", "FETCHER_"))},
            "DATABASE_URL": database_url, "REDIS_URL": redis_url}


def published(redis_url: str) -> list[tuple[StoryUpdated, dict]]:
    """The story-update stream's messages with their headers, decoded from FastStream's envelope."""
    client = redis.Redis.from_url(redis_url)
    entries = client.xrange(story_updates.STREAM)
    client.close()
    decoded = [BinaryMessageFormatV1.parse(fields[b"__data__"]) for _, fields in entries]
    return [(StoryUpdated.model_validate_json(body), headers) for body, headers in decoded]


def version(engine: Engine, story_id: str) -> int:
    with Session(engine) as session:
        return session.get(Story, story_id).version


def test_the_recounted_story_is_published_with_its_new_distribution(engine, kursk, postgres_url, redis_url,
                                                                    tmp_path) -> None:
    """northwind-herald re-rated left: its row changes, and the story's next version, with the left + lean_right
    spread, is on the stream in the writer's envelope; the outlet the database lacks is reported."""
    before = version(engine, kursk)
    path = write_sources(tmp_path / "sources.yaml", OUTLETS | {"northwind-herald": "left",
                                                               "unseen-gazette": "right"})
    result = subprocess.run(command(path), env=command_env(postgres_url, redis_url),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == ("1 sources changed, 1 unknown; 1 stories recounted; "
                                              "1 story updates published")
    [(update, headers)] = published(redis_url)
    assert (update.story_id, update.version, update.change) == (kursk, before + 1, StoryChange.COVERAGE_CHANGED)
    assert {rating: share.sources for rating, share in update.coverage.bias.buckets.items()} == {
        "left": 1, "lean_right": 1}
    assert update.bias_counts == {"lean_right": 1, "left": 1}
    assert headers["message_id"] == update.headers()["message_id"]
    assert version(engine, kursk) == before + 1
    with Session(engine) as session:
        assert session.get(Source, "northwind-herald").bias == "left"


def test_stories_counted_before_a_writer_re_rated_an_outlet_are_recounted(engine, kursk, postgres_url, redis_url,
                                                                          tmp_path) -> None:
    """The fetcher read the edited file before the command ran: a newer message re-rated harbor-times as the
    writer stored it. The command finds no outlet to change, and still recounts the story counted before."""
    newer = extracted("https://harbor.example/markets", title="Stock markets rally on rate hopes",
                      text="Shares rose across Europe as traders bet on lower interest rates.",
                      source=source_ref("harbor-times", bias="right"), fetched_at=datetime(2026, 11, 4, 13, tzinfo=UTC))
    markets = ingest_article(engine, newer, now=datetime(2026, 11, 4, 13, 5, tzinfo=UTC)).update
    path = write_sources(tmp_path / "sources.yaml", OUTLETS | {"harbor-times": "right"})
    result = subprocess.run(command(path), env=command_env(postgres_url, redis_url),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "  re-rated from newer messages since stories citing them were counted: harbor-times",
        "0 sources changed, 0 unknown; 1 stories recounted; 1 story updates published"]
    [(update, _)] = published(redis_url)
    assert update.story_id == kursk != markets.story_id
    assert {rating: share.sources for rating, share in update.coverage.bias.buckets.items()} == {
        "center": 1, "right": 1}


def test_a_story_row_a_writer_holds_is_waited_for_and_recounted_after_its_change(engine, kursk, postgres_url,
                                                                                 redis_url, tmp_path) -> None:
    """The command locks the story row (FOR UPDATE): while a writer's transaction holds it, the command waits;
    once that commits a new version, the recount goes on top of it (version + 2), nothing written over."""
    before = version(engine, kursk)
    path = write_sources(tmp_path / "sources.yaml", OUTLETS | {"harbor-times": "right"})
    with engine.connect() as writer:
        writer.execute(sa.select(Story.id).where(Story.id == kursk).with_for_update())
        process = subprocess.Popen(command(path), env=command_env(postgres_url, redis_url),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            eventually_sync(lambda: waiting_on_a_lock(engine), timeout=60, what="the command waiting on the row")
            writer.execute(sa.update(Story).where(Story.id == kursk).values(version=Story.version + 1))
            writer.commit()
            out, err = process.communicate(timeout=120)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
    assert process.returncode == 0, err
    [(update, _)] = published(redis_url)
    assert update.version == version(engine, kursk) == before + 2
    assert {rating: share.sources for rating, share in update.coverage.bias.buckets.items()} == {
        "center": 1, "right": 1}


def waiting_on_a_lock(engine: Engine) -> bool:
    with engine.connect() as connection:
        return bool(connection.execute(sa.text(
            "select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'"
        )).scalar())


def test_a_dry_run_leaves_the_database_and_the_stream_alone(engine, kursk, postgres_url, redis_url,
                                                            tmp_path) -> None:
    """--dry-run reports the change and the story it would recount; no row changes, nothing is published."""
    before = version(engine, kursk)
    path = write_sources(tmp_path / "sources.yaml", OUTLETS | {"northwind-herald": "left"})
    result = subprocess.run(command(path, "--dry-run"),
                            env=command_env(postgres_url, redis_url), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "1 stories would be recounted; nothing written" in result.stdout
    assert (version(engine, kursk), published(redis_url)) == (before, [])
    with Session(engine) as session:
        assert session.exec(select(Source.bias).where(Source.id == "northwind-herald")).one() == "center"
