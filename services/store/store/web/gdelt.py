"""Event records in GDELT 2.0's event-table layout (61 tab-separated columns, no header), and as JSON lines.

What we know fills its column; the rest stay empty, as GDELT leaves unknown fields. Two departures,
documented in docs/api.md: geographic country codes are ISO 3166-1 alpha-2 (GDELT uses FIPS 10-4), and
event codes carry the CAMEO root only (EventCode = EventBaseCode = EventRootCode).
"""

from datetime import date

from newsflow_shared.contracts.enrichment import Actor, ActorType, Place

from store.schemas import EventRecord

COLUMNS = ["GlobalEventID", "Day", "MonthYear", "Year", "FractionDate", "Actor1Code", "Actor1Name", "Actor1CountryCode", "Actor1KnownGroupCode", "Actor1EthnicCode", "Actor1Religion1Code", "Actor1Religion2Code", "Actor1Type1Code", "Actor1Type2Code", "Actor1Type3Code", "Actor2Code", "Actor2Name", "Actor2CountryCode", "Actor2KnownGroupCode", "Actor2EthnicCode", "Actor2Religion1Code", "Actor2Religion2Code", "Actor2Type1Code", "Actor2Type2Code", "Actor2Type3Code", "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale", "NumMentions", "NumSources", "NumArticles", "AvgTone", "Actor1Geo_Type", "Actor1Geo_FullName", "Actor1Geo_CountryCode", "Actor1Geo_ADM1Code", "Actor1Geo_ADM2Code", "Actor1Geo_Lat", "Actor1Geo_Long", "Actor1Geo_FeatureID", "Actor2Geo_Type", "Actor2Geo_FullName", "Actor2Geo_CountryCode", "Actor2Geo_ADM1Code", "Actor2Geo_ADM2Code", "Actor2Geo_Lat", "Actor2Geo_Long", "Actor2Geo_FeatureID", "ActionGeo_Type", "ActionGeo_FullName", "ActionGeo_CountryCode", "ActionGeo_ADM1Code", "ActionGeo_ADM2Code", "ActionGeo_Lat", "ActionGeo_Long", "ActionGeo_FeatureID", "DATEADDED", "SOURCEURL"]

CAMEO_TYPE = {
    ActorType.GOVERNMENT: "GOV", ActorType.MILITARY: "MIL", ActorType.POLICE: "COP",
    ActorType.OPPOSITION: "OPP", ActorType.REBEL: "REB", ActorType.BUSINESS: "BUS",
    ActorType.MEDIA: "MED", ActorType.CIVILIAN: "CVL", ActorType.INTERNATIONAL: "IGO",
}
# GDELT's geo types: 1 country, 4 world city, 5 world state (ADM1).
GEO_TYPE = {"country": "1", "city": "4", "region": "5"}


def clean(value: object) -> str:
    """One field: no tab or line break may survive, or the row would split."""
    if value is None:
        return ""
    return " ".join(str(value).split())


def actor_fields(actor: Actor | None) -> list[str]:
    if actor is None:
        return [""] * 10
    country = actor.country_code or ""
    type_code = CAMEO_TYPE.get(actor.type, "")
    return [country + type_code, actor.name.upper(), country, "", "", "", "", type_code, "", ""]


def geo_fields(place: Place | None) -> list[object]:
    if place is None:
        return [""] * 8
    return [GEO_TYPE.get(place.feature or "", ""), place.name, place.country_code, "", "",
            place.latitude, place.longitude, place.geoname_id]


def fraction_date(day: date) -> str:
    return f"{day.year + (day.timetuple().tm_yday - 1) / 365:.4f}"


def gdelt_row(record: EventRecord) -> list[str]:
    event = record.event
    day = event.event_date or record.date_added.date()
    fields: list[object] = [
        record.global_event_id, day.strftime("%Y%m%d"), day.strftime("%Y%m"), day.year, fraction_date(day),
        *actor_fields(event.actor1), *actor_fields(event.actor2),
        1, event.cameo_root, event.cameo_root, event.cameo_root, int(event.quad_class), event.goldstein,
        record.num_articles, record.num_sources, record.num_articles, "",
        *geo_fields(None), *geo_fields(None), *geo_fields(event.place),
        record.date_added.strftime("%Y%m%d%H%M%S"), record.source_url,
    ]
    return [clean(field) for field in fields]


def tsv_line(record: EventRecord) -> str:
    return "\t".join(gdelt_row(record)) + "\n"


def header_line() -> str:
    return "\t".join(COLUMNS) + "\n"


def jsonl_line(record: EventRecord) -> str:
    return record.model_dump_json() + "\n"
