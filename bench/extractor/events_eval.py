"""Event-record accuracy on hand-labelled news leads (bench/extractor/data/event_leads.jsonl).

    python bench/extractor/events_eval.py [LEADS.jsonl]

Each line: a lead sentence and the expected actor 1 / actor 2 country (ISO alpha-3, null when the
actor has none, e.g. the EU or "militants"), CAMEO root class and event country (ISO alpha-2, null
when the sentence names no place). The extractor's first (highest-confidence) event is compared
field by field; a lead without any event counts as wrong on every field.
"""

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from extractor.analysis import Analyser, Budget
from extractor.settings import ExtractorSettings

DEFAULT = Path(__file__).parent / "data" / "event_leads.jsonl"
PUBLISHED = datetime(2025, 6, 18, 9, tzinfo=UTC)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("leads", type=Path, nargs="?", default=DEFAULT)
    args = parser.parse_args()
    settings = ExtractorSettings()
    analyser = Analyser(settings.models_by_language(), Budget(settings.ner_max_words, settings.lead_sentences))
    rows = [json.loads(line) for line in args.leads.read_text().splitlines() if line.strip()]
    fields = ("root", "actor1", "actor2", "place")
    right = dict.fromkeys(fields, 0)
    found = 0
    for row in rows:
        events = analyser.analyse(title=None, text=row["lead"], language="en", published=PUBLISHED)["events"]
        event = max(events, key=lambda e: e.confidence, default=None)
        got = {
            "root": event.cameo_root if event else None,
            "actor1": event.actor1.country_code if event and event.actor1 else None,
            "actor2": event.actor2.country_code if event and event.actor2 else None,
            "place": event.place.country_code if event and event.place else None,
        }
        found += event is not None
        misses = [f for f in fields if event is None or got[f] != row[f]]
        for field in fields:
            right[field] += event is not None and field not in misses
        mark = "ok " if not misses else "   "
        print(f"{mark}{row['lead'][:70]:70}  got {got}" + (f"  wrong: {', '.join(misses)}" if misses else ""))
    n = len(rows)
    print(f"\nleads {n}; with an event {found / n:.0%}; accuracy of the first event: "
          + ", ".join(f"{field} {right[field] / n:.0%}" for field in fields))
    return 0


if __name__ == "__main__":
    sys.exit(main())
