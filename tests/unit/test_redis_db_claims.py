"""Test sessions on one Redis claim different databases, so one never flushes another's streams."""

import pytest
import redis

from tests.support.backing_services import CLAIM_TTL_S, claim_redis_db


def claim_key(db: int) -> str:
    return f"newsflow:test:redis-db-claim:{db}"


def test_sessions_claim_different_databases_and_free_them_on_exit(redis_server_url: str) -> None:
    """Claims are tried from 10 down here, below the number this very session holds (13 or lower)."""
    client = redis.Redis.from_url(redis_server_url)
    client.delete(*(claim_key(db) for db in (10, 9, 8)))
    with claim_redis_db(redis_server_url, first=10) as first, claim_redis_db(redis_server_url, first=10) as second:
        assert (first, second) == (10, 9)
        assert 0 < client.ttl(claim_key(10)) <= CLAIM_TTL_S
    assert client.exists(claim_key(10), claim_key(9)) == 0
    with claim_redis_db(redis_server_url, first=10) as again:
        assert again == 10
    client.close()


def test_a_claim_that_lapsed_and_was_taken_over_is_left_to_its_new_owner(redis_server_url: str) -> None:
    client = redis.Redis.from_url(redis_server_url)
    client.delete(claim_key(7))
    with claim_redis_db(redis_server_url, first=7) as db:
        client.set(claim_key(db), b"another-host:42")  # as if ours expired and another session took it
    assert client.get(claim_key(7)) == b"another-host:42"
    client.delete(claim_key(7))
    client.close()


def test_no_free_database_is_a_clear_error(redis_server_url: str) -> None:
    client = redis.Redis.from_url(redis_server_url)
    client.set(claim_key(2), b"another-host:1")
    client.set(claim_key(1), b"another-host:2")
    try:
        with pytest.raises(RuntimeError) as caught, claim_redis_db(redis_server_url, first=2):
            pass
        assert "every Redis database from 2 down to 1 is claimed" in str(caught.value)
        assert "NEWSFLOW_TEST_REDIS_DB" in str(caught.value)
    finally:
        client.delete(claim_key(2), claim_key(1))
        client.close()
