"""Story content: representative headline, summary bullets, key numbers, entities and event."""

import json
from datetime import UTC, datetime, timedelta

from store import terms
from store.content import (
    ENTITY_POOL,
    MAIN_ENTITIES,
    Content,
    ContentRow,
    ContentState,
    Early,
    Target,
    build_state,
    compute_content,
    early_content,
    key_numbers,
    refresh_content,
    summary,
    text_vector,
)
from store.features import Features, numbers_in
from store.similarity import add_to_centroid
from store.story_states import StoryRow

T0 = datetime(2026, 11, 4, 8, 0, tzinfo=UTC)


def row(article_id: str, source_id: str, title: str, sentences: list[str], *, numbers: list[dict] | None = None,
        entities: list[dict] | None = None, events: list[dict] | None = None, is_copy: bool = False,
        minutes: int = 0) -> ContentRow:
    features = Features(title={t: float(n) for t, n in terms.term_counts(title).items()},
                        body={t: float(n) for t, n in terms.term_counts(*sentences).items()},
                        numbers=numbers if numbers is not None else numbers_in(title, *sentences),
                        sentences=sentences)
    return ContentRow(article_id, source_id, title, features, entities or [], events or [], is_copy,
                      T0 + timedelta(minutes=minutes))


def centroid(rows: list[ContentRow]) -> dict:
    result: dict = {}
    for r in rows:
        result = add_to_centroid(result, r.features)
    return result


KURSK = [
    row("a", "north", "North Korea to send 6,000 engineers and deminers to Kursk",
        ["North Korea will send 6,000 military engineers and deminers to Russia's Kursk region.",
         "The weather in Moscow was mild on Tuesday afternoon, officials noted."]),
    row("b", "harbor", "Pyongyang pledges sappers for Kursk",
        ["Pyongyang will send 6,000 military builders and deminers to the Kursk region, Moscow said.",
         "Analysts say 24,000 troops were sent last year to fight in the region."], minutes=5),
    row("c", "capital", "Kim's soldiers: a story of loyalty",
        ["North Korea will send 6,000 engineers and deminers to rebuild Kursk, Shoigu said on Tuesday.",
         "Shoigu met Kim Jong Un in Pyongyang to discuss cooperation and the rebuilding effort."], minutes=9),
    row("d", "copycat", "North Korea to send 6,000 engineers and deminers to Kursk",
        ["North Korea will send 6,000 military engineers and deminers to Russia's Kursk region."],
        is_copy=True, minutes=12),
]


def test_key_numbers_count_distinct_sources_per_figure() -> None:
    """'6,000' from four outlets ranks before '24,000' from one, written as the outlets write it."""
    numbers = key_numbers(KURSK)
    assert [(n["text"], n["sources"]) for n in numbers[:2]] == [("6,000", 4), ("24,000", 1)]
    assert numbers[0]["value"] == 6000.0


def test_the_title_is_the_headline_closest_to_the_story() -> None:
    """The on-topic headline wins over a feature-style one; copies are not candidates when originals exist."""
    assert compute_content(KURSK, centroid(KURSK)).title == "North Korea to send 6,000 engineers and deminers to Kursk"


def test_three_bullets_from_different_articles_without_repeats_preferring_key_numbers() -> None:
    """Central sentences carrying the key number come first, one per article, none near-duplicating another."""
    numbers = key_numbers(KURSK)
    bullets = summary(KURSK, centroid(KURSK), numbers)
    assert len(bullets) == 3
    assert all("6,000" in bullet for bullet in bullets[:2])
    # c's lead repeats a's almost word for word, so c contributes its other sentence instead.
    assert bullets[2] == "Shoigu met Kim Jong Un in Pyongyang to discuss cooperation and the rebuilding effort."
    assert "The weather in Moscow was mild on Tuesday afternoon, officials noted." not in bullets
    assert len(set(bullets)) == 3


def test_near_identical_sentences_appear_once() -> None:
    """Two outlets' almost identical sentence yields one bullet."""
    same = "The central bank cut its key interest rate by a quarter point to 3.75% on Wednesday."
    rows = [row("a", "s1", "Rate cut", [same]), row("b", "s2", "Rate cut", [same.replace("Wednesday", "Weds")])]
    assert len(summary(rows, centroid(rows), key_numbers(rows))) == 1


def test_entities_by_articles_and_the_most_reported_event() -> None:
    """Entities rank by how many articles name them; the event is the most confident record of the most
    reported (actor, action, place)."""
    kim = {"name": "Kim Jong Un", "kind": "person"}
    kursk = {"name": "Kursk", "kind": "place"}
    deploy = {"actor1": {"name": "North Korea"}, "cameo_root": "07", "place": {"name": "Kursk Oblast"},
              "confidence": 0.6, "sentence": "s"}
    rows = [row("a", "s1", "t", ["x y z a b c"], entities=[kursk, kim], events=[deploy]),
            row("b", "s2", "t", ["x y z a b c"], entities=[kursk], events=[{**deploy, "confidence": 0.9}]),
            row("c", "s3", "t", ["x y z a b c"], events=[{**deploy, "cameo_root": "19", "confidence": 1.0}])]
    content = compute_content(rows, centroid(rows))
    assert content.entities == [{"name": "Kursk", "kind": "place", "articles": 2},
                                {"name": "Kim Jong Un", "kind": "person", "articles": 1}]
    assert (content.event["cameo_root"], content.event["confidence"]) == ("07", 0.9)


