"""Article features: numbers, guessed entities, fingerprints, and the similarity built on them."""

from datetime import UTC, datetime

from newsflow_shared.contracts.enrichment import Quantity
from store.content import ContentRow, key_numbers
from store.features import (Features, article_features, guessed_entities, hamming, numbers_in, sentences, simhash_bands,
                            text_hash)
from store.idf import TermStats, weighted_terms
from store.models import TermStat
from store.similarity import add_to_centroid, decay, score
from store.testing import extracted, long_worded_article


def test_numbers_keep_figures_and_skip_years_and_small_counts() -> None:
    """6,000 and 1.2 billion and 3.75% are figures; 2025 and 'three' and 7 are not."""
    found = numbers_in("Fined 1.2 billion in 2025; 6,000 troops; rate at 3.75%; 7 judges")
    assert [(n["value"], n["text"]) for n in found] == [(1.2e9, "1.2 billion"), (6000.0, "6,000"), (3.75, "3.75%")]


def test_capitalised_runs_stand_in_for_entities() -> None:
    """Without the extractor's entities, names in the lead are guessed from capitalisation."""
    assert set(guessed_entities("North Korea will send troops, Sergei Shoigu said in Pyongyang.")) == {
        "north korea", "sergei shoigu", "pyongyang"}


def test_no_term_an_article_counts_outgrows_the_term_counts_key() -> None:
    """term_stat's key holds 200 characters on PostgreSQL; a longer term failed the whole article there."""
    features = article_features(long_worded_article())
    counted = weighted_terms(features)
    assert max(len(term) for term in counted) <= TermStat.__table__.c.term.type.length
    assert {"北京", "暴雨", "内涝"} <= set(features.title)  # the clause is read as letter pairs, none dropped
    assert max(len(term) for term in counted if not term.startswith("e:")) <= 64
    # Without the extractor's names, a lead in Title Case is guessed as one long name.
    guessed = guessed_entities(" ".join(["Breaking News Live Updates From The Flooded Valley"] * 6))
    assert 100 < max(len(f"e:{name}") for name in guessed) <= TermStat.__table__.c.term.type.length


def test_a_non_finite_figure_is_no_figure() -> None:
    """NaN and infinity pass the contract (and 400 digits read as infinity); stored as JSON they became
    null, which the story's next rebuild could not read."""
    quantities = [Quantity(value=value, text=text, counted="workers", sentence=f"{text} workers", offset=0)
                  for value, text in [(float("nan"), "many"), (float("inf"), "countless"), (5000.0, "5,000")]]
    assert [n["value"] for n in article_features(extracted(quantities=quantities)).numbers] == [5000.0]
    assert [n["value"] for n in numbers_in(f"They counted {'9' * 400} workers and 6,000 deminers")] == [6000.0]


def test_a_figure_stored_as_null_before_that_is_left_out_when_the_row_is_read_again() -> None:
    """Rows stored before non-finite figures were refused hold them as null: a story rebuilt from such rows
    (a merge, an edited article, a re-cluster) failed on them, and so did every batch that rebuilt it."""
    stored = article_features(extracted()).as_json() | {"numbers": [
        {"value": None, "text": "many", "counted": "workers"}, {"value": 6000.0, "text": "6,000", "counted": ""}]}
    row = ContentRow("a1", "northwind", "North Korea sends 6,000", Features.from_json(stored), [], [], False,
                     datetime(2026, 11, 4, tzinfo=UTC))
    assert [n["value"] for n in row.features.numbers] == [6000.0]
    assert [(n["text"], n["sources"]) for n in key_numbers([row])] == [("6,000", 1)]
    untouched = article_features(extracted()).as_json()
    assert Features.from_json(untouched).numbers is untouched["numbers"]  # the usual row: nothing copied


