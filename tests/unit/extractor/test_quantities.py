"""quantities: numbers with what they count, spelled-out and approximate ones too; years and dates are not counts."""

from extractor.quantities import find_quantities
from extractor.text_spans import split_sentences


def quantities(text: str) -> list[tuple[float, str, str, bool]]:
    return [(q.value, q.text, q.counted, q.approximate) for q in find_quantities(text, split_sentences(text))]


def test_counts_of_people_keep_the_whole_counted_phrase() -> None:
    """'6,000 military construction personnel', '5,000 … workers', '1,000 deminers' are read with what they count."""
    text = (
        "North Korea plans to deploy 6,000 military construction personnel and deminers to Russia's Kursk "
        "region. It will send 1,000 deminers and 5,000 military construction workers."
    )
    assert quantities(text) == [
        (6000.0, "6,000", "military construction personnel", False),
        (1000.0, "1,000", "deminers", False),
        (5000.0, "5,000", "military construction workers", False),
    ]


def test_approximate_numbers_are_flagged() -> None:
    """'about 4,700 casualties', 'around 600 fatalities', 'more than 200 homes' are approximate."""
    text = "Troops suffered about 4,700 casualties, including around 600 fatalities. More than 200 homes burned."
    assert quantities(text) == [
        (4700.0, "about 4,700", "casualties", True),
        (600.0, "around 600", "fatalities", True),
        (200.0, "More than 200", "homes", True),
    ]


def test_spelled_out_numbers_and_scales_are_read() -> None:
    """'six thousand soldiers', 'a dozen villages', '2.5 million people' have their values."""
    text = "Six thousand soldiers and a dozen villages were affected; 2.5 million people fled."
    assert quantities(text) == [
        (6000.0, "Six thousand", "soldiers", False),
        (12.0, "a dozen", "villages", True),
        (2_500_000.0, "2.5 million", "people", False),
    ]


def test_years_dates_times_and_names_are_not_quantities() -> None:
    """'in 2019', 'March 3', '3 March', '10:30', 'COVID-19' and 'F-16' give nothing."""
    text = "In 2019 the F-16 flew on March 3 and again on 3 March at 10:30, before COVID-19 spread."
    assert quantities(text) == []


def test_percentages_and_money_name_their_unit() -> None:
    """Percentages are kept with counted='percent'; amounts of money count their currency."""
    text = "Turnout was 62% and prices rose 3.5 percent after a $5 million grant."
    assert quantities(text) == [
        (62.0, "62%", "percent", False),
        (3.5, "3.5 percent", "percent", False),
        (5_000_000.0, "$5 million", "dollars", False),
    ]


def test_each_quantity_carries_its_sentence_and_offset() -> None:
    """The sentence is the one the number stands in; the offset points at the number in the text."""
    text = "The report came late. About 4,700 casualties were counted. Nothing else."
    (quantity,) = find_quantities(text, split_sentences(text))
    assert quantity.sentence == "About 4,700 casualties were counted."
    assert text[quantity.offset :].startswith("About 4,700")
