"""The fetcher as a service: build_app's lifecycle in-process, and `python -m fetcher` as its own process."""

import asyncio
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
import redis
from faststream.specification import AsyncAPI
from fetcher.app import POLLING_TASK_NAME, build_app
from fetcher.sources import SourcesFileError
from newsflow_shared.contracts import raw_articles

from tests.integration.fetcher.conftest import (
    eventually,
    metric,
    page,
    read_published,
    rss,
    settings_for,
    wait_until,
    write_sources,
)
from tests.support.backing_services import free_port


def _serve_two_stories(site) -> str:
    feed_url = site.serve("/feed.xml", rss(("{base_url}/a.html", "A"), ("{base_url}/b.html", "B")))
    site.serve("/a.html", page("A"))
    site.serve("/b.html", page("B"))
    return feed_url


async def test_app_polls_at_start_and_stops_its_loop_on_shutdown(site, redis_url, tmp_path: Path) -> None:
    """Starting the app polls every feed at once; stopping it ends the polling task before the broker closes."""
    write_sources(tmp_path / "sources.yaml", ("harbour-post", [_serve_two_stories(site)]))
    app = build_app(settings_for(redis_url, tmp_path, poll_interval_s=3600))
    await app.start()
    try:
        await eventually(lambda: len(read_published(redis_url)) == 2, "two articles on the raw stream")
    finally:
        await app.stop()
    assert not [t for t in asyncio.all_tasks() if t.get_name() == POLLING_TASK_NAME and not t.done()]


def test_raw_articles_publisher_is_in_the_asyncapi_document(redis_url, tmp_path: Path) -> None:
    """The raw-articles stream and its ArticleFetched payload appear in the generated AsyncAPI document."""
    write_sources(tmp_path / "sources.yaml", ("harbour-post", ["https://harbour.example/feed.xml"]))
    app = build_app(settings_for(redis_url, tmp_path))
    document = AsyncAPI(app.broker).to_specification().to_jsonable()
    channels = document["channels"]
    assert any(c.get("address") == raw_articles.STREAM for c in channels.values())
    assert "ArticleFetched" in str(document["components"]["schemas"])


def test_build_app_fails_early_on_a_bad_sources_file(redis_url, tmp_path: Path) -> None:
    """An unusable sources file stops start-up with the entry and field named, before anything connects."""
    (tmp_path / "sources.yaml").write_text("sources:\n  - id: x\n    name: X\n    bias: centre\n"
                                           "    feeds:\n      - url: https://x.example/f\n")
    with pytest.raises(SourcesFileError, match=r"sources\[0\] \(id 'x'\): bias:"):
        build_app(settings_for(redis_url, tmp_path))


def _env(redis_url: str, sources_file: Path, port: int) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("FETCHER_")},
        "REDIS_URL": redis_url,
        "FETCHER_SOURCES_FILE": str(sources_file),
        "FETCHER_ALLOWED_PRIVATE_NETWORKS": "127.0.0.0/8",
        "FETCHER_HTTP_PORT": str(port),
        "FETCHER_POLL_INTERVAL_S": "3600",
    }


def _health(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as response:
            return 200 <= response.status < 300
    except OSError:
        return False


def test_python_m_fetcher_publishes_serves_health_and_exits_cleanly_on_sigterm(site, redis_url, tmp_path) -> None:
    """The command compose runs polls at start, answers /health and /metrics, and exits 0 on SIGTERM."""
    sources_file = write_sources(tmp_path / "sources.yaml", ("harbour-post", [_serve_two_stories(site)]))
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "fetcher"], env=_env(redis_url, sources_file, port),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_until(lambda: len(read_published(redis_url)) == 2 or process.poll() is not None, "two articles")
        wait_until(lambda: _health(port) or process.poll() is not None, "/health")
        assert process.poll() is None, process.stderr.read()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as response:
            assert 'newsflow_fetcher_items_total{outcome="published",source="harbour-post"} 2.0' in response.read().decode()
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, stderr
    assert '"event": "polling stopped"' in stderr
    assert '"event": "Application shutdown complete."' in stderr
    assert '"level": "error"' not in stderr
    assert len(read_published(redis_url)) == 2
    client = redis.Redis.from_url(redis_url)
    assert len(client.keys("newsflow:fetcher:seen:*")) == 2
    client.close()


