"""Connections whose "is it still usable?" check is cheap: httpcore asks it of every idle connection per request.

httpcore's anyio stream answers `get_extra_info("is_readable")` by rebuilding anyio's whole table of
socket attributes each time, and the pool asks for every idle connection on every request: with a
pool of tens of connections that was a tenth of the fetcher's CPU. The raw socket never changes for
a connection's life, so it is looked up once; the answer (a zero-timeout poll) is the same.
"""

import ssl
from typing import Any

import httpcore
from httpcore._utils import is_socket_readable


class QuickReadableStream(httpcore.AsyncNetworkStream):
    """Delegates everything to the wrapped stream, except the idle check, which uses the socket found once."""

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._socket = inner.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                        timeout: float | None = None) -> httpcore.AsyncNetworkStream:
        return QuickReadableStream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable" and self._socket is not None:
            return is_socket_readable(self._socket)
        return self._inner.get_extra_info(info)
