"""Dead letters read back and replayed: the operator's side of the `newsflow:dead:<stage>` streams.

A replay re-adds the original entry's fields, byte for byte, to the stream the message came from and
deletes the letter, in one Redis transaction: a letter is never replayed twice by one call, and never
lost between the two steps. The consumers are idempotent, so a replayed message that had in fact
been handled before changes nothing.
"""

import base64
from collections.abc import Iterator
from dataclasses import dataclass

from redis import Redis
from redis.exceptions import WatchError

from newsflow_shared import streams
from newsflow_shared.contracts.dead_letters import DeadLettered
from newsflow_shared.envelope import unframed

DEAD_LETTER_PATTERN = streams.dead_letter_stream("*")


class LetterNotFound(LookupError):
    """No dead letter with that id (in that stage)."""


@dataclass(frozen=True)
class StoredLetter:
    """A dead letter and where it sits: its own entry id in its stage's dead-letter stream."""

    id: str
    letter: DeadLettered

    @property
    def stage(self) -> str:
        return self.letter.stage

    def original_fields(self) -> dict[bytes, bytes]:
        return {k.encode(): base64.b64decode(v) for k, v in self.letter.fields.items()}

    def decoded_payload(self) -> tuple[bytes, dict[str, str]]:
        """The message body and headers, when FastStream wrote it (else the raw fields, no headers)."""
        fields = self.original_fields()
        framed = unframed(fields)
        if framed is None:
            return b"\n".join(k + b"=" + v for k, v in fields.items()), {}
        body, headers = framed
        return body, {str(k): str(v) for k, v in headers.items()}


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def stages(redis: Redis) -> list[str]:
    """Every stage that has a dead-letter stream, sorted."""
    prefix = streams.dead_letter_stream("")
    return sorted(_text(key)[len(prefix):] for key in redis.scan_iter(match=DEAD_LETTER_PATTERN, count=500))


def _parse(entry_id: bytes | str, fields: dict[bytes, bytes]) -> StoredLetter:
    return StoredLetter(_text(entry_id), DeadLettered.model_validate_json(fields[b"json"]))


def iter_letters(redis: Redis, *, stage: str | None = None, page: int = 100) -> Iterator[StoredLetter]:
    """Letters oldest first, stage by stage, read in pages (letters carry whole messages)."""
    for name in [stage] if stage else stages(redis):
        key, start = streams.dead_letter_stream(name), "-"
        while entries := redis.xrange(key, min=start, max="+", count=page):
            for entry_id, fields in entries:
                yield _parse(entry_id, fields)
            start = "(" + _text(entries[-1][0])


def find_letter(redis: Redis, letter_id: str, *, stage: str | None = None) -> StoredLetter:
    """The letter with entry id `letter_id`, looked up in `stage` or in every stage."""
    found = []
    for name in [stage] if stage else stages(redis):
        for entry_id, fields in redis.xrange(streams.dead_letter_stream(name), min=letter_id, max=letter_id):
            found.append(_parse(entry_id, fields))
    if not found:
        raise LetterNotFound(f"no dead letter {letter_id}" + (f" in stage {stage}" if stage else ""))
    if len(found) > 1:
        raise LetterNotFound(f"dead letter id {letter_id} exists in stages {[f.stage for f in found]}; "
                             "say which with --stage")
    return found[0]


def replay(redis: Redis, stored: StoredLetter) -> str | None:
    """Re-add the original fields to the original stream and delete the letter, atomically.

    Returns the new entry id, or None if the letter was already gone (replayed by someone else).
    """
    key = streams.dead_letter_stream(stored.stage)
    with redis.pipeline(transaction=True) as pipe:
        while True:
            try:
                pipe.watch(key)
                if not pipe.xrange(key, min=stored.id, max=stored.id):
                    return None
                pipe.multi()
                pipe.xadd(stored.letter.stream, stored.original_fields())
                pipe.xdel(key, stored.id)
                new_id, _ = pipe.execute()
                return _text(new_id)
            except WatchError:
                continue  # the dead-letter stream changed meanwhile: look again