def test_a_state_added_to_article_by_article_gives_the_content_of_all_rows() -> None:
    """A story's content kept up to date from its stored state (one article at a time, through JSON, as
    the writer stores it) is the content computed from all its rows at once."""
    rows = [*KURSK, row("e", "east", "Kim sends 6,000 sappers to Kursk",
                        ["North Korea is sending 6,000 sappers to Kursk, officials in Moscow said on Monday.",
                         "The first of 24,000 troops crossed the border last year, analysts said."],
                        entities=[{"name": "Kursk", "kind": "place"}], minutes=20)]
    state = ContentState()
    for n, added in enumerate(rows, start=1):
        state = ContentState.from_json(json.loads(json.dumps(state.as_json())))
        state.add(added)
        assert state.content(centroid(rows[:n])) == compute_content(rows[:n], centroid(rows[:n]))


def test_adding_to_a_state_leaves_the_state_it_was_read_from_unchanged() -> None:
    """The writer's cache hands the same stored state to every transaction: one that adds to it and then
    rolls back must not have changed it."""
    stored = ContentState()
    for added in KURSK[:2]:
        stored.add(added)
    before = json.dumps(stored.as_json(), sort_keys=True)
    state = ContentState.from_json(stored.as_json())
    state.add(KURSK[2])
    state.content(centroid(KURSK))
    assert json.dumps(stored.as_json(), sort_keys=True) == before
    assert state.articles == 3 and stored.articles == 2


def test_a_big_story_keeps_a_bounded_pool_of_names_and_its_most_named_entities() -> None:
    """Every article brings stray names; the state keeps the most named ENTITY_POOL of them, so a story of
    hundreds of articles is not rewritten with all their names each time it changes."""
    state = ContentState()
    for n in range(300):
        named = [{"name": f"Main {m}", "kind": "person"} for m in range(MAIN_ENTITIES) if n % (m + 1) == 0]
        state.add(row(f"a{n}", f"s{n}", "t", ["x y z a b c"], entities=[*named, {"name": f"Stray {n}", "kind": "org"}]))
        if n % 25 == 0:
            state.content({})
    content = state.content({})
    assert len(state.entities) == ENTITY_POOL
    assert [e["name"] for e in content.entities] == [f"Main {m}" for m in range(MAIN_ENTITIES)]
    assert content.entities[0]["articles"] == 300


def test_summary_closeness_does_not_depend_on_the_order_of_a_sentence_terms() -> None:
    """A stored sentence's weights come back from JSONB in another key order: the score is the same."""
    target = Target.of(centroid(KURSK))
    for candidate in KURSK:
        for sentence in candidate.features.sentences:
            weights, norm = text_vector(sentence)
            assert target.closeness(weights, norm) == target.closeness(dict(reversed(weights.items())), norm) > 0


def test_a_state_stored_with_term_counts_reads_as_the_same_state() -> None:
    """States written before candidates kept their weights held term counts: read back, they rank the
    candidates as a state built now does."""
    now = build_state(KURSK).as_json()
    before = {**now, **{pool: [[*c[:3], terms.term_counts(c[0] if pool != "sentences" else c[2])] for c in now[pool]]
                        for pool in ("titles", "copy_titles", "sentences")}}
    assert ContentState.from_json(json.loads(json.dumps(before))).as_json() == json.loads(json.dumps(now))
    assert ContentState.from_json(before).content(centroid(KURSK)) == build_state(KURSK).content(centroid(KURSK))


def test_content_computed_early_stands_only_for_the_state_it_was_computed_from() -> None:
    """The writer computes a story's content while its row is being locked, from the state it had cached;
    it is kept when the locked row holds that very state, and computed again from the row's otherwise."""
    cached = ContentState()
    for added in KURSK[:2]:
        cached.add(added)
    basis = cached.as_json()
    marked = Early(basis, {"articles": 3}, Content("Computed early", [], [], [], None))
    now = datetime(2026, 11, 4, tzinfo=UTC)
    same = StoryRow(id="s", title="", created_at=now, updated_at=now, centroid=centroid(KURSK[:3]),
                    content_state=basis)
    moved = StoryRow(id="s", title="", created_at=now, updated_at=now, centroid=centroid(KURSK[:3]),
                     content_state=json.loads(json.dumps(basis)))  # an equal state read again: not the one used
    refresh_content([same], {"s": [KURSK[2]]}, {}, {"s": marked})
    refresh_content([moved], {"s": [KURSK[2]]}, {}, {"s": marked})
    assert (same.title, same.content_state) == ("Computed early", {"articles": 3})
    assert moved.title == compute_content(KURSK[:3], centroid(KURSK[:3])).title != "Computed early"
    assert moved.content_state["articles"] == 3


def test_early_content_is_the_content_refresh_computes() -> None:
    """What `early_content` computes is what the same story's refresh gives without it."""
    basis = build_state(KURSK[:2]).as_json()
    [(story_id, early)] = early_content([("s", basis, centroid(KURSK))], {"s": KURSK[2:]}).items()
    now = datetime(2026, 11, 4, tzinfo=UTC)
    story = StoryRow(id="s", title="", created_at=now, updated_at=now, centroid=centroid(KURSK), content_state=basis)
    refresh_content([story], {"s": KURSK[2:]}, {})
    assert story_id == "s" and early.basis is basis
    assert early.content == Content(story.title, story.summary, story.key_numbers, story.entities, story.event)
    assert early.state == story.content_state
