"""Feed → fetcher → extractor → store → API and story stream, each service its own OS process.

Commands and environment come from docker-compose.yml itself; only what names compose's network
(Redis, PostgreSQL, the sources file, listening addresses) is pointed at this machine's equivalents.
"""

import asyncio
import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import yaml
from faststream.redis import RedisBroker
from redis.asyncio import Redis

from demo import catalog
from demo.services import Services
from demo.site_server import serve_site
from newsflow_shared import streams
from newsflow_shared.contracts.story_updates import StoryChange, StoryUpdated
from newsflow_shared.delivery import consume, ensure_group
from tests.support.backing_services import free_port
from tests.support.polling import eventually, eventually_sync

REPO = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"]
# The only variables a local run may change: those that name compose's hosts, files and ports.
LOCAL_OVERRIDES = {"REDIS_URL", "DATABASE_URL", "FETCHER_SOURCES_FILE", "FETCHER_ALLOWED_PRIVATE_NETWORKS"}


def compose_process(service: str, local: dict[str, str]) -> tuple[str, dict[str, str]]:
    """`python -m <module>` and the environment compose gives `service`, made local."""
    spec = COMPOSE[service]
    command = spec["command"]
    assert command[:2] == ["python", "-m"], command
    env = {key: str(value) for key, value in spec.get("environment", {}).items()}
    for key in env:
        if key.endswith("_HTTP_HOST") or key == "STORE_API_HOST":
            env[key] = "127.0.0.1"
        elif key.endswith("_HTTP_PORT") or key == "STORE_API_PORT":
            env[key] = str(free_port())
        elif key in LOCAL_OVERRIDES:
            env[key] = local[key]
    return command[2], env


def health_ok(port: str, path: str = "/health") -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as response:
            return 200 <= response.status < 300
    except OSError:
        return False


def article_rows(database_url: str) -> list[tuple[str, str | None]]:
    with psycopg.connect(database_url.replace("+psycopg", "")) as conn:
        return conn.execute("select canonical_url, story_id from article").fetchall()


@pytest.fixture
def pipeline(redis_url: str, postgres_url: str, tmp_path: Path) -> Iterator[dict]:
    with serve_site() as site:
        sources = tmp_path / "sources.yaml"
        sources.write_text(catalog.filled_sources(site.base_url))
        local = {"REDIS_URL": redis_url, "DATABASE_URL": postgres_url, "FETCHER_SOURCES_FILE": str(sources),
                 "FETCHER_ALLOWED_PRIVATE_NETWORKS": "127.0.0.0/8"}
        services = Services(env={**_plain_env(), "PYTHONUNBUFFERED": "1"}, log_dir=tmp_path)
        migrate_module, migrate_env = compose_process("migrate", local)
        services.env.update(migrate_env)
        services.run_to_completion("migrate", migrate_module)
        ports: dict[str, str] = {}
        started = []
        # Consumers first, then the producer, as compose's depends_on orders them.
        for name, replicas in (("store", 1), ("extractor", 2), ("store-api", 1), ("fetcher", 1)):
            for replica in range(replicas):
                module, env = compose_process(name, local)
                started.append(services.start(f"{name}-{replica}", module, env))
                ports[f"{name}-{replica}"] = next(v for k, v in env.items() if k.endswith("PORT"))
        try:
            yield {"services": services, "started": started, "ports": ports, "site": site,
                   "database_url": postgres_url, "redis_url": redis_url}
        finally:
            services.stop_all()


def _plain_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k not in LOCAL_OVERRIDES}


async def story_updates(redis_url: str, expected_articles: int) -> list[StoryUpdated]:
    """Consume the story stream the way a downstream program would: its own group, from the start."""
    seen: list[StoryUpdated] = []
    async with Redis.from_url(redis_url) as redis:
        await ensure_group(redis, streams.STORY_UPDATES, "e2e-downstream")
    broker = RedisBroker(redis_url)

    @consume(broker, stream=streams.STORY_UPDATES, group="e2e-downstream", consumer="e2e",
             read_batch=50, claim_idle_ms=60_000)
    async def collect(update: StoryUpdated) -> None:
        seen.append(update)

    async with broker:
        await broker.start()
        await eventually(lambda: sum(1 for u in latest(seen).values()) and
                         sum(u.article_count for u in latest(seen).values()) == expected_articles,
                         timeout=30, what="story updates covering every article")
    return seen


