"""What-if runs for the throughput redesign: the writer with some of its work taken away, measured next to
the writer as it is, so the team can see what moving that work out of the store process would be worth
before building it (docs/stories.md, "Figures").

- `content`: no story content is computed (title, bullets, key numbers, entities, event). The state keeps
  only its article count, so no story is rebuilt from its rows for a count mismatch. The ceiling of a
  separate stage that re-summarises stories after their coverage changes.
- `features`: each article's features are computed before the clock starts, as if the extractor sent them
  in ArticleExtracted. The ceiling of moving term counting and sentence splitting to the extractor.

Bench code only: it patches the store's functions in this process (unittest.mock), never the service.
"""

import contextlib
from collections.abc import Iterable, Iterator
from unittest import mock

import store.content
import store.ingest
from store.features import article_features

WORK = ("content", "features")


def count_only(content_state: dict | None, added: Iterable, centroid: dict) -> tuple[dict, store.content.Content]:
    """`store.content.updated_content` without the content: an empty state counting the story's articles."""
    state = store.content.ContentState().as_json()
    state["articles"] = (content_state or {}).get("articles", 0) + sum(1 for _ in added)
    return state, store.content.Content(title=None, summary=[], key_numbers=[], entities=[], event=None)


@contextlib.contextmanager
def without(work: Iterable[str], messages: list) -> Iterator[None]:
    """The writer in this process without `work` (names from WORK) while the block runs, for `messages`."""
    with contextlib.ExitStack() as patches:
        if "content" in work:
            patches.enter_context(mock.patch.object(store.content, "updated_content", count_only))
        if "features" in work:
            ready = {m.article_id: article_features(m) for m in messages}  # before the caller starts its clock
            patches.enter_context(mock.patch.object(
                store.ingest, "article_features", lambda m: ready.get(m.article_id) or article_features(m)))
        yield
