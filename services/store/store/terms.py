"""The words that say what an article is about, reduced to a comparable set for story matching."""

import re
from collections.abc import Iterable

LEAD_WORDS = 40  # enough of the opening to name the event, little enough to keep background out

STOPWORDS = frozenset({
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are",
    "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by",
    "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from",
    "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself",
    "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me", "more", "most",
    "my", "myself", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our",
    "ours", "ourselves", "out", "over", "own", "same", "says", "said", "say", "she", "should", "so",
    "some", "such", "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there",
    "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was",
    "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with",
    "would", "you", "your", "yours", "yourself", "yourselves", "new", "news", "report", "reports",
    "reported", "today", "yesterday", "according", "amid", "via", "per", "told",
})

_DIGIT_GROUPS = re.compile(r"(?<=\d)[,.](?=\d{3}\b)")
_POSSESSIVE = re.compile(r"['’]s\b")
_WORD = re.compile(r"[^\W_]+")


def key_terms(*texts: str | None) -> frozenset[str]:
    """Lowercased words of `texts` without stopwords, possessives or one-letter words; 6,000 == 6000."""
    terms: set[str] = set()
    for text in texts:
        if not text:
            continue
        text = _POSSESSIVE.sub("", _DIGIT_GROUPS.sub("", text.lower()))
        terms.update(w for w in _WORD.findall(text) if len(w) > 1 and w not in STOPWORDS)
    return frozenset(terms)


def lead(text: str, *, words: int = LEAD_WORDS) -> str:
    """The opening `words` words of an article's text."""
    return " ".join(text.split()[:words])


def jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    """Shared terms over all terms: 1.0 for identical sets, 0.0 for disjoint or empty ones."""
    a, b = set(a), set(b)
    union = a | b
    return len(a & b) / len(union) if union else 0.0
