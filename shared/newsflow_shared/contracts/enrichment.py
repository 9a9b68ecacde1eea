"""What the extractor reads out of an article's text: entities, numbers, quotes, dates, events.

Carried inside `ArticleExtracted` (all optional, so a message without them is still valid). The
event record follows GDELT 2.0's event table closely enough to be exported in that shape.
"""

from datetime import date
from enum import IntEnum, StrEnum

from pydantic import Field

from newsflow_shared.contracts.base import Part


class EntityKind(StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"
    PLACE = "place"
    GROUP = "group"  # nationalities, religious and political groups (spaCy's NORP)


class Place(Part):
    """A place resolved against the offline gazetteer."""

    name: str = Field(description="The gazetteer's name, e.g. 'Kursk Oblast'.")
    country_code: str | None = Field(default=None, description="ISO 3166-1 alpha-2, e.g. 'RU'.")
    feature: str | None = Field(default=None, description="country, region or city.")
    latitude: float | None = None
    longitude: float | None = None
    geoname_id: int | None = None


class Entity(Part):
    name: str = Field(description="Canonical surface form (the longest mention).")
    kind: EntityKind
    mentions: int = Field(ge=1)
    offsets: list[tuple[int, int]] = Field(
        default_factory=list, description="Character [start, end) spans in the text (first 20)."
    )
    place: Place | None = Field(default=None, description="Set for places the gazetteer resolved.")


class Quantity(Part):
    value: float
    text: str = Field(description="The number as written: '6,000', 'around 600', 'six thousand'.")
    counted: str = Field(description="What it counts: 'military construction workers'.")
    approximate: bool = False
    sentence: str
    offset: int = Field(ge=0, description="Character offset of the number in the text.")


class Quotation(Part):
    text: str
    speaker: str | None = None
    offset: int = Field(ge=0)


class DateMention(Part):
    text: str = Field(description="As written: 'on Wednesday', 'March 3'.")
    resolved: date | None = Field(default=None, description="Resolved against the publication date.")
    granularity: str = Field(
        default="day", description="day, week, month or year: 'last month' resolves to the month's first day."
    )
    offset: int = Field(ge=0)


class WeightedTerm(Part):
    term: str
    weight: float


class ActorType(StrEnum):
    GOVERNMENT = "government"
    MILITARY = "military"
    POLICE = "police"
    OPPOSITION = "opposition"
    REBEL = "rebel"
    BUSINESS = "business"
    MEDIA = "media"
    CIVILIAN = "civilian"
    INTERNATIONAL = "international"
    OTHER = "other"


class Actor(Part):
    name: str
    country_code: str | None = Field(default=None, description="ISO 3166-1 alpha-3, as GDELT: 'PRK'.")
    type: ActorType = ActorType.OTHER


class QuadClass(IntEnum):
    VERBAL_COOPERATION = 1
    MATERIAL_COOPERATION = 2
    VERBAL_CONFLICT = 3
    MATERIAL_CONFLICT = 4


class Event(Part):
    """Who did what to whom, where and when: one GDELT-shaped event record."""

    actor1: Actor | None = None
    actor2: Actor | None = None
    cameo_root: str = Field(pattern=r"^(0[1-9]|1[0-9]|20)$", description="CAMEO root code, 01–20.")
    action: str = Field(description="The root class's name, e.g. 'provide aid'.")
    verb: str = Field(description="The lemma the lexicon matched, e.g. 'deploy'.")
    quad_class: QuadClass
    goldstein: float = Field(ge=-10, le=10)
    place: Place | None = None
    event_date: date | None = None
    quantity: Quantity | None = None
    sentence: str
    confidence: float = Field(ge=0, le=1)
