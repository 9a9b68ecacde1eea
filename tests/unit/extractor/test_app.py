"""app: the composition root wires the raw stream to the extracted stream, as the AsyncAPI document shows."""

from extractor.app import build_app
from extractor.settings import ExtractorSettings
from newsflow_shared import streams


def test_asyncapi_document_shows_what_the_extractor_reads_and_writes() -> None:
    """Without Redis, the app describes itself: it reads raw articles in its group, adds extracted ones."""
    spec = build_app(ExtractorSettings(consumer_name="doc")).schema.to_specification().to_jsonable()
    bindings = {
        name: channel["bindings"]["redis"]
        for name, channel in spec["channels"].items()
        if "bindings" in channel
    }

    reads = [b for b in bindings.values() if b["method"] == "xreadgroup"]
    writes = [b for b in bindings.values() if b["method"] == "xadd"]
    assert [(b["channel"], b["groupName"]) for b in reads] == [
        (streams.RAW_ARTICLES, streams.EXTRACTOR_GROUP)
    ]
    assert [b["channel"] for b in writes] == [streams.EXTRACTED_ARTICLES]
    schemas = spec["components"]["schemas"]
    assert "ArticleFetched" in schemas and "ArticleExtracted" in schemas
