"""On PostgreSQL too, a batch in one transaction takes the decisions one message per transaction takes."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from store.testing import message_from_record, migrated_engine, read_records

from tests.unit.store.test_batching import LABELLED, batched, miscounted, one_by_one, state
from tests.unit.store.test_stories import assert_batch_ranks_as_the_index_query


@contextmanager
def second_database(postgres_url: str) -> Iterator[str]:
    """Another empty database on the same server, dropped afterwards."""
    name = f"batch_{uuid.uuid4().hex[:8]}"
    server = postgres_url.replace("+psycopg", "")
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    try:
        yield postgres_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')


def test_batches_of_the_labelled_set_group_it_as_one_message_at_a_time_does_on_postgresql(postgres_url: str) -> None:
    """Stories, copies, merges and fingerprints match between batches of 10 and single messages."""
    messages = [message_from_record(r) for r in read_records(LABELLED)]
    with second_database(postgres_url) as other:
        single, batch = migrated_engine(postgres_url), migrated_engine(other)
        one_by_one(single, messages)
        batched(batch, messages, 10)
        assert state(batch) == state(single)
        assert miscounted(batch) == miscounted(single) == []
        single.dispose()
        batch.dispose()


def test_a_batch_ranks_candidates_as_the_index_query_does_on_postgresql(postgres_url: str) -> None:
    """The writer's one-query read of each key's newest stories (arrays per key) ranks as the per-key query."""
    engine = migrated_engine(postgres_url)
    try:
        assert_batch_ranks_as_the_index_query(engine)
    finally:
        engine.dispose()
