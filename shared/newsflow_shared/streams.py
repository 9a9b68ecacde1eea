"""Every Redis stream, consumer group and key prefix in one place, so no service spells one itself."""

RAW_ARTICLES = "newsflow:articles:raw"
EXTRACTED_ARTICLES = "newsflow:articles:extracted"
STORY_UPDATES = "newsflow:stories:updates"

EXTRACTOR_GROUP = "extractor"
STORE_GROUP = "store"


def dead_letter_stream(stage: str) -> str:
    """The dead-letter stream for one consuming stage (`extractor`, `store`, ...)."""
    return f"newsflow:dead:{stage}"


FETCHER_SEEN_PREFIX = "newsflow:fetcher:seen:"
