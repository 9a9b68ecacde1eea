"""The demo site's articles as JSON lines (id, title, text, published, source, story), gold labels from
demo/stories.json: the seed of bench/store/data/labelled.jsonl. Reads pages with the extractor's reader.

    python bench/store/demo_articles.py > bench/store/data/demo.jsonl
"""

import json
import sys
from pathlib import Path

from extractor.page import read_page

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from demo import catalog  # noqa: E402
from demo.site_server import PLACEHOLDER, SITE_ROOT  # noqa: E402

BASE = "http://demo.invalid"


def demo_records() -> list[dict]:
    records = []
    for story, paths in sorted(catalog.gold_stories().items()):
        for path in paths:
            html = (SITE_ROOT / path.lstrip("/")).read_text(encoding="utf-8").replace(PLACEHOLDER, BASE)
            reading = read_page(html, BASE + path)
            records.append({"id": path.strip("/"), "title": reading.title, "text": reading.text,
                            "description": reading.description, "published": reading.date,
                            "source": path.strip("/").split("/")[0], "story": story})
    return records


def main() -> None:
    for record in demo_records():
        print(json.dumps(record, ensure_ascii=False))


if __name__ == "__main__":
    main()
