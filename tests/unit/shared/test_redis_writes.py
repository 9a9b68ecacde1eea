"""Reading from INFO whether Redis takes writes (the full-Redis case runs on a real server in
tests/integration/ops/test_worker_observability.py)."""

from typing import Any

import pytest
from newsflow_shared.redis_writes import write_refusal
from redis.exceptions import ResponseError


class Info:
    """INFO's parsed sections, as redis-py returns them."""

    def __init__(self, *, memory: dict[str, Any] | None = None, role: str = "master",
                 refused: bool = False) -> None:
        self.sections = {"memory": {"used_memory": 5_000, "maxmemory": 0, "maxmemory_policy": "noeviction",
                                    **(memory or {})},
                         "replication": {"role": role}}
        self.refused = refused

    async def info(self, section: str) -> dict[str, Any]:
        if self.refused:
            raise ResponseError("NOPERM this user has no permissions to run the 'info' command")
        return self.sections[section]


@pytest.mark.parametrize(("memory", "role"), [
    ({}, "master"),  # no maxmemory: bounded by the host only
    ({"maxmemory": 10_000}, "master"),  # room left
    ({"maxmemory": 4_000, "maxmemory_policy": "allkeys-lru"}, "master"),  # evicts rather than refuses
])
async def test_takes_writes(memory: dict, role: str) -> None:
    assert await write_refusal(Info(memory=memory, role=role)) is None  # type: ignore[arg-type]


async def test_full_under_noeviction_refuses_writes() -> None:
    refusal = await write_refusal(Info(memory={"maxmemory": 5_000}))  # type: ignore[arg-type]
    assert refusal == "Redis is full: 5,000 bytes used of maxmemory 5,000 under noeviction, so it refuses writes"


async def test_a_replica_refuses_writes() -> None:
    assert await write_refusal(Info(role="slave")) == "Redis is a read-only replica"  # type: ignore[arg-type]


async def test_a_server_forbidding_info_counts_as_taking_writes() -> None:
    assert await write_refusal(Info(refused=True)) is None  # type: ignore[arg-type]
