"""The operator's sources file: which outlets to follow, their feeds and ratings, checked before any fetch."""

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from newsflow_shared.contracts.source import SourceRef
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator


class SourcesFileError(ValueError):
    """The sources file cannot be used; the message names the file, the entry and the field."""


class Feed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = Field(min_length=1)

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

    feeds: list[Feed] = Field(min_length=1)

    @property
    def ref(self) -> SourceRef:
        return SourceRef.model_validate(self.model_dump(exclude={"feeds"}))


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
        problems = [_describe(error, document) for error in exc.errors()]
        raise SourcesFileError(f"{origin}: " + "; ".join(problems)) from exc


def load_sources(path: Path) -> list[Source]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SourcesFileError(f"{path}: cannot read the sources file: {exc.strerror or exc}") from exc
    return parse_sources(text, origin=str(path))


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
