"""Opaque page cursors: the last row's sort key, bound to the list and order it came from."""

import base64
import binascii
import json

MAX_CURSOR_CHARS = 512


class InvalidCursor(ValueError):
    """A cursor this API did not issue for this list (edited, truncated, or from another sort)."""


def encode_cursor(scope: str, values: list) -> str:
    raw = json.dumps({"s": scope, "k": values}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(scope: str, cursor: str) -> list:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
    except (binascii.Error, ValueError) as exc:
        raise InvalidCursor("the cursor is not one this API issued") from exc
    if not isinstance(data, dict) or not isinstance(data.get("k"), list):
        raise InvalidCursor("the cursor is not one this API issued")
    if data.get("s") != scope:
        raise InvalidCursor("the cursor belongs to another list or sort order; start again without it")
    return data["k"]
