"""Message validation at every boundary: valid messages survive the wire unchanged, anything else is a
ValidationError, never a crash."""

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from newsflow_shared.contracts.base import Contract
from newsflow_shared.contracts.dead_letters import DeadLettered
from newsflow_shared.contracts.extracted_articles import ArticleExtracted
from newsflow_shared.contracts.raw_articles import ArticleFetched
from newsflow_shared.contracts.story_updates import StoryUpdated
from pydantic import ValidationError

from tests.unit.extractor.pages import fetched_page

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
SOURCE = {"id": "northwind-herald", "name": "Northwind Herald", "homepage": "https://northwind.example/"}

VALID: dict[type[Contract], dict[str, Any]] = {
    ArticleFetched: fetched_page("<html><body><p>Hello</p></body></html>").model_dump(mode="json"),
    ArticleExtracted: {
        "article_id": "a1", "url": "https://northwind.example/a", "canonical_url": "https://northwind.example/a",
        "feed_url": "https://northwind.example/feed.xml", "source": SOURCE, "content_hash": "0" * 64,
        "title": "A title", "text": "Some text.", "fetched_at": NOW.isoformat(), "extracted_at": NOW.isoformat(),
    },
    StoryUpdated: {
        "story_id": "s1", "version": 1, "change": "created", "title": "A story", "article_count": 1,
        "source_count": 1, "updated_at": NOW.isoformat(),
    },
    DeadLettered: {
        "stage": "store", "stream": "newsflow:articles:extracted", "group": "store", "entry_id": "1-0",
        "attempts": 1, "reason": "invalid", "error": "ValidationError", "failed_at": NOW.isoformat(),
        "fields": {"__data__": "AAAA"},
    },
}
CONTRACTS = list(VALID)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


def assert_round_trips(contract: type[Contract], message: Contract) -> None:
    wire = message.model_dump_json()
    again = contract.model_validate_json(wire)
    assert again == message
    assert again.model_dump_json() == wire


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.__name__)
def test_the_reference_messages_are_valid(contract: type[Contract]) -> None:
    """Each contract's reference message validates and round-trips (the base of the properties below)."""
    assert_round_trips(contract, contract.model_validate(VALID[contract]))


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.__name__)
@given(data=st.data())
def test_any_field_replaced_by_any_json_validates_or_is_refused_cleanly(contract: type[Contract], data) -> None:
    """Replacing a field with arbitrary JSON gives a ValidationError, or a message that round-trips exactly."""
    payload = dict(VALID[contract])
    field = data.draw(st.sampled_from(sorted(contract.model_fields)))
    payload[field] = data.draw(json_values)
    try:
        message = contract.model_validate_json(json.dumps(payload))
    except ValidationError:
        return
    assert_round_trips(contract, message)


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.__name__)
@given(body=st.binary(max_size=300) | json_values.map(lambda v: json.dumps(v).encode()))
def test_arbitrary_bytes_are_a_validation_error_never_a_crash(contract: type[Contract], body: bytes) -> None:
    """Whatever arrives on a stream, validation raises ValidationError or accepts it; nothing else escapes."""
    try:
        contract.model_validate_json(body)
    except ValidationError:
        pass


@given(st.text(max_size=2000))
def test_any_page_text_survives_the_raw_article_round_trip(html: str) -> None:
    """Any HTML string (control characters, emoji, lone surrogates aside) travels byte-exact."""
    html = html.encode("utf-8", "ignore").decode("utf-8")
    assert_round_trips(ArticleFetched, fetched_page(html))
