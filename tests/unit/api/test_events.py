"""Events: GET /events and the streamed GDELT TSV and JSON-lines exports of a time range."""

import json
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from newsflow_shared.contracts.enrichment import Actor, Entity, Event, Place
from store.api import build_api
from store.settings import ApiSettings
from store.testing import migrated_engine
from store.web.gdelt import COLUMNS

from tests.unit.api.newsroom import KURSK, NOW, RATES, ingest_story

KURSK_OBLAST = Place(name="Kursk Oblast", country_code="RU", feature="region", latitude=51.5, longitude=36.0,
                     geoname_id=538555)
DEPLOYMENT = Event(
    actor1=Actor(name="North Korea", country_code="PRK", type="government"),
    actor2=Actor(name="Russia", country_code="RUS", type="government"),
    cameo_root="07", action="provide aid", verb="send", quad_class=2, goldstein=7.0, place=KURSK_OBLAST,
    event_date=date(2026, 11, 4), sentence="North Korea will send 6,000 personnel to Kursk.", confidence=0.9,
)
ENTITIES = [Entity(name="Kursk", kind="place", mentions=2, place=KURSK_OBLAST),
            Entity(name="Sergei Shoigu", kind="person", mentions=1)]
RANGE = {"since": (NOW - timedelta(days=1)).isoformat(), "until": (NOW + timedelta(hours=1)).isoformat()}


@pytest.fixture
def client(sqlite_url: str) -> Iterator[TestClient]:
    """Kursk reported with its event and entities in every article; the rate story without any."""
    engine = migrated_engine(sqlite_url)
    ingest_story(engine, KURSK, events=[DEPLOYMENT], entities=ENTITIES)
    ingest_story(engine, RATES)
    engine.dispose()
    with TestClient(build_api(ApiSettings(DATABASE_URL=sqlite_url))) as client:
        yield client


def kursk_id(client: TestClient) -> str:
    return client.get("/stories", params={"min_sources": 5}).json()["items"][0]["id"]


def test_a_story_carries_the_event_its_articles_report(client: TestClient) -> None:
    """The story's event record is the one its articles carried."""
    event = client.get(f"/stories/{kursk_id(client)}").json()["event"]
    assert Event.model_validate(event) == DEPLOYMENT


def test_events_list_each_storys_event(client: TestClient) -> None:
    """GET /events: one record per story that has an event, with its counts and first report."""
    page = client.get("/events").json()
    (record,) = page["items"]
    assert record["story_id"] == kursk_id(client)
    assert (record["num_articles"], record["num_sources"]) == (5, 5)
    assert record["source_url"] == "https://capital-wire.example/n-korea-kursk-6000-personnel.html"
    assert Event.model_validate(record["event"]) == DEPLOYMENT


def test_stories_filter_by_entity_and_country(client: TestClient) -> None:
    """entity= matches a story entity's name, country= its event's place or actors."""
    kursk = kursk_id(client)
    for params in ({"entity": "shoigu"}, {"country": "ru"}, {"country": "PRK"}):
        assert [s["id"] for s in client.get("/stories", params=params).json()["items"]] == [kursk], params
    assert client.get("/stories", params={"country": "FR"}).json()["items"] == []


def test_the_tsv_export_is_gdelt_shaped(client: TestClient) -> None:
    """One 61-column row per event, GDELT's column order, streamed as tab-separated values."""
    response = client.get("/exports/events.tsv", params=RANGE | {"header": True})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/tab-separated-values")
    assert "attachment" in response.headers["content-disposition"]
    header, *rows = response.text.splitlines()
    assert header.split("\t") == COLUMNS
    (row,) = rows
    fields = dict(zip(COLUMNS, row.split("\t"), strict=True))
    assert fields["Day"] == "20261104" and fields["MonthYear"] == "202611" and fields["Year"] == "2026"
    assert (fields["Actor1Code"], fields["Actor1Name"], fields["Actor1Type1Code"]) == ("PRKGOV", "NORTH KOREA", "GOV")
    assert (fields["EventRootCode"], fields["QuadClass"], fields["GoldsteinScale"]) == ("07", "2", "7.0")
    assert (fields["NumSources"], fields["NumArticles"]) == ("5", "5")
    assert (fields["ActionGeo_Type"], fields["ActionGeo_FullName"], fields["ActionGeo_FeatureID"]) == (
        "5", "Kursk Oblast", "538555")
    assert fields["SOURCEURL"].endswith("n-korea-kursk-6000-personnel.html")
    assert len(fields["DATEADDED"]) == 14


def test_the_jsonl_export_matches_the_events_list(client: TestClient) -> None:
    """The JSON-lines export holds the same records as GET /events, one per line."""
    response = client.get("/exports/events.jsonl", params=RANGE)
    assert response.headers["content-type"] == "application/x-ndjson"
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert lines == client.get("/events").json()["items"]


def test_exports_keep_to_their_time_range(client: TestClient) -> None:
    """Stories changed outside [since, until) are left out; spans over a year are refused."""
    earlier = {"since": (NOW - timedelta(days=3)).isoformat(), "until": (NOW - timedelta(days=2)).isoformat()}
    assert client.get("/exports/events.jsonl", params=earlier).text == ""
    too_long = {"since": (NOW - timedelta(days=400)).isoformat(), "until": NOW.isoformat()}
    response = client.get("/exports/events.tsv", params=too_long)
    assert (response.status_code, response.headers["content-type"]) == (400, "application/problem+json")
