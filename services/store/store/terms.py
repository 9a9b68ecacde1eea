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

# A thousands separator before three digits that end the number (6,000 troops; 6,000名: a CJK letter may follow).
_DIGIT_GROUPS = re.compile(r"(?<=\d)[,.](?=\d{3}(?![0-9a-z_]))")
_POSSESSIVE = re.compile(r"['’]s\b")
_WORD = re.compile(r"[^\W_]+")
# Chinese and Japanese write without spaces, and Korean glues particles to its words: a run of their letters
# (kana, CJK ideographs, hangul) is cut into overlapping pairs, the usual indexing unit for them (Lucene's
# CJK analyzer), so reports worded differently share terms (库尔斯克州 and 库尔斯克地区: 库尔, 尔斯, 斯克).
CJK_LETTERS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"  # for a regex character class
_CJK = re.compile(f"[{CJK_LETTERS}]+")
# Function letters and counters, Chinese (的 了 在 是 和 将 … 名 个) and Japanese particles (の は が を …), as
# the stopwords above: a pair with one says little ("将向", "在平", "名军", "京で"). Korean's are left in:
# its particles are also syllables of names (이란 Iran, 가자 Gaza).
CJK_STOP_LETTERS = frozenset("的了在是和与将向为对等并被把也都而及其这那之于以从到着过说他她它们我你就还又或名个位"
                             "のはがをにでともへ")
CJK_LETTERS_PER_WORD = 2  # for budgets counted in words (a lead, a sentence's length)
# word → its terms (none for a stopword or a one-letter word, pairs for a word with CJK letters): news
# vocabulary repeats, and the writer looks up ~400 words an article (its title, lead and summary candidates)
_TERMS: dict[str, tuple[str, ...]] = {}
MAX_WORDS = 200_000
# A "word" can be a token of junk; terms are counted in term_stat, whose key holds 200 characters, so they
# are cut to a length no word reaches.
MAX_TERM_CHARS = 64


def has_cjk(text: str) -> bool:
    return not text.isascii() and _CJK.search(text) is not None


def word_count(text: str) -> int:
    """Words as a reader counts them: a run of CJK letters counts one word per CJK_LETTERS_PER_WORD letters."""
    if not has_cjk(text):
        return len(text.split())
    letters = sum(len(run) for run in _CJK.findall(text))
    others = sum(1 for piece in _CJK.sub(" ", text).split() if _WORD.search(piece))  # not "(" of "(习近平)"
    return others + -(-letters // CJK_LETTERS_PER_WORD)


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
    """The opening `words` words of an article's text (CJK letters counted as word_count counts them)."""
    opening = text.split(None, words)[:words]  # splits no further than it needs
    joined = " ".join(opening)
    if not has_cjk(joined):
        return joined
    # A "word" may be a whole Chinese paragraph: count each as word_count does, and cut the one that
    # overruns the budget by letters (an English lead quoting one Chinese name keeps all its words).
    kept, left = [], words
    for word in opening:
        counted = word_count(word)
        if counted >= left:
            kept.append(word if counted == left else word[:left * CJK_LETTERS_PER_WORD])
            break
        kept.append(word)
        left -= counted
    return " ".join(kept)


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
            found = known(word)
            if found is None:
                found = _terms(word)
            for term in found:
                counts[term] = counts.get(term, 0) + 1
    return counts


def _terms(word: str) -> tuple[str, ...]:
    if len(_TERMS) >= MAX_WORDS:
        _TERMS.clear()
    if has_cjk(word):
        found = _cjk_terms(word)
    else:
        found = (term,) if (term := _plain_term(word)) else ()
    _TERMS[word] = found
    return found


def _plain_term(word: str) -> str:
    return stem(word)[:MAX_TERM_CHARS] if len(word) > 1 and word not in STOPWORDS else ""


def _cjk_terms(word: str) -> tuple[str, ...]:
    """The letter pairs of each CJK run without a function letter (a lone letter is left out, as a one-letter
    word is), and the term of each stretch between runs (g20峰会: g20, 峰会)."""
    found: list[str] = []
    at = 0
    for run in _CJK.finditer(word):
        if (before := _plain_term(word[at:run.start()])):
            found.append(before)
        letters = run.group()
        found += [pair for i in range(len(letters) - 1)
                  if (pair := letters[i:i + 2])[0] not in CJK_STOP_LETTERS and pair[1] not in CJK_STOP_LETTERS]
        at = run.end()
    if (after := _plain_term(word[at:])):
        found.append(after)
    return tuple(found)
