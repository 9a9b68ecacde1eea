"""The provisioning itself: the fixtures hand out working, isolated Redis and PostgreSQL."""

import psycopg
import redis


def test_redis_database_is_empty_and_writable(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    assert client.dbsize() == 0
    client.set("k", "v")
    assert client.get("k") == b"v"


def test_postgres_database_is_fresh(postgres_url: str) -> None:
    with psycopg.connect(postgres_url.replace("+psycopg", "")) as conn:
        tables = conn.execute(
            "select count(*) from information_schema.tables where table_schema = 'public'"
        ).fetchone()
    assert tables == (0,)