def test_simhashes_within_three_bits_share_a_band() -> None:
    """Four 16-bit bands: any three flipped bits leave at least one band identical."""
    a, b = "0123456789abcdef", f"{int('0123456789abcdef', 16) ^ (1 | 1 << 20 | 1 << 40):016x}"
    assert hamming(a, b) == 3
    assert set(simhash_bands(a)) & set(simhash_bands(b))


def test_text_hash_ignores_case_spacing_and_punctuation_but_not_short_texts() -> None:
    """Syndicated copies reflowed by another CMS hash alike; a teaser is too short to call."""
    text = " ".join(f"word{i}" for i in range(50))
    assert text_hash(text) == text_hash("  " + text.upper().replace(" ", " \n "))
    assert text_hash("Too short to tell.") is None
    chinese = "俄罗斯安全会议秘书绍伊古周二在平壤表示，朝鲜将派遣1000名扫雷人员和5000名军事建筑人员。" * 2  # 3 clauses
    assert text_hash(chinese) == text_hash(chinese.replace("，", ", ").replace("。", "。\n")) is not None
    assert text_hash("朝鲜将派遣1000名扫雷人员。") is None


def test_time_decay_spares_a_day_and_then_fades() -> None:
    assert decay(12) == decay(-20) == 1.0
    assert decay(24 + 72) < 0.37


def test_event_and_quantities_raise_the_score_when_both_sides_have_them() -> None:
    """The same actor, action and place, and the same figures, add to the text similarity."""
    base = Features(title={"kursk": 1.0, "engineer": 1.0}, body={"deminer": 1.0, "rebuild": 1.0})
    story = add_to_centroid({}, Features(title={"kursk": 1.0}, body={"deminer": 2.0},
                                         events={"action:07": 1.0, "actor:north korea": 1.0},
                                         quantities={"q:6000": 1.0}))
    enriched = Features(title=base.title, body=base.body, events={"action:07": 0.8, "actor:north korea": 0.8},
                        quantities={"q:6000": 1.0})
    stats = TermStats()
    assert score(enriched, story, stats, gap_hours=0).value > score(base, story, stats, gap_hours=0).value + 0.2


def test_a_score_does_not_depend_on_the_order_of_the_centroid_terms() -> None:
    """PostgreSQL's JSONB reorders a centroid's keys: a story read from the database and the same story
    cached as written must score exactly alike, or replicas could decide a threshold differently."""
    words = [f"word{n}" for n in range(120)]
    article = Features(title={w: 1.0 for w in words[:8]}, body={w: float(1 + n % 4) for n, w in enumerate(words[:90])})
    centroid = add_to_centroid({}, Features(title={w: 1.0 + n / 7 for n, w in enumerate(words[4:14])},
                                            body={w: 0.3 + n / 3 for n, w in enumerate(words[50:])}))
    reordered = {name: dict(reversed(terms.items())) for name, terms in centroid.items()}
    stats = TermStats(1000, {w: n * 7 % 300 for n, w in enumerate(words[::2])})
    scores = [score(article, c, stats, gap_hours=0) for c in (centroid, reordered)]
    assert scores[0].value > 0.1
    assert scores[0] == scores[1]


def test_chinese_text_gives_sentences_and_figures() -> None:
    """Sentences end at 。！？ with no space after (a closing quote stays with its sentence) and their length
    is counted in letters; a figure right after a Chinese letter is a figure (派遣6000名)."""
    text = ("俄罗斯安全会议秘书绍伊古周二在平壤表示，朝鲜将派遣1000名扫雷人员。"
            "他说：“5000名军事建筑人员将修复道路、桥梁和电力线路。”好的。")
    assert sentences(text) == ["俄罗斯安全会议秘书绍伊古周二在平壤表示，朝鲜将派遣1000名扫雷人员。",
                               "他说：“5000名军事建筑人员将修复道路、桥梁和电力线路。”"]  # 好的。 is too short
    assert [n["value"] for n in numbers_in("朝鲜将向库尔斯克派遣6000名工兵", "x6000 or a6.5")] == [6000.0]
