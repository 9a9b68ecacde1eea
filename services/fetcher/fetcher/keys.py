"""The fetcher's Redis keys in one place (the seen-set prefix is shared, in newsflow_shared.streams)."""

from newsflow_shared import streams
from newsflow_shared.contracts.base import stable_id
from newsflow_shared.contracts.raw_articles import article_id

PREFIX = "newsflow:fetcher:"


def seen_key(canonical_url: str) -> str:
    """Hashed like the article id, so keys stay short whatever the URL's length."""
    return streams.FETCHER_SEEN_PREFIX + article_id(canonical_url)


def revising_key(canonical_url: str) -> str:
    """Held while one replica re-fetches a published page to look for a revision."""
    return seen_key(canonical_url) + ":revising"


def feed_state_key(feed_url: str) -> str:
    return PREFIX + "feed:" + stable_id("feed", feed_url)


def feed_lease_key(feed_url: str) -> str:
    return PREFIX + "lease:" + stable_id("feed", feed_url)


def gone_key(canonical_url: str) -> str:
    """A page that answered a permanent 4xx: failures, status and until when it is not requested (gone.py)."""
    return PREFIX + "gone:" + article_id(canonical_url)


def host_pace_key(host: str) -> str:
    """The next request start allowed to a host (host[:port]), shared by replicas (pace.py)."""
    return PREFIX + "pace:" + host
