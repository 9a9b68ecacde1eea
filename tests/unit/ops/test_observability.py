"""The observability middleware's view of a raw Redis message: which stream, which correlation id."""

import asyncio

from faststream.redis.parser.binary import BinaryMessageFormatV1
from newsflow_shared.observability import correlation_id_of, stream_of


def envelope(correlation_id: str) -> bytes:
    return asyncio.run(BinaryMessageFormatV1.encode(message={"x": 1}, reply_to=None, headers={"a": "b"},
                                                    correlation_id=correlation_id))


def test_only_stream_entries_have_a_stream() -> None:
    assert stream_of({"type": "stream", "channel": "newsflow:articles:raw"}) == "newsflow:articles:raw"
    assert stream_of({"type": "stream", "channel": b"s"}) == "s"
    assert stream_of({"type": "message", "channel": "pubsub"}) is None
    assert stream_of({"type": "bstream", "channel": "s"}) is None
    assert stream_of(None) is None


def test_the_correlation_id_is_read_from_the_faststream_envelope() -> None:
    raw = {"type": "stream", "channel": "s", "data": {b"__data__": envelope("corr-42")}}
    assert correlation_id_of(raw) == "corr-42"


def test_entries_not_written_by_faststream_have_no_correlation_id() -> None:
    assert correlation_id_of({"type": "stream", "data": {b"n": b"1"}}) is None
    assert correlation_id_of({"type": "stream", "data": {b"__data__": b"not an envelope"}}) is None
