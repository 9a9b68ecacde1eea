"""spaCy, budgeted: which components run on which part of the text.

spaCy is the extractor's cost (en_core_web_sm: ~5,000 words/s/core with every component). Named
entities need only the `ner` component (it has its own tok2vec: ~11,000 words/s) and run on the
title and the first `ner_max_words` words; the tagger, parser and lemmatizer (for event records)
run on the lead alone, and take their entities from the NER pass.
"""

import threading
from dataclasses import dataclass
from functools import cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

NER_ONLY = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")
_lock = threading.Lock()


@cache
def _load(model: str) -> Language:
    return spacy.load(model, exclude=["senter", "textcat"])


def load(model: str) -> Language:
    """Each model once per process (about 0.3 s and 50 MB for en_core_web_sm)."""
    with _lock:
        return _load(model)


@dataclass(frozen=True)
class Reading:
    """The NER pass over title + text prefix, and the parse of each lead part (title, first sentences)."""

    entities: Doc
    leads: list[tuple[int, Doc]]  # (offset of the part in the NER string, its parsed Doc)


def read(nlp: Language, text: str, *, ner_chars: int, lead_parts: list[tuple[int, int]]) -> Reading:
    """NER over `text[:ner_chars]`; each (start, end) lead part parsed (batched) with those entities."""
    entities = nlp(text[:ner_chars], disable=[p for p in nlp.pipe_names if p in NER_ONLY])
    found = list(entities.ents)  # Doc.ents builds its spans anew on every access
    parsed = nlp.pipe((text[start:end] for start, end in lead_parts), disable=["ner"])
    leads = []
    for (start, end), doc in zip(lead_parts, parsed, strict=True):
        spans = [
            doc.char_span(e.start_char - start, e.end_char - start, label=e.label_, alignment_mode="expand")
            for e in found
            if e.start_char >= start and e.end_char <= end
        ]
        doc.set_ents(spacy.util.filter_spans([s for s in spans if s is not None]))
        leads.append((start, doc))
    return Reading(entities, leads)
