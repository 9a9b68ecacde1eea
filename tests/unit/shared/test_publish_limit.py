"""The publish side of the message size limit: measured like the consumer measures, refused before sending."""

from typing import ClassVar

import pytest
from faststream.redis.message import DATA_KEY
from faststream.redis.response import RedisPublishCommand
from faststream.response.publish_type import PublishType
from newsflow_shared.contracts.base import Contract, stable_id
from newsflow_shared.delivery import _SERIALIZER, PUBLISH_REFUSED, InvalidMessage, OutputOversized, refuse_oversized

STREAM = "newsflow:test:sized"


class Sized(Contract):
    STREAM: ClassVar[str] = STREAM
    text: str

    @property
    def message_id(self) -> str:
        return stable_id("sized", self.text)


def command(message: Sized, **destination: str) -> RedisPublishCommand:
    return RedisPublishCommand(message, _publish_type=PublishType.PUBLISH, headers=message.headers(),
                               correlation_id="c-1", **(destination or {"stream": STREAM}))


async def entry_size(cmd: RedisPublishCommand) -> int:
    """What the consumer's `message_bytes` will count for this command's entry."""
    encoded = await cmd.message_format.encode(message=cmd.body, reply_to=cmd.reply_to, headers=cmd.headers,
                                              correlation_id=cmd.correlation_id, serializer=_SERIALIZER)
    return len(DATA_KEY) + len(encoded)


def refused(stream: str) -> float:
    return PUBLISH_REFUSED.labels(stream=stream)._value.get()


async def test_a_message_at_the_limit_passes_and_one_byte_over_is_refused_and_counted() -> None:
    """The limit is inclusive, as on the consuming side; a refusal is counted per stream."""
    cmd = command(Sized(text="x" * 500))
    size = await entry_size(cmd)
    await refuse_oversized(cmd, size)
    before = refused(STREAM)
    with pytest.raises(OutputOversized) as caught:
        await refuse_oversized(cmd, size - 1)
    assert (caught.value.size, caught.value.limit, caught.value.stream) == (size, size - 1, STREAM)
    assert refused(STREAM) == before + 1


async def test_the_size_counts_the_headers_as_well_as_the_body() -> None:
    """A body under the limit with its envelope over it is still refused: Redis stores both."""
    cmd = command(Sized(text="x" * 500))
    body_only = len(Sized(text="x" * 500).model_dump_json())
    with pytest.raises(OutputOversized):
        await refuse_oversized(cmd, body_only + 10)


async def test_only_stream_publishes_are_checked() -> None:
    """Pub/sub channels and lists are not streams the pipeline bounds."""
    await refuse_oversized(command(Sized(text="x" * 5000), channel="some-channel"), 1024)


def test_an_oversized_output_dead_letters_its_input_with_its_own_reason() -> None:
    """OutputOversized is an InvalidMessage (never retried) whose dead letter says why."""
    exc = OutputOversized(STREAM, 2000, 1024)
    assert isinstance(exc, InvalidMessage)
    assert exc.reason == "output-oversized" and InvalidMessage("x").reason == "invalid"
    assert "2000 bytes exceeds the limit of 1024 bytes" in str(exc)
