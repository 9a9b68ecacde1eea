"""docs/configuration.md and docs/asyncapi.json are what the code generates today (regenerate on drift)."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from newsflow_shared import asyncapi, config_reference, streams
from newsflow_shared.cli import main
from newsflow_shared.settings import ServiceSettings

REPO = Path(__file__).resolve().parents[3]
CONTRACTS = {"ArticleFetched", "ArticleExtracted", "StoryUpdated"}


@pytest.fixture(scope="module")
def document() -> dict:
    return json.loads(asyncapi.render())


def test_configuration_reference_is_current() -> None:
    """Fails when a settings field changed: run `newsflow config-reference` and commit docs/configuration.md."""
    assert (REPO / "docs/configuration.md").read_text() == config_reference.render()


def test_configuration_reference_names_every_variable_of_every_settings_class() -> None:
    text = config_reference.render()
    for name in ServiceSettings.model_fields:
        assert f"`<P>_{name.upper()}`" in text or name == "redis_url"
    for _service, path, _runs in config_reference.SERVICES:
        settings = config_reference.load(path)
        for name in config_reference.own_fields(settings):
            assert f"`{config_reference.env_name(settings, name, settings.model_fields[name])}`" in text


def test_asyncapi_document_is_current(document: dict) -> None:
    """Fails when a stream, handler, description or contract changed: run `newsflow asyncapi` and commit it."""
    assert json.loads((REPO / "docs/asyncapi.json").read_text()) == document


def test_every_stream_is_documented_with_a_description_and_its_contract(document: dict) -> None:
    """Each pipeline stream has a producer and (but the last) a consumer; every channel is described and
    every message's payload is a named contract schema."""
    operations = {(document["channels"][op["channel"]["$ref"].split("/")[-1]]["address"], op["action"])
                  for op in document["operations"].values()}
    assert operations == {
        (streams.RAW_ARTICLES, "send"), (streams.RAW_ARTICLES, "receive"),
        (streams.EXTRACTED_ARTICLES, "send"), (streams.EXTRACTED_ARTICLES, "receive"),
        (streams.STORY_UPDATES, "send"),
    }
    for name, channel in document["channels"].items():
        assert channel.get("description"), f"{name} has no description"
    payloads = {m["payload"]["$ref"].split("/")[-1] for m in document["components"]["messages"].values()}
    assert payloads == CONTRACTS


def test_check_mode_fails_on_a_stale_file(tmp_path: Path) -> None:
    stale = tmp_path / "configuration.md"
    stale.write_text("old")
    result = CliRunner().invoke(main, ["config-reference", "--output", str(stale), "--check"])
    assert result.exit_code == 1 and "is out of date: run `newsflow config-reference`" in result.output
    result = CliRunner().invoke(main, ["config-reference", "--output", str(stale)])
    assert result.exit_code == 0
    assert CliRunner().invoke(main, ["config-reference", "--output", str(stale), "--check"]).exit_code == 0
