"""gazetteer: place names to country code and coordinates, offline."""

import pytest

from extractor.gazetteer import gazetteer


def test_region_with_a_generic_word_resolves_to_the_admin_region() -> None:
    """'Kursk region' → Kursk Oblast, RU, placed at Kursk; Ukrainian oblasts likewise."""
    kursk = gazetteer().resolve("Kursk region")
    assert (kursk.name, kursk.country_code, kursk.feature) == ("Kursk Oblast", "RU", "region")
    assert kursk.latitude == pytest.approx(51.73, abs=0.05) and kursk.longitude == pytest.approx(36.18, abs=0.05)
    assert gazetteer().resolve("Kharkiv region").name == "Kharkiv Oblast"


@pytest.mark.parametrize(
    ("mention", "code", "feature"),
    [
        ("Russia", "RU", "country"),
        ("the U.S.", "US", "country"),
        ("Britain", "GB", "country"),
        ("North Korean", "KP", "country"),
        ("N. Korea", "KP", "country"),
        ("S. Korea", "KR", "country"),
        ("Russia's", "RU", "country"),
        ("Kyiv", "UA", "city"),
        ("Pyongyang", "KP", "city"),
        ("Washington", "US", "city"),
        ("California", "US", "region"),
    ],
)
def test_countries_demonyms_cities_and_states(mention: str, code: str, feature: str) -> None:
    """Countries by name or short form, demonyms, cities and US states get a country code and coordinates."""
    place = gazetteer().resolve(mention)
    assert (place.country_code, place.feature) == (code, feature)
    assert place.latitude is not None and place.longitude is not None


def test_unknown_names_resolve_to_nothing() -> None:
    """A made-up name is not a place."""
    assert gazetteer().resolve("Zzyzxville") is None
    assert gazetteer().resolve("") is None


def test_plural_demonyms_and_organisations_named_like_towns() -> None:
    """'Palestinians' → PS; 'Hamas' is an alternate name of Hamm, ignored for organisations."""
    assert gazetteer().resolve("Palestinians").country_code == "PS"
    assert gazetteer().resolve("Israelis").country_code == "IL"
    assert gazetteer().resolve("Hamas", primary_names_only=True) is None
    assert gazetteer().resolve("Beijing", primary_names_only=True).country_code == "CN"
