"""From one polled URL to the article items it lists: a feed, a sitemap, a sitemap index or robots.txt.

Each document is fetched conditionally (validators from the feed state); a 304 or an unchanged body
lists nothing new. Sitemap indexes are followed one level, newest children first, within a bound.
"""

import hashlib
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from fetcher.feeds import FeedItem, FeedProblem, parse_feed
from fetcher.feedstate import FeedState, FeedStates
from fetcher.http import Fetcher, Kind
from fetcher.sitemaps import SitemapIndex, looks_like_sitemap, parse_sitemap
from fetcher.sources import FeedKind


@dataclass
class Listing:
    """What a poll found: items to take, whether anything changed, and states to save after the items."""

    items: list[FeedItem] = field(default_factory=list)
    changed: bool = False
    warnings: list[str] = field(default_factory=list)
    states: dict[str, FeedState] = field(default_factory=dict)  # url -> state to save once items succeeded
    too_old: int = 0  # sitemap entries dated before the cutoff, not fetched


@dataclass(frozen=True)
class ListingLimits:
    max_sitemaps_per_index: int = 20
    sitemap_max_age: timedelta = timedelta(days=3)


async def list_items(url: str, kind: FeedKind | str, *, fetcher: Fetcher, states: FeedStates,
                     limits: ListingLimits, robots_sitemaps: list[str] | None = None) -> Listing:
    """Items of the document at `url`; FetchError or FeedProblem if the document itself is unusable."""
    listing = Listing()
    if kind == "robots":
        # Discovery: robots.txt's Sitemap lines are polled like sitemaps listed in the sources file.
        for sitemap_url in (robots_sitemaps or [])[: limits.max_sitemaps_per_index]:
            await _collect(sitemap_url, FeedKind.SITEMAP, listing, fetcher, states, limits, depth=0)
        return listing
    await _collect(url, kind, listing, fetcher, states, limits, depth=0)
    return listing


async def _collect(url: str, kind: FeedKind | str, listing: Listing, fetcher: Fetcher, states: FeedStates,
                   limits: ListingLimits, *, depth: int) -> None:
    state = await states.load(url)
    fetched = await fetcher.get(url, kind=Kind.FEED, validators=state.validators)
    if fetched.not_modified:
        return
    body_hash = hashlib.sha256(fetched.body).hexdigest()
    validators = fetched.validators
    listing.states[url] = replace(state, etag=validators.etag or "", last_modified=validators.last_modified or "",
                                  body_hash=body_hash)
    if body_hash == state.body_hash:
        return
    listing.changed = True
    if kind == FeedKind.SITEMAP or (kind == FeedKind.AUTO and looks_like_sitemap(fetched.body)):
        parsed = parse_sitemap(fetched.body, url=fetched.final_url)
        if isinstance(parsed, SitemapIndex):
            if depth > 0:
                raise FeedProblem("malformed_sitemap", f"sitemap index nested in a sitemap index: {url}")
            for child, _ in parsed.sitemaps[: limits.max_sitemaps_per_index]:
                await _collect(child, FeedKind.SITEMAP, listing, fetcher, states, limits, depth=depth + 1)
            return
        cutoff = datetime.now(UTC) - limits.sitemap_max_age
        recent = [item for item in parsed if item.published_at is None or item.published_at >= cutoff]
        listing.too_old += len(parsed) - len(recent)
        listing.items += recent
        return
    feed = parse_feed(fetched.body, url=fetched.final_url, content_type=fetched.content_type)
    if feed.warning:
        listing.warnings.append(feed.warning)
    listing.items += feed.items


def newest_first(items: list[FeedItem], limit: int) -> tuple[list[FeedItem], int]:
    """At most `limit` items, newest first (undated ones keep their feed order, after the dated); and how many were cut."""
    dated = sorted((i for i in items if i.published_at), key=lambda i: i.published_at, reverse=True)  # type: ignore[arg-type,return-value]
    ordered = dated + [i for i in items if not i.published_at]
    return ordered[:limit], max(0, len(ordered) - limit)
