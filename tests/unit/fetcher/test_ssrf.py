"""The SSRF guard's address rules: only public addresses, unless the operator allowed a network."""

import ipaddress

import httpx
import pytest
from fetcher.ssrf import RequestRefused, address_problem, check_url


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.5", "private"),
        ("192.168.1.1", "private"),
        ("fd12:3456::1", "private"),
        ("169.254.169.254", "link_local"),
        ("fe80::1", "link_local"),
        ("100.100.100.200", "metadata"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("100.64.0.1", "not_global"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
    ],
)
def test_non_public_addresses_are_refused(address: str, problem: str) -> None:
    """Loopback, private, link-local (cloud metadata), multicast and the like are named and refused."""
    assert address_problem(ipaddress.ip_address(address)) == problem


@pytest.mark.parametrize("address", ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses_pass(address: str) -> None:
    """Ordinary internet addresses are fetched."""
    assert address_problem(ipaddress.ip_address(address)) is None


def test_allowed_network_lets_private_addresses_through() -> None:
    """FETCHER_ALLOWED_PRIVATE_NETWORKS opens exactly the listed networks."""
    allowed = [ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("10.20.0.0/16")]
    assert address_problem(ipaddress.ip_address("127.0.0.1"), allowed) is None
    assert address_problem(ipaddress.ip_address("10.20.3.4"), allowed) is None
    assert address_problem(ipaddress.ip_address("10.21.3.4"), allowed) == "private"
    assert address_problem(ipaddress.ip_address("169.254.169.254"), allowed) == "link_local"


async def test_url_with_private_literal_is_refused() -> None:
    """A URL naming a private address is refused before any connection."""
    with pytest.raises(RequestRefused) as caught:
        await check_url(httpx.URL("http://169.254.169.254/latest/meta-data/"))
    assert caught.value.reason == "blocked_address"
    assert "169.254.169.254" in caught.value.detail


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/feed", "gopher://example.com/"])
async def test_only_http_schemes_are_fetched(url: str) -> None:
    """file:, ftp: and friends never reach a transport."""
    with pytest.raises(RequestRefused) as caught:
        await check_url(httpx.URL(url))
    assert caught.value.reason == "bad_scheme"
