"""Writes bench/store/data/labelled.jsonl: the demo's 18 articles (gold from demo/stories.json) and the
synthetic ones of data/synthetic.py (near misses and a syndicated copy), in publication order.

    python bench/store/build_labelled.py
"""

import json
import sys
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "data"))

from demo_articles import demo_records  # noqa: E402
from synthetic import A as SYNTHETIC  # noqa: E402

OUT = HERE / "data" / "labelled.jsonl"


def main() -> None:
    records = demo_records()
    by_id = {r["id"]: r for r in records + SYNTHETIC}
    for record in SYNTHETIC:
        original = by_id.get(record.pop("copy_of", None) or "")
        if original is not None:  # a wire copy: the original's words, reflowed as another CMS would
            record["title"], record["text"] = original["title"], " ".join(original["text"].split())
        records.append(record)
    records.sort(key=lambda r: (datetime.fromisoformat(r["published"].replace("+0000", "+00:00")), r["id"]))
    with OUT.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"{len(records)} articles, {len({r['story'] for r in records})} stories → {OUT}")


if __name__ == "__main__":
    main()
