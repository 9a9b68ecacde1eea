"""Outlets as the messages describe them: the latest ratings win, an identical description writes nothing."""

from datetime import datetime

from newsflow_shared.contracts.source import SourceRef
from sqlmodel import Session

from store.models import Source


def source_fields(ref: SourceRef) -> dict[str, str | None]:
    return {
        "name": ref.name,
        "homepage": ref.homepage,
        "bias": ref.bias.value if ref.bias else None,
        "factuality": ref.factuality.value if ref.factuality else None,
        "ownership": ref.ownership,
    }


def upsert_source(session: Session, ref: SourceRef, *, now: datetime) -> Source:
    """Insert the outlet or bring its row up to date; a concurrent insert surfaces as IntegrityError."""
    fields = source_fields(ref)
    source = session.get(Source, ref.id)
    if source is None:
        source = Source(id=ref.id, **fields, created_at=now, updated_at=now)
        session.add(source)
        session.flush()
    elif any(getattr(source, name) != value for name, value in fields.items()):
        for name, value in fields.items():
            setattr(source, name, value)
        source.updated_at = now
    return source
