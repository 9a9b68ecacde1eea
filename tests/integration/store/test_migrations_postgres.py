"""Migrations that change stored data on PostgreSQL, run over rows written before them."""

import json

import sqlalchemy as sa
from alembic import command
from store.db import make_engine
from store.migrate import alembic_config, upgrade

STORY = {"bias_counts": {"left": 1, "center": 2}, "centroid": {"title": {"kursk": 1.5}, "body": {"b": 0.25}},
         "coverage": {"sources": 3, "blindspot": None}, "summary": ["One.", "Two."],
         "key_numbers": [{"value": 6000, "text": "6,000"}], "entities": [{"name": "Kursk", "kind": "place"}],
         "event": {"cameo_root": "04", "place": {"name": "Kursk"}}}
ARTICLE = {"authors": ["A. Reporter"], "features": {"title": {"kursk": 1}, "sentences": ["One."]},
           "entities": [{"name": "Kursk", "kind": "place"}], "quantities": [{"value": 6000}], "events": []}


def column_kinds(connection: sa.Connection, table: str) -> dict[str, tuple[str, str]]:
    """Column → (type, compression method: 'l' for LZ4, '' for the default) of the JSON-ish columns."""
    rows = connection.execute(sa.text(
        "select attname, format_type(atttypid, atttypmod), attcompression from pg_attribute "
        "where attrelid = cast(:table as regclass) and format_type(atttypid, atttypmod) in ('json', 'jsonb')"),
        {"table": table})
    return {name: (kind, compression) for name, kind, compression in rows}


def test_0004_turns_jsonb_into_plain_json_keeping_values_and_lz4(postgres_url: str) -> None:
    """Rows stored as JSONB under 0003 read back the same after 0004 and again after its downgrade; the
    LZ4 compression 0003 set survives the change of type."""
    upgrade(postgres_url, "0003")
    engine = make_engine(postgres_url)
    with engine.begin() as connection:
        connection.execute(sa.text("insert into source (id, name, homepage, created_at, updated_at) "
                                   "values ('s', 'S', 'https://s.example', now(), now())"))
        connection.execute(sa.text(
            "insert into story (id, title, key_terms, article_count, source_count, created_at, updated_at, version, "
            "last_change, bias_counts, centroid, coverage, summary, key_numbers, entities, event) values ('st', 'T', "
            "'', 1, 1, now(), now(), 1, 'created', cast(:bias_counts as jsonb), cast(:centroid as jsonb), "
            "cast(:coverage as jsonb), cast(:summary as jsonb), cast(:key_numbers as jsonb), "
            "cast(:entities as jsonb), cast(:event as jsonb))"), {k: json.dumps(v) for k, v in STORY.items()})
        connection.execute(sa.text(
            "insert into article (id, canonical_url, url, feed_url, source_id, story_id, content_hash, text, "
            "word_count, fetched_at, extracted_at, created_at, updated_at, is_copy, authors, features, entities, "
            "quantities, events) values ('a', 'https://s.example/a', 'https://s.example/a', 'https://s.example/f', "
            "'s', 'st', 'h', 'text', 1, now(), now(), now(), now(), false, cast(:authors as jsonb), "
            "cast(:features as jsonb), cast(:entities as jsonb), cast(:quantities as jsonb), cast(:events as jsonb))"),
            {k: json.dumps(v) for k, v in ARTICLE.items()})
        assert column_kinds(connection, "story")["centroid"] == ("jsonb", "l")

    upgrade(postgres_url, "0004")
    with engine.connect() as connection:
        story, article = column_kinds(connection, "story"), column_kinds(connection, "article")
        assert {kind for kind, _ in [*story.values(), *article.values()]} == {"json"}
        assert [c for c, (_, lz4) in story.items() if lz4 == "l"] == ["centroid", "coverage", "content_state"]
        assert [c for c, (_, lz4) in article.items() if lz4 == "l"] == ["features"]
        assert stored(connection) == (STORY, ARTICLE)

    command.downgrade(alembic_config(postgres_url), "0003")
    with engine.connect() as connection:
        assert column_kinds(connection, "story")["centroid"] == ("jsonb", "l")
        assert column_kinds(connection, "article")["entities"] == ("jsonb", "")
        assert stored(connection) == (STORY, ARTICLE)
    engine.dispose()


def stored(connection: sa.Connection) -> tuple[dict, dict]:
    story = connection.execute(sa.text(f"select {', '.join(STORY)} from story")).mappings().one()
    article = connection.execute(sa.text(f"select {', '.join(ARTICLE)} from article")).mappings().one()
    return dict(story), dict(article)
