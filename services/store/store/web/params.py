"""The request parameters routes share, each with its limit: page sizes, query lengths, times, cursors."""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Query, Request
from pydantic import AfterValidator, AwareDatetime
from sqlmodel import Session

from store.queries import Order
from store.web.cursors import MAX_CURSOR_CHARS, InvalidCursor, decode_cursor

MAX_PAGE_SIZE = 100
MAX_QUERY_CHARS = 200
SOURCE_ID_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,63}$"


def open_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine) as session:
        yield session


def in_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("time out of range") from exc


SessionDep = Annotated[Session, Depends(open_session)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description=f"Page size, at most {MAX_PAGE_SIZE}.")]
Offset = Annotated[int | None, Query(ge=0, le=100_000, description="Legacy paging; prefer `cursor`.")]
Cursor = Annotated[str | None, Query(max_length=MAX_CURSOR_CHARS, description="`next_cursor` of the previous page.")]
Time = Annotated[AwareDatetime, AfterValidator(in_utc)]
Since = Annotated[Time | None, Query(description="From this time on (ISO 8601 with offset).")]
Until = Annotated[Time | None, Query(description="Before this time (ISO 8601 with offset).")]
SourceId = Annotated[str | None, Query(pattern=SOURCE_ID_PATTERN, description="An outlet's id.")]
Text = Annotated[str | None, Query(min_length=1, max_length=MAX_QUERY_CHARS)]


def check_range(since: datetime | None, until: datetime | None) -> None:
    if since and until and since >= until:
        raise HTTPException(422, "`since` must be before `until`")


def after_cursor(cursor: str | None, *, scope: str, order: Order, offset: int | None) -> list | None:
    """The sort key a cursor resumes after; a cursor the API did not issue is a 400 that says so."""
    if cursor is None:
        return None
    if offset is not None:
        raise HTTPException(400, "use either `cursor` or `offset`, not both")
    try:
        values = decode_cursor(scope, cursor)
        order.check(values)
    except InvalidCursor as exc:
        raise HTTPException(400, str(exc)) from exc
    except (ValueError, TypeError, OverflowError) as exc:
        raise HTTPException(400, "the cursor is not one this API issued") from exc
    return values
