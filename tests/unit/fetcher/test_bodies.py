"""read_capped: bodies decoded by their Content-Encoding within one cap, bombs stopped while inflating."""

import gzip
import zlib

import brotli
import pytest
from fetcher.bodies import BodyTooLarge, UndecodableBody, read_capped

HTML = b"<html>" + b"news " * 50_000 + b"</html>"


async def chunks(data: bytes, size: int = 65_536):
    for start in range(0, len(data), size):
        yield data[start:start + size]


@pytest.mark.parametrize(("encoding", "wire"), [
    (None, HTML),
    ("identity", HTML),
    ("gzip", gzip.compress(HTML)),
    ("x-gzip", gzip.compress(HTML)),
    ("br", brotli.compress(HTML)),
    ("deflate", zlib.compress(HTML)),
    ("deflate", zlib.compress(HTML)[2:-4]),  # raw deflate, as some servers send it
    ("gzip, br", brotli.compress(gzip.compress(HTML))),
])
async def test_each_encoding_is_decoded(encoding: str | None, wire: bytes) -> None:
    """gzip, brotli, both kinds of deflate and stacked encodings give back the page."""
    assert await read_capped(chunks(wire), content_encoding=encoding, max_bytes=10**7, url="u") == HTML


async def test_a_gzip_file_body_is_inflated_too() -> None:
    """A .xml.gz sitemap served without Content-Encoding is still read as XML."""
    assert await read_capped(chunks(gzip.compress(HTML)), content_encoding=None, max_bytes=10**7, url="u") == HTML


@pytest.mark.parametrize("encoding", ["gzip", "br"])
async def test_bombs_stop_at_the_decoded_cap(encoding: str) -> None:
    """A small body inflating to 200 MB is refused once 1 MB has been produced."""
    zeros = b"\0" * 200_000_000
    wire = gzip.compress(zeros, 9) if encoding == "gzip" else brotli.compress(zeros, quality=5)
    with pytest.raises(BodyTooLarge, match="once decompressed"):
        await read_capped(chunks(wire), content_encoding=encoding, max_bytes=1_000_000, url="u")


async def test_transferred_bytes_are_capped_too() -> None:
    with pytest.raises(BodyTooLarge, match="as transferred"):
        await read_capped(chunks(HTML), content_encoding=None, max_bytes=1000, url="u")


async def test_unknown_and_corrupt_encodings_are_refused() -> None:
    """An encoding we cannot undo, or a body that is not what it claims, is an error, not garbage text."""
    with pytest.raises(UndecodableBody, match="unsupported"):
        await read_capped(chunks(HTML), content_encoding="zstd", max_bytes=10**7, url="u")
    with pytest.raises(UndecodableBody, match="corrupt"):
        await read_capped(chunks(b"not gzip at all"), content_encoding="gzip", max_bytes=10**7, url="u")
