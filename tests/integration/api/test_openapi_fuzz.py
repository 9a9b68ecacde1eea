"""Schemathesis generates requests from the published OpenAPI document: none may get a server error."""

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from store.api import build_api
from store.settings import ApiSettings
from store.testing import migrated_engine

from tests.unit.api.newsroom import ingest_demo

# Schemathesis needs the app when this module is imported; the app opens its database per request, so the
# database itself is created (and removed) by the fixture below, around the tests.
WORKDIR = Path(tempfile.gettempdir()) / f"newsflow-fuzz-{uuid.uuid4().hex[:12]}"
DATABASE_URL = f"sqlite:///{WORKDIR / 'newsflow.db'}"
API = build_api(ApiSettings(DATABASE_URL=DATABASE_URL, admin_token="fuzz-admin-token-0123456789"))
schema = schemathesis.openapi.from_asgi("/openapi.json", API)
# Valid requests and invalid ones alike (wrong types, over-long strings, out-of-range numbers).
schema.config.generation.update(modes=list(schemathesis.GenerationMode), deterministic=True)


@pytest.fixture(scope="module", autouse=True)
def demo_database() -> Iterator[None]:
    WORKDIR.mkdir()
    engine = migrated_engine(DATABASE_URL)
    ingest_demo(engine)
    engine.dispose()
    yield
    API.state.engine.dispose()
    shutil.rmtree(WORKDIR, ignore_errors=True)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_the_document_allows_gets_a_server_error(case: schemathesis.Case) -> None:
    """Any parameters the schema permits, and many it does not, get a 2xx, 3xx or 4xx answer."""
    case.call_and_validate(checks=[not_a_server_error])
