"""Outlets as the messages describe them: the most recently fetched description wins, an identical one
writes nothing, an older one is refused (docs/stories.md "Changing source ratings")."""

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
import structlog
from newsflow_shared.contracts.source import SourceRef
from sqlmodel import Session, col, update

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


def upsert_source(session: Session, ref: SourceRef, *, now: datetime, described_at: datetime) -> None:
    """Insert the outlet or bring its row up to date with a description fetched at `described_at`, unless
    the stored one is more recent; a concurrent insert surfaces as IntegrityError."""
    fields = source_fields(ref)
    source = session.get(Source, ref.id)
    if source is None:
        session.add(Source(id=ref.id, **fields, created_at=now, updated_at=now, described_at=described_at))
        session.flush()
    elif any(getattr(source, name) != value for name, value in fields.items()):
        if source.described_at is not None and described_at < source.described_at:
            log.info("outlet description older than the stored one; not stored", source_id=ref.id,
                     fetched_at=described_at.isoformat(), stored_as_of=source.described_at.isoformat())
        else:
            describe(session, ref.id, fields, now=now, described_at=described_at)
            session.expire(source)  # the row may have moved since it was read: read it again if asked


def describe(session: Session, source_id: str, fields: dict[str, str | None], *, now: datetime,
             described_at: datetime) -> None:
    """Write a description over the row unless a more recent one is stored (checked by the UPDATE itself:
    a replica may have stored a newer one since this transaction read the row), dating a change of ratings."""
    rated = sa.or_(*[col(getattr(Source, name)).is_distinct_from(fields[name]) for name in RATINGS])
    session.exec(
        update(Source)
        .where(col(Source.id) == source_id,
               sa.or_(col(Source.described_at).is_(None), col(Source.described_at) <= described_at))
        .values(**fields, updated_at=now, described_at=described_at,
                rated_at=sa.case((rated, sa.literal(now, col(Source.rated_at).type)), else_=col(Source.rated_at)))
        .execution_options(synchronize_session=False)
    )
