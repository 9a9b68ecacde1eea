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


class RecordingBackend:
    """Stands in for the socket layer only, to see which address the pinned backend connects to."""

    def __init__(self) -> None:
        self.connected: list[str] = []

    async def connect_tcp(self, host: str, port: int, **_: object) -> object:
        self.connected.append(host)
        return object()

    async def sleep(self, seconds: float) -> None:
        pass


async def test_pinned_backend_connects_to_the_address_it_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """The name is resolved once, checked, and the connection goes to that IP: a second DNS answer (rebinding
    to 10.0.0.1) is never asked for."""
    from fetcher import ssrf

    answers = iter([[ipaddress.ip_address("93.184.216.34")], [ipaddress.ip_address("10.0.0.1")]])

    async def resolve(host: str, port: int) -> list:
        return next(answers)

    monkeypatch.setattr(ssrf, "resolve", resolve)
    inner = RecordingBackend()
    await ssrf.PinnedBackend((), inner=inner).connect_tcp("news.example", 443, timeout=1)
    assert inner.connected == ["93.184.216.34"]


async def test_pinned_backend_refuses_a_name_resolving_to_a_private_address(monkeypatch: pytest.MonkeyPatch) -> None:
    """A public-looking name that resolves to a private address is refused before any connection."""
    from fetcher import ssrf

    async def resolve(host: str, port: int) -> list:
        return [ipaddress.ip_address("93.184.216.34"), ipaddress.ip_address("169.254.169.254")]

    monkeypatch.setattr(ssrf, "resolve", resolve)
    inner = RecordingBackend()
    with pytest.raises(RequestRefused) as caught:
        await ssrf.PinnedBackend((), inner=inner).connect_tcp("rebind.example", 80, timeout=1)
    assert caught.value.reason == "blocked_address" and inner.connected == []
