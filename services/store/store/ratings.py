"""`python -m store.ratings --sources-file PATH [--since ISO] [--dry-run]`: apply edited ratings to stories.

A story's coverage is counted from the outlet rows only when the story changes, so an edited rating would
reach a story only with its next article. This writes the file's name, homepage and ratings over the stored
outlets that differ (outlets the database lacks are counted and skipped, those the file lacks are left
alone), then recounts every live story with an article from a changed outlet, or from an outlet whose ratings
changed after the story was last counted (a writer stored them from newer messages), in transactions of CHUNK
stories whose rows are locked in id order as the writer locks them. Each gets a new version (change
coverage_changed): a writer that read one of them before sees the version moved and runs its transaction
again, and the writers' caches, keyed by version, no longer apply. Each transaction's StoryUpdated messages
are published on the story-update stream once it has committed, as the writer publishes (REDIS_URL; Redis
is not contacted when nothing changed).
"""

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import click
from newsflow_shared.cli.options import require_module
from newsflow_shared.contracts.source import SourceRef
from newsflow_shared.contracts.story_updates import StoryChange, StoryUpdated
from newsflow_shared.logs import configure_logging
from sqlalchemy import or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select, update

from store.admission import as_utc
from store.announcements import UpdatePublisher, announced
from store.db import make_engine
from store.filters import one_of
from store.ingest import Batch, finish_stories
from store.migrate import usable_for_command
from store.models import Article, Source, Story
from store.settings import StoreSettings
from store.sources import RATINGS, source_fields

CHUNK = 200  # stories per transaction: bounded lock time for the writers waiting on them

Publish = Callable[[list[StoryUpdated]], None]
Changes = dict[str, dict[str, tuple[str | None, str | None]]]  # source id → field → (stored, in the file)


@dataclass
class RatingsApplied:
    """What a run changed or, dry, would change."""

    changed: Changes = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)  # in the file, not in the database
    rerated: list[str] = field(default_factory=list)  # re-rated by a writer after stories citing them were counted
    stories: int = 0  # recounted (dry: would be)
    updates: int = 0  # StoryUpdated messages published


def apply_ratings(engine: Engine, sources: Sequence[SourceRef], *, now: datetime, since: datetime | None = None,
                  dry_run: bool = False, progress: Callable[[int, int], None] = lambda done, total: None,
                  publish: Publish = lambda updates: None) -> RatingsApplied:
    """Update the changed outlets, then recount the live stories citing them (only those updated at or
    after `since`, if given); `publish` gets each transaction's updates right after it commits."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        applied = RatingsApplied(*source_changes(session, sources))
        if not dry_run:
            update_sources(session, applied.changed, now=now)
        story_ids, applied.rerated = stale_stories(session, sorted(applied.changed), since=since)
    if dry_run:
        applied.stories = len(story_ids)
        return applied
    for first in range(0, len(story_ids), CHUNK):
        with Session(engine, expire_on_commit=False) as session, session.begin():
            updates = recount(session, story_ids[first:first + CHUNK], now=now)
        if updates:
            publish(updates)
        applied.stories += len(updates)
        applied.updates += len(updates)
        progress(min(first + CHUNK, len(story_ids)), len(story_ids))
    return applied


def source_changes(session: Session, sources: Sequence[SourceRef]) -> tuple[Changes, list[str]]:
    """Per stored outlet of the file, the fields whose stored value differs; the file's outlets not stored."""
    ids = sorted(source.id for source in sources)
    stored = {row.id: row for row in session.exec(select(Source).where(one_of(session, col(Source.id), ids)))}
    changes: Changes = {}
    for source in sorted(sources, key=lambda s: s.id):
        row = stored.get(source.id)
        if row is None:
            continue
        differ = {name: (getattr(row, name), value) for name, value in source_fields(source).items()
                  if getattr(row, name) != value}
        if differ:
            changes[source.id] = differ
    return changes, [source_id for source_id in ids if source_id not in stored]


def update_sources(session: Session, changes: Changes, *, now: datetime) -> None:
    """Write the file's values; as of now, so no message fetched before the edit puts the old ones back."""
    for source_id in sorted(changes):  # id order, as the writer upserts outlets
        values = {name: value for name, (_, value) in changes[source_id].items()}
        rated = {"rated_at": now} if values.keys() & set(RATINGS) else {}
        session.exec(update(Source).where(col(Source.id) == source_id)
                     .values(**values, **rated, updated_at=now, described_at=now))


