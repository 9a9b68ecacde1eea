"""Which page failures set a page aside (gone.py) and which are left to the host backoff."""

import pytest
from fetcher.gone import is_permanent_failure


@pytest.mark.parametrize("status", [400, 401, 404, 405, 406, 410, 414, 451])
def test_permanent_client_errors_set_the_page_aside(status: int) -> None:
    """Missing, removed, refused or malformed: asking again at the next poll would get the same answer."""
    assert is_permanent_failure(status)


@pytest.mark.parametrize("status", [None, 200, 304, 403, 408, 409, 425, 429, 500, 503, 504])
def test_transient_and_host_failures_do_not(status: int | None) -> None:
    """Timeouts, rate limits, blocks (403) and 5xx are the host's trouble: retried under the host backoff."""
    assert not is_permanent_failure(status)
