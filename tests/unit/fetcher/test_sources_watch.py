"""SourcesWatch: a changed, valid file replaces the sources; a broken one is refused and the old ones stay."""

import os
from pathlib import Path

from fetcher.sources import load_sources
from fetcher.sources_watch import SourcesWatch
from structlog.testing import capture_logs

ONE = "sources:\n  - id: one\n    name: One\n    feeds:\n      - url: https://one.example/f\n"
TWO = ONE + "  - id: two\n    name: Two\n    feeds:\n      - url: https://two.example/f\n"


def _touch_later(path: Path, text: str) -> None:
    path.write_text(text)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # coarse-mtime filesystems too


def test_unchanged_file_gives_nothing(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(ONE)
    assert SourcesWatch(path, load_sources(path)).check() is None


def test_changed_file_is_reloaded(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(ONE)
    watch = SourcesWatch(path, load_sources(path))
    _touch_later(path, TWO)
    assert [s.id for s in watch.check()] == ["one", "two"]
    assert [s.id for s in watch.sources] == ["one", "two"]


def test_broken_edit_is_rejected_with_the_line_and_old_sources_stay(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(ONE)
    watch = SourcesWatch(path, load_sources(path))
    _touch_later(path, ONE.replace("name: One", "name: One\n    bias: centre"))
    with capture_logs() as logs:
        assert watch.check() is None
    assert [s.id for s in watch.sources] == ["one"]
    (error,) = [e for e in logs if e["event"].startswith("sources file reload rejected")]
    assert "line 4: sources[0] (id 'one'): bias:" in error["error"]


def test_requested_reload_happens_without_a_change(tmp_path: Path) -> None:
    """SIGHUP's request re-reads the file even when its mtime is the same."""
    path = tmp_path / "s.yaml"
    path.write_text(ONE)
    watch = SourcesWatch(path, load_sources(path))
    watch.request_reload()
    assert [s.id for s in watch.check()] == ["one"]
