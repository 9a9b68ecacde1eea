"""What lets the store recognise the same story: a SimHash for near-duplicates, weighted keywords.

SimHash (the `simhash` package, 64 bits over word 3-shingles): two syndicated copies of one agency
story differ in a few bits (Hamming distance ≤ 3 is the usual threshold), unrelated texts in ~32.
Keywords are the text's top terms, weighted by log frequency with named entities counted double,
L2-normalised: a compact sparse vector for cosine similarity between articles.
"""

import math
import re
from collections import Counter

from simhash import Simhash
from spacy.lang.en.stop_words import STOP_WORDS

SHINGLE_WORDS = 3
TOP_TERMS = 30
# Words frequent in every news text, whatever the story: no signal for clustering.
NEWS_STOP_WORDS = frozenset(
    "said says told according year years month months week weeks day days time new also "
    "would could people including like just percent mr ms mrs dr".split()
) | STOP_WORDS
_WORD = re.compile(r"\w[\w'-]*\w|\w")


def simhash(text: str) -> str | None:
    """16 hex characters; None for text too short to fingerprint."""
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE_WORDS:
        return None
    shingles = [" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)]
    return f"{Simhash(shingles, f=64).value:016x}"


def keywords(text: str, entity_names: list[str], *, top: int = TOP_TERMS) -> list[tuple[str, float]]:
    counts = Counter(
        w for w in _WORD.findall(text.lower()) if len(w) > 2 and not w.isdigit() and w not in NEWS_STOP_WORDS
    )
    for name in entity_names:
        term = name.lower()
        counts[term] += 2 * max(text.lower().count(term), 1)
    weighted = {term: 1 + math.log(n) for term, n in counts.items()}
    best = sorted(weighted.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    norm = math.sqrt(sum(w * w for _, w in best)) or 1.0
    return [(term, round(w / norm, 4)) for term, w in best]
