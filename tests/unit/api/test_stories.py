"""GET /stories and /stories/{id}: filters, sorting, cursor paging, and a story's full state."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.unit.api.newsroom import KURSK, NOW, OUTLETS, RATES, WILDFIRE


def titles(page: dict) -> list[str]:
    return [story["title"] for story in page["items"]]


def kursk_of(client: TestClient) -> dict:
    page = client.get("/stories", params={"source": "open-wire"}).json()
    (story,) = page["items"]
    return story


def test_stories_come_latest_first_with_their_counts(client: TestClient) -> None:
    """The default list puts the story changed last first and shows article and source counts."""
    page = client.get("/stories").json()
    assert page["total"] == 3
    counts = [(s["article_count"], s["source_count"]) for s in page["items"]]
    assert counts == [(1, 1), (len(RATES.reports), 3), (len(KURSK.reports), 5)]
    assert page["next_cursor"] is None


def test_most_covered_sorts_by_distinct_sources(client: TestClient) -> None:
    """sort=most_covered puts the story with the most outlets first."""
    page = client.get("/stories", params={"sort": "most_covered"}).json()
    assert [s["source_count"] for s in page["items"]] == [5, 3, 1]


@pytest.mark.parametrize("sort", ["latest", "most_covered"])
def test_a_cursor_walks_the_list_without_repeats_or_gaps(client: TestClient, sort: str) -> None:
    """Following next_cursor one story at a time yields each story once, in the same order as one page."""
    whole = [s["id"] for s in client.get("/stories", params={"sort": sort}).json()["items"]]
    seen, cursor = [], None
    while True:
        params = {"sort": sort, "limit": 1} | ({"cursor": cursor} if cursor else {})
        page = client.get("/stories", params=params).json()
        seen += [s["id"] for s in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == whole


def test_a_cursor_from_another_sort_is_refused(client: TestClient) -> None:
    """A cursor is bound to its sort order: reusing it elsewhere is a 400 problem, not a wrong page."""
    cursor = client.get("/stories", params={"limit": 1}).json()["next_cursor"]
    response = client.get("/stories", params={"sort": "most_covered", "cursor": cursor})
    assert response.status_code == 400
    assert "another list or sort" in response.json()["detail"]


def test_legacy_offset_paging_still_works(client: TestClient) -> None:
    """limit and offset slice the latest-first list, for clients written before cursors."""
    page = client.get("/stories", params={"limit": 1, "offset": 2}).json()
    assert (page["offset"], page["total"]) == (2, 3)
    assert [s["source_count"] for s in page["items"]] == [len(KURSK.reports)]


def test_stories_filter_by_source_and_min_sources(client: TestClient) -> None:
    """source= keeps stories with an article from that outlet; min_sources= those with enough outlets."""
    by_source = client.get("/stories", params={"source": "lakeside-times"}).json()
    assert sorted(s["source_count"] for s in by_source["items"]) == [1, 3]
    assert [s["source_count"] for s in client.get("/stories", params={"min_sources": 3}).json()["items"]] == [3, 5]


def test_stories_filter_by_time_range(client: TestClient) -> None:
    """since/until bound when a story last changed (each report is ingested 5 minutes after it is published)."""
    since = (NOW - timedelta(minutes=20)).isoformat()
    assert titles(client.get("/stories", params={"since": since}).json()) == [WILDFIRE.reports[0].title]
    until = (NOW - timedelta(minutes=50)).isoformat()
    assert client.get("/stories", params={"until": until}).json()["total"] == 1
    empty = client.get("/stories", params={"since": NOW.isoformat(), "until": NOW.isoformat()})
    assert empty.status_code == 422


def test_state_filters_page_without_a_total(client: TestClient) -> None:
    """entity, country and blindspot read each story's state: their pages carry no total."""
    page = client.get("/stories", params={"entity": "zzz-nobody"}).json()
    assert (page["items"], page["total"], page["next_cursor"]) == ([], None, None)
    assert client.get("/stories", params={"country": "ZZ"}).json()["items"] == []
    assert client.get("/stories", params={"blindspot": "any", "offset": 0}).status_code == 400


def test_blindspot_filter_matches_the_writers_verdict(client: TestClient) -> None:
    """blindspot=any returns exactly the stories whose coverage names a blindspot."""
    expected = set()
    for story in client.get("/stories").json()["items"]:
        if client.get(f"/stories/{story['id']}").json()["coverage"]["blindspot"]:
            expected.add(story["id"])
    found = {s["id"] for s in client.get("/stories", params={"blindspot": "any"}).json()["items"]}
    assert found == expected


def test_a_story_has_its_coverage_and_articles_grouped_by_leaning(client: TestClient) -> None:
    """GET /stories/{id}: coverage as ingested (distinct sources, shares of the rated ones), articles by side."""
    detail = client.get(f"/stories/{kursk_of(client)['id']}").json()
    coverage = detail["coverage"]
    assert (coverage["articles"], coverage["sources"]) == (5, 5)
    three_way = coverage["bias_3way"]
    assert (three_way["rated"], three_way["unrated"]) == (4, 1)
    assert {k: v["percent"] for k, v in three_way["buckets"].items()} == {"left": 25, "center": 50, "right": 25}
    assert coverage["first_reported"]["source_id"] == "capital-wire"  # published 6 hours before NOW
    groups = {g["leaning"]: [a["source"]["id"] for a in g["articles"]] for g in detail["articles_by_leaning"]}
    assert groups == {"left": ["meridian-post"], "center": ["northwind-herald", "capital-wire"],
                      "right": ["harbor-ledger"], "unrated": ["open-wire"]}
    assert [g["leaning"] for g in detail["articles_by_leaning"]] == ["left", "center", "right", "unrated"]
    assert len(detail["articles"]) == 5
    assert {"summary", "key_numbers", "entities", "event"} <= detail.keys()


def test_a_story_reports_its_key_numbers_with_source_counts(client: TestClient) -> None:
    """Every Kursk outlet reports 6,000; the key number says so."""
    detail = client.get(f"/stories/{kursk_of(client)['id']}").json()
    sources_by_text = {n["text"]: n["sources"] for n in detail["key_numbers"]}
    assert sources_by_text.get("6,000") == len(KURSK.reports)


def test_an_unknown_story_is_a_404_problem(client: TestClient) -> None:
    """A missing story is a problem document naming the id."""
    response = client.get("/stories/nope")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() | {"instance": None} == {
        "type": "about:blank", "title": "Not Found", "status": 404, "detail": "no story 'nope'", "instance": None,
    }


def test_the_wildfire_story_keeps_hostile_text_as_data(client: TestClient) -> None:
    """The API returns titles verbatim (escaping is the renderer's job), with the outlet's ratings."""
    (story,) = client.get("/stories", params={"min_sources": 1, "source": "lakeside-times",
                                              "since": (NOW - timedelta(minutes=20)).isoformat()}).json()["items"]
    assert story["title"] == WILDFIRE.reports[0].title
    assert story["bias_counts"] == {OUTLETS["lakeside-times"].bias.value: 1}
