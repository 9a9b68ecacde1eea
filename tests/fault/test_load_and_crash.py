"""Load and crashes: every article a feed offers is stored exactly once, even when workers are killed -9."""

from pathlib import Path

import pytest

from tests.fault.pipeline import Figures, Pipeline, pipeline_over_site, report

SHORT, LONG = 60, 5000


def assert_exactly_once(figures: Figures, pipeline: Pipeline) -> None:
    assert figures.lost == 0, figures.line()
    assert figures.duplicated == 0, figures.line()
    assert figures.dead_lettered == 0, figures.line()
    assert pipeline.settle() == {"extractor": 0, "store": 0}


def run_load(tmp_path: Path, articles: int, redis_url: str, postgres_url: str, *, timeout: float) -> None:
    with pipeline_over_site(tmp_path, articles, redis_url=redis_url, database_url=postgres_url) as (pipeline, fig):
        fig.name = f"load[{articles}]"
        pipeline.start_all(extractors=2, stores=2)
        pipeline.wait_until_stored(fig, timeout=timeout)
        fig.notes.append(f"{fig.sent / fig.seconds:.1f} articles/s end to end")
        report(fig.line())
        assert_exactly_once(fig, pipeline)


def run_crashes(tmp_path: Path, articles: int, redis_url: str, postgres_url: str, *, timeout: float) -> None:
    """kill -9 one extractor and one store at three points of the run, restarting each as compose would."""
    with pipeline_over_site(tmp_path, articles, redis_url=redis_url, database_url=postgres_url) as (pipeline, fig):
        fig.name = f"crash[{articles}]"
        pipeline.start_all(extractors=2, stores=2)
        marks = [articles * share // 4 for share in (1, 2, 3)]
        kills: list[str] = []

        def crash_at_marks(stored: int) -> None:
            if marks and stored >= marks[0]:
                marks.pop(0)
                for kind in ("extractor", "store"):
                    victim = pipeline.running(kind)[0]
                    pipeline.kill(victim)
                    kills.append(victim.name)
                    pipeline.start(kind, replica=int(victim.name.split("-")[1].split(".")[0]))

        pipeline.wait_until_stored(fig, timeout=timeout, during=crash_at_marks)
        fig.notes.append(f"killed -9: {', '.join(kills)}")
        report(fig.line())
        assert len(kills) == 6, f"three rounds of kills expected, got {kills}"
        assert_exactly_once(fig, pipeline)


def test_load_short(tmp_path: Path, redis_url: str, postgres_url: str) -> None:
    """60 articles through fetcher, 2 extractors and 2 stores: all stored once, nothing pending."""
    run_load(tmp_path, SHORT, redis_url, postgres_url, timeout=90)


def test_crash_short(tmp_path: Path, redis_url: str, postgres_url: str) -> None:
    """An extractor and a store killed -9 three times mid-run: peers reclaim their messages; none lost."""
    run_crashes(tmp_path, 120, redis_url, postgres_url, timeout=120)


@pytest.mark.fault_long
def test_load_long(tmp_path: Path, redis_url: str, postgres_url: str) -> None:
    """5,000 articles through fetcher, 2 extractors and 2 stores: all stored once."""
    run_load(tmp_path, LONG, redis_url, postgres_url, timeout=1800)


@pytest.mark.fault_long
def test_crash_long(tmp_path: Path, redis_url: str, postgres_url: str) -> None:
    """The 5,000-article run with an extractor and a store killed -9 three times: none lost, none twice."""
    run_crashes(tmp_path, LONG, redis_url, postgres_url, timeout=1800)
