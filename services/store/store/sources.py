"""Outlets as the messages describe them: the most recently fetched description wins, an identical one
writes nothing, an older one is refused (docs/stories.md "Changing source ratings")."""

from collections.abc import Iterable
from datetime import datetime

import structlog
from newsflow_shared.contracts.source import SourceRef
from sqlmodel import Session

from store.models import Source

log = structlog.get_logger(__name__)

RATINGS = ("bias", "factuality", "ownership")  # what a story's coverage counts of its outlets


def source_fields(ref: SourceRef) -> dict[str, str | None]:
    return {
        "name": ref.name,
        "homepage": ref.homepage,
        "bias": ref.bias.value if ref.bias else None,
        "factuality": ref.factuality.value if ref.factuality else None,
        "ownership": ref.ownership,
    }


def latest_descriptions(described: Iterable[tuple[SourceRef, datetime]]) -> list[tuple[SourceRef, datetime]]:
    """Each outlet's most recently fetched description among (description, fetch time) pairs, in id order."""
    latest: dict[str, tuple[SourceRef, datetime]] = {}
    for ref, fetched_at in described:
        if ref.id not in latest or fetched_at >= latest[ref.id][1]:
            latest[ref.id] = (ref, fetched_at)
    return [latest[source_id] for source_id in sorted(latest)]


def upsert_source(session: Session, ref: SourceRef, *, now: datetime, described_at: datetime) -> Source:
    """Insert the outlet or bring its row up to date with a description fetched at `described_at`, unless
    the stored one is more recent; a concurrent insert surfaces as IntegrityError."""
    fields = source_fields(ref)
    source = session.get(Source, ref.id)
    if source is None:
        source = Source(id=ref.id, **fields, created_at=now, updated_at=now, described_at=described_at)
        session.add(source)
        session.flush()
    elif any(getattr(source, name) != value for name, value in fields.items()):
        if source.described_at is not None and described_at < source.described_at:
            log.info("outlet description older than the stored one; not stored", source_id=ref.id,
                     fetched_at=described_at.isoformat(), stored_as_of=source.described_at.isoformat())
        else:
            describe(source, fields, now=now, described_at=described_at)
    return source


def describe(source: Source, fields: dict[str, str | None], *, now: datetime, described_at: datetime) -> None:
    """Write a newer description over the row, noting when its ratings changed."""
    if any(getattr(source, name) != fields[name] for name in RATINGS):
        source.rated_at = now
    for name, value in fields.items():
        setattr(source, name, value)
    source.updated_at = now
    source.described_at = described_at
