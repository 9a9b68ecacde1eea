"""`newsflow` subcommands that need no backing service: sources, help, missing packages."""

from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from newsflow_shared.cli import main
from newsflow_shared.cli.options import printable, require_module, without_password

REPO = Path(__file__).resolve().parents[3]
COMPOSE_SOURCES = REPO / "demo/sources.compose.yaml"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_every_subcommand_is_registered() -> None:
    assert set(main.commands) >= {"status", "dlq", "sources", "db", "recluster", "backfill",
                                  "config-reference", "asyncapi"}


def test_sources_validate_accepts_a_good_file() -> None:
    assert run("sources", "validate", str(COMPOSE_SOURCES)) == (0, f"{COMPOSE_SOURCES}: ok, 6 sources, 6 feeds\n")


def test_sources_validate_names_the_entry_and_field_that_are_wrong(tmp_path: Path) -> None:
    bad = tmp_path / "sources.yaml"
    bad.write_text("sources:\n  - id: Bad Id\n    name: X\n    feeds: [{url: https://x.example/f}]\n")
    code, text = run("sources", "validate", str(bad))
    assert code == 1
    assert "line 2: sources[0] (id 'Bad Id'): id:" in text


def test_sources_list_shows_ratings_as_a_table_or_json() -> None:
    code, text = run("sources", "list", str(COMPOSE_SOURCES))
    assert code == 0
    assert "frontier-daily           right       low            1  Frontier Daily" in text
    code, text = run("sources", "list", "--json", str(COMPOSE_SOURCES))
    assert '"id": "lakeside-times"' in text


def test_a_missing_service_package_is_named_with_the_install_command() -> None:
    with pytest.raises(click.ClickException, match=r"needs the newsflow-nope package .* pip install -e services/nope"):
        require_module("nope.sources", "newsflow-nope")


def test_dead_letter_errors_are_printed_without_terminal_control_sequences() -> None:
    """An error string from hostile input cannot drive the operator's terminal: controls are escaped."""
    assert printable("bad \x1b[2J title\nsecond line\x07") == "bad \\x1b[2J title second line\\x07"


@pytest.mark.parametrize(("url", "shown"), [
    ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
    ("redis://:s3cret@redis:6379/0", "redis://:***@redis:6379/0"),
    ("rediss://ops:p%40ss@cache.example:6380/2", "rediss://ops:***@cache.example:6380/2"),
    ("redis://ops@redis/0", "redis://ops@redis/0"),  # a user without a password
])
def test_urls_in_error_messages_hide_their_password(url: str, shown: str) -> None:
    assert without_password(url) == shown
