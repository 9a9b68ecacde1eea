"""Reads the store's HTTP API the way a user would, tolerant of list or {"items": [...]} responses."""

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

PAGE = 100  # the API's largest page


class StoreApi:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base_url}/health", timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def articles(self) -> list[dict[str, Any]]:
        return self._all("/articles")

    def stories(self) -> list[dict[str, Any]]:
        return self._all("/stories")

    def _all(self, path: str) -> list[dict[str, Any]]:
        """Every row, page by page (a bare list is taken as the whole answer)."""
        rows: list[dict[str, Any]] = []
        while True:
            with urllib.request.urlopen(f"{self.base_url}{path}?limit={PAGE}&offset={len(rows)}", timeout=5) as r:
                body = json.load(r)
            if isinstance(body, list):
                return body
            rows.extend(body["items"])
            if not body["items"] or len(rows) >= body.get("total", len(rows)):
                return rows


def stored_paths(articles: list[dict[str, Any]]) -> set[str]:
    """URL paths of stored articles, by canonical URL and by feed URL (either may carry tracking)."""
    paths = set()
    for article in articles:
        for key in ("canonical_url", "url"):
            if article.get(key):
                paths.add(urlsplit(article[key]).path)
    return paths
