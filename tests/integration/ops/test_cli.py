"""The `newsflow` command against real Redis and SQLite: status, backfill, db upgrade, recluster, and the store's
commands on a database they cannot use."""

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from faststream.redis.parser.binary import BinaryMessageFormatV1
from newsflow_shared import streams
from newsflow_shared.cli import main
from newsflow_shared.contracts.raw_articles import ArticleFetched
from redis import Redis
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

REPO = Path(__file__).resolve().parents[3]
UNREACHABLE = "postgresql+psycopg://nobody:secret@127.0.0.1:1/none"  # nothing listens on port 1

ARTICLE = """<html><head><title>{title}</title>{link}</head><body><article><h1>{title}</h1>
<p>{body}</p></article></body></html>"""


def page(title: str, canonical: str | None = None) -> str:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return ARTICLE.format(title=title, link=link, body="Engineers and deminers arrived in Kursk. " * 20)


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False, prog_name="newsflow")
    return result.exit_code, result.output


def raw_articles(redis_url: str) -> list[tuple[ArticleFetched, dict]]:
    with Redis.from_url(redis_url) as redis:
        entries = redis.xrange(streams.RAW_ARTICLES)
    decoded = []
    for _, fields in entries:
        body, headers = BinaryMessageFormatV1.parse(fields[b"__data__"])
        decoded.append((ArticleFetched.model_validate_json(body), headers))
    return decoded


def test_status_shows_streams_groups_dead_letters_and_throughput(redis_url: str) -> None:
    """`newsflow status` reports each stream's length, each group's lag and pending, dead letters and throughput."""
    with Redis.from_url(redis_url) as redis:
        redis.xgroup_create(streams.RAW_ARTICLES, "extractor", id="0", mkstream=True)
        for n in range(4):
            redis.xadd(streams.RAW_ARTICLES, {"n": str(n)})
        redis.xreadgroup("extractor", "e1", {streams.RAW_ARTICLES: ">"}, count=1)
        redis.xadd(streams.dead_letter_stream("extractor"), {"json": "{}"})
    code, text = run("status", "--redis-url", redis_url)
    assert code == 0, text
    assert "newsflow:articles:raw                 4" in text
    assert "extractor        newsflow:articles:raw                  1       3       1" in text
    assert "extractor        newsflow:dead:extractor                1" in text
    assert "fetcher               4 published to newsflow:articles:raw" in text

    code, text = run("status", "--redis-url", redis_url, "--json", "--window", "60")
    report = json.loads(text)
    assert report["groups"][0] | {"oldest_pending_age_s": 0} == {
        "stream": streams.RAW_ARTICLES, "group": "extractor", "consumers": 1, "pending": 1, "lag": 3,
        "entries_read": 1, "last_delivered_id": report["groups"][0]["last_delivered_id"], "oldest_pending_age_s": 0}
    assert report["dead_letters"] == {"extractor": 1, "store": 0}
    assert report["throughput"] == {"window_s": 60, "published": {"fetcher": 4, "extractor": 0, "store": 0}}


@pytest.mark.parametrize("command", [("status",), ("dlq", "list"), ("dlq", "show", "1-0"), ("dlq", "replay", "--all")])
def test_commands_say_when_redis_is_unreachable(command: tuple[str, ...]) -> None:
    """No traceback: one line naming the Redis URL (its password hidden), exit code 1."""
    code, text = run(*command, env={"REDIS_URL": "redis://:hunter2@127.0.0.1:1/0"})  # nothing listens on port 1
    assert code == 1
    assert text.startswith("Error: cannot reach Redis at redis://:***@127.0.0.1:1/0: "), text
    assert "hunter2" not in text


