"""Key terms: the normalised words story matching compares."""

from store import terms
from store.terms import key_terms, lead, overlap


def test_key_terms_are_lowercased_without_stopwords_or_possessives() -> None:
    """Case, stopwords, possessives and one-letter words do not count."""
    assert key_terms("The Kremlin's plan for a Kursk deal") == {"kremlin", "plan", "kursk", "deal"}


def test_numbers_match_with_or_without_thousands_separators() -> None:
    """6,000 and 6000 are the same number."""
    assert key_terms("6,000 troops") == key_terms("6000 troops") == {"6000", "troops"}


def test_key_terms_combine_several_texts_and_ignore_missing_ones() -> None:
    """Title and lead are merged; a missing part is skipped."""
    assert key_terms("Floods in Spain", None, "Valencia floods") == {"floods", "spain", "valencia"}


def test_lead_keeps_the_opening_words() -> None:
    """The lead is the first words of the text, whitespace normalised."""
    assert lead("one  two\nthree four", words=3) == "one two three"


def test_overlap_is_shared_terms_over_the_smaller_set() -> None:
    """A short headline fully contained in a long lead scores 1; too few shared terms score 0."""
    assert overlap({"a", "b", "c"}, {"a", "b", "c", "d", "e", "f"}) == 1.0
    assert overlap({"a", "b", "c", "x"}, {"a", "b", "c", "d", "e", "f"}) == 0.75
    assert overlap({"a", "b"}, {"a", "b"}) == 0.0, "two shared words are not enough evidence"
    assert overlap(set(), {"a"}) == 0.0


def test_term_counts_are_stemmed_key_terms_the_same_on_every_call() -> None:
    """Words are looked up in a cache after the first time: the second call counts as the first did."""
    text = "Russia's deminers and the 6,000 engineers: deminers’ work in two cities, a Kursk report"
    expected = {"russia": 1, "deminer": 2, "6000": 1, "engineer": 1, "work": 1, "two": 1, "city": 1, "kursk": 1}
    assert terms.term_counts(text) == expected
    assert terms.term_counts(text, None, "") == expected
    assert terms.term_counts("Cities of the world", text)["city"] == 2


def test_chinese_and_japanese_are_read_as_letter_pairs_without_function_letters() -> None:
    """Written without spaces, a clause was one term and two reports of one event shared none: pairs of
    letters are terms instead, leaving out those with a function letter (将, 向, の, で …) or a counter (名)."""
    assert terms.term_counts("朝鲜将向库尔斯克派遣工兵") == {
        "朝鲜": 1, "库尔": 1, "尔斯": 1, "斯克": 1, "克派": 1, "派遣": 1, "遣工": 1, "工兵": 1}
    assert terms.term_counts("東京で地震") == {"東京": 1, "地震": 1}
    assert terms.term_counts("G20峰会在北京, 6,000名工兵") == {"g20": 1, "峰会": 1, "北京": 1, "6000": 1, "工兵": 1}
    assert terms.term_counts("북한은 쿠르스크에") == {"북한": 1, "한은": 1, "쿠르": 1, "르스": 1, "스크": 1, "크에": 1}
    assert terms.term_counts("Kursk deminers") == {"kursk": 1, "deminer": 1}  # other scripts as before


def test_a_lead_and_a_word_count_count_cjk_letters_two_to_a_word() -> None:
    """A Chinese paragraph is one whitespace "word": the lead's budget is cut in letters instead."""
    text = "朝鲜将向俄罗斯库尔斯克州派遣工兵。" * 20
    assert terms.word_count("朝鲜将向俄罗斯库尔斯克州派遣工兵。") == 8  # 16 letters; 。 is no word
    assert terms.word_count("G20 峰会 in Rome") == 4
    assert terms.word_count("Xi Jinping (习近平) said") == 5
    assert lead(text, words=10) == text[:20]
    assert lead("one two three", words=2) == "one two"
    english = "Xi Jinping (习近平) met Kim Jong Un in Beijing on Tuesday " * 10
    assert len(lead(english, words=60).split()) >= 55  # a Chinese name counts two words, not the whole lead
    assert lead("第一段很长的中文句子没有空格 and then English words", words=5) == "第一段很长的中文句子没有空格"[:10]
