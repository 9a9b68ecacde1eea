"""Re-clustering on PostgreSQL: the writer's decisions kept, and features computed again from the rows."""

from tests.unit.store.test_recluster import (
    test_a_range_re_clustered_unchanged_keeps_the_writers_stories as keeps_the_writers_stories,
)
from tests.unit.store.test_recluster import (
    test_refeature_reads_stored_articles_again_and_moves_their_term_counts as refeature_moves_term_counts,
)


def test_a_range_re_clustered_unchanged_keeps_the_writers_stories_on_postgresql(postgres_url: str) -> None:
    keeps_the_writers_stories(postgres_url)


def test_refeature_moves_term_counts_on_postgresql(postgres_url: str, capsys, monkeypatch) -> None:
    refeature_moves_term_counts(postgres_url, capsys, monkeypatch)
