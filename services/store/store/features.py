"""What an article says, reduced to what clustering and story pages compare: sparse term vectors per
field (title, body, entities, event, numbers), fingerprints for copies, and summary candidate sentences.

Works from title and text alone; the extractor's entities, events, quantities and SimHash are used
when the message carries them. Stored as JSON on the article so re-clustering needs only the rows.
"""

import functools
import hashlib
import math
import re
from dataclasses import dataclass, field, replace

from newsflow_shared.contracts.extracted_articles import ArticleExtracted

from store import terms

BODY_WORDS = 150  # the lead names the event; later paragraphs drift into background
SENTENCES = 8  # candidate summary sentences kept per article
MIN_COPY_WORDS = 40  # shorter texts (teasers, paywall stubs) are too alike to call copies
MAX_ENTITY_MENTIONS = 5
MAX_ENTITY_KEY_CHARS = 120

# After . ! ? with a space and a capital or figure next; after a CJK full stop (。！？, a closing quote may
# follow), which needs no space.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’']?\s+(?=[\"“‘']?[A-Z0-9])"
                           r"|(?<=[。！？])(?![」』”’\"'])\s*|(?<=[。！？][」』”’\"'])\s*")
_CAPITALISED_RUN = re.compile(r"\b[A-Z][\w’'-]*(?:\s+(?:of\s+|the\s+)?[A-Z][\w’'-]*)*")
_NUMBER = re.compile(
    rf"(?:(?<=[{terms.CJK_LETTERS}])|(?<![\w.]))"  # not inside a word, but right after a CJK letter (派遣6000名)
    r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(\s*(?:%|per ?cent|percent))?"
    r"(?:\s+(thousand|million|billion|trillion))?",
    re.IGNORECASE,
)
_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}


@dataclass(frozen=True)
class Features:
    """Term-frequency vectors per field; `numbers` as the text writes them, for key numbers."""

    title: dict[str, float] = field(default_factory=dict)
    body: dict[str, float] = field(default_factory=dict)
    entities: dict[str, float] = field(default_factory=dict)
    events: dict[str, float] = field(default_factory=dict)
    quantities: dict[str, float] = field(default_factory=dict)
    numbers: list[dict] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {name: getattr(self, name) for name in FIELDS}

    @classmethod
    def from_json(cls, data: dict) -> "Features":
        features = cls(**{name: data.get(name) or type(getattr(EMPTY, name))() for name in FIELDS})
        if all(_is_figure(n.get("value")) for n in features.numbers):
            return features
        # Stored before non-finite figures were refused (quantities_of): JSON kept NaN as null, which a story's
        # rebuild from its rows could not read.
        return replace(features, numbers=[n for n in features.numbers if _is_figure(n.get("value"))])


FIELDS = ("title", "body", "entities", "events", "quantities", "numbers", "sentences")
EMPTY = Features()


def article_features(message: ArticleExtracted) -> Features:
    lead = terms.lead(message.text, words=BODY_WORDS)
    numbers = quantities_of(message) or numbers_in(message.title, lead)
    return Features(
        title=counts(terms.term_counts(message.title)),
        body=counts(terms.term_counts(message.description, lead)),
        entities=entities_of(message) or guessed_entities(lead),
        events=events_of(message),
        quantities={f"q:{number_key(n['value'])}": 1.0 for n in numbers},
        numbers=numbers,
        sentences=sentences(message.text, limit=SENTENCES),
    )


def _is_figure(value: object) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


def counts(mapping: dict[str, int]) -> dict[str, float]:
    return {term: float(n) for term, n in mapping.items()}


def entity_key(name: str) -> str:
    """A name as a key: lowercased, stemmed, and cut to MAX_ENTITY_KEY_CHARS (counted in term_stat, whose key
    holds 200 characters: a run of capitalised words guessed as a name has no bound of its own)."""
    key = " ".join(terms.stem(w) for w in name.lower().replace("’s", "").replace("'s", "").split())
    return key[:MAX_ENTITY_KEY_CHARS].rstrip()


