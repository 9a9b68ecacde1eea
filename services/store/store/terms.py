"""The words that say what an article is about, reduced to a comparable set for story matching."""

import re
from collections.abc import Iterable

LEAD_WORDS = 60  # enough of the opening to name the event, little enough to keep background out

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
# word → its term, "" for a stopword or a one-letter word: news vocabulary repeats, and the writer looks up
# ~400 words an article (its title, lead and summary candidates)
_TERMS: dict[str, str] = {}
MAX_WORDS = 200_000
# A "word" can be a whole clause (Chinese and Japanese write without spaces) or a token of junk; terms
# are counted in term_stat, whose key holds 200 characters, so they are cut to a length no word reaches.
MAX_TERM_CHARS = 64


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
    return " ".join(text.split(None, words)[:words])  # splits no further than it needs


def overlap(a: Iterable[str], b: Iterable[str], *, min_shared: int = 3) -> float:
    """Shared terms over the smaller set (the overlap coefficient), 0.0 below `min_shared` shared terms.

    Unlike Jaccard it does not punish a long lead against a short one; on the demo's five stories
    told in different words it separates them all at 0.2, where Jaccard splits 18 articles into 11.
    """
    a, b = set(a), set(b)
    shared = len(a & b)
    if shared < min_shared:
        return 0.0
    return shared / min(len(a), len(b))


def stem(word: str) -> str:
    """A light plural folding (deminers → deminer, cities → city), enough for reports worded differently."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def term_counts(*texts: str | None) -> dict[str, int]:
    """Stemmed key terms of `texts` with how often each occurs (a term-frequency vector)."""
    counts: dict[str, int] = {}
    known = _TERMS.get
    for text in texts:
        if not text:
            continue
        text = _DIGIT_GROUPS.sub("", text.lower())
        if "'" in text or "’" in text:  # most sentences have none: a regex pass saved
            text = _POSSESSIVE.sub("", text)
        for word in _WORD.findall(text):
            term = known(word)
            if term is None:
                term = _term(word)
            if term:
                counts[term] = counts.get(term, 0) + 1
    return counts


def _term(word: str) -> str:
    if len(_TERMS) >= MAX_WORDS:
        _TERMS.clear()
    term = _TERMS[word] = stem(word)[:MAX_TERM_CHARS] if len(word) > 1 and word not in STOPWORDS else ""
    return term
