"""Numbers with what they count ("6,000 personnel", "around 600 fatalities"), read with patterns.

Patterns rather than spaCy: the counted thing is the run of content words after the number, which
needs no parser, so quantities cost nothing on the whole text. Years, dates, times, ordinals and
numbers inside names ("COVID-19", "F-16") are not quantities.
"""

import re

from spacy.lang.en.stop_words import STOP_WORDS

from extractor.text_spans import Sentences
from newsflow_shared.contracts.enrichment import Quantity

MAX_COUNTED_WORDS = 4
_UNITS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "a": 1, "a dozen": 12, "dozen": 12,
}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
           "trillion": 1_000_000_000_000, "k": 1_000, "m": 1_000_000, "bn": 1_000_000_000}
APPROXIMATE = (
    "about", "around", "approximately", "nearly", "almost", "roughly", "some", "more than", "over",
    "at least", "up to", "fewer than", "less than", "under", "as many as", "an estimated", "close to",
    "upwards of", "estimated", "at most", "just over", "just under",
)
_MONTHS = ("january february march april may june july august september october november december "
           "jan feb mar apr jun jul aug sep sept oct nov dec").split()
_CURRENCY = {"$": "dollars", "us$": "dollars", "€": "euros", "£": "pounds", "¥": "yen"}
# before a year-like number these words mean a date, not a count ("in 2019", "since 1990")
_DATE_CONTEXT = {"in", "since", "of", "by", "until", "from", "to", "year", "before", "after", "during",
                 "early", "late", "mid", "between", "and", "fiscal", "season", *_MONTHS}
_NOT_COUNTED = set(STOP_WORDS) | set(_MONTHS) | {
    "am", "pm", "a.m", "p.m", "percent", "per", "o'clock", "times", "th", "st", "nd", "rd",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
}

_word_number = "|".join(sorted((re.escape(k) for k in _UNITS if k != "a"), key=len, reverse=True))
_approx = "|".join(sorted((re.escape(a) for a in APPROXIMATE), key=len, reverse=True))
_NUMBER = re.compile(
    rf"(?<![\w.,/:$€£¥-])(?:(?P<approx>{_approx})\s+)?"
    r"(?P<currency>US\$|[$€£¥])?"
    r"(?:(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    rf"|(?P<words>(?:a\s+)?(?:{_word_number})(?:[-\s](?:{_word_number}))?))"
    r"(?:\s*(?P<scale>hundred|thousand|million|billion|trillion|bn|k|m)\b)?"
    r"(?:\s*(?P<percent>%|percent\b|per\s+cent\b))?"
    r"(?![\w:/-]|\.\d|,\d)",
    re.IGNORECASE,
)
# plural nouns without an -s, so the phrase stops at them too ("600 people fled")
_IRREGULAR_PLURALS = {"people", "personnel", "children", "men", "women", "police", "staff", "cattle",
                      "livestock", "sheep", "fish", "deer", "aircraft", "crew", "feet", "teeth", "mice"}
_COUNT_MODIFIERS = {"more", "additional", "extra", "further", "other", "fewer"}
_COUNTED_WORD = re.compile(r"\s+([A-Za-z][A-Za-z'-]*)")


def find_quantities(text: str, sentences: Sentences) -> list[Quantity]:
    found = []
    for match in _NUMBER.finditer(text):
        quantity = _quantity(match, text, sentences)
        if quantity is not None:
            found.append(quantity)
    return found


def _quantity(match: re.Match[str], text: str, sentences: Sentences) -> Quantity | None:
    value = _value(match)
    if value is None:
        return None
    counted = _counted(match, text)
    if not counted or _is_date_or_year(match, text, counted):
        return None
    approx = match["approx"]
    return Quantity(
        value=value,
        text=match.group().strip(),
        counted=counted,
        approximate=bool(approx) or bool(match["words"] and "dozen" in match["words"].lower()),
        sentence=sentences.around(match.start()),
        offset=match.start(),
    )


def _value(match: re.Match[str]) -> float | None:
    if match["digits"]:
        base = float(match["digits"].replace(",", ""))
    else:
        words = match["words"].lower()
        if words in {"a", "one"} and not match["scale"]:
            return None  # "a" and "one" alone are articles and pronouns far more often than counts
        parts = re.split(r"[-\s]+", words)
        base = sum(_UNITS.get(part, 0) for part in parts if part != "a") or 1
        if words.startswith("a ") and "dozen" in words:
            base = 12
    scale = (match["scale"] or "").lower()
    return base * _SCALES.get(scale, 1)


def _counted(match: re.Match[str], text: str) -> str | None:
    if match["percent"]:
        return "percent"
    if match["currency"]:
        return _CURRENCY[match["currency"].lower()]
    words, position = [], match.end()
    while len(words) < MAX_COUNTED_WORDS:
        following = _COUNTED_WORD.match(text, position)
        if not words and following is not None and following[1].lower() in _COUNT_MODIFIERS:
            position = following.end()  # "six thousand more soldiers" counts soldiers
            continue
        if following is None or following[1].lower().strip("'") in _NOT_COUNTED:
            break
        words.append(following[1])
        position = following.end()
        if _is_plural_head(following[1]) or (position < len(text) and text[position] in ",.;:!?)"):
            break  # "6,000 troops crossed": the counted phrase ends at its plural head noun
    return " ".join(words) if words else None


def _is_date_or_year(match: re.Match[str], text: str, counted: str) -> bool:
    digits = match["digits"]
    before = text[max(0, match.start() - 12) : match.start()].split()
    previous = before[-1].lower().strip(",.") if before else ""
    if previous in _MONTHS or counted.split()[0].lower().rstrip(",.") in _MONTHS:
        return True  # "March 3", "3 March"
    year_like = digits is not None and len(digits) == 4 and digits.isdigit() and 1800 <= int(digits) <= 2100
    return year_like and not match["scale"] and (previous in _DATE_CONTEXT or not counted.endswith("s"))


def _is_plural_head(word: str) -> bool:
    lower = word.lower()
    return lower in _IRREGULAR_PLURALS or (lower.endswith("s") and not lower.endswith(("ss", "us", "is")))
