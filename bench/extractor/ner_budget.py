"""What the NER word budget costs in quality: entities found with NER on the first K words vs the whole text.

    python bench/extractor/ner_budget.py HTML_DIR

For each K, over the English articles: recall of the whole-text run's entities (weighted by their
mentions, since later mentions of an entity NER saw early are still counted) and ms per article.
"""

import sys
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

from extractor import page, text
from extractor.analysis import Analyser, Budget
from extractor.language import detect_language
from extractor.settings import DEFAULT_SPACY_MODEL

BUDGETS = (100, 250, 500, 1000, 1_000_000)


def main() -> int:
    warnings.filterwarnings("ignore")
    articles = []
    for path in sorted(Path(sys.argv[1]).glob("*.html")):
        try:
            reading = page.read_page(path.read_text(encoding="utf-8", errors="replace"), "https://bench.example/")
        except page.UnreadablePage:
            continue
        body = text.clean_text(reading.text, title=reading.title)
        if len(body.split()) >= 30 and detect_language(body) == "en":
            articles.append((reading.title, body))
    results = {}
    for k in BUDGETS:
        analyser = Analyser({"en": DEFAULT_SPACY_MODEL}, Budget(ner_max_words=k))
        analyser.warm()
        started = time.perf_counter()
        found = [analyser.analyse(title=t, text=b, language="en", published=datetime.now(UTC))["entities"] for t, b in articles]
        elapsed = (time.perf_counter() - started) * 1000 / len(articles)
        results[k] = ([{(e.kind, e.name): e.mentions for e in entities} for entities in found], elapsed)
    full, _ = results[BUDGETS[-1]]
    words = sum(len(b.split()) for _, b in articles) / len(articles)
    print(f"{len(articles)} English articles, {words:.0f} words on average")
    for k, (runs, ms) in results.items():
        kept = sum(min(run.get(key, 0), n) for run, ref in zip(runs, full) for key, n in ref.items())
        total = sum(sum(ref.values()) for ref in full)
        distinct = sum(len(set(run) & set(ref)) for run, ref in zip(runs, full)) / sum(len(ref) for ref in full)
        label = "whole text" if k == BUDGETS[-1] else f"first {k} words"
        print(f"NER on {label:16}: {ms:6.1f} ms/article (all analysis); mention recall {kept / total:.3f}, "
              f"entity recall {distinct:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
