"""Clustering quality against gold labels: feed labelled articles through the store, print pairwise and
BCubed precision / recall / F1.

Input: JSON lines with id, title, text, published (ISO 8601), source, story (the gold label); optional
description. Articles are fed in publication order, as a stream would deliver them.

    python bench/store/eval_clusters.py bench/store/data/labelled.jsonl [--database-url URL] [--show]
"""

import argparse
import sys
import tempfile
from pathlib import Path

from sqlmodel import Session, select
from store.evaluation import bcubed, pairwise
from store.ingest import ingest_articles
from store.models import Article
from store.stories import DEFAULT_MATCHING, Matching
from store.testing import message_from_record, migrated_engine, read_records


def cluster(records: list[dict], database_url: str, matching: Matching) -> dict[str, str]:
    """Article id → story id, after feeding every record one message at a time."""
    engine = migrated_engine(database_url)
    try:
        for record in records:
            msg = message_from_record(record)
            ingest_articles(engine, [msg], now=msg.published_at, matching=matching)
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
    args = parser.parse_args(argv)
    records = read_records(args.path)
    matching = Matching(min_similarity=args.min_similarity, merge_similarity=args.merge_similarity)
    with tempfile.TemporaryDirectory() as tmp:
        predicted = cluster(records, args.database_url or f"sqlite:///{tmp}/eval.db", matching)
    gold = {r["id"]: r["story"] for r in records}
    if args.show:
        for story in sorted(set(predicted.values())):
            members = sorted(i for i in predicted if predicted[i] == story)
            print(f"{story[:8]}: " + ", ".join(f"{i} [{gold[i]}]" for i in members))
    print(f"{len(records)} articles, {len(set(gold.values()))} gold stories, "
          f"{len(set(predicted.values()))} predicted (min_similarity={matching.min_similarity}, "
          f"merge_similarity={matching.merge_similarity})")
    print(f"{'':10}{'precision':>10}{'recall':>10}{'F1':>10}")
    for name, scores in (("pairwise", pairwise(predicted, gold)), ("BCubed", bcubed(predicted, gold))):
        print(f"{name:10}{scores.precision:10.3f}{scores.recall:10.3f}{scores.f1:10.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