def entities_of(message: ArticleExtracted) -> dict[str, float]:
    found: dict[str, float] = {}
    for entity in message.entities:
        key = entity_key(entity.name)
        if key:
            found[key] = min(MAX_ENTITY_MENTIONS, found.get(key, 0) + entity.mentions)
    return found


def guessed_entities(text: str) -> dict[str, float]:
    """Capitalised runs of the lead stand in for named entities when the extractor found none."""
    found: dict[str, float] = {}
    for run in _CAPITALISED_RUN.findall(text):
        words = [w for w in run.split() if w.lower() not in terms.STOPWORDS]
        if not words:
            continue
        key = entity_key(" ".join(words))
        found[key] = min(MAX_ENTITY_MENTIONS, found.get(key, 0) + 1)
    return found


def events_of(message: ArticleExtracted) -> dict[str, float]:
    """Who, what and where of each event record, as keys weighted by the extractor's confidence."""
    keys: dict[str, float] = {}
    for event in message.events:
        parts = [f"action:{event.cameo_root}"]
        parts += [f"actor:{entity_key(a.name)}" for a in (event.actor1, event.actor2) if a is not None]
        if event.place is not None:
            parts.append(f"place:{entity_key(event.place.name)}")
        for key in parts:
            keys[key] = max(keys.get(key, 0.0), event.confidence)
    return keys


def quantities_of(message: ArticleExtracted) -> list[dict]:
    """The extractor's figures; a non-finite one (the contract lets NaN and infinity through) is no figure, and
    JSON would store it as null, which a later rebuild of the story could not read."""
    return [{"value": q.value, "text": q.text, "counted": q.counted} for q in message.quantities
            if math.isfinite(q.value)]


def numbers_in(*texts: str | None) -> list[dict]:
    """Figures in the title and lead (not years, not small counts) when the extractor sent none."""
    found: dict[str, dict] = {}
    for text in texts:
        for match in _NUMBER.finditer(text or ""):
            digits, percent, scale = match.groups()
            value = float(digits.replace(",", "")) * _SCALE.get((scale or "").lower(), 1.0)
            if not percent and (value < 10 or (1900 <= value <= 2100 and "," not in digits and not scale)):
                continue
            if not math.isfinite(value):  # 400 digits in a row read as infinity
                continue
            key = number_key(value) + ("%" if percent else "")
            found.setdefault(key, {"value": value, "text": match.group(0).strip(), "counted": ""})
    return list(found.values())


def number_key(value: float) -> str:
    return f"{value:.6g}"


def sentences(text: str, *, limit: int | None = None) -> list[str]:
    """The text's sentences in order, trimmed; fragments and very long run-ons are left out. Stops after
    `limit` of them (a long article's later paragraphs are never split)."""
    out = []
    for paragraph in text.split("\n"):
        for sentence in _SENTENCE_END.split(paragraph.strip()):
            words = terms.word_count(sentence)
            if 6 <= words <= 60:
                out.append(sentence.strip())
                if limit is not None and len(out) == limit:
                    return out
    return out


@functools.lru_cache(maxsize=1024)  # a batch asks twice per article: for its fingerprints, then for its row
def text_hash(text: str) -> str | None:
    """The same text on several sites, whatever the spacing or case; None for texts too short to tell."""
    words = re.findall(r"\w+", text.lower())
    if len(words) < MIN_COPY_WORDS and terms.word_count(text) < MIN_COPY_WORDS:  # a Chinese clause is one \w+
        return None
    return hashlib.sha1(" ".join(words).encode()).hexdigest()


def simhash_bands(simhash: str | None) -> list[str]:
    """Four 16-bit bands: two hashes within Hamming distance 3 share at least one band exactly."""
    if not simhash:
        return []
    return [f"b{band}:{simhash[band * 4:band * 4 + 4]}" for band in range(4)]


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()
