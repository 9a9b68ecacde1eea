"""GET /articles and /articles/{id}: newest first, filters, cursor paging, extracted fields."""

from datetime import timedelta

from fastapi.testclient import TestClient

from tests.unit.api.newsroom import DEMO_STORIES, KURSK, NOW, url_of

ALL_REPORTS = sorted(
    ((story, report) for story in DEMO_STORIES for report in story.reports), key=lambda pair: pair[1].hours_ago
)


def test_articles_are_listed_newest_first(client: TestClient) -> None:
    """Every ingested article, by publication time, newest first."""
    page = client.get("/articles", params={"limit": 100}).json()
    assert page["total"] == len(ALL_REPORTS)
    assert [a["canonical_url"] for a in page["items"]] == [url_of(s, r) for s, r in ALL_REPORTS]


def test_articles_page_by_cursor(client: TestClient) -> None:
    """Three at a time, following next_cursor, gives the same order as one big page."""
    seen, cursor = [], None
    while True:
        page = client.get("/articles", params={"limit": 3} | ({"cursor": cursor} if cursor else {})).json()
        seen += [a["id"] for a in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert seen == [a["id"] for a in client.get("/articles", params={"limit": 100}).json()["items"]]


def test_articles_filter_by_source_story_and_time(client: TestClient) -> None:
    """source=, story= and since= narrow the list."""
    by_source = client.get("/articles", params={"source": "capital-wire"}).json()
    assert by_source["total"] == 2
    story_id = by_source["items"][-1]["story_id"]
    by_story = client.get("/articles", params={"story": story_id}).json()
    assert by_story["total"] == len(KURSK.reports)
    since = (NOW - timedelta(minutes=45)).isoformat()
    assert client.get("/articles", params={"since": since}).json()["total"] == 2


def test_an_article_has_its_extracted_fields(client: TestClient) -> None:
    """GET /articles/{id} adds the text and the extractor's fields to the list's shape."""
    listed = client.get("/articles", params={"source": "harbor-ledger"}).json()["items"][0]
    article = client.get(f"/articles/{listed['id']}").json()
    report = KURSK.reports[3]
    assert article["text"] == f"{report.description} {KURSK.body}"
    assert (article["title"], article["source"]["bias"]) == (report.title, "lean_right")
    assert {"feed_url", "extracted_at", "entities", "quantities", "events", "word_count"} <= article.keys()


def test_an_unknown_article_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/articles/nope")
    assert (response.status_code, response.json()["detail"]) == (404, "no article 'nope'")
