"""The demo's stories in many arrival orders: how much `make demo`'s result depends on the order the
fetcher and extractors deliver its articles in.

Extracts the demo site's pages in-process with the extractor (analysis on, as the demo's extractors
run), then stores them in fresh SQLite databases in seeded random orders (plus publication order and
its reverse) and batch sizes, and counts the orders whose stories differ from demo/stories.json.

    python bench/store/demo_orders.py [--orders 40] [--batches 1,3,10,18] [--seed 0] [--show]
"""

import argparse
import random
import sys
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from extractor.app import build_analyser
from extractor.extraction import extract
from extractor.settings import ExtractorSettings
from newsflow_shared.contracts.extracted_articles import ArticleExtracted
from newsflow_shared.contracts.raw_articles import ArticleFetched, FeedEntry, HttpMeta, content_hash
from newsflow_shared.contracts.source import SourceRef
from sqlmodel import Session, select
from store.ingest import ingest_articles
from store.models import Article
from store.testing import migrated_engine

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from demo import catalog  # noqa: E402
from demo.site_server import PLACEHOLDER, SITE_ROOT  # noqa: E402

BASE = "http://demo.invalid"
FETCHED_AT = datetime(2025, 6, 21, 9, 0, tzinfo=UTC)


def demo_messages() -> tuple[list[ArticleExtracted], dict[str, str]]:
    """The demo's articles as the extractor publishes them, and their gold story by canonical URL."""
    analyser = build_analyser(ExtractorSettings())
    messages, gold = [], {}
    for story, paths in sorted(catalog.gold_stories().items()):
        for path in paths:
            html = (SITE_ROOT / path.lstrip("/")).read_text(encoding="utf-8").replace(PLACEHOLDER, BASE)
            outlet = path.strip("/").split("/")[0]
            url = BASE + path
            fetched = ArticleFetched(
                source=SourceRef(id=outlet, name=outlet.replace("-", " ").title()), url=url, canonical_url=url,
                feed=FeedEntry(feed_url=f"{BASE}/{outlet}/feed.xml", guid=url),
                http=HttpMeta(status=200, final_url=url, content_type="text/html; charset=utf-8",
                              fetched_at=FETCHED_AT),
                html=html, content_hash=content_hash(html))
            message = extract(fetched, now=FETCHED_AT, min_article_words=30, analyser=analyser).article
            messages.append(message)
            gold[message.canonical_url] = story
    return messages, gold


def stories_of(messages: list[ArticleExtracted], batch: int) -> dict[str, str]:
    """Canonical URL → story id after storing `messages` in that order, `batch` per transaction."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = migrated_engine(f"sqlite:///{tmp}/demo.db")
        try:
            for first in range(0, len(messages), batch):
                ingest_articles(engine, messages[first:first + batch], now=FETCHED_AT)
            with Session(engine) as session:
                return dict(session.exec(select(Article.canonical_url, Article.story_id)).all())
        finally:
            engine.dispose()


def grouping(stories: dict[str, str]) -> frozenset:
    groups: dict[str, set[str]] = {}
    for url, story in stories.items():
        groups.setdefault(story, set()).add(url)
    return frozenset(frozenset(group) for group in groups.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=40, help="seeded random arrival orders")
    parser.add_argument("--batches", type=lambda text: [int(n) for n in text.split(",")], default=[1, 3, 10, 18])
    parser.add_argument("--seed", type=int, default=0, help="first seed of the random orders")
    parser.add_argument("--show", action="store_true", help="print each order whose stories differ")
    args = parser.parse_args(argv)
    messages, gold = demo_messages()
    expected = grouping(gold)
    by_time = sorted(messages, key=lambda m: (m.published_at, m.canonical_url))
    orders = {"publication order": by_time, "reverse publication order": by_time[::-1]}
    for seed in range(args.seed, args.seed + args.orders):
        orders[f"seed {seed}"] = random.Random(seed).sample(messages, len(messages))
    counts: Counter = Counter()
    wrong = 0
    for name, order in orders.items():
        for batch in args.batches:
            got = grouping(stories_of(order, batch))
            counts[len(got)] += 1
            if got != expected:
                wrong += 1
                if args.show:
                    apart = sorted(" + ".join(sorted(u.rsplit("/", 1)[1] for u in g)) for g in got - expected)
                    print(f"{name}, batches of {batch}: {len(got)} stories; not as in stories.json: {apart}")
    runs = len(orders) * len(args.batches)
    print(f"{len(messages)} demo articles, {len(expected)} gold stories; {runs} runs ({len(orders)} orders × "
          f"batches of {args.batches}): stories per run {dict(sorted(counts.items()))}, "
          f"{runs - wrong}/{runs} exactly as demo/stories.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
