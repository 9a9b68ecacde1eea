"""Everything read out of an article's text besides the text itself, in one budgeted pass.

Pattern-based readers (quantities, dates, quotations), the fingerprint and the tone run over the
whole text (capped at `max_chars`); spaCy runs NER on the title and the first `ner_max_words`
words and parses only the lead (title and `lead_sentences` sentences) for event records.
Text in a language without a configured model gets the fingerprint and keywords only.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from extractor import nlp
from extractor.date_mentions import find_dates
from extractor.entities import find_entities
from extractor.events import LeadContext, find_events
from extractor.fingerprint import keywords, simhash
from extractor.gazetteer import gazetteer
from extractor.quantities import find_quantities
from extractor.quotations import find_quotations
from extractor.text_spans import split_sentences
from extractor.tone import document_tone, lexicon
from newsflow_shared.contracts.enrichment import EntityKind, WeightedTerm

_WORD_END = re.compile(r"\S+")
TITLE_SEPARATOR = "\n\n"
# A wire-style dateline opening the body ("SEOUL, Aug. 20 (Yonhap) --", "(CNN) —", "LONDON (Reuters) -")
# is not part of the lead's first sentence: parsed with it, the city becomes the sentence's subject.
_DATELINE = re.compile(
    r"^\s*(?=[A-Z(])(?:[A-Z][A-Z'.\- ]+(?:,\s*[A-Z][\w.' ]{1,30}){0,2})?\s*"
    r"(?:\([A-Za-z][\w .&-]{0,30}\)\s*(?:--|—|–|-|:)|(?<=[A-Z.0-9])\s*(?:--|—|–))\s*"
)


@dataclass(frozen=True)
class Budget:
    ner_max_words: int = 250
    lead_sentences: int = 3
    max_chars: int = 100_000


class Analyser:
    def __init__(self, models: dict[str, str], budget: Budget = Budget()) -> None:
        self.models = models
        self.budget = budget

    def warm(self) -> None:
        """Load what the first article would otherwise wait for (spaCy ~0.3 s, gazetteer ~1 s)."""
        if "en" in self.models:
            nlp.load(self.models["en"])
        gazetteer()
        lexicon()

    def analyse(self, *, title: str | None, text: str, language: str | None, published: datetime | None) -> dict:
        """Fields of ArticleExtracted (entities, quantities, …), ready for model_copy(update=...)."""
        body = text[: self.budget.max_chars]
        fields: dict = {"simhash": simhash(body)}
        model = self.models.get(language or "")
        if model is None:
            fields["keywords"] = _terms(keywords(body, []))
            return fields
        english = language == "en"
        day = published.date() if published else None
        sentences = split_sentences(body)
        title = title or ""
        start = len(title) + len(TITLE_SEPARATOR) if title else 0
        joined = f"{title}{TITLE_SEPARATOR}{body}" if title else body
        lead_end = sentences.ends[min(self.budget.lead_sentences, len(sentences.ends)) - 1] if self.budget.lead_sentences and body else 0
        ner_end = max(_end_of_word(body, self.budget.ner_max_words), lead_end)
        dateline = _DATELINE.match(body[:lead_end]) if lead_end else None
        lead_start = start + (dateline.end() if dateline else 0)
        lead_parts = ([(0, len(title))] if title else []) + ([(lead_start, start + lead_end)] if lead_end else [])
        reading = nlp.read(nlp.load(model), joined, ner_chars=start + ner_end, lead_parts=lead_parts if english else [])
        found = find_entities(reading.entities, text=body, text_start=start, gazetteer=gazetteer())
        fields["entities"] = found.entities
        fields["keywords"] = _terms(keywords(body, [e.name for e in found.entities]))
        if not english:
            return fields  # the patterns, lexicons and verb lexicon below are English
        quantities = find_quantities(body, sentences)
        dates = find_dates(body, day)
        names = {form for e in found.entities if e.kind in (EntityKind.PERSON, EntityKind.ORGANISATION) for form in [e.name]}
        fields.update(
            quantities=quantities,
            dates=dates,
            quotations=find_quotations(body, found.people, names),
            tone=document_tone(body),
        )
        context = LeadContext(
            quantities=_title_first(title, find_quantities(title, split_sentences(title)), quantities, start),
            dates=_title_first(title, find_dates(title, day), dates, start),
            published=day,
            gazetteer=gazetteer(),
        )
        fields["events"] = find_events(reading.leads, context)
        return fields


def _end_of_word(text: str, count: int) -> int:
    """Character offset just after the `count`-th word (the whole text if it is shorter)."""
    if count <= 0:
        return 0
    for index, match in enumerate(_WORD_END.finditer(text), start=1):
        if index == count:
            return match.end()
    return len(text)


def _title_first(title: str, in_title: list, in_body: list, start: int) -> list:
    return [(x.offset, x) for x in in_title] + [(start + x.offset, x) for x in in_body]


def _terms(pairs: list[tuple[str, float]]) -> list[WeightedTerm]:
    return [WeightedTerm(term=t, weight=w) for t, w in pairs]
