"""One article followed from feed to story by its correlation id, through the three services' JSON logs."""

import asyncio
import json
import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from faststream.redis.parser.binary import BinaryMessageFormatV1
from newsflow_shared import streams
from newsflow_shared.stream_state import read_pipeline
from redis.asyncio import Redis

from demo import catalog
from demo.services import Services
from demo.site_server import serve_site
from tests.support.backing_services import free_port
from tests.support.polling import eventually_sync

WORKERS = {"store": "STORE", "extractor": "EXTRACTOR", "fetcher": "FETCHER"}
# Log fields that only a line about one message carries; every such line must carry its correlation id.
MESSAGE_FIELDS = {"article_id", "canonical_url", "message_id", "story_id", "entry_id"}


def log_lines(path: Path) -> list[dict]:
    """Every line of a service's log, each of which must be one JSON object."""
    lines = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        try:
            lines.append(json.loads(line))
        except json.JSONDecodeError:
            pytest.fail(f"{path.name}:{number} is not a JSON log line: {line[:200]}")
    return lines


def get_json(port: int, path: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)


async def pipeline_settled(redis_url: str, expected: int) -> bool:
    async with Redis.from_url(redis_url) as redis:
        state = await read_pipeline(redis)
    raw, extracted, _ = state.streams
    return (raw.length == extracted.length == expected
            and all(g.lag == 0 and g.pending == 0 for g in state.groups))


async def raw_correlation_ids(redis_url: str) -> dict[str, str]:
    """Correlation id → canonical URL of every raw article, as the fetcher minted them."""
    found = {}
    async with Redis.from_url(redis_url) as redis:
        for _, fields in await redis.xrange(streams.RAW_ARTICLES):
            body, headers = BinaryMessageFormatV1.parse(fields[b"__data__"])
            found[headers["correlation_id"]] = json.loads(body)["canonical_url"]
    return found


@pytest.fixture
def running(redis_url: str, sqlite_url: str, tmp_path: Path) -> Iterator[dict]:
    with serve_site() as site:
        sources = tmp_path / "sources.yaml"
        sources.write_text(catalog.filled_sources(site.base_url))
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "REDIS_URL": redis_url, "DATABASE_URL": sqlite_url,
               "FETCHER_SOURCES_FILE": str(sources), "FETCHER_ALLOWED_PRIVATE_NETWORKS": "127.0.0.0/8",
               "FETCHER_LOG_LEVEL": "DEBUG"}  # the fetcher logs each published article at debug
        ports = {}
        for name, prefix in WORKERS.items():
            ports[name] = free_port()
            env |= {f"{prefix}_LOG_FORMAT": "json", f"{prefix}_HTTP_PORT": str(ports[name]),
                    f"{prefix}_STREAM_METRICS_INTERVAL_S": "0.5"}
        services = Services(env=env, log_dir=tmp_path)
        services.run_to_completion("migrate", "store.migrate")
        for name in WORKERS:
            services.start(name, name)
        try:
            yield {"services": services, "ports": ports, "logs": tmp_path}
        finally:
            services.stop_all()


def test_one_correlation_id_follows_each_article_from_fetcher_to_store(running: dict, redis_url: str) -> None:
    """Each article's correlation id, minted by the fetcher, is on its fetcher, extractor and store log
    lines; every log line about a message carries one (but FastStream's "Processed", logged after the
    message's log context is released, which names the message by its message_id); every line is JSON."""
    services: Services = running["services"]
    expected = len(catalog.article_paths())

    def settled() -> bool:
        services.check_alive()
        return asyncio.run(pipeline_settled(redis_url, expected))

    eventually_sync(settled, timeout=120, interval=0.25, what=f"{expected} articles through every group")
    for name, port in running["ports"].items():
        status, body = get_json(port, "/health/ready")
        assert status == 200 and body["status"] == "ready", (name, body)
    services.stop_all()

    logs = {name: log_lines(running["logs"] / f"{name}.log") for name in WORKERS}
    minted = asyncio.run(raw_correlation_ids(redis_url))
    assert len(minted) == expected, "one correlation id per article"

    def events_for(service: str, correlation_id: str) -> list[str]:
        return [line["event"] for line in logs[service] if line.get("correlation_id") == correlation_id]

    for correlation_id in minted:
        assert "article published" in events_for("fetcher", correlation_id)
        assert "article extracted" in events_for("extractor", correlation_id)
        assert "article stored" in events_for("store", correlation_id)

    for service, lines in logs.items():
        for line in lines:
            assert line.get("service") == service, line
            if (MESSAGE_FIELDS & line.keys() and line["event"] != "Processed") or line["event"] == "Received":
                assert line.get("correlation_id") in minted, f"{service}: {line}"
    received = [line for line in logs["store"] if line["event"] == "Received"]
    assert {line["stream"] for line in received} == {streams.EXTRACTED_ARTICLES}
