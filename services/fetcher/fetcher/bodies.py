"""Reading a response body within a size cap, decompressing it ourselves so a gzip or brotli bomb is cut off.

httpx's own decoders inflate a whole network chunk at once (a 64 KiB brotli chunk can become gigabytes),
so the raw stream is read here and inflated with an output limit per step: memory never exceeds the cap.
"""

import zlib
from collections.abc import AsyncIterator, Iterator

import brotli

GZIP_MAGIC = b"\x1f\x8b"
STEP = 65_536  # decoded bytes produced per decompression step


class BodyTooLarge(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class UndecodableBody(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class _Inflater:
    """zlib (gzip or deflate, with or without zlib header) or brotli, producing output in bounded steps."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        if encoding == "br":
            self._brotli = brotli.Decompressor()
        else:
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 32 if encoding == "gzip" else zlib.MAX_WBITS)
            self._first = True

    def feed(self, data: bytes) -> Iterator[bytes]:
        """Lazily, so the caller can stop (cap reached) before the next step is inflated."""
        try:
            yield from (self._brotli_steps(data) if self.encoding == "br" else self._zlib_steps(data))
        except (zlib.error, brotli.error) as exc:
            raise UndecodableBody(f"corrupt {self.encoding} body: {exc}") from exc

    def _zlib_steps(self, data: bytes) -> Iterator[bytes]:
        if self._first and self.encoding == "deflate" and data:
            # Servers send "deflate" both with and without the zlib header; raw deflate has none.
            self._first = False
            if data[0] & 0x0F != 8:
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
        pending = data
        while True:
            out = self._zlib.decompress(pending, STEP)
            if out:
                yield out
            pending = self._zlib.unconsumed_tail
            if not pending:
                return

    def _brotli_steps(self, data: bytes) -> Iterator[bytes]:
        # Output beyond the limit stays buffered in the decompressor; empty input drains it step by step.
        out = self._brotli.process(data, output_buffer_limit=STEP)
        while out:
            yield out
            if self._brotli.is_finished():
                return
            out = self._brotli.process(b"", output_buffer_limit=STEP)


class _GzipFileSniffer:
    """Inflates the decoded body as well when it turns out to be a gzip file (a `.xml.gz` sitemap)."""

    def __init__(self) -> None:
        self._inflater: _Inflater | None = None
        self._decided = False

    def feed(self, piece: bytes) -> Iterator[bytes]:
        if not self._decided and piece:
            self._decided = True
            if piece.startswith(GZIP_MAGIC):
                self._inflater = _Inflater("gzip")
        if self._inflater:
            yield from self._inflater.feed(piece)
        else:
            yield piece


def _through(stages: "list[_Inflater | _GzipFileSniffer]", piece: bytes) -> Iterator[bytes]:
    if not stages:
        yield piece
        return
    for out in stages[0].feed(piece):
        yield from _through(stages[1:], out)


async def read_capped(raw: AsyncIterator[bytes], *, content_encoding: str | None, max_bytes: int, url: str) -> bytes:
    """The decoded body of `raw` (the undecoded stream); BodyTooLarge once either side passes `max_bytes`."""
    encodings = [e.strip().lower() for e in (content_encoding or "").split(",") if e.strip()]
    encodings = [e for e in encodings if e != "identity"]
    for encoding in encodings:
        if encoding not in ("gzip", "x-gzip", "deflate", "br"):
            raise UndecodableBody(f"unsupported content encoding {encoding!r}: {url}")
    # Codings are listed in the order applied, so they are undone last first.
    stages: list[_Inflater | _GzipFileSniffer] = [_Inflater("gzip" if e == "x-gzip" else e) for e in reversed(encodings)]
    stages.append(_GzipFileSniffer())
    decoded: list[bytes] = []
    raw_total = decoded_total = 0
    async for chunk in raw:
        raw_total += len(chunk)
        if raw_total > max_bytes:
            raise BodyTooLarge(f"body exceeds {max_bytes} bytes as transferred: {url}")
        for piece in _through(stages, chunk):
            decoded_total += len(piece)
            if decoded_total > max_bytes:
                raise BodyTooLarge(f"body exceeds {max_bytes} bytes once decompressed: {url}")
            decoded.append(piece)
    return b"".join(decoded)