def resolved(newest: dict[str, StoryUpdated], story_id: str) -> str:
    """Where a story ended up, following merges (a survivor can itself be merged later)."""
    seen = set()
    while newest[story_id].merged_into is not None and story_id not in seen:
        seen.add(story_id)
        story_id = newest[story_id].merged_into
    return story_id


def latest(updates: list[StoryUpdated]) -> dict[str, StoryUpdated]:
    newest: dict[str, StoryUpdated] = {}
    for update in updates:
        if update.story_id not in newest or update.version > newest[update.story_id].version:
            newest[update.story_id] = update
    return newest


def test_demo_feeds_flow_to_postgres_the_api_and_the_story_stream(pipeline: dict) -> None:
    """Every demo article is stored once in PostgreSQL, served by the API and announced on the story stream."""
    services: Services = pipeline["services"]
    expected = len(catalog.article_paths())

    def stored() -> bool:
        services.check_alive()
        return len(article_rows(pipeline["database_url"])) >= expected

    eventually_sync(stored, timeout=120, interval=0.25, what=f"{expected} articles in PostgreSQL")
    rows = article_rows(pipeline["database_url"])
    assert len(rows) == expected
    assert len({url for url, _ in rows}) == expected, "each canonical URL once"
    assert all(story_id for _, story_id in rows), "every article belongs to a story"

    # Exactly once through two extractors: one extracted message per raw one, nothing left pending.
    async def stream_state() -> dict:
        async with Redis.from_url(pipeline["redis_url"]) as redis:
            return {
                "raw": await redis.xlen(streams.RAW_ARTICLES),
                "extracted": await redis.xlen(streams.EXTRACTED_ARTICLES),
                "pending_extractor": (await redis.xpending(streams.RAW_ARTICLES, streams.EXTRACTOR_GROUP))["pending"],
                "pending_store": (await redis.xpending(streams.EXTRACTED_ARTICLES, streams.STORE_GROUP))["pending"],
                "dead": [await redis.xlen(streams.dead_letter_stream(s)) for s in ("extractor", "store")],
            }

    state = asyncio.run(eventually(
        lambda: _settled(stream_state()), timeout=30, what="both groups acknowledged everything"))
    assert state == {"raw": expected, "extracted": expected, "pending_extractor": 0, "pending_store": 0,
                     "dead": [0, 0]}

    updates = asyncio.run(story_updates(pipeline["redis_url"], expected))
    newest = latest(updates)
    # Two extractors make the arrival order vary, and some orders start a story that a later article
    # merges into another: its last update says where it went, and the survivor is among the live ones.
    live = {story_id: u for story_id, u in newest.items() if u.merged_into is None}
    assert set(live) == {story for _, story in rows}
    for absorbed in (u for u in newest.values() if u.merged_into is not None):
        assert absorbed.change == StoryChange.MERGED and absorbed.article_count == 0
        assert resolved(newest, absorbed.story_id) in live, f"{absorbed.story_id} merged into a live story"
    assert all(u.headers()["schema_version"] == "1" for u in updates)

    api_port = pipeline["ports"]["store-api-0"]
    assert eventually_sync(lambda: health_ok(api_port), what="API health")
    with urllib.request.urlopen(f"http://127.0.0.1:{api_port}/stories?limit=100") as response:
        body = json.load(response)
    stories = body["items"] if isinstance(body, dict) else body
    assert sum(s["article_count"] for s in stories) == expected
    assert {s["id"] for s in stories} == set(live)
    for name, port in pipeline["ports"].items():
        assert health_ok(port), f"{name} healthy"

    codes = {}
    for service in pipeline["started"]:
        service.process.terminate()
    for service in pipeline["started"]:
        codes[service.name] = service.process.wait(30)
    assert codes == dict.fromkeys(codes, 0), "every service exits 0 on SIGTERM"


async def _settled(state_coro) -> dict | None:
    state = await state_coro
    done = state["pending_extractor"] == 0 and state["pending_store"] == 0 and state["extracted"] == state["raw"]
    return state if done else None
