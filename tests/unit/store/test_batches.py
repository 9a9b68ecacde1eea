"""A batch read taken apart entry by entry: each body parsed once, each bad entry rejected on its own."""

import json

import pytest
from fast_depends.pydantic import PydanticSerializer
from faststream.redis.parser import BinaryMessageFormatV1
from faststream.redis.parser.parsers import FAKE_CONSUMER, RedisBatchStreamParser, SimpleParserConfig
from newsflow_shared.contracts.extracted_articles import ArticleExtracted
from store.batches import Rejected, accept, entries_of, parse_batch
from store.testing import extracted, source_ref


async def framed(message: object, headers: dict, correlation_id: str) -> dict[bytes, bytes]:
    """An entry's fields as a FastStream producer writes them."""
    data = await BinaryMessageFormatV1.encode(message=message, reply_to=None, headers=headers,
                                              correlation_id=correlation_id, serializer=PydanticSerializer())
    return {b"__data__": data}


def batch(*fields: dict[bytes, bytes], ids: bool = True) -> dict:
    """A batch read as FastStream hands it to the parser (TestRedisBroker gives no entry ids)."""
    message_ids = [f"1700000000000-{n}".encode() for n in range(len(fields))] if ids else []
    return {"type": "bstream", "channel": b"newsflow:articles:extracted", "data": list(fields),
            "message_ids": message_ids}


def faststream_parser(raw: dict):
    """FastStream's own batch parser, set up as the writer's subscriber sets it up."""
    parser = RedisBatchStreamParser(SimpleParserConfig(BinaryMessageFormatV1))
    parser._setup(FAKE_CONSUMER, "store")
    return parser.parse_message(raw)


def rejected(entry: object, *, max_message_bytes: int | None = None) -> Rejected:
    with pytest.raises(Rejected) as caught:
        accept(entry, max_message_bytes=max_message_bytes)
    return caught.value


async def test_each_entry_is_unframed_and_validated_as_its_producer_sent_it() -> None:
    first = extracted()
    second = extracted("https://harbor.example/kursk", source=source_ref("harbor-times", bias="lean_right"))
    raw = batch(await framed(first, first.headers(), "corr-1"), await framed(second, second.headers(), "corr-2"))

    entries = entries_of(raw)

    assert [e.entry_id for e in entries] == ["1700000000000-0", "1700000000000-1"]
    assert [e.correlation_id for e in entries] == ["corr-1", "corr-2"]
    assert [e.message_id for e in entries] == [first.message_id, second.message_id]
    assert [accept(e, max_message_bytes=None) for e in entries] == [first, second]
    assert entries_of(batch(*raw["data"], ids=False))[1].entry_id == ""


async def test_the_batch_message_carries_the_first_entrys_headers_and_no_body() -> None:
    first = extracted()
    raw = batch(await framed(first, first.headers(), "corr-1"), await framed(first, first.headers(), "corr-2"))

    msg = await parse_batch(raw, faststream_parser)

    assert (msg.correlation_id, msg.message_id, msg.body) == ("corr-1", first.message_id, b"")
    assert msg.raw_message is raw and msg.group == "store"
    foreign_first = await parse_batch(batch({b"url": b"https://example.com/"}, *raw["data"]), faststream_parser)
    assert "correlation_id" not in foreign_first.headers and len(foreign_first.raw_message["data"]) == 3


async def test_bad_entries_are_rejected_one_by_one_with_their_reason() -> None:
    good = extracted()
    foreign = {b"url": b"https://example.com/", b"title": b"written by XADD, not by FastStream"}
    raw = batch(
        await framed(good, {**good.headers(), "schema_version": "9"}, "c"),
        await framed({"not": "an article"}, good.headers(), "c"),
        await framed(b"{truncated", good.headers(), "c"),
        foreign,
        await framed(good, good.headers(), "c"),
    )
    version, shape, syntax, not_framed, big = entries_of(raw)

    assert "schema version '9'" in str(rejected(version))
    assert rejected(shape).reason == "invalid" and "canonical_url" in str(rejected(shape))
    assert rejected(syntax).reason == "invalid" and "json" in str(rejected(syntax)).lower()
    assert not_framed.body is None and "no __data__ field" in str(rejected(not_framed))
    oversized = rejected(big, max_message_bytes=100)
    assert oversized.reason == "oversized" and "exceeds the limit of 100 bytes" in str(oversized)


async def test_the_legacy_json_envelope_is_read_too() -> None:
    """FastStream's earlier producers framed a message as JSON: {"data": ..., "headers": {...}}."""
    article = extracted()
    envelope = json.dumps({"data": article.model_dump_json(), "headers": article.headers()}).encode()

    [entry] = entries_of(batch({b"__data__": envelope}))

    assert accept(entry, max_message_bytes=None) == article
    assert isinstance(accept(entry, max_message_bytes=None), ArticleExtracted)
