"""`make demo`'s runner end to end: every service its own process, the demo site's articles end up stored."""

import os
import subprocess
import sys
from pathlib import Path

from demo import catalog

REPO = Path(__file__).resolve().parents[3]


def test_demo_stores_every_article_prints_the_stories_and_stops_cleanly(redis_url: str, tmp_path: Path) -> None:
    """`python -m demo.run --exit` stores all demo articles, prints a story table and exits 0."""
    env = {**os.environ, "REDIS_URL": redis_url}
    env.pop("DATABASE_URL", None)  # the demo's own SQLite file, under the run directory
    result = subprocess.run(
        [sys.executable, "-m", "demo.run", "--exit", "--timeout", "120", "--api-port", "0",
         "--run-dir", str(tmp_path)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=240, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    total = len(catalog.article_paths())
    assert f"{total}/{total} demo articles stored" in result.stdout
    assert "articles  sources  title" in result.stdout
    assert "All services stopped." in result.stdout
    assert (tmp_path / "newsflow.db").is_file()
