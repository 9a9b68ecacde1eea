"""Reloading the sources file without a restart: on SIGHUP, or when its modification time changes.

A file that fails validation on reload is logged (with line and field) and counted, and the sources
already in force keep being polled: an operator's typo never stops the fetcher.
"""

import os
from collections.abc import Sequence
from pathlib import Path

import structlog

from fetcher.metrics import SOURCES_RELOADS
from fetcher.sources import Source, SourcesFileError, load_sources

log = structlog.get_logger(__name__)


class SourcesWatch:
    def __init__(self, path: Path, sources: Sequence[Source]) -> None:
        self.path = path
        self.sources = list(sources)
        self._stamp = self._read_stamp()
        self._requested = False

    def request_reload(self) -> None:
        """Called from the SIGHUP handler: the next `check` reloads even if the mtime did not change."""
        self._requested = True

    def check(self) -> list[Source] | None:
        """New sources if the file changed (or a reload was requested) and is valid; else None."""
        stamp = self._read_stamp()
        if not self._requested and stamp == self._stamp:
            return None
        self._requested = False
        self._stamp = stamp
        try:
            sources = load_sources(self.path)
        except SourcesFileError as exc:
            SOURCES_RELOADS.labels(outcome="rejected").inc()
            log.error("sources file reload rejected; previous sources stay in force", path=str(self.path),
                      error=str(exc))
            return None
        SOURCES_RELOADS.labels(outcome="applied").inc()
        log.info("sources file reloaded", path=str(self.path), sources=len(sources),
                 feeds=sum(len(s.feeds) for s in sources))
        self.sources = sources
        return sources

    def _read_stamp(self) -> tuple[int, int] | None:
        try:
            stat = os.stat(self.path)
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size
