"""One analyser for the extractor's tests, with the packaged English model (loaded once per process)."""

from functools import cache

from extractor.analysis import Analyser, Budget
from extractor.settings import DEFAULT_SPACY_MODEL


@cache
def analyser(ner_max_words: int = 250) -> Analyser:
    return Analyser({"en": DEFAULT_SPACY_MODEL}, Budget(ner_max_words=ner_max_words))