def test_backfill_publishes_a_directory_of_pages_onto_the_raw_stream(redis_url: str, tmp_path: Path) -> None:
    """Each .html file becomes one ArticleFetched with its own correlation id; URLs come from the canonical
    link or --base-url plus the file's path; the source's ratings come from the sources file."""
    archive = tmp_path / "archive"
    (archive / "world").mkdir(parents=True)
    (archive / "world" / "kursk.html").write_text(page("Kursk", "https://herald.example/world/kursk-engineers"))
    (archive / "world" / "deminers.htm").write_text(page("Deminers"))
    (archive / "notes.txt").write_text("not a page")
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n  - id: herald\n    name: The Herald\n    bias: lean_left\n    factuality: high\n"
                       "    feeds:\n      - url: https://herald.example/feed.xml\n")
    code, text = run("backfill", str(archive), "--source", "herald", "--sources-file", str(sources),
                     "--base-url", "https://herald.example/archive/", "--redis-url", redis_url)
    assert code == 0, text
    assert "published 2 pages to newsflow:articles:raw; skipped 0" in text
    published = raw_articles(redis_url)
    assert sorted(a.canonical_url for a, _ in published) == [
        "https://herald.example/archive/world/deminers.htm", "https://herald.example/world/kursk-engineers"]
    assert {(a.source.name, a.source.bias) for a, _ in published} == {("The Herald", "lean_left")}
    assert len({h["correlation_id"] for _, h in published}) == 2
    assert all(h["schema_version"] == "1" and h["contract"] == "ArticleFetched" for _, h in published)
    assert all("Engineers and deminers" in a.page_html() for a, _ in published)


def test_backfill_skips_pages_it_cannot_place_and_says_why(redis_url: str, tmp_path: Path) -> None:
    """Without a canonical link or --base-url a page has no URL: it is skipped and named, the rest go through."""
    (tmp_path / "placed.html").write_text(page("Placed", "https://herald.example/placed"))
    (tmp_path / "lost.html").write_text(page("Lost"))
    code, text = run("backfill", str(tmp_path), "--source", "herald", "--redis-url", redis_url)
    assert code == 0
    assert "skipped lost.html: no absolute canonical link and no --base-url" in text
    assert "published 1 pages" in text
    (article, _), = raw_articles(redis_url)
    assert (article.source.id, article.source.name, article.source.bias) == ("herald", "herald", None)


def test_backfill_skips_a_page_too_large_for_the_extractor_and_names_it(redis_url: str, tmp_path: Path) -> None:
    """The services' publish-time size limit applies to backfill too: the big page is skipped, not sent."""
    (tmp_path / "small.html").write_text(page("Small", "https://herald.example/small"))
    big = page("Big", "https://herald.example/big").replace("</p>", "<p>" + "word " * 20_000 + "</p>")
    (tmp_path / "big.html").write_text(big)
    code, text = run("backfill", str(tmp_path), "--source", "herald", "--redis-url", redis_url,
                     "--max-message-bytes", "30000")
    assert code == 0, text
    assert "skipped https://herald.example/big: message for newsflow:articles:raw of" in text
    assert "published 1 pages" in text
    assert [a.canonical_url for a, _ in raw_articles(redis_url)] == ["https://herald.example/small"]


def write_warc(path: Path, records: list[tuple[str, int, str, bytes]]) -> None:
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for url, status, content_type, body in records:
            headers = StatusAndHeaders(f"{status} X", [("Content-Type", content_type)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=headers))


def test_backfill_publishes_the_html_responses_of_a_warc_file(redis_url: str, tmp_path: Path) -> None:
    """HTML 200 responses become articles at their WARC target URI; other records are passed over or skipped."""
    warc = tmp_path / "crawl.warc.gz"
    write_warc(warc, [
        ("https://herald.example/a", 200, "text/html; charset=utf-8", page("A").encode()),
        ("https://herald.example/logo.png", 200, "image/png", b"\x89PNG"),
        ("https://herald.example/gone", 404, "text/html", b"<html>gone</html>"),
        ("https://herald.example/b", 200, "text/html; charset=iso-8859-1", page("Café").encode("latin-1")),
    ])
    code, text = run("backfill", str(warc), "--source", "herald", "--redis-url", redis_url)
    assert code == 0, text
    assert "published 2 pages to newsflow:articles:raw; skipped 1" in text
    assert "skipped https://herald.example/gone: HTTP status 404" in text
    published = [a for a, _ in raw_articles(redis_url)]
    assert [a.canonical_url for a in published] == ["https://herald.example/a", "https://herald.example/b"]
    assert "<h1>Café</h1>" in published[1].page_html()
    assert published[0].feed.feed_url == "warc:crawl.warc.gz"


