"""The demo's story table: most-covered stories first, counts read from the API's fields."""

from demo.api_client import stored_paths
from demo.report import stories_table


def test_stories_are_listed_by_article_count_with_their_source_counts() -> None:
    """Rows come sorted by coverage and show articles, sources and the title."""
    table = stories_table(
        [
            {"id": "a", "title": "Rate cut", "article_count": 2, "source_count": 2},
            {"id": "b", "title": "Kursk engineers", "article_count": 5, "source_count": 4},
        ],
        width=80,
    )
    rows = table.splitlines()[2:]
    assert rows[0].split() == ["1", "5", "4", "Kursk", "engineers"]
    assert rows[1].split() == ["2", "2", "2", "Rate", "cut"]


def test_long_titles_wrap_under_the_title_column() -> None:
    """A title longer than the terminal continues on the next line, aligned with the title column."""
    table = stories_table([{"title": "word " * 30, "article_count": 1, "source_count": 1}], width=60)
    first, second = table.splitlines()[2:4]
    assert second.startswith(" " * first.index("word"))


def test_stored_paths_match_by_path_whatever_the_tracking_query() -> None:
    """An article stored under a feed URL with utm_* parameters still counts as the demo page."""
    articles = [{"url": "http://h:1/cw/a.html?utm_source=rss", "canonical_url": "http://h:1/cw/a.html"}]
    assert stored_paths(articles) == {"/cw/a.html"}
