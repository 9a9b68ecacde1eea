"""text: extracted strings cleaned for storage and counted."""

from extractor.text import clean_field, clean_text, word_count


def test_clean_text_keeps_one_paragraph_a_line_and_drops_a_repeated_title() -> None:
    """Blank lines and runs of spaces go; a first line equal to the title goes."""
    raw = "Bridge  Reopens\n\nFirst   paragraph.\n \nSecond\u00a0paragraph."
    assert clean_text(raw, title="bridge reopens") == "First paragraph.\nSecond paragraph."


def test_clean_text_keeps_a_first_line_that_only_starts_like_the_title() -> None:
    """Only an exact repeat of the title is removed."""
    assert clean_text("Bridge reopens today, officials say.", title="Bridge reopens") == (
        "Bridge reopens today, officials say."
    )


def test_clean_field_removes_control_characters_and_empties_to_none() -> None:
    """NUL and other controls become spaces; nothing left means None."""
    assert clean_field("Maren\x00Holt ") == "Maren Holt"
    assert clean_field(" \x01 ") is None
    assert clean_field(None) is None


def test_word_count_counts_whitespace_separated_words() -> None:
    assert word_count("one two\nthree") == 3
    assert word_count("") == 0


def test_word_count_counts_each_chinese_or_japanese_character_as_a_word() -> None:
    """Text without spaces is not "too short": ideographs and kana count one each, punctuation not at all."""
    assert word_count("香港行政长官梁振英道歉。") == 11
    assert word_count("トランプと金正恩") == 8
    assert word_count("Kim 金正恩 said") == 5
