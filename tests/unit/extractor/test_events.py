"""events: who did what to whom, from the lead's dependency parse and the CAMEO verb lexicon."""

from datetime import UTC, datetime

import pytest

from newsflow_shared.contracts.enrichment import ActorType, Event, QuadClass
from tests.unit.extractor.analysis_support import analyser

PUBLISHED = datetime(2025, 6, 18, 9, tzinfo=UTC)


def events(text: str, title: str | None = None) -> list[Event]:
    return analyser().analyse(title=title, text=text, language="en", published=PUBLISHED)["events"]


def test_the_kursk_deployment_is_aid_from_north_korea_to_russia() -> None:
    """'North Korea plans to deploy 6,000 … to Russia's Kursk region' → PRK gives aid (07) to RUS, in Kursk."""
    (event, *_) = events(
        "North Korea plans to deploy 6,000 military construction personnel and deminers to Russia's Kursk region."
    )
    assert (event.actor1.name, event.actor1.country_code, event.actor1.type) == (
        "North Korea", "PRK", ActorType.GOVERNMENT,
    )
    assert (event.actor2.name, event.actor2.country_code) == ("Russia", "RUS")
    assert (event.cameo_root, event.action, event.verb) == ("07", "provide aid", "deploy")
    assert event.quad_class is QuadClass.MATERIAL_COOPERATION and event.goldstein == 7.0
    assert (event.place.name, event.place.country_code) == ("Kursk Oblast", "RU")
    assert event.place.latitude == pytest.approx(51.73, abs=0.05)
    assert (event.quantity.value, event.quantity.counted) == (6000.0, "military construction personnel")
    assert event.event_date == PUBLISHED.date()
    assert event.sentence.startswith("North Korea plans to deploy")
    assert 0.7 <= event.confidence <= 1


def test_a_reporting_verb_gives_way_to_the_event_it_reports() -> None:
    """'X said on Tuesday that Y attacked Z': the event is the attack, dated by the sentence's weekday."""
    (event, *_) = events("Ukraine's military said on Tuesday that Russian forces attacked Kharkiv.")
    assert (event.cameo_root, event.verb) == ("19", "attack")
    assert (event.actor1.country_code, event.actor1.type) == ("RUS", ActorType.MILITARY)
    assert event.actor2.country_code == "UKR"
    assert event.quad_class is QuadClass.MATERIAL_CONFLICT
    assert event.event_date == datetime(2025, 6, 17).date()


def test_passive_voice_swaps_the_actors() -> None:
    """'Protesters were arrested by the police in Paris': the police (actor 1) coerce protesters (actor 2)."""
    (event, *_) = events("Dozens of protesters were arrested by French police in Paris on Sunday.")
    assert (event.cameo_root, event.action) == ("17", "coerce")
    assert (event.actor1.type, event.actor1.country_code) == (ActorType.POLICE, "FRA")
    assert event.actor2.type is ActorType.CIVILIAN
    assert (event.place.name, event.place.country_code) == ("Paris", "FR")


def test_a_statement_alone_is_a_public_statement_with_lower_confidence() -> None:
    """With nothing reported but speech, the event is CAMEO 01 with the speaker as actor 1."""
    (event, *_) = events("The Kremlin said the talks were useful.")
    assert event.cameo_root == "01" and event.actor1.country_code == "RUS"
    assert event.actor1.type is ActorType.GOVERNMENT
    assert event.confidence < 0.7


def test_a_sentence_without_actors_gives_no_event() -> None:
    """Weather is not an event between actors."""
    assert events("Heavy rain fell overnight and the rivers rose.") == []


@pytest.mark.parametrize("dateline", ["SEOUL, Aug. 20 (Yonhap) -- ", "SEOUL (Reuters) - ", "SEOUL — "])
def test_a_wire_dateline_is_not_the_lead_sentences_subject(dateline: str) -> None:
    """The dateline's city is where the story was filed, not who acted: the actor is the sentence's subject."""
    (event, *_) = events(f"{dateline}North Korea's official newspaper blasted South Korea on Tuesday for a joint drill.")
    assert event.actor1.country_code == "PRK" and event.actor2.country_code == "KOR"
    assert event.cameo_root == "11"
    assert event.sentence.startswith("North Korea")


def test_the_place_may_hang_off_the_object_or_the_main_verb() -> None:
    """'met Xi in Beijing' attaches the place to Xi; '…, killing three' takes the main clause's place."""
    (meeting, *_) = events("Russian President Vladimir Putin met Chinese leader Xi Jinping in Beijing on Tuesday.")
    assert (meeting.actor1.name, meeting.actor1.country_code) == ("Vladimir Putin", "RUS")
    assert (meeting.actor2.name, meeting.actor2.country_code) == ("Xi Jinping", "CHN")
    assert (meeting.cameo_root, meeting.place.name, meeting.place.country_code) == ("04", "Beijing", "CN")
    raid = events("Israeli troops raided a refugee camp in the West Bank, killing three Palestinians.")
    killing = next(e for e in raid if e.actor2 is not None)
    assert (killing.actor2.name, killing.actor2.country_code) == ("Palestinians", "PSE")
    assert killing.actor2.type is not ActorType.GOVERNMENT  # people of a country, not its government
    assert killing.place.country_code == "PS"


def test_an_organisation_is_not_a_town_that_shares_its_alternate_name() -> None:
    """geonames lists 'Hamas' as a name of Hamm, Germany; the organisation gets no country from it."""
    (event, *_) = events("Hamas released 13 Israeli hostages on Friday.")
    assert (event.actor1.name, event.actor1.country_code) == ("Hamas", None)
    assert (event.cameo_root, event.actor2.country_code, event.quantity.value) == ("08", "ISR", 13.0)


def test_imposing_sanctions_reduces_relations() -> None:
    """'impose' alone is not in the lexicon; with 'sanctions' as its object it is CAMEO 16."""
    (event, *_) = events("The European Union imposed new sanctions on Iran over drone exports.")
    assert (event.cameo_root, event.actor1.type, event.actor2.country_code) == ("16", ActorType.INTERNATIONAL, "IRN")


def test_a_subjects_own_place_gives_its_country_and_the_events_place() -> None:
    """'Police in Paris arrested …': French police, in Paris."""
    (event, *_) = events("Police in Paris arrested dozens of protesters after clashes near the Place de la Concorde.")
    assert (event.cameo_root, event.actor1.type, event.actor1.country_code) == ("17", ActorType.POLICE, "FRA")
    assert (event.place.name, event.place.country_code) == ("Paris", "FR")


def test_a_place_deeper_in_the_clause_and_conjoined_subjects() -> None:
    """'from a truck in Veracruz' places the rescue; 'Saudi Arabia and Iran signed' has Iran as actor 2."""
    (rescue, *_) = events("Mexican authorities rescued 200 migrants from a truck in Veracruz.")
    assert (rescue.actor1.country_code, rescue.place.name) == ("MEX", "Veracruz")
    (deal, *_) = events("Saudi Arabia and Iran signed an agreement in Beijing to restore diplomatic relations.")
    assert (deal.actor1.country_code, deal.actor2.country_code, deal.place.country_code) == ("SAU", "IRN", "CN")