def test_backfill_says_when_a_warc_file_is_cut_short(redis_url: str, tmp_path: Path) -> None:
    """warcio stops quietly at a gzip member cut short: the import must not look complete."""
    warc = tmp_path / "crawl.warc.gz"
    write_warc(warc, [(f"https://herald.example/{n}", 200, "text/html", page(f"P{n}").encode()) for n in range(9)])
    data = warc.read_bytes()
    # A download interrupted inside a record (a cut between two records leaves a valid, shorter WARC).
    warc.write_bytes(data[:len(data) * 2 // 3 + 25])
    code, text = run("backfill", str(warc), "--source", "herald", "--redis-url", redis_url)
    published = len(raw_articles(redis_url))
    assert code == 1 and 0 < published < 9
    assert (f"Error: {warc} is cut short or corrupt (Compressed file ended before the end-of-stream marker was "
            f"reached); the {published} pages before that point were published") in text


def test_backfill_says_when_a_file_is_no_warc_at_all(redis_url: str, tmp_path: Path) -> None:
    warc = tmp_path / "crawl.warc.gz"
    warc.write_bytes(b"\x1f\x8b\x08\x00garbage\x1b[31mgarbage" * 50)
    code, text = run("backfill", str(warc), "--source", "herald", "--redis-url", redis_url)
    assert code == 1
    assert f"Error: cannot read {warc} as a WARC file: Unknown archive format" in text
    assert "\x1b" not in text  # the file's bytes are escaped, not sent to the terminal
    assert "the 0 pages before that point were published" in text


def test_backfill_refuses_a_file_that_is_not_a_warc(tmp_path: Path, redis_url: str) -> None:
    (tmp_path / "x.zip").write_bytes(b"PK")
    code, text = run("backfill", str(tmp_path / "x.zip"), "--source", "herald", "--redis-url", redis_url)
    assert code == 2 and "expected a directory or a .warc / .warc.gz file" in text


def test_db_upgrade_then_recluster_on_sqlite(sqlite_url: str) -> None:
    """`newsflow db upgrade` migrates to head; `newsflow recluster` runs store.recluster on that database."""
    from sqlalchemy import create_engine
    from store.migrate import current_revision, head_revision

    code, text = run("db", "upgrade", "--database-url", sqlite_url)
    assert code == 0, text
    engine = create_engine(sqlite_url)
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()
    code, text = run("recluster", "--since", "2020-01-01T00:00:00", env={"DATABASE_URL": sqlite_url})
    assert code == 0, text
    assert "re-clustered 0 articles" in text


def test_recluster_passes_usage_errors_through() -> None:
    """Options are store.recluster's own: a missing --since is its usage error, exit 2."""
    code, _ = run("recluster")
    assert code == 2


@pytest.mark.parametrize("url", ["mysql://x/y", "not a url"])
def test_db_upgrade_rejects_unsupported_database_urls(url: str) -> None:
    code, text = run("db", "upgrade", "--database-url", url)
    assert code == 1 and "DATABASE_URL must be" in text


def test_recluster_refuses_a_range_that_ends_before_it_starts(sqlite_url: str) -> None:
    code, text = run("recluster", "--since", "2026-12-01", "--until", "2026-11-01", env={"DATABASE_URL": sqlite_url})
    assert code == 2
    assert ("newsflow recluster: error: --since (2026-12-01T00:00:00+00:00) must be before --until "
            "(2026-11-01T00:00:00+00:00)") in text


@pytest.mark.parametrize("command", [
    ("recluster", "--since", "2026-11-01"),
    ("sources", "apply-ratings", "--sources-file", str(REPO / "demo/sources.compose.yaml"), "--dry-run"),
])
def test_store_commands_say_in_one_line_why_they_cannot_use_the_database(command: tuple[str, ...],
                                                                         sqlite_url: str) -> None:
    """Unreachable, or never migrated: the reason and what to do, not a driver's traceback from the first query."""
    name = " ".join(command[:2] if command[0] == "sources" else command[:1])
    code, text = run(*command, env={"DATABASE_URL": UNREACHABLE})
    assert code == 1
    assert (f"newsflow {name}: error: cannot reach the database at postgresql+psycopg://nobody:***@127.0.0.1:1/none: "
            "connection failed") in text
    assert "secret" not in text and "Traceback" not in text
    code, text = run(*command, env={"DATABASE_URL": sqlite_url})  # a database nobody migrated
    assert code == 1
    assert f"newsflow {name}: error: {sqlite_url} has no store schema: run `python -m store.migrate` " in text


def test_db_upgrade_says_when_the_database_cannot_be_reached() -> None:
    code, text = run("db", "upgrade", "--database-url", UNREACHABLE)
    assert code == 1
    assert "Error: cannot reach the database at postgresql+psycopg://nobody:***@127.0.0.1:1/none" in text
    assert "secret" not in text
