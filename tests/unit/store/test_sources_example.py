"""The shipped example sources file is one the fetcher accepts, with real outlets rated across the spectrum."""

from pathlib import Path

from fetcher.sources import load_sources

EXAMPLE = Path(__file__).resolve().parents[3] / "config" / "sources.example.yaml"


def test_the_example_sources_file_loads_with_the_fetchers_loader() -> None:
    """A few dozen outlets, each with https/http feeds, every one rated for bias, factuality and ownership."""
    sources = load_sources(EXAMPLE)
    assert len(sources) >= 30
    assert all(s.bias and s.factuality and s.ownership and s.feeds for s in sources)
    assert {s.bias.value for s in sources} == {"left", "lean_left", "center", "lean_right", "right"}
    assert not any("127.0.0.1" in feed.url or "{base_url}" in feed.url for s in sources for feed in s.feeds)
