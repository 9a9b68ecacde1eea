"""On PostgreSQL too, a batch in one transaction takes the decisions one message per transaction takes."""

import uuid

import psycopg
from store.testing import message_from_record, migrated_engine, read_records

from tests.unit.store.test_batching import LABELLED, batched, one_by_one, state


def second_database(postgres_url: str) -> str:
    name = f"batch_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres_url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    return postgres_url.rsplit("/", 1)[0] + f"/{name}"


def test_batches_of_the_labelled_set_group_it_as_one_message_at_a_time_does_on_postgresql(postgres_url: str) -> None:
    """Stories, copies, merges and fingerprints match between batches of 10 and single messages."""
    messages = [message_from_record(r) for r in read_records(LABELLED)]
    single, batch = migrated_engine(postgres_url), migrated_engine(second_database(postgres_url))
    one_by_one(single, messages)
    batched(batch, messages, 10)
    assert state(batch) == state(single)
    single.dispose()
    batch.dispose()
