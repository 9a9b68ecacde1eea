"""Scores the extractor's main text against reference texts: word 4-gram precision, recall and F1.

The metric of the public article-extraction benchmarks (Scrapinghub/Zyte's article-extraction-
benchmark, trafilatura's evaluation): bags of lowercase word 4-grams of the extracted and the
reference text. Usage:

    python bench/extractor/quality.py CORPUS_DIR     # CORPUS_DIR/html/NAME.html + CORPUS_DIR/txt/NAME.txt

Prints a line per page and the means, for the extractor's reader (trafilatura precision mode
with the readability fallback) next to trafilatura's default extraction.
"""

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

import trafilatura

from extractor import page, text

_WORD = re.compile(r"\w+", re.UNICODE)


def ngrams(value: str, n: int = 4) -> Counter:
    words = _WORD.findall(value.lower())
    return Counter(tuple(words[i : i + n]) for i in range(max(len(words) - n + 1, 0)))


def score(extracted: str, reference: str) -> tuple[float, float, float]:
    got, want = ngrams(extracted), ngrams(reference)
    overlap = sum((got & want).values())
    precision = overlap / sum(got.values()) if got else (1.0 if not want else 0.0)
    recall = overlap / sum(want.values()) if want else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def extractor_text(html: str, url: str) -> str:
    reading = page.read_page(html, url)
    title = text.clean_field(reading.title)
    return text.clean_text(reading.text, title=title)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path)
    args = parser.parse_args()
    pages = sorted((args.corpus / "html").glob("*.html"))
    totals = {"extractor": [], "trafilatura-default": []}
    print(f"{'page':40} {'extractor P/R/F1':>22} {'trafilatura default':>22}")
    for html_path in pages:
        reference_path = args.corpus / "txt" / f"{html_path.stem}.txt"
        if not reference_path.exists():
            continue
        html = html_path.read_text(encoding="utf-8", errors="replace")
        reference = reference_path.read_text(encoding="utf-8", errors="replace")
        url = f"https://bench.example/{html_path.stem}"
        ours = score(extractor_text(html, url), reference)
        baseline = score(trafilatura.extract(html) or "", reference)
        totals["extractor"].append(ours)
        totals["trafilatura-default"].append(baseline)
        print(f"{html_path.stem[:40]:40} {'/'.join(f'{x:.2f}' for x in ours):>22} {'/'.join(f'{x:.2f}' for x in baseline):>22}")
    for name, scores in totals.items():
        if scores:
            p, r, f = (sum(s[i] for s in scores) / len(scores) for i in range(3))
            print(f"{name:20} pages={len(scores)} precision={p:.3f} recall={r:.3f} F1={f:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
