"""classification: which pages are articles, and why the others are not."""

from extractor.classification import NotArticle, classify

PROSE = "A sentence of ordinary article prose with a dozen or so words in it.\n" * 5


def test_prose_above_the_threshold_is_an_article() -> None:
    """Enough prose words make an article, whatever the page declares about itself."""
    assert classify(PROSE, word_count=200, page_type="article", min_words=30) is None
    assert classify(PROSE, word_count=200, page_type=None, min_words=30) is None


def test_no_text_and_short_text_are_not_articles() -> None:
    """No text at all is no_text; a few words are too_short."""
    assert classify("", word_count=0, page_type="article", min_words=30) is NotArticle.NO_TEXT
    assert (
        classify("Just a caption.", word_count=3, page_type="article", min_words=30) is NotArticle.TOO_SHORT
    )


def test_text_made_mostly_of_list_items_is_a_listing() -> None:
    """A front page's teasers come out as list items; that makes a listing even when long."""
    teasers = "\n".join(
        f"- Teaser {i} with a one-line summary of a story elsewhere on the site." for i in range(20)
    )
    assert classify(teasers, word_count=240, page_type=None, min_words=30) is NotArticle.LISTING


def test_article_with_a_bullet_list_inside_is_still_an_article() -> None:
    """Some key points in a list do not outweigh the prose around them."""
    text = PROSE + "- first point\n- second point\n" + PROSE
    assert classify(text, word_count=150, page_type="newsarticle", min_words=30) is None


def test_declared_website_with_little_text_is_a_listing_but_long_text_is_believed() -> None:
    """og:type website marks a short page as a listing; a long one on a mislabelling site stays an article."""
    assert classify(PROSE, word_count=60, page_type="website", min_words=30) is NotArticle.LISTING
    assert classify(PROSE, word_count=400, page_type="website", min_words=30) is None
