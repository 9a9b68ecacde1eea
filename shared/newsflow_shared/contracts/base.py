"""What every message on every stream has: a schema version and a stable id, both sent as headers."""

import hashlib
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

SCHEMA_VERSION_HEADER = "schema_version"
MESSAGE_ID_HEADER = "message_id"
CONTRACT_HEADER = "contract"


def stable_id(*parts: str) -> str:
    """A short deterministic id, so a replayed or redelivered message carries the same id."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


class Part(BaseModel):
    """A value inside a message: frozen, and tolerant of fields added by newer producers."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class Contract(Part):
    """Base of every stream message.

    `SCHEMA_VERSION` is the major version: additive, optional fields do not bump it, and
    consumers ignore fields they do not know (extra="ignore") so producers can upgrade first.
    """

    STREAM: ClassVar[str]
    SCHEMA_VERSION: ClassVar[int] = 1

    @property
    def message_id(self) -> str:
        raise NotImplementedError

    def headers(self) -> dict[str, str]:
        return {
            SCHEMA_VERSION_HEADER: str(self.SCHEMA_VERSION),
            MESSAGE_ID_HEADER: self.message_id,
            CONTRACT_HEADER: type(self).__name__,
        }
