"""quotations: quoted speech with its speaker where the text names one."""

from extractor.quotations import find_quotations


def quotes(text: str, people: list[tuple[str, int]] = (), names: set[str] = frozenset()) -> list[tuple[str, str | None]]:
    return [(q.text, q.speaker) for q in find_quotations(text, list(people), set(names))]


def test_speaker_after_the_quote_is_found_both_ways_round() -> None:
    """'"…," said X' and '"…," X said' both name the speaker; a known entity inside the phrase wins."""
    text = (
        '"We will not comment on speculation," said Kremlin spokesman Dmitry Peskov.\n'
        '"This is a sign of brotherly help," Shoigu said.'
    )
    assert quotes(text, names={"Dmitry Peskov", "Shoigu"}) == [
        ("We will not comment on speculation,", "Dmitry Peskov"),
        ("This is a sign of brotherly help,", "Shoigu"),
    ]


def test_speaker_before_the_quote_and_according_to() -> None:
    """'X said: "…"' and '"…", according to X' name the speaker."""
    text = (
        'The minister said: "The bridge will reopen in June as planned."\n'
        '"The works were finished early this year," according to the city engineer.'
    )
    assert quotes(text) == [
        ("The bridge will reopen in June as planned.", "The minister"),
        ("The works were finished early this year,", "the city engineer"),
    ]


def test_he_or_she_is_the_person_named_last_before_the_quote() -> None:
    """A pronoun speaker resolves to the last person mentioned before the quote."""
    text = 'Maren Holt spoke first. "We owe the river a safer crossing," she said.'
    assert quotes(text, people=[("Maren Holt", 0)]) == [("We owe the river a safer crossing,", "Maren Holt")]


def test_short_scare_quotes_are_not_quotations_and_unattributed_quotes_have_no_speaker() -> None:
    """A two-word quoted phrase is skipped; a quote nobody is said to have said has speaker None."""
    text = 'The so-called "special operation" went on. "Nobody knows what happens next in the region."'
    assert quotes(text) == [("Nobody knows what happens next in the region.", None)]
