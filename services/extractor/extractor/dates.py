"""Publication dates as tz-aware UTC datetimes, choosing between what the page and the feed say."""

from datetime import UTC, datetime, timedelta

# A page that gives only a day is taken to mean the feed's timestamp when the two are this close.
SAME_DAY_TOLERANCE = timedelta(hours=36)


def parse_page_date(value: str | None) -> tuple[datetime, bool] | None:
    """htmldate's output → (UTC datetime, whether a time of day was given); None if unusable."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        # htmldate drops the time to midnight when the page gives only a day, and a page with a
        # time but no offset is read as UTC: the offset cannot be known.
        has_time = parsed.time() != datetime.min.time()
        return parsed.replace(tzinfo=UTC), has_time
    return parsed.astimezone(UTC), True


def as_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def publication_date(page_value: str | None, feed_value: datetime | None) -> datetime | None:
    """The page's date when it has one; the feed's when the page has none or only the same day."""
    feed = as_utc(feed_value)
    page = parse_page_date(page_value)
    if page is None:
        return feed
    page_date, has_time = page
    if not has_time and feed is not None and abs(feed - page_date) <= SAME_DAY_TOLERANCE:
        return feed
    return page_date


def modification_date(page_value: str | None, published: datetime | None) -> datetime | None:
    """The page's modification date when it is later than publication (pages often repeat the one date)."""
    page = parse_page_date(page_value)
    if page is None:
        return None
    modified = page[0]
    return modified if published is None or modified > published else None
