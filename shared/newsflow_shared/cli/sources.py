"""`newsflow sources validate|list|apply-ratings`: check and show a sources file with the fetcher's own loader,
and apply its ratings to the stored outlets and stories (delegates to store.ratings)."""

import json
from pathlib import Path

import click

from newsflow_shared.cli.options import require_module, run_module_main

sources_file_argument = click.argument(
    "path", envvar="FETCHER_SOURCES_FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path),
)


def load(path: Path) -> list:
    loader = require_module("fetcher.sources", "newsflow-fetcher")
    try:
        return loader.load_sources(path)
    except loader.SourcesFileError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group()
def sources() -> None:
    """The fetcher's sources file (PATH, or env FETCHER_SOURCES_FILE)."""


@sources.command()
@sources_file_argument
def validate(path: Path) -> None:
    """Exit 0 if the fetcher would accept the file, else print what is wrong and exit 1."""
    found = load(path)
    feeds = sum(len(source.feeds) for source in found)
    click.echo(f"{path}: ok, {len(found)} sources, {feeds} feeds")


@sources.command(name="list")
@sources_file_argument
@click.option("--json", "json_output", is_flag=True, help="Machine-readable output.")
def list_sources(path: Path, json_output: bool) -> None:
    """Every source with its ratings and feeds."""
    found = load(path)
    if json_output:
        click.echo(json.dumps([source.model_dump(mode="json") for source in found], indent=2))
        return
    click.echo(f"{'ID':<24} {'BIAS':<11} {'FACTUALITY':<10} {'FEEDS':>5}  NAME")
    for source in found:
        click.echo(f"{source.id:<24} {source.bias or '-':<11} {source.factuality or '-':<10} "
                   f"{len(source.feeds):>5}  {source.name}")


@sources.command(name="apply-ratings", context_settings={"ignore_unknown_options": True, "allow_extra_args": True,
                                                         "help_option_names": []})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@click.pass_context
def apply_ratings(ctx: click.Context, args: tuple[str, ...]) -> None:
    """Apply the file's ratings to stored outlets and recount their stories (DATABASE_URL, REDIS_URL);
    `newsflow sources apply-ratings --help` for options."""
    run_module_main(ctx, "store.ratings", "newsflow-store", args)
