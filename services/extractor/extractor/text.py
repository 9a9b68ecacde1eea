"""Extracted strings made safe to store and count: no control characters, no repeated title.

Lone surrogates cannot arrive: the contract's str fields refuse them (a ValidationError, dead-lettered).
"""

import re
import unicodedata

# C0/C1 control characters except tab and newline: PostgreSQL refuses NUL in text, and the rest
# are never content.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[ \t\u00a0]+")


def clean_field(value: str | None) -> str | None:
    """A one-line metadata value (title, author, description), or None when nothing is left."""
    if value is None:
        return None
    cleaned = _SPACES.sub(" ", _CONTROL.sub(" ", value)).strip()
    return cleaned or None


def clean_text(text: str, *, title: str | None = None) -> str:
    """Paragraphs one per line; a first line that only repeats the title is dropped."""
    lines = [clean_field(line) for line in text.splitlines()]
    paragraphs = [line for line in lines if line]
    if paragraphs and title and _same_words(paragraphs[0], title):
        paragraphs = paragraphs[1:]
    return "\n".join(paragraphs)


# Chinese and Japanese are written without spaces: each ideograph or kana counts as a word (as word
# processors count them), so a Chinese article is not "too short" for having no spaces.
_CJK = "\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_PUNCTUATION = "\u3000-\u3004\u3006-\u303f\uff01-\uff0f\uff1a-\uff20"
_WORDS = re.compile(rf"[{_CJK}]|[^\s{_CJK}{_CJK_PUNCTUATION}]+")


def word_count(text: str) -> int:
    """Whitespace-separated words, each CJK character counting as one."""
    return len(_WORDS.findall(text))


def _same_words(a: str, b: str) -> bool:
    def norm(s: str) -> str:
        return " ".join(unicodedata.normalize("NFKC", s).casefold().split())

    return norm(a) == norm(b)
