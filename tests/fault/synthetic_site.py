"""A generated news site of N article pages and their RSS feeds, for load and fault runs of any size."""

import random
from dataclasses import dataclass
from pathlib import Path

WORDS = ["council", "budget", "river", "bridge", "harbour", "election", "mayor", "court", "ruling", "minister", "inflation", "rates", "wages", "factory", "strike", "school", "teachers", "hospital", "nurses", "storm", "flood", "drought", "wildfire", "crops", "farmers", "market", "exports", "port", "shipping", "railway", "tunnel", "airport", "runway", "museum", "festival", "library", "parliament", "vote", "law", "police", "inquiry", "report", "audit", "tax", "housing", "rent", "tenants", "energy", "grid", "solar", "wind", "turbines", "coal", "mine", "union", "contract", "pension", "reform", "satellite", "launch", "research", "university", "students", "vaccine", "clinic", "water"]
ITEMS_PER_FEED = 100
FEEDS_PER_SOURCE = 2


@dataclass(frozen=True)
class SyntheticSite:
    root: Path
    sources: list[str]
    article_paths: list[str]  # "/<source>/<slug>.html", what must end up stored

    def sources_yaml(self, base_url: str) -> str:
        lines = ["sources:"]
        for source in self.sources:
            lines += [f"  - id: {source}", f"    name: {source.title()}", f"    homepage: {base_url}/{source}/",
                      "    bias: center", "    factuality: high", "    feeds:"]
            lines += [f"      - url: {base_url}/{source}/feed-{i}.xml" for i in range(FEEDS_PER_SOURCE)]
        return "\n".join(lines) + "\n"


def paragraph(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def article_page(rng: random.Random, title: str) -> str:
    body = "\n".join(f"<p>{paragraph(rng, 60)}</p>" for _ in range(5))
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>"
            f"<meta property=\"og:title\" content=\"{title}\"></head><body><header><nav><a href=\"/\">Home</a>"
            f"</nav></header><article><h1>{title}</h1><p class=\"byline\">By Ada Reporter</p>{body}</article>"
            "<footer>Copyright</footer></body></html>")


def feed(source: str, items: list[tuple[str, str]]) -> str:
    entries = "".join(
        f"<item><title>{title}</title><link>{{base_url}}/{source}/{slug}.html</link>"
        f"<guid>{source}-{slug}</guid><pubDate>Mon, 02 Mar 2026 10:00:00 GMT</pubDate></item>"
        for slug, title in items
    )
    return (f"<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>{source}</title>"
            f"<link>{{base_url}}/{source}/</link><description>{source}</description>{entries}</channel></rss>")


def generate(root: Path, articles: int, *, seed: int = 7) -> SyntheticSite:
    """Write `articles` pages under `root`, 100 per feed, two feeds per source; `{base_url}` in links."""
    rng = random.Random(seed)
    per_source = ITEMS_PER_FEED * FEEDS_PER_SOURCE
    sources, paths = [], []
    for s in range((articles + per_source - 1) // per_source):
        source = f"outlet-{s:03d}"
        sources.append(source)
        (root / source).mkdir(parents=True)
        count = min(per_source, articles - s * per_source)
        items = []
        for a in range(count):
            slug = f"story-{s:03d}-{a:04d}"
            title = f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} {rng.choice(WORDS)} report {s}-{a}"
            (root / source / f"{slug}.html").write_text(article_page(rng, title), encoding="utf-8")
            items.append((slug, title))
            paths.append(f"/{source}/{slug}.html")
        for f in range(FEEDS_PER_SOURCE):
            chunk = items[f * ITEMS_PER_FEED:(f + 1) * ITEMS_PER_FEED]
            (root / source / f"feed-{f}.xml").write_text(feed(source, chunk), encoding="utf-8")
    return SyntheticSite(root, sources, paths)
