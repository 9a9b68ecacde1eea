"""language: detection from the text, the page's declaration as a fallback."""

from extractor.language import detect_language, primary_subtag


def test_language_is_detected_from_the_text() -> None:
    """Clear text decides, even against the page's template lang attribute."""
    german = "Nach drei Jahren Bauzeit nimmt die neue Straßenbahnlinie am Montag ihren Betrieb auf."
    assert detect_language(german, declared="en") == "de"
    french = "Le conseil municipal a voté mercredi soir pour prolonger les lignes de bus de nuit."
    assert detect_language(french) == "fr"


def test_short_text_falls_back_to_the_declared_language() -> None:
    """Too little text to judge: the page's declared language, reduced to its primary subtag."""
    assert detect_language("Hello", declared="en-GB") == "en"
    assert detect_language("", declared="pt_BR") == "pt"


def test_nothing_to_go_on_gives_none() -> None:
    """No text and no (valid) declaration gives no language rather than a guess."""
    assert detect_language("") is None
    assert detect_language("12", declared="not a tag!") is None


def test_primary_subtag_accepts_language_tags_only() -> None:
    """Common tag spellings reduce to a lowercase code; junk does not."""
    assert primary_subtag("EN-us") == "en"
    assert primary_subtag("de") == "de"
    assert primary_subtag(None) is None
    assert primary_subtag("english") is None
