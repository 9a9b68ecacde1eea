"""`newsflow backfill PATH`: publish archived pages (a directory of HTML files or a WARC) onto the raw stream."""

import asyncio
import gzip
import sys
import uuid
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import click
from redis.exceptions import RedisError

from newsflow_shared import backfill
from newsflow_shared.backfill import Page, PageSkipped
from newsflow_shared.cli.options import printable, redis_url_option, require_module, without_password
from newsflow_shared.contracts import raw_articles
from newsflow_shared.contracts.source import SourceRef
from newsflow_shared.delivery import OutputOversized, publish
from newsflow_shared.runtime import build_broker
from newsflow_shared.settings import ServiceSettings


DEFAULT_MAX_MESSAGE_BYTES = ServiceSettings.model_fields["max_message_bytes"].default


def is_warc(path: Path) -> bool:
    return path.name.lower().endswith((".warc", ".warc.gz"))


def resolve_source(source_id: str, sources_file: Path | None, name: str | None, homepage: str | None) -> SourceRef:
    """The outlet's ratings from the sources file when given; else a bare, unrated source."""
    if sources_file is None:
        try:
            return SourceRef(id=source_id, name=name or source_id, homepage=homepage)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--source") from exc
    loader = require_module("fetcher.sources", "newsflow-fetcher")
    try:
        found = {s.id: s for s in loader.load_sources(sources_file)}
    except loader.SourcesFileError as exc:
        raise click.ClickException(str(exc)) from exc
    if source_id not in found:
        raise click.BadParameter(f"{source_id!r} is not in {sources_file}", param_hint="--source")
    return found[source_id].ref


async def publish_pages(redis_url: str, pages: Iterable[Page | PageSkipped], source: SourceRef,
                        max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES) -> tuple[int, list[str]]:
    """Publish each page with a fresh correlation id (as the fetcher mints one); skipped pages are listed."""
    published, skipped = 0, []
    # The services' broker: the same publish-time size limit and backpressure (a large import waits for
    # the extractors instead of flooding the raw stream past max_stream_lag).
    settings = ServiceSettings.model_validate({"REDIS_URL": redis_url, "max_message_bytes": max_message_bytes})
    broker = build_broker(settings)
    to_raw = broker.publisher(stream=raw_articles.STREAM)
    async with broker:
        await broker.connect()
        try:
            for page in pages:
                if (reason := await publish_page(to_raw, page, source)) is None:
                    published += 1
                else:
                    skipped.append(reason)
        except ArchiveFault as exc:
            raise click.ClickException(f"{exc}; the {published} pages before that point were published") from exc
    return published, skipped


async def publish_page(to_raw: Any, page: Page | PageSkipped, source: SourceRef) -> str | None:
    """Publish one page; returns why it was skipped instead, or None."""
    if isinstance(page, PageSkipped):
        return str(page)
    try:
        article = backfill.to_article(page, source)
    except (PageSkipped, ValueError) as exc:
        return str(exc)
    try:
        await publish(to_raw, article, correlation_id=str(uuid.uuid4()))
    except OutputOversized as exc:
        return f"{page.url}: {exc}"
    return None


def directory_pages(root: Path, base_url: str | None, bar: click.progressbar) -> Iterator[Page | PageSkipped]:
    for path in bar:
        try:
            yield backfill.page_from_file(path, root, base_url)
        except PageSkipped as exc:
            yield exc


class ArchiveFault(Exception):
    """The archive ends badly: the import stops there and says how far it got."""


def warc_file_pages(path: Path, bar: click.progressbar) -> Iterator[Page | PageSkipped]:
    """The archive's pages; its own faults end the import with a message saying so (the pages before them are
    published), never taken for Redis's."""
    from warcio.exceptions import ArchiveLoadFailed

    try:
        with path.open("rb") as stream:
            done = 0
            for page in backfill.warc_pages(stream, path.name):
                bar.update(stream.tell() - done)
                done = stream.tell()
                yield page
            bar.update(bar.length - done)
    except (OSError, ArchiveLoadFailed, backfill.NoRecords) as exc:
        raise ArchiveFault(f"cannot read {path} as a WARC file: {printable(str(exc))[:200]}") from exc
    if path.name.lower().endswith(".gz") and (problem := gzip_fault(path)) is not None:
        raise ArchiveFault(f"{path} is cut short or corrupt ({problem})")


def gzip_fault(path: Path) -> str | None:
    """Why a gzip file's stream does not end as it should, or None. warcio stops quietly at a member cut
    short (a download or crawl interrupted), so an import would look complete with its last pages missing."""
    try:
        with gzip.open(path, "rb") as stream:
            while stream.read(1 << 20):
                pass
    except (EOFError, OSError, zlib.error) as exc:
        return str(exc)
    return None


@click.command(name="backfill")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--source", "source_id", required=True, help="Source id the pages belong to.")
@click.option("--sources-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              envvar="FETCHER_SOURCES_FILE", help="Take the source's name and ratings from this sources file.")
@click.option("--source-name", help="Outlet name when no sources file is given (default: the id).")
@click.option("--base-url", help="URL of the directory's root, for pages without an absolute canonical link.")
@click.option("--max-message-bytes", type=click.IntRange(min=1024), default=DEFAULT_MAX_MESSAGE_BYTES,
              envvar="EXTRACTOR_MAX_MESSAGE_BYTES", show_default=True,
              help="Pages whose message would be larger are skipped (the extractor's limit).")
@redis_url_option
def backfill_command(path: Path, source_id: str, sources_file: Path | None, source_name: str | None,
                     base_url: str | None, max_message_bytes: int, redis_url: str) -> None:
    """Import a directory of .html files or a .warc(.gz) file through the pipeline (onto the raw stream)."""
    source = resolve_source(source_id, sources_file, source_name, base_url)
    try:
        published, skipped = publish_from(path, base_url, source, redis_url, max_message_bytes)
    except (OSError, RedisError) as exc:  # the files' own errors were turned into messages above
        raise click.ClickException(f"cannot publish to Redis at {without_password(redis_url)}: {exc}") from exc
    for reason in skipped:
        click.echo(f"skipped {reason}", err=True)
    click.echo(f"published {published} pages to {raw_articles.STREAM}; skipped {len(skipped)}")


def publish_from(path: Path, base_url: str | None, source: SourceRef, redis_url: str,
                 max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES) -> tuple[int, list[str]]:
    if path.is_dir():
        try:
            files = backfill.html_files(path)
        except OSError as exc:
            raise click.ClickException(f"cannot list {path}: {exc}") from exc
        with click.progressbar(files, label=f"{len(files)} pages", file=sys.stderr) as bar:
            published, skipped = asyncio.run(publish_pages(redis_url, directory_pages(path, base_url, bar), source,
                                                           max_message_bytes))
    elif is_warc(path):
        with click.progressbar(length=path.stat().st_size, label=path.name,
                               file=sys.stderr) as bar:
            published, skipped = asyncio.run(publish_pages(redis_url, warc_file_pages(path, bar), source, max_message_bytes))
    else:
        raise click.BadParameter("expected a directory or a .warc / .warc.gz file", param_hint="PATH")
    return published, skipped
