"""The operator's sources file: which outlets to follow, their feeds and ratings, checked before any fetch.

Errors name the file, the line, the entry and the field: the document is also composed into PyYAML's
node tree, which keeps each value's position, so a pydantic error location maps back to a line.
"""

from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from newsflow_shared.contracts.source import SourceRef
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator


class SourcesFileError(ValueError):
    """The sources file cannot be used; the message names the file, the entry and the field."""


class FeedKind(StrEnum):
    AUTO = "auto"  # decided by the document: RSS/Atom/JSON Feed, or a sitemap (<urlset>/<sitemapindex>)
    FEED = "feed"
    SITEMAP = "sitemap"


class Feed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = Field(min_length=1)
    kind: FeedKind = FeedKind.AUTO

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an absolute http:// or https:// URL")
        return url


class Source(SourceRef):
    """An outlet: the ratings every article carries downstream, plus the feeds only the fetcher needs."""

    # forbid, unlike SourceRef on the wire: a misspelt key here ("factualty") would silently drop a rating.
    model_config = ConfigDict(extra="forbid", frozen=True)

    feeds: list[Feed] = Field(default_factory=list)
    # Also follow the `Sitemap:` lines of robots.txt on the homepage's host (or the first feed's).
    discover_sitemaps: bool = Field(default=False, strict=True)

    @model_validator(mode="after")
    def _something_to_follow(self) -> "Source":
        if not self.feeds and not self.discover_sitemaps:
            raise ValueError("feeds: list at least one feed, or set discover_sitemaps: true")
        if self.discover_sitemaps and not (self.homepage or self.feeds):
            raise ValueError("discover_sitemaps: needs a homepage (or a feed) to find robots.txt")
        return self

    @cached_property
    def ref(self) -> SourceRef:
        """Built once per source (it goes into every article message)."""
        return SourceRef.model_validate(self.model_dump(exclude={"feeds", "discover_sitemaps"}))


class SourcesFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sources: list[Source] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> "SourcesFile":
        seen: set[str] = set()
        for index, source in enumerate(self.sources):
            if source.id in seen:
                raise ValueError(f"sources[{index}] (id {source.id!r}): id: duplicate of an earlier entry")
            seen.add(source.id)
        return self


def parse_sources(text: str, *, origin: str = "<sources>") -> list[Source]:
    """Validate a sources document; errors say which entry and field are wrong, in operator terms."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SourcesFileError(f"{origin}: not valid YAML: {exc}") from exc
    try:
        return list(SourcesFile.model_validate(document).sources)
    except ValidationError as exc:
        tree = yaml.compose(text)
        problems = [_with_line(_describe(error, document), tree, error["loc"]) for error in exc.errors()]
        raise SourcesFileError(f"{origin}: " + "; ".join(problems)) from exc


def load_sources(path: Path) -> list[Source]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SourcesFileError(f"{path}: cannot read the sources file: {exc.strerror or exc}") from exc
    return parse_sources(text, origin=str(path))


def _with_line(problem: str, tree: yaml.Node | None, loc: tuple[Any, ...]) -> str:
    line = line_of(tree, loc)
    return f"line {line}: {problem}" if line else problem


def line_of(tree: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """The 1-based line of the value at `loc` or, if it is missing, of the deepest entry that exists."""
    if tree is None:
        return None
    node, line = tree, tree.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if getattr(k, "value", None) == part), None)
            if pair is None:
                break
            line, node = pair[0].start_mark.line + 1, pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _describe(error: Any, document: Any) -> str:
    """`sources[2] (id 'x'): feeds[0].url: must be ...` rather than pydantic's bare location tuple."""
    loc = list(error["loc"])
    message = error["msg"].removeprefix("Value error, ")
    if len(loc) >= 2 and loc[0] == "sources" and isinstance(loc[1], int):
        entry = f"sources[{loc[1]}]"
        source_id = _entry_id(document, loc[1])
        if source_id:
            entry += f" (id {source_id!r})"
        field = _dotted(loc[2:])
        return f"{entry}: {field}: {message}" if field else f"{entry}: {message}"
    return f"{_dotted(loc) or 'document'}: {message}"


def _entry_id(document: Any, index: int) -> str | None:
    try:
        source_id = document["sources"][index].get("id")
    except (TypeError, KeyError, IndexError, AttributeError):
        return None
    return source_id if isinstance(source_id, str) else None


def _dotted(loc: list[Any]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
