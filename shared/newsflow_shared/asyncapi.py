"""One AsyncAPI document for every Newsflow stream, built from the services' own composition roots.

Each service's `build_app` declares its subscribers and publishers (with descriptions and payload
schemas); this module builds all three with throwaway settings and merges their brokers into one
document, so the published contract of the streams cannot drift from the code. Regenerate with
`newsflow asyncapi` (or `faststream docs gen --factory newsflow_shared.asyncapi:docs_app`); a test
compares the checked-in docs/asyncapi.json with a fresh one.
"""

import importlib
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from faststream.specification import AsyncAPI

TITLE = "Newsflow streams"
VERSION = "1"
DESCRIPTION = (
    "Redis Streams between Newsflow's services: fetcher → newsflow:articles:raw → extractor → "
    "newsflow:articles:extracted → store → newsflow:stories:updates → downstream consumers. Every message "
    "carries the headers schema_version, message_id and contract, and a correlation id; payloads are "
    "FastStream's binary envelope in the entry's `__data__` field. Downstream consumers create their own "
    "consumer group on newsflow:stories:updates (at id 0 to read the history)."
)
# Fixed values for everything the document would otherwise take from the machine (consumer = host-pid).
_REDIS_URL = "redis://redis:6379/0"
_CONSUMER = "<consumer-name>"
_SOURCES = """sources:
  - id: example
    name: Example
    homepage: https://example.org/
    feeds:
      - url: https://example.org/feed.xml
"""


class ServicesMissing(RuntimeError):
    """The document needs every service package installed (it is built from their code)."""


@dataclass
class DocsApp:
    """What `faststream docs gen` expects of an app: a `schema` attribute."""

    schema: AsyncAPI


def _require(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        raise ServicesMissing(
            f"the AsyncAPI document is built from every service's code; {module} is not installed "
            "(pip install -e services/fetcher -e services/extractor -e services/store)"
        ) from exc


def service_brokers(workdir: Path) -> list[Any]:
    """The fetcher's, extractor's and store writer's brokers, as their build_app wires them."""
    fetcher_app, fetcher_settings = _require("fetcher.app"), _require("fetcher.settings")
    extractor_app, extractor_settings = _require("extractor.app"), _require("extractor.settings")
    store_app, store_settings = _require("store.app"), _require("store.settings")
    sources = workdir / "sources.yaml"
    sources.write_text(_SOURCES)
    common = {"REDIS_URL": _REDIS_URL, "consumer_name": _CONSUMER}
    apps = [
        fetcher_app.build_app(fetcher_settings.FetcherSettings(sources_file=sources, **common)),
        extractor_app.build_app(extractor_settings.ExtractorSettings(**common)),
        store_app.build_app(store_settings.StoreSettings(DATABASE_URL=f"sqlite:///{workdir / 'docs.db'}", **common)),
    ]
    return [app.broker for app in apps]


def build_schema() -> AsyncAPI:
    with tempfile.TemporaryDirectory() as workdir:
        brokers = service_brokers(Path(workdir))
    return AsyncAPI(*brokers, title=TITLE, version=VERSION, description=DESCRIPTION)


def docs_app() -> DocsApp:
    """Factory for `faststream docs gen --factory newsflow_shared.asyncapi:docs_app`."""
    return DocsApp(schema=build_schema())


def render() -> str:
    """The document as stable, human-diffable JSON."""
    document = build_schema().to_specification().to_jsonable()
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
