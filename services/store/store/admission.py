"""What the writer makes of a message before its transaction. It refuses what no retry could store
(InvalidMessage: dead-lettered at once instead of failing every attempt), and repairs what would make
PostgreSQL refuse the whole article for one stray part of it (logged, counted in REPAIRED). Each message is
checked alone, so one bad entry never fails its batch.
"""

from datetime import UTC, datetime, timedelta

import structlog
from newsflow_shared.contracts import raw_articles
from newsflow_shared.contracts.extracted_articles import ArticleExtracted
from newsflow_shared.delivery import InvalidMessage

from store.metrics import REPAIRED
from store.models import MAX_CANONICAL_URL_BYTES

log = structlog.get_logger(__name__)

# Publication dates outside these bounds are a page's or a feed's "no date" (0001-01-01 is common) or a
# typo, not news: the fetch time stands in for them. Archives reach back a century; a clock or zone a day ahead
# is plausible. Year 1 also failed the batch: its window's start is before the first representable time.
EARLIEST_PUBLISHED = datetime(1900, 1, 1, tzinfo=UTC)
PUBLISHED_AHEAD = timedelta(days=1)
# A fetch time outside these is no clock's: the message is refused (times near year 1 or 9999 overflow).
FETCHED_BOUNDS = (EARLIEST_PUBLISHED, datetime(9000, 1, 1, tzinfo=UTC))


def admitted(message: ArticleExtracted) -> ArticleExtracted:
    """The message as the writer will store it (repaired), or InvalidMessage."""
    message = with_plausible_date(without_nul(message))
    check_storable(message)
    return message


def without_nul(message: ArticleExtracted) -> ArticleExtracted:
    """The message without NUL characters in its strings. PostgreSQL's text and JSON cannot hold one
    ("\\u0000 cannot be converted to text"), so a stray NUL from a broken page failed the whole article there
    (SQLite stored it); a reader sees nothing of it. Serialising to look costs ~15 µs an article."""
    if b"\\u0000" not in message.__pydantic_serializer__.to_json(message):
        return message
    fields = message.model_dump()
    cleaned = _no_nul(fields)
    if cleaned == fields:  # the text "\\u0000" itself, written out
        return message
    log.warning("article carried NUL characters, which PostgreSQL cannot store; dropped them",
                article_id=message.article_id)
    REPAIRED.labels(repair="nul").inc()
    return ArticleExtracted.model_validate(cleaned)


def _no_nul(value: object) -> object:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_no_nul(key): _no_nul(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_no_nul(item) for item in value]
    return value


def with_plausible_date(message: ArticleExtracted) -> ArticleExtracted:
    """The message without its publication date when that is implausible (see EARLIEST_PUBLISHED)."""
    published = as_utc(message.published_at)
    if published is None:
        return message
    if EARLIEST_PUBLISHED <= published and published - as_utc(message.fetched_at) <= PUBLISHED_AHEAD:  # no sum: 9999
        return message
    log.warning("article's publication date is implausible; its fetch time stands in",
                article_id=message.article_id, published_at=published.isoformat())
    REPAIRED.labels(repair="published_at").inc()
    return message.model_copy(update={"published_at": None})


def check_storable(message: ArticleExtracted) -> None:
    """Refuse what no retry can store, so it is dead-lettered at once instead of failing N times."""
    fetched = as_utc(message.fetched_at)
    if not FETCHED_BOUNDS[0] <= fetched < FETCHED_BOUNDS[1]:
        raise InvalidMessage(f"fetched_at {fetched.isoformat()} is no clock's time")
    if not message.canonical_url.strip():
        raise InvalidMessage("empty canonical_url")
    if len(message.canonical_url.encode()) > MAX_CANONICAL_URL_BYTES:
        raise InvalidMessage(f"canonical_url longer than {MAX_CANONICAL_URL_BYTES} bytes (UTF-8)")
    # The id is the row's key and the URL its unique identity: another URL under a stored article's id failed
    # every retry on the key, and a message taking an id first would refuse the article it belongs to.
    if message.article_id != raw_articles.article_id(message.canonical_url):
        raise InvalidMessage("article_id is not the id of canonical_url (contracts.raw_articles.article_id)")


def as_utc(value: datetime | None) -> datetime | None:
    """Producers may send offset-less times (a page's date without a zone); read those as UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
