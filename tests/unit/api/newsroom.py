"""Demo-like stories written into a store database through the writer's own ingest, for API and page tests.

The outlets and ratings are the demo's (demo/sources.yaml); what each test expects on a page is worked
out from the ratings ingested here, never read back from the store.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from newsflow_shared.contracts.source import SourceRef
from sqlalchemy.engine import Engine
from store.ingest import ingest_article
from store.testing import extracted, source_ref

NOW = datetime(2026, 11, 4, 12, 0, tzinfo=UTC)

OUTLETS = {
    "northwind-herald": source_ref("northwind-herald", name="Northwind Herald", bias="center", factuality="high"),
    "meridian-post": source_ref("meridian-post", name="Meridian Post", bias="lean_left", factuality="high"),
    "harbor-ledger": source_ref("harbor-ledger", name="Harbor Ledger", bias="lean_right", factuality="mixed"),
    "capital-wire": source_ref("capital-wire", name="Capital Wire", bias="center", factuality="very_high"),
    "frontier-daily": source_ref("frontier-daily", name="Frontier Daily", bias="right", factuality="low"),
    "lakeside-times": source_ref("lakeside-times", name="Lakeside Times", bias="left", factuality="mixed"),
    "open-wire": source_ref("open-wire", name="Open Wire", bias=None, factuality=None),
}


@dataclass(frozen=True)
class Report:
    outlet: str
    slug: str
    title: str
    description: str
    hours_ago: float


@dataclass(frozen=True)
class DemoStory:
    key: str
    body: str
    reports: tuple[Report, ...]

    @property
    def outlets(self) -> list[SourceRef]:
        return [OUTLETS[r.outlet] for r in self.reports]


KURSK = DemoStory(
    "kursk",
    "North Korea will send 1,000 deminers and 5,000 military construction workers, 6,000 personnel in all, "
    "to Russia's Kursk region to clear mines and rebuild infrastructure destroyed in the Ukrainian incursion, "
    "Russian Security Council secretary Sergei Shoigu said after talks with Kim Jong Un in Pyongyang.",
    (
        Report("capital-wire", "n-korea-kursk-6000-personnel",
               "N. Korea to dispatch 6,000 personnel to rebuild Kursk - Russia's Shoigu",
               "Russian Security Council secretary says North Korea will send 5,000 military builders "
               "and 1,000 deminers.", 6),
        Report("northwind-herald", "north-korea-to-send-6000-engineers-and-deminers-to-kursk",
               "North Korea to send 6,000 military engineers and deminers to Russia's Kursk region",
               "Pyongyang will dispatch 1,000 deminers and 5,000 military construction workers to help "
               "rebuild the Russian border region.", 4),
        Report("meridian-post", "pyongyang-deminers-builders-kursk-deployment",
               "Pyongyang pledges thousands of sappers and builders for war-damaged Kursk",
               "The deployment of 1,000 mine-clearers and 5,000 construction troops deepens North Korea's "
               "role in Russia's war.", 3),
        Report("harbor-ledger", "north-korean-military-builders-headed-for-kursk",
               "Thousands of North Korean military builders and mine clearers headed for Kursk",
               "Moscow says Pyongyang will provide 6,000 troops for reconstruction in Kursk.", 2),
        Report("open-wire", "north-korea-kursk-6000",
               "North Korea to send 6,000 engineers and deminers to Kursk, Shoigu says",
               "North Korea will send 6,000 military engineers and deminers to Russia's Kursk region.", 1),
    ),
)
RATES = DemoStory(
    "rates",
    "The Reserve Board cut its key interest rate by a quarter point to 3.75% in a 6-3 split vote on "
    "Wednesday as inflation eased to 2.6%, with three dissenting members warning that lower borrowing costs "
    "risk reigniting price rises while unemployment climbs.",
    (
        Report("capital-wire", "reserve-board-cuts-rate-to-3-75",
               "Reserve Board cuts key rate by quarter point to 3.75% in split vote",
               "Policymakers voted 6-3 to lower borrowing costs as inflation eased to 2.6%.", 1.5),
        Report("lakeside-times", "rate-cut-what-it-means-for-renters-and-workers",
               "Rate cut comes as joblessness climbs: what the Reserve Board's move means for you",
               "The quarter-point reduction to 3.75% helps mortgage holders first.", 1),
        Report("frontier-daily", "reserve-board-rate-decision-inflation-risk",
               "Divided Reserve Board gambles on rate cut despite sticky wage growth",
               "Three dissenters warned that lowering rates to 3.75% risks reigniting inflation.", 0.5),
    ),
)
# Titles and text from the web are hostile: this one tries to run script and to smuggle in a link.
HOSTILE_TITLE = '<script>document.title="pwned"</script> Cedar Hollow fire <b>forces</b> 12,000 from homes'
WILDFIRE = DemoStory(
    "wildfire",
    "The Cedar Hollow wildfire near Alder Valley has burned 18,000 acres and forced 12,000 people from their "
    "homes; firefighters say the blaze is 10% contained as strong winds push the flames toward the valley.",
    (
        Report("lakeside-times", "cedar-hollow-fire-forces-evacuations", HOSTILE_TITLE,
               "The wildfire has burned 18,000 acres <img src=x onerror=alert(1)>.", 0.25),
    ),
)
DEMO_STORIES = (KURSK, RATES, WILDFIRE)


def url_of(story: DemoStory, report: Report) -> str:
    return f"https://{report.outlet}.example/{report.slug}.html"


def ingest_story(engine: Engine, story: DemoStory, *, now: datetime = NOW, **analysis: Any) -> None:
    """Each report as the extractor would send it; `analysis` (entities, events, ...) goes on every one."""
    for i, report in enumerate(story.reports):
        published = now - timedelta(hours=report.hours_ago)
        message = extracted(
            url_of(story, report), title=report.title, description=report.description,
            text=f"{report.description} {story.body}", source=OUTLETS[report.outlet],
            published_at=published, fetched_at=published + timedelta(minutes=5),
            extracted_at=published + timedelta(minutes=5), content_hash=f"{story.key}-{i}", **analysis,
        )
        ingest_article(engine, message, now=published + timedelta(minutes=5))


def ingest_demo(engine: Engine, *, now: datetime = NOW) -> None:
    for story in DEMO_STORIES:
        ingest_story(engine, story, now=now)