def stale_stories(session: Session, changed: list[str], *, since: datetime | None) -> tuple[list[str], list[str]]:
    """Live stories (not merged away, not emptied) citing an outlet of `changed`, or one re-rated after the
    story was last counted, in id order; and those re-rated outlets not in `changed`."""
    rerated = session.exec(select(Source.id).where(col(Source.rated_at).is_not(None))).all()
    outlets = sorted(set(changed) | set(rerated))
    if not outlets:
        return [], []
    counted_before = col(Source.rated_at) > col(Story.updated_at)
    query = (select(Article.story_id, Article.source_id)
             .join(Story, col(Story.id) == col(Article.story_id)).join(Source, col(Source.id) == col(Article.source_id))
             .where(one_of(session, col(Article.source_id), outlets), col(Story.merged_into).is_(None),
                    col(Story.article_count) > 0,
                    or_(one_of(session, col(Article.source_id), changed), counted_before))
             .distinct())
    if since is not None:
        query = query.where(col(Story.updated_at) >= since)
    pairs = session.exec(query).all()
    return (sorted({story_id for story_id, _ in pairs}),
            sorted({source_id for _, source_id in pairs} - set(changed)))


def recount(session: Session, story_ids: list[str], *, now: datetime) -> list[StoryUpdated]:
    """Lock the stories, recount the still-live ones from their rows, bump their versions; their updates."""
    batch = Batch()
    locked = session.exec(select(Story).where(one_of(session, col(Story.id), story_ids))
                          .order_by(col(Story.id)).with_for_update()).all()
    for story in locked:
        if story.merged_into is None and story.article_count > 0:  # a merge may have taken it since
            batch.touch(story, StoryChange.COVERAGE_CHANGED, story.last_article_id or "")  # content stays
    finish_stories(session, batch, now=now)
    return announced(session, batch)


def read_sources(path: Path) -> list[SourceRef]:
    """The file's outlets as the fetcher reads them (click.ClickException saying why it cannot be used)."""
    loader = require_module("fetcher.sources", "newsflow-fetcher")
    try:
        return [source.ref for source in loader.load_sources(path)]
    except loader.SourcesFileError as exc:
        raise click.ClickException(str(exc)) from exc


def iso_time(text: str) -> datetime:
    return as_utc(datetime.fromisoformat(text))


def print_progress(started: float) -> Callable[[int, int], None]:
    def show(done: int, total: int) -> None:
        rate = done / max(time.monotonic() - started, 1e-9)
        sys.stderr.write(f"\rrecounted {done:,}/{total:,} stories ({100 * done / max(total, 1):.0f}%, "
                         f"{rate:,.0f}/s)" + ("\n" if done == total else ""))
        sys.stderr.flush()

    return show


def report(applied: RatingsApplied, *, dry_run: bool) -> str:
    lines = [f"  {source_id}: " + ", ".join(f"{name} {before or '-'} -> {after or '-'}"
                                             for name, (before, after) in differ.items())
             for source_id, differ in applied.changed.items()]
    if applied.unknown:
        lines.append("  not in the database, skipped: " + ", ".join(applied.unknown))
    if applied.rerated:
        lines.append("  re-rated from newer messages since stories citing them were counted: "
                     + ", ".join(applied.rerated))
    if dry_run:
        lines.append(f"dry run: {len(applied.changed):,} sources would change, {len(applied.unknown):,} "
                     f"unknown; {applied.stories:,} stories would be recounted; nothing written")
    else:
        lines.append(f"{len(applied.changed):,} sources changed, {len(applied.unknown):,} unknown; "
                     f"{applied.stories:,} stories recounted; {applied.updates:,} story updates published")
    return "\n".join(lines)


def main(argv: list[str] | None = None, prog: str = "python -m store.ratings") -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n")[0])
    parser.add_argument("--sources-file", type=Path, default=os.environ.get("FETCHER_SOURCES_FILE"),
                        help="the fetcher's sources file (default: env FETCHER_SOURCES_FILE)")
    parser.add_argument("--since", type=iso_time, default=None,
                        help="only stories updated at or after this ISO time (UTC if no offset)")
    parser.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")
    args = parser.parse_args(argv)
    if args.sources_file is None:
        parser.error("--sources-file is required (or set FETCHER_SOURCES_FILE)")
    try:
        sources = read_sources(args.sources_file)
    except click.ClickException as exc:
        sys.stderr.write(f"{parser.prog}: error: {exc.message}\n")
        return 2
    settings = StoreSettings()
    configure_logging("store-ratings", level=settings.log_level, fmt=settings.log_format)
    engine = make_engine(settings.database_url, writer=not args.dry_run, application_name="store-apply-ratings",
                         idle_in_transaction_s=settings.idle_in_transaction_timeout_s)
    if not usable_for_command(engine, prog):
        engine.dispose()
        return 1
    publisher = UpdatePublisher(settings)
    try:
        applied = apply_ratings(engine, sources, now=datetime.now(UTC), since=args.since, dry_run=args.dry_run,
                                progress=print_progress(time.monotonic()), publish=publisher)
    finally:
        publisher.close()
        engine.dispose()
    print(report(applied, dry_run=args.dry_run))
    return 0


if __name__ == "__main__":
    sys.exit(main())
