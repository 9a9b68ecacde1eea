"""Document tone on GDELT's AvgTone scale: (positive − negative words) per 100 words.

Positive and negative words are those of VADER's lexicon (vaderSentiment, MIT) with a valence of
at least 1 in either direction; weaker entries ("okay", "ok") would count chatter as tone. The
result is in -100..100; real news sits between about -10 and 10, as in GDELT.
"""

import re
from functools import cache
from importlib.resources import files

MIN_VALENCE = 1.0
_WORD = re.compile(r"[a-z][a-z'-]*")


@cache
def lexicon() -> dict[str, float]:
    """Word → valence, from the lexicon file shipped inside vaderSentiment (loaded once)."""
    valences = {}
    for line in files("vaderSentiment").joinpath("vader_lexicon.txt").read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0].isalpha():
            valences[parts[0]] = float(parts[1])
    return valences


def document_tone(text: str) -> float | None:
    """None for text without words; otherwise rounded to 2 decimals."""
    words = _WORD.findall(text.lower())
    if not words:
        return None
    valences = lexicon()
    positive = sum(1 for w in words if valences.get(w, 0.0) >= MIN_VALENCE)
    negative = sum(1 for w in words if valences.get(w, 0.0) <= -MIN_VALENCE)
    return round((positive - negative) / len(words) * 100, 2)
