"""The real API process (`python -m store.api`) over a SQLite store filled by ingest, and headless Chromium.

Chromium is Debian's package (`apt-get install chromium`; .ci/run installs it), driven by Playwright's
Python client: no browser is downloaded.
"""

import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from store.testing import migrated_engine

from tests.support.backing_services import free_port
from tests.support.polling import eventually_sync
from tests.unit.api.newsroom import ingest_demo

CHROMIUM = os.environ.get("NEWSFLOW_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).parent / "artifacts"


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a running `python -m store.api` over the demo-like stories."""
    database = tmp_path_factory.mktemp("browser") / "newsflow.db"
    engine = migrated_engine(f"sqlite:///{database}")
    ingest_demo(engine)
    engine.dispose()
    port = free_port()
    env = os.environ | {"DATABASE_URL": f"sqlite:///{database}", "STORE_API_HOST": "127.0.0.1",
                        "STORE_API_PORT": str(port), "STORE_API_LOG_LEVEL": "WARNING"}
    process = subprocess.Popen([sys.executable, "-m", "store.api"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        eventually_sync(lambda: process.poll() is not None or answers(f"{base}/health"), timeout=30,
                        what="the API process answering /health")
        assert process.poll() is None, f"python -m store.api exited with {process.returncode}"
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if shutil.which(CHROMIUM) is None:
        pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install -y chromium (or set NEWSFLOW_CHROMIUM)",
                    pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=True)
    page = context.new_page()
    yield page
    context.close()


def screenshot(page: object, name: str) -> Path:
    """Save a full-page screenshot as a test artifact and say where it is."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path
