"""Keeps feed-supplied URLs from reaching the fetcher's own network (cloud metadata, Redis, admin UIs).

Every request, including each redirect hop, goes through `GuardedTransport`, which resolves the host
and refuses the request if any address is not public, unless the operator allowed its network.
Known gap (issue 3 closes it): the connection resolves the name again, so a DNS answer that changes
between the check and the connect (rebinding) is not caught; pinning the checked address fixes that.
"""

import asyncio
import ipaddress
import socket
from collections.abc import Iterable, Sequence

import httpx

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
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise RequestRefused("dns", f"cannot resolve {host!r}: {exc.strerror}") from exc
    # Drop an IPv6 scope ("fe80::1%eth0"): ip_address() rejects it, and it changes nothing here.
    return [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]


async def check_url(url: httpx.URL, allowed: Sequence[Network] = ()) -> None:
    """Raise RequestRefused unless `url` is http(s) and every address its host resolves to is allowed."""
    if url.scheme not in ALLOWED_SCHEMES:
        raise RequestRefused("bad_scheme", f"scheme {url.scheme!r} is not fetched: {url}")
    if not url.host:
        raise RequestRefused("bad_url", f"no host in {url}")
    port = url.port or (443 if url.scheme == "https" else 80)
    for address in await resolve(url.host, port):
        problem = address_problem(address, allowed)
        if problem:
            raise RequestRefused(
                "blocked_address", f"{url.host} resolves to {address} ({problem}); refused: {url}"
            )


class GuardedTransport(httpx.AsyncBaseTransport):
    """Checks each request, redirects included (httpx sends every hop through the transport)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, allowed: Sequence[Network] = ()) -> None:
        self._inner = inner
        self._allowed = tuple(allowed)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await check_url(request.url, self._allowed)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()
