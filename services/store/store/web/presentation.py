"""What the pages draw, worked out in Python so templates only lay it out: bars, labels, timeline, links."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from newsflow_shared.contracts.story_updates import Coverage, Distribution, TimelinePoint

BIAS_5 = ("left", "lean_left", "center", "lean_right", "right")
BIAS_3 = ("left", "center", "right")
FACTUALITY = ("very_high", "high", "mixed", "low", "very_low")
THREE_WAY = {"left": "left", "lean_left": "left", "center": "center", "lean_right": "right", "right": "right"}
LABELS = {
    "left": "Left", "lean_left": "Lean Left", "center": "Center", "lean_right": "Lean Right", "right": "Right",
    "very_high": "Very High", "high": "High", "mixed": "Mixed", "low": "Low", "very_low": "Very Low",
    "unrated": "Unrated",
}


@dataclass(frozen=True)
class Segment:
    key: str
    label: str
    sources: int
    percent: int  # rounded, for display
    x: float  # where it starts on a 0..100 bar
    width: float


def whole_percent(value: float) -> int:
    return int(value + 0.5)


def segments(distribution: Distribution, keys: tuple[str, ...]) -> list[Segment]:
    """The non-empty buckets of `distribution`, in `keys` order, laid end to end on a 0..100 bar."""
    out, x = [], 0.0
    for key in keys:
        share = distribution.buckets.get(key)
        if share is None or share.sources == 0:
            continue
        out.append(Segment(key, LABELS[key], share.sources, whole_percent(share.percent), x, share.percent))
        x += share.percent
    return out


def distribution_of(counts: dict[str, int], fold: dict[str, str] | None = None) -> Distribution:
    """Shares of the rated sources from per-rating source counts (a story row's bias_counts)."""
    folded: dict[str, int] = {}
    unrated = 0
    for key, sources in counts.items():
        bucket = (fold or {}).get(key, key) if key != "unrated" else None
        if bucket is None:
            unrated += sources
        else:
            folded[bucket] = folded.get(bucket, 0) + sources
    rated = sum(folded.values())
    buckets = {k: {"sources": n, "percent": 100 * n / rated} for k, n in folded.items() if rated}
    return Distribution.model_validate({"buckets": buckets, "rated": rated, "unrated": unrated})


def bar_label(parts: list[Segment], unrated: int = 0) -> str:
    """The bar as a sentence, for screen readers and as its visible caption."""
    if not parts:
        return "No rated sources yet"
    text = ", ".join(f"{part.label} {part.percent}%" for part in parts)
    return text + (f" ({unrated} unrated)" if unrated else "")


def headline_share(parts: list[Segment]) -> Segment | None:
    """The largest bucket, as in "41% of the sources are Center" (ties go to the earlier bucket)."""
    return max(parts, key=lambda part: part.sources, default=None)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    articles: int
    start: datetime


HOUR, DAY = timedelta(hours=1), timedelta(days=1)
HOURLY_SPAN = timedelta(hours=48)  # beyond it an hourly chart's bars grow too thin to read (~100 on a page)


@dataclass(frozen=True)
class Timeline:
    bars: list[Bar]
    unit: str  # "hour" or "day"


def timeline_of(coverage: Coverage) -> Timeline:
    """Articles per hour, or per day once the story has run for more than two days."""
    hours = coverage.timeline
    if hours and max(p.period_start for p in hours) - min(p.period_start for p in hours) >= HOURLY_SPAN:
        return Timeline(timeline_bars(coverage.timeline_daily, period=DAY), "day")
    return Timeline(timeline_bars(hours), "hour")


def timeline_bars(points: list[TimelinePoint], *, period: timedelta = HOUR, height: float = 100.0) -> list[Bar]:
    """One bar per period, placed on a 0..100 time axis from the first period to the end of the last (quiet
    periods stay gaps), its height scaled to the busiest period."""
    if not points:
        return []
    first = min(p.period_start for p in points)
    span = max(p.period_start - first for p in points) / period + 1
    busiest = max(point.articles for point in points) or 1
    slot = 100 / span
    bars = []
    for p in sorted(points, key=lambda p: p.period_start):
        offset = (p.period_start - first) / period * slot
        tall = height * p.articles / busiest
        bars.append(Bar(offset + slot * 0.1, height - tall, slot * 0.8, tall, p.articles, p.period_start))
    return bars


def safe_href(url: str | None) -> str | None:
    """Links only to http(s) pages: a javascript: or data: URL from a feed must never become a link."""
    if not url:
        return None
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None


def when(value: datetime | None, unit: str = "minute") -> str:
    """A time as the pages print it; `unit="day"`: the date alone (a daily timeline's period)."""
    if not value:
        return "unknown"
    return f"{value:%d %b %Y}" if unit == "day" else f"{value:%d %b %Y, %H:%M} UTC"
