"""Builders for tests of the store (and of anything that feeds it): messages and a migrated database."""

from datetime import UTC, datetime
from typing import Any

from newsflow_shared.contracts.enrichment import Entity, EntityKind
from newsflow_shared.contracts.extracted_articles import ArticleExtracted
from newsflow_shared.contracts.raw_articles import article_id
from newsflow_shared.contracts.source import SourceRef
from sqlalchemy.engine import Engine

from store.db import make_engine
from store.migrate import upgrade

FETCHED_AT = datetime(2026, 11, 4, 9, 0, tzinfo=UTC)


def source_ref(source_id: str = "northwind-herald", **overrides: Any) -> SourceRef:
    fields = {"id": source_id, "name": source_id.replace("-", " ").title(), "bias": "center",
              "factuality": "high"}
    return SourceRef(**(fields | overrides))


def extracted(
    canonical_url: str = "https://northwind.example/news/kursk-engineers",
    *,
    title: str = "North Korea sends 6,000 military engineers and deminers to Russia's Kursk region",
    text: str = "North Korea will send 6,000 military engineers and deminers to help Russia rebuild "
                "and clear mines in the Kursk region, a Russian official said on Tuesday.",
    source: SourceRef | None = None,
    content_hash: str = "hash-1",
    **overrides: Any,
) -> ArticleExtracted:
    """An ArticleExtracted as the extractor would send it; override any field by keyword."""
    fields = {
        "article_id": article_id(canonical_url),
        "url": canonical_url,
        "canonical_url": canonical_url,
        "feed_url": canonical_url.rsplit("/", 1)[0] + "/feed.xml",
        "source": source or source_ref(),
        "content_hash": content_hash,
        "title": title,
        "text": text,
        "authors": ["A. Reporter"],
        "published_at": datetime(2026, 11, 4, 8, 0, tzinfo=UTC),
        "language": "en",
        "fetched_at": FETCHED_AT,
        "extracted_at": FETCHED_AT,
        "word_count": len(text.split()),
    }
    return ArticleExtracted(**(fields | overrides))


def long_worded_article(canonical_url: str = "https://northwind.example/news/long-words") -> ArticleExtracted:
    """An article whose terms would outgrow term_stat's key: a Chinese clause (no spaces) in the title, a
    token of junk in the lead and a very long entity name."""
    chinese = "北京暴雨导致多地严重内涝" * 20  # 240 letters, no space nor punctuation
    return extracted(canonical_url, title=f"Floods {chinese}",
                     text=f"Rivers rose {'q7' * 150} overnight across the valley. " * 3,
                     entities=[Entity(name="Greater " * 40 + "Valley Flood Authority", kind=EntityKind.ORGANISATION,
                                      mentions=2)])


def nul_carrying_article(canonical_url: str = "https://northwind.example/news/nul") -> ArticleExtracted:
    """An article with NUL characters (as a broken page leaves them) in its title, text, authors and names."""
    return extracted(canonical_url, title="Floods\x00 hit the valley", authors=["A.\x00 Reporter"],
                     text="Rivers rose\x00 overnight across the valley, officials said on Monday.",
                     entities=[Entity(name="Valley\x00 Flood Authority", kind=EntityKind.ORGANISATION, mentions=1)])


def migrated_engine(database_url: str, *, writer: bool = True) -> Engine:
    """An engine on `database_url` after `alembic upgrade head`, as the deployed store would find it."""
    upgrade(database_url)
    return make_engine(database_url, writer=writer)


def parse_time(text: str | None) -> datetime:
    """An ISO 8601 time as JSON lines write it ('Z', '+0000' or no offset: UTC)."""
    if not text:
        return FETCHED_AT
    value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("+0000", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def message_from_record(record: dict[str, Any]) -> ArticleExtracted:
    """A labelled JSON-lines record (id, title, text, published, source[, description]) as a message."""
    published = parse_time(record.get("published"))
    return extracted(f"https://eval.example/{record['id']}", title=record.get("title"), text=record.get("text") or "",
                     description=record.get("description"), source=source_ref(record["source"]),
                     content_hash="eval", published_at=published, fetched_at=published, extracted_at=published)


def read_records(path: Any) -> list[dict[str, Any]]:
    """JSON lines in publication order (then id), as a stream would deliver them."""
    import json
    from pathlib import Path

    lines = Path(path).read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    return sorted(records, key=lambda r: (parse_time(r.get("published")), r["id"]))
