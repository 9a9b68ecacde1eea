"""A generated news site of N article pages and their RSS feeds, for load and fault runs of any size.

The articles report events as news does: each event has its own names, place and topic words, and
about `ARTICLES_PER_EVENT` outlets report it, so the store groups them into stories of realistic size.
(Text drawn from one shared vocabulary made every article alike and put a whole run into one story,
which the store re-summarises on every change: the run's cost then grew with the square of its size.)
"""

import random
from dataclasses import dataclass
from pathlib import Path

WORDS = ["council", "budget", "river", "bridge", "harbour", "election", "mayor", "court", "ruling", "minister", "inflation", "rates", "wages", "factory", "strike", "school", "teachers", "hospital", "nurses", "storm", "flood", "drought", "wildfire", "crops", "farmers", "market", "exports", "port", "shipping", "railway", "tunnel", "airport", "runway", "museum", "festival", "library", "parliament", "vote", "law", "police", "inquiry", "report", "audit", "tax", "housing", "rent", "tenants", "energy", "grid", "solar", "wind", "turbines", "coal", "mine", "union", "contract", "pension", "reform", "satellite", "launch", "research", "university", "students", "vaccine", "clinic", "water"]
FILLER = ["the", "a", "of", "in", "on", "and", "to", "for", "with", "after", "before", "over", "new", "local", "national", "officials", "said", "on Monday", "this week", "residents", "plans", "talks"]
SYLLABLES = ["bra", "cor", "del", "fen", "gar", "hol", "isk", "jor", "kel", "lun", "mar", "nor", "osk", "pel", "quin", "ros", "sal", "tor", "ulm", "var", "wen", "yor", "zan"]
ITEMS_PER_FEED = 100
FEEDS_PER_SOURCE = 2
ARTICLES_PER_EVENT = 5
PARAGRAPHS, WORDS_PER_PARAGRAPH = 6, 70  # ~420 words, ~3.5 KB of HTML: a short news article


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


@dataclass(frozen=True)
class Event:
    """What every report of one event shares: who, where, what about, how many."""

    person: str
    place: str
    topic: list[str]
    number: int


def invented_word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))


def new_event(rng: random.Random) -> Event:
    return Event(person=f"{invented_word(rng).title()} {invented_word(rng).title()}",
                 place=invented_word(rng).title(),
                 topic=[invented_word(rng) for _ in range(3)] + rng.sample(WORDS, 5),
                 number=rng.randrange(12, 9000))


def sentence(rng: random.Random, event: Event, words: int) -> str:
    # About a third event words, the rest common ones, as in a report: topic, filler, names, a number.
    picks = [rng.choice(event.topic) if rng.random() < 0.35 else rng.choice(WORDS + FILLER) for _ in range(words)]
    text = " ".join(picks)
    return f"{text[0].upper()}{text[1:]} in {event.place}, said {event.person}, with {event.number} people affected."


def paragraph(rng: random.Random, event: Event, words: int) -> str:
    return " ".join(sentence(rng, event, 12) for _ in range(max(1, words // 20)))


def article_page(rng: random.Random, title: str, event: Event) -> str:
    body = "\n".join(f"<p>{paragraph(rng, event, WORDS_PER_PARAGRAPH)}</p>" for _ in range(PARAGRAPHS))
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>"
            f"<meta property=\"og:title\" content=\"{title}\"></head><body><header><nav><a href=\"/\">Home</a>"
            f"</nav></header><article><h1>{title}</h1><p class=\"byline\">By Ada Reporter</p>{body}</article>"
            "<footer>Copyright</footer></body></html>")


def headline(rng: random.Random, event: Event, source: int, article: int) -> str:
    words = rng.sample(event.topic, 3)
    return f"{words[0].title()} {words[1]} {words[2]} in {event.place}: report {source}-{article}"


def feed(source: str, items: list[tuple[str, str]]) -> str:
    entries = "".join(
        f"<item><title>{title}</title><link>{{base_url}}/{source}/{slug}.html</link>"
        f"<guid>{source}-{slug}</guid><pubDate>Mon, 02 Mar 2026 10:00:00 GMT</pubDate></item>"
        for slug, title in items
    )
    return (f"<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>{source}</title>"
            f"<link>{{base_url}}/{source}/</link><description>{source}</description>{entries}</channel></rss>")


def generate(root: Path, articles: int, *, seed: int = 7) -> SyntheticSite:
    """Write `articles` pages under `root`, 100 per feed, two feeds per source; `{base_url}` in links.

    Consecutive articles report different events, so each event's reports come from several outlets.
    """
    rng = random.Random(seed)
    events = [new_event(rng) for _ in range(max(1, articles // ARTICLES_PER_EVENT))]
    per_source = ITEMS_PER_FEED * FEEDS_PER_SOURCE
    sources, paths = [], []
    for s in range((articles + per_source - 1) // per_source):
        source = f"outlet-{s:03d}"
        sources.append(source)
        (root / source).mkdir(parents=True)
        count = min(per_source, articles - s * per_source)
        items = []
        for a in range(count):
            event = events[(s * per_source + a) % len(events)]
            slug = f"story-{s:03d}-{a:04d}"
            title = headline(rng, event, s, a)
            (root / source / f"{slug}.html").write_text(article_page(rng, title, event), encoding="utf-8")
            items.append((slug, title))
            paths.append(f"/{source}/{slug}.html")
        for f in range(FEEDS_PER_SOURCE):
            chunk = items[f * ITEMS_PER_FEED:(f + 1) * ITEMS_PER_FEED]
            (root / source / f"feed-{f}.xml").write_text(feed(source, chunk), encoding="utf-8")
    return SyntheticSite(root, sources, paths)
