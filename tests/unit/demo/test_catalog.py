"""The bundled demo site is coherent: sources file, feeds, pages and the gold story grouping agree."""

from collections import Counter
from html.parser import HTMLParser

import yaml
from fetcher.sources import Source

from demo import catalog
from demo.site_server import SITE_ROOT

KURSK = "north-korea-kursk-engineers"


def sources(text: str) -> list[dict]:
    return yaml.safe_load(text)["sources"]


def test_sources_file_is_valid_yaml_the_fetcher_accepts() -> None:
    """Filled in, every outlet validates as the fetcher's Source, with bias and factuality ratings."""
    for entry in sources(catalog.filled_sources("http://127.0.0.1:8765")):
        source = Source.model_validate(entry)
        assert source.bias is not None and source.factuality is not None


def test_every_feed_in_the_sources_file_exists_in_the_site() -> None:
    """Each feed URL names a file under demo/site, and every feed file there is listed."""
    listed = {
        feed["url"].removeprefix("{base_url}/")
        for entry in sources(catalog.SOURCES_TEMPLATE.read_text())
        for feed in entry["feeds"]
    }
    assert all((SITE_ROOT / path).is_file() for path in listed)
    assert listed == {str(f.relative_to(SITE_ROOT)) for f in catalog.feed_files()}


def test_feeds_come_in_both_rss_and_atom() -> None:
    """The fetcher meets both feed formats in the demo."""
    assert {f.suffix for f in catalog.feed_files()} == {".xml", ".atom"}


def test_compose_sources_file_is_the_template_pointed_at_the_demo_site_service() -> None:
    """demo/sources.compose.yaml stays in step with demo/sources.yaml."""
    compose_copy = (catalog.DEMO_ROOT / "sources.compose.yaml").read_text()
    assert sources(compose_copy) == sources(catalog.filled_sources("http://demo-site:8765"))


def test_every_announced_article_exists_and_belongs_to_exactly_one_gold_story() -> None:
    """The feeds, the pages on disk and stories.json list the same articles."""
    announced = catalog.article_paths()
    grouped = [path for paths in catalog.gold_stories().values() for path in paths]
    assert len(grouped) == len(set(grouped))
    assert set(grouped) == announced
    assert all((SITE_ROOT / path.lstrip("/")).is_file() for path in announced)
    assert 15 <= len(announced) <= 20


def test_each_story_is_told_by_several_outlets() -> None:
    """Every gold story has 2-5 articles from distinct outlets; the Kursk story has several."""
    stories = catalog.gold_stories()
    assert 4 <= len(stories) <= 5
    for paths in stories.values():
        outlets = [path.split("/")[1] for path in paths]
        assert 2 <= len(paths) <= 5 and len(set(outlets)) == len(outlets)
    assert len(stories[KURSK]) >= 4


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.in_p = False
        self.words = 0
        self.title = ""
        self.in_title = False
        self.h1: list[str] = []
        self.in_h1 = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.in_p, self.in_title, self.in_h1 = tag == "p" or self.in_p, tag == "title", tag == "h1"

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self.in_p = False
        self.in_title = self.in_h1 = False

    def handle_data(self, data: str) -> None:
        if self.in_h1:
            self.h1.append(data)
        if self.in_p:
            self.words += len(data.split())


def test_articles_are_full_pages_with_distinct_headlines() -> None:
    """Each page has 250-600 words of paragraphs and a headline no other outlet used."""
    headlines = Counter()
    for path in catalog.article_paths():
        page = _Page()
        page.feed((SITE_ROOT / path.lstrip("/")).read_text())
        assert 250 <= page.words <= 700, path  # body plus standfirst and byline
        headlines["".join(page.h1).strip()] += 1
    assert max(headlines.values()) == 1


def test_the_kursk_story_carries_the_reported_numbers() -> None:
    """Outlets tell the North Korean deployment with 6,000 personnel: 5,000 builders and 1,000 deminers."""
    for path in catalog.gold_stories()[KURSK]:
        text = (SITE_ROOT / path.lstrip("/")).read_text()
        assert "6,000" in text and ("1,000" in text or "thousand" in text.lower()) and "Kursk" in text
