"""Whether Redis would take a write now: a readiness check, since a full or read-only Redis still answers PING.

Redis at `maxmemory` under `noeviction` (the policy docs/operations.md asks for: any other would evict
streams) answers every write with OOM, and a replica answers READONLY; the workers then back off and
their messages stay pending (delivery.is_transient). Readiness says so, with the reason, instead of
reporting a stalled pipeline as ready.
"""

import structlog
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from newsflow_shared.health import ReadinessCheck

log = structlog.get_logger(__name__)


async def write_refusal(redis: Redis) -> str | None:
    """Why Redis refuses writes at this moment, or None. Read from INFO; a server that forbids INFO (an ACL)
    cannot be judged and counts as taking writes (the handlers still back off on a refusal)."""
    try:
        memory = await redis.info("memory")
        replication = await redis.info("replication")
    except ResponseError as exc:
        log.warning("cannot tell whether Redis takes writes: INFO is refused", error=str(exc))
        return None
    limit, used = int(memory.get("maxmemory", 0)), int(memory.get("used_memory", 0))
    if limit and used >= limit and memory.get("maxmemory_policy") == "noeviction":
        return f"Redis is full: {used:,} bytes used of maxmemory {limit:,} under noeviction, so it refuses writes"
    if replication.get("role") not in (None, "master"):
        return "Redis is a read-only replica"
    return None


def writes_check(redis_url: str) -> ReadinessCheck:
    """A readiness check on its own short connection (a probe every few seconds)."""

    async def redis_takes_writes() -> bool:
        async with Redis.from_url(redis_url) as redis:
            if (refusal := await write_refusal(redis)) is not None:
                raise RuntimeError(refusal)
        return True

    return redis_takes_writes
