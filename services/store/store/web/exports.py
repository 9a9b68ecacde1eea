"""Event exports for a time range, streamed row by row: GDELT 2.0 TSV and JSON lines."""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from store import queries
from store.queries import StoryFilters
from store.schemas import EventRecord
from store.web import gdelt
from store.web.params import Since, Until, check_range
from store.web.problems import database_failure, problem_responses

MAX_SPAN = timedelta(days=366)
DEFAULT_SPAN = timedelta(days=1)

router = APIRouter(prefix="/exports", tags=["exports"], responses=problem_responses(400))


def time_range(since: datetime | None, until: datetime | None) -> tuple[datetime, datetime]:
    """Both ends, defaulting to the last day; a span over a year is refused rather than streamed for hours."""
    until = until or datetime.now(UTC)
    since = since or until - DEFAULT_SPAN
    check_range(since, until)
    if until - since > MAX_SPAN:
        raise HTTPException(400, f"the time range may span at most {MAX_SPAN.days} days")
    return since, until


def stream_lines(
    engine: Engine, filters: StoryFilters, line: Callable[[EventRecord], str], *, path: str, first: str = ""
) -> Iterator[str]:
    """The export's lines, its first query already run: a database failing at once answers 503 (through the
    problem handlers), not a 200 with an empty body. A failure once the body has started can no longer change
    the status: it is counted and raised, and the server ends the body without its last chunk, so the client
    reads an incomplete response, never a short export passed off as whole."""
    lines = export_lines(engine, filters, line, path=path, first=first)
    next(lines)  # up to the first record, here in the request
    return lines


def export_lines(
    engine: Engine, filters: StoryFilters, line: Callable[[EventRecord], str], *, path: str, first: str
) -> Iterator[str]:
    # Its own session: the request's is closed before a streamed body is sent.
    with Session(engine) as session:
        records = queries.iter_events(session, filters=filters)
        head = next(records, None)
        yield ""  # primed: what stream_lines waits for
        if first:
            yield first
        if head is None:
            return
        yield line(head)
        try:
            for record in records:
                yield line(record)
        except SQLAlchemyError as exc:
            database_failure(exc, path=path)
            raise


def disposition(name: str, since: datetime, until: datetime) -> dict[str, str]:
    stamp = f"{since:%Y%m%d%H%M%S}-{until:%Y%m%d%H%M%S}"
    return {"Content-Disposition": f'attachment; filename="newsflow-events-{stamp}.{name}"'}


@router.get("/events.tsv", response_class=StreamingResponse,
            responses={200: {"content": {"text/tab-separated-values": {}}, "description": "GDELT 2.0 rows"}})
def events_tsv(
    request: Request, since: Since = None, until: Until = None,
    header: Annotated[bool, Query(description="Start with a line of GDELT's column names.")] = False,
) -> StreamingResponse:
    """Events of the stories changed in [since, until) (default: the last day) as GDELT 2.0 event rows."""
    since, until = time_range(since, until)
    lines = stream_lines(request.app.state.engine, StoryFilters(since=since, until=until), gdelt.tsv_line,
                         path=request.url.path, first=gdelt.header_line() if header else "")
    return StreamingResponse(lines, media_type="text/tab-separated-values; charset=utf-8",
                             headers=disposition("tsv", since, until))


@router.get("/events.jsonl", response_class=StreamingResponse,
            responses={200: {"content": {"application/x-ndjson": {}}, "description": "One EventRecord a line"}})
def events_jsonl(request: Request, since: Since = None, until: Until = None) -> StreamingResponse:
    """Events of the stories changed in [since, until) (default: the last day), one JSON object a line."""
    since, until = time_range(since, until)
    lines = stream_lines(request.app.state.engine, StoryFilters(since=since, until=until), gdelt.jsonl_line,
                         path=request.url.path)
    return StreamingResponse(lines, media_type="application/x-ndjson",
                             headers=disposition("jsonl", since, until))