def test_python_m_fetcher_refuses_a_bad_sources_file(redis_url, tmp_path: Path) -> None:
    """A bad sources file makes the command exit non-zero with the entry and field in its message."""
    sources_file = tmp_path / "sources.yaml"
    sources_file.write_text("sources:\n  - id: x\n    name: X\n    feeds:\n      - url: not-a-url\n")
    result = subprocess.run([sys.executable, "-m", "fetcher"], env=_env(redis_url, sources_file, free_port()),
                            capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode != 0
    assert "sources[0] (id 'x'): feeds[0].url: must be an absolute http:// or https:// URL" in result.stderr


async def test_sources_file_changes_are_picked_up_without_restart(site, redis_url, tmp_path: Path) -> None:
    """Editing the sources file adds the new feed at once; a broken edit is rejected and the old sources go on."""
    site.serve("/one.xml", rss(("{base_url}/a.html", "A")))
    site.serve("/two.xml", rss(("{base_url}/b.html", "B")))
    site.serve("/a.html", page("A"))
    site.serve("/b.html", page("B"))
    sources_file = write_sources(tmp_path / "sources.yaml", ("first", [site.base_url + "/one.xml"]))
    app = build_app(settings_for(redis_url, tmp_path, poll_interval_s=3600, min_poll_interval_s=60,
                                 sources_check_s=0.05))
    rejected = metric("newsflow_fetcher_sources_reloads_total", outcome="rejected")
    await app.start()
    try:
        await eventually(lambda: len(read_published(redis_url)) == 1, "the first source's article")
        sources_file.write_text("sources:\n  - id: Broken Id\n    feeds: []\n")
        await eventually(lambda: metric("newsflow_fetcher_sources_reloads_total", outcome="rejected") == rejected + 1,
                         "the broken edit rejected")
        write_sources(sources_file, ("first", [site.base_url + "/one.xml"]), ("second", [site.base_url + "/two.xml"]))
        await eventually(lambda: len(read_published(redis_url)) == 2, "the added source's article")
    finally:
        await app.stop()
    assert site.count("/one.xml") == 1  # not re-polled by the reload: it is not due for an hour


def test_python_m_fetcher_reloads_sources_on_sighup(site, redis_url, tmp_path) -> None:
    """SIGHUP makes the running command re-read its sources file (here: a new source gets polled)."""
    site.serve("/one.xml", rss(("{base_url}/a.html", "A")))
    site.serve("/two.xml", rss(("{base_url}/b.html", "B")))
    site.serve("/a.html", page("A"))
    site.serve("/b.html", page("B"))
    sources_file = write_sources(tmp_path / "sources.yaml", ("first", [site.base_url + "/one.xml"]))
    env = {**_env(redis_url, sources_file, free_port()), "FETCHER_SOURCES_CHECK_S": "3600"}
    process = subprocess.Popen([sys.executable, "-m", "fetcher"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_until(lambda: len(read_published(redis_url)) == 1 or process.poll() is not None, "first article")
        write_sources(sources_file, ("first", [site.base_url + "/one.xml"]), ("second", [site.base_url + "/two.xml"]))
        process.send_signal(signal.SIGHUP)
        wait_until(lambda: len(read_published(redis_url)) == 2 or process.poll() is not None, "second article")
        assert process.poll() is None
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert '"event": "SIGHUP: reloading the sources file"' in stderr
    assert '"event": "sources file reloaded"' in stderr
    assert process.returncode == 0, stderr
