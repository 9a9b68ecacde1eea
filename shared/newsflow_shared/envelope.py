"""FastStream's framing of a stream entry: one `__data__` field holding the body with its headers."""

from typing import Any

from faststream.redis.message import bDATA_KEY
from faststream.redis.parser.binary import BinaryMessageFormatV1

DATA_FIELD = bDATA_KEY


def unframed(fields: dict[bytes, bytes]) -> tuple[bytes, dict[str, Any]] | None:
    """An entry's body and headers (binary framing, or the legacy JSON envelope); None for an entry no
    FastStream producer wrote."""
    data = fields.get(DATA_FIELD)
    if data is None:
        return None
    return BinaryMessageFormatV1.parse(data)
