"""Quotations with their speaker where the text names one ('…," said X' / 'X said: "…"' / according to X).

Patterns over the text, with the speaker checked against the people and organisations NER found
and "he"/"she" taken to mean the person named last before the quote.
"""

import re

from newsflow_shared.contracts.enrichment import Quotation

MIN_QUOTE_WORDS = 4
_QUOTE = re.compile(r"[“\"](?P<q>[^“”\"\n]{10,1500}?)[”\"]")
_SPEECH = r"(?:said|says|told|added|wrote|explained|warned|stated|noted|insisted|argued|declared|announced|continued)"
_NAME = r"(?P<speaker>(?:(?:the|a|an)\s+)?(?:[\w.'’-]+\s+){0,6}?[\w.'’-]+?)"
_AFTER = [
    re.compile(rf"^\s*,?\s*{_SPEECH}\s+{_NAME}\s*(?:[,.;:]|$|\s+(?:on|in|at|to|who|after|during)\b)"),
    re.compile(rf"^\s*,?\s*{_NAME}\s+{_SPEECH}\b"),
    re.compile(rf"^\s*,?\s*according\s+to\s+{_NAME}\s*(?:[,.;]|$)"),
]
_BEFORE = [
    re.compile(rf"{_NAME}\s+{_SPEECH}(?:\s+\w+)?\s*[:,]?\s*$"),
    re.compile(rf"according\s+to\s+{_NAME}\s*[:,]\s*$"),
]
_PRONOUNS = {"he", "she", "they", "it", "we", "i"}


def find_quotations(text: str, people: list[tuple[str, int]], names: set[str]) -> list[Quotation]:
    """`people`: (name, offset) of each person mention, in order; `names`: every entity's surface forms."""
    quotes = []
    for match in _QUOTE.finditer(text):
        quoted = match["q"].strip()
        if len(quoted.split()) < MIN_QUOTE_WORDS:
            continue  # scare quotes and titles, not speech
        speaker = _speaker(text, match, people, names)
        quotes.append(Quotation(text=quoted, speaker=speaker, offset=match.start("q")))
    return quotes


def _speaker(text: str, match: re.Match[str], people: list[tuple[str, int]], names: set[str]) -> str | None:
    after = text[match.end() : match.end() + 120].split("\n", 1)[0]
    line_start = text.rfind("\n", 0, match.start()) + 1
    before = text[max(line_start, match.start() - 120) : match.start()]
    for pattern, window in [*((p, after) for p in _AFTER), *((p, before) for p in _BEFORE)]:
        found = pattern.search(window)
        if found:
            speaker = _name(found["speaker"], match.start(), people, names)
            if speaker:
                return speaker
    return None


def _name(phrase: str, offset: int, people: list[tuple[str, int]], names: set[str]) -> str | None:
    phrase = phrase.strip(" ,.;:")
    lower = phrase.lower()
    if lower in _PRONOUNS:
        earlier = [name for name, at in people if at < offset]
        return earlier[-1] if earlier and lower in {"he", "she"} else None
    # the longest known entity inside the phrase ("Foreign Minister Sergei Lavrov" → "Sergei Lavrov")
    inside = [n for n in names if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", phrase)]
    if inside:
        return max(inside, key=len)
    words = phrase.split()
    if words and words[0].lower() in {"the", "a", "an"} or any(w[:1].isupper() for w in words):
        return phrase
    return None
