"""Keeps feed-supplied URLs from reaching the fetcher's own network (cloud metadata, Redis, admin UIs).

Two layers: `GuardedTransport` refuses non-http(s) URLs on every request and redirect hop, and
`PinnedBackend` (the connection pool's network backend) resolves the host, checks every address and
then connects to the address it checked. Connecting to the checked IP rather than the name closes DNS
rebinding (an answer that changes between the check and the connect); TLS still verifies the name.
"""

import asyncio
import ipaddress
import socket
import ssl
from collections.abc import Iterable, Sequence

import httpcore
import httpx

from fetcher.sockets import QuickReadableStream

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

ALLOWED_SCHEMES = ("http", "https")

# Link-local already covers 169.254.169.254; these are the other well-known metadata endpoints.
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in ("100.100.100.200", "fd00:ec2::254"))


class RequestRefused(Exception):
    """A request the guard will not send; `reason` is a metric label, `detail` names the address."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def address_problem(address: IPAddress, allowed: Iterable[Network] = ()) -> str | None:
    """Why `address` must not be contacted (loopback, private, ...), or None if it may be."""
    if any(address.version == net.version and address in net for net in allowed):
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address_problem(address.ipv4_mapped, allowed)
    if address in METADATA_ADDRESSES:
        return "metadata"
    for problem, flagged in (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link_local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
    ):
        if flagged:
            return problem
    # is_global is False for the rest of the special-purpose space (e.g. 100.64.0.0/10 carrier NAT).
    return None if address.is_global else "not_global"


async def resolve(host: str, port: int) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise RequestRefused("dns", f"cannot resolve {host!r}: {exc.strerror}") from exc
    # Drop an IPv6 scope ("fe80::1%eth0"): ip_address() rejects it, and it changes nothing here.
    return [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]


async def checked_addresses(host: str, port: int, allowed: Sequence[Network] = ()) -> list[IPAddress]:
    """The host's addresses, or RequestRefused if any of them is not allowed (one bad answer taints the name)."""
    addresses = await resolve(host, port)
    for address in addresses:
        problem = address_problem(address, allowed)
        if problem:
            raise RequestRefused("blocked_address", f"{host} resolves to {address} ({problem}); refused")
    return addresses


def check_scheme(url: httpx.URL) -> None:
    if url.scheme not in ALLOWED_SCHEMES:
        raise RequestRefused("bad_scheme", f"scheme {url.scheme!r} is not fetched: {url}")
    if not url.host:
        raise RequestRefused("bad_url", f"no host in {url}")


async def check_url(url: httpx.URL, allowed: Sequence[Network] = ()) -> None:
    """Raise RequestRefused unless `url` is http(s) and every address its host resolves to is allowed."""
    check_scheme(url)
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        await checked_addresses(url.host, port, allowed)
    except RequestRefused as exc:
        raise RequestRefused(exc.reason, f"{exc.detail}: {url}") from exc


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """Resolves and checks the host itself, then connects to a checked address, never to the name."""

    def __init__(self, allowed: Sequence[Network] = (), inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._allowed = tuple(allowed)
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None, socket_options: Iterable | None = None
                          ) -> httpcore.AsyncNetworkStream:
        async with asyncio.timeout(timeout):
            addresses = await checked_addresses(host, port, self._allowed)
        last_error: Exception | None = None
        for address in addresses:
            try:
                stream = await self._inner.connect_tcp(str(address), port, timeout=timeout,
                                                       local_address=local_address, socket_options=socket_options)
                return QuickReadableStream(stream) if isinstance(stream, httpcore.AsyncNetworkStream) else stream
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc  # try the host's next checked address, as a resolver-driven connect would
        assert last_error is not None
        raise last_error

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncBaseTransport):
    """Refuses non-http(s) URLs on each request, redirects included (httpx sends every hop through here).

    The address check happens when a connection is opened (PinnedBackend), so a reused connection
    costs no DNS lookup and a rebinding answer cannot slip in between check and connect.
    """

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        check_scheme(request.url)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def pinned_transport(allowed: Sequence[Network] = (), *, http2: bool = True, limits: httpx.Limits | None = None,
                     ssl_context: ssl.SSLContext | None = None) -> GuardedTransport:
    """An httpx transport whose every connection goes to an address the guard checked."""
    transport = httpx.AsyncHTTPTransport(retries=0, http2=http2, limits=limits or httpx.Limits(),
                                         verify=ssl_context if ssl_context is not None else True)
    # httpx has no public hook for the network backend; the pool's is the one place every connect passes.
    transport._pool._network_backend = PinnedBackend(allowed)
    return GuardedTransport(transport)
