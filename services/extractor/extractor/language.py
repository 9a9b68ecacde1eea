"""The language of an article, detected from its text, because the page's own lang tag is often wrong."""

import re
import threading
from functools import cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

MIN_DETECTION_CHARS = 40  # below this py3langid's guesses are mostly noise ("Hello" → Breton)
MIN_CONFIDENCE = 0.5
SAMPLE_CHARS = 10_000  # enough for a confident guess; keeps huge pages cheap

_TAG = re.compile(r"^([a-zA-Z]{2,3})(?:[-_].*)?$")
_load_lock = threading.Lock()  # extraction threads may ask for the model at the same moment


@cache
def _load() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def identifier() -> LanguageIdentifier:
    """The model takes about half a second to load: once per process (warm it at startup)."""
    with _load_lock:
        return _load()


def detect_language(text: str, *, declared: str | None = None) -> str | None:
    """An ISO 639-1 code (e.g. "en"): the text's language when clear, else what the page declares."""
    sample = text[:SAMPLE_CHARS]
    if len(sample.strip()) >= MIN_DETECTION_CHARS:
        language, confidence = identifier().classify(sample)
        if confidence >= MIN_CONFIDENCE:
            return language
    return primary_subtag(declared)


def primary_subtag(tag: str | None) -> str | None:
    """ "en-GB" / "de_DE" → "en" / "de"; anything that is not a language tag → None."""
    match = _TAG.match(tag.strip()) if tag else None
    return match.group(1).lower() if match else None
