"""An outlet as the operator's sources file describes it, carried with each article downstream."""

from enum import StrEnum

from pydantic import Field

from newsflow_shared.contracts.base import Part


class Bias(StrEnum):
    LEFT = "left"
    LEAN_LEFT = "lean_left"
    CENTER = "center"
    LEAN_RIGHT = "lean_right"
    RIGHT = "right"


class Factuality(StrEnum):
    VERY_LOW = "very_low"
    LOW = "low"
    MIXED = "mixed"
    HIGH = "high"
    VERY_HIGH = "very_high"


class SourceRef(Part):
    """Ratings travel with the article so the store never needs the fetcher's sources file."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")
    name: str = Field(min_length=1, max_length=200)
    homepage: str | None = None
    bias: Bias | None = None
    factuality: Factuality | None = None
    ownership: str | None = Field(default=None, max_length=100)
