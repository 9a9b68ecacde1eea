"""The pinned backend's connections answer httpcore's idle check correctly, from the socket looked up once."""

import asyncio
import ipaddress

import httpcore
from fetcher.sockets import QuickReadableStream
from fetcher.ssrf import PinnedBackend


async def test_idle_connection_reads_as_unreadable_until_the_server_closes_it() -> None:
    """An idle kept-alive connection is not readable; once the server hangs up it is (so the pool drops it)."""
    closing = asyncio.Event()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await closing.wait()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        stream = await PinnedBackend([ipaddress.ip_network("127.0.0.0/8")]).connect_tcp("127.0.0.1", port, timeout=5)
        try:
            assert isinstance(stream, QuickReadableStream)
            assert stream.get_extra_info("is_readable") is False
            assert stream.get_extra_info("server_addr") == ("127.0.0.1", port)
            closing.set()
            deadline = asyncio.get_running_loop().time() + 5
            while not stream.get_extra_info("is_readable"):
                assert asyncio.get_running_loop().time() < deadline, "the closed connection never read as readable"
                await asyncio.sleep(0.01)
        finally:
            await stream.aclose()
    assert isinstance(stream, httpcore.AsyncNetworkStream)
