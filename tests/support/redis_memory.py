"""Redis made full for a test: maxmemory of one byte under noeviction, the policy docs/operations.md asks for.

Writes (XADD, XGROUP CREATE) then answer OOM, while reads, claims and acks still work: what a consumer meets
when the streams outgrow the server's memory.
"""

from collections.abc import Callable

import redis


def refuse_writes(url: str) -> Callable[[], None]:
    """Fill the Redis at `url`; returns the function that puts its memory settings back."""
    client = redis.Redis.from_url(url)
    saved = {**client.config_get("maxmemory"), **client.config_get("maxmemory-policy")}
    client.config_set("maxmemory-policy", "noeviction")
    client.config_set("maxmemory", 1)

    def restore() -> None:  # idempotent: a test's finally may call it again
        if saved:
            for name, value in saved.items():
                client.config_set(name, value)
            saved.clear()
            client.close()

    return restore
