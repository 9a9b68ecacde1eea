"""fingerprint and tone: near-duplicates share most SimHash bits; keywords and tone summarise a text."""

from extractor.fingerprint import keywords, simhash
from extractor.tone import document_tone

STORY = (
    "The Eastgate harbour bridge reopened to traffic on Tuesday morning after a two-year repair that cost "
    "the city far more than planned. Engineers replaced the corroded steel cables and the deck. "
    "Commuters welcomed the reopening, and the council said the final bill would be presented in June."
)


def distance(a: str, b: str) -> int:
    return bin(int(a, 16) ^ int(b, 16)).count("1")


def test_a_syndicated_copy_is_near_and_another_story_is_far() -> None:
    """A copy with a changed word differs in few bits; an unrelated text in many."""
    copy = STORY.replace("Tuesday", "Wednesday") + " Reporting by Agency staff."
    other = "Heavy rain flooded the valley overnight and farmers counted their losses as rivers rose again."
    assert len(simhash(STORY)) == 16
    assert distance(simhash(STORY), simhash(copy)) <= 12
    assert distance(simhash(STORY), simhash(other)) > 16
    assert simhash("too short") is None


def test_keywords_are_weighted_normalised_and_favour_entities() -> None:
    """The top terms are content words; named entities rank first; the vector has unit length."""
    terms = keywords(STORY, ["Eastgate"])
    assert terms[0][0] == "eastgate"
    assert "the" not in dict(terms) and "said" not in dict(terms)
    assert abs(sum(w * w for _, w in terms) - 1.0) < 1e-3


def test_tone_is_positive_for_good_news_and_negative_for_bad() -> None:
    """Tone is (positive − negative words) per 100 words, in -100..100."""
    good = document_tone("The celebrated team won a great victory and fans were happy and proud.")
    bad = document_tone("The attack killed dozens; survivors described terror, grief and destruction.")
    assert good > 0 > bad
    assert -100 <= bad and good <= 100
    assert document_tone("") is None
