"""Clustering quality against gold labels: feed labelled articles through the store, print pairwise and
BCubed precision / recall / F1.

Input: JSON lines with id, title, text, published (ISO 8601), source, story (the gold label); optional
description. Articles are fed in publication order, as a stream would deliver them; with --shuffle N,
also in N random arrival orders (fetchers deliver out of order), to show how much the online
clustering depends on the order (minimum and median F1 over the orders).

    python bench/store/eval_clusters.py bench/store/data/labelled.jsonl [--database-url URL] [--show]
                                        [--shuffle 20 --seed 1] [--batch 250]
"""

import argparse
import random
import statistics
import sys
import tempfile
from pathlib import Path

from sqlmodel import Session, select
from store.evaluation import bcubed, pairwise
from store.ingest import ingest_articles
from store.models import Article
from store.stories import DEFAULT_MATCHING, Matching
from store.testing import message_from_record, migrated_engine, read_records


def cluster(records: list[dict], database_url: str, matching: Matching, batch: int = 1) -> dict[str, str]:
    """Article id → story id, after feeding the records `batch` messages per transaction (one by default)."""
    engine = migrated_engine(database_url)
    try:
        for first in range(0, len(records), batch):
            messages = [message_from_record(record) for record in records[first:first + batch]]
            ingest_articles(engine, messages, now=max(m.published_at for m in messages), matching=matching)
        with Session(engine) as session:
            rows = dict(session.exec(select(Article.canonical_url, Article.story_id)).all())
    finally:
        engine.dispose()
    return {r["id"]: rows[f"https://eval.example/{r['id']}"] for r in records}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--min-similarity", type=float, default=DEFAULT_MATCHING.min_similarity)
    parser.add_argument("--merge-similarity", type=float, default=DEFAULT_MATCHING.merge_similarity)
    parser.add_argument("--show", action="store_true", help="print the predicted clusters")
    parser.add_argument("--shuffle", type=int, default=0, help="also run this many random arrival orders")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=1,
                        help="messages per transaction, as the writer's batch reads (STORE_BATCH_SIZE) deliver them")
    args = parser.parse_args(argv)
    records = read_records(args.path)
    matching = Matching(min_similarity=args.min_similarity, merge_similarity=args.merge_similarity)
    with tempfile.TemporaryDirectory() as tmp:
        predicted = cluster(records, args.database_url or f"sqlite:///{tmp}/eval.db", matching, args.batch)
    gold = {r["id"]: r["story"] for r in records}
    if args.show:
        for story in sorted(set(predicted.values())):
            members = sorted(i for i in predicted if predicted[i] == story)
            print(f"{story[:8]}: " + ", ".join(f"{i} [{gold[i]}]" for i in members))
    print(f"{len(records)} articles, {len(set(gold.values()))} gold stories, "
          f"{len(set(predicted.values()))} predicted (min_similarity={matching.min_similarity}, "
          f"merge_similarity={matching.merge_similarity}, {args.batch} per transaction)")
    print(f"{'':10}{'precision':>10}{'recall':>10}{'F1':>10}")
    for name, scores in (("pairwise", pairwise(predicted, gold)), ("BCubed", bcubed(predicted, gold))):
        print(f"{name:10}{scores.precision:10.3f}{scores.recall:10.3f}{scores.f1:10.3f}")
    if args.shuffle:
        rng = random.Random(args.seed)
        runs = []
        for n in range(args.shuffle):
            order = rng.sample(records, len(records))
            with tempfile.TemporaryDirectory() as tmp:
                got = cluster(order, f"sqlite:///{tmp}/eval-{n}.db", matching, args.batch)
            runs.append((pairwise(got, gold).f1, bcubed(got, gold).f1))
        for i, name in enumerate(("pairwise", "BCubed")):
            f1s = [run[i] for run in runs]
            print(f"{name} F1 over {args.shuffle} random arrival orders: min {min(f1s):.3f}, "
                  f"median {statistics.median(f1s):.3f}, perfect in {sum(f == 1.0 for f in f1s)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
