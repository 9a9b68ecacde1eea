"""`newsflow config-reference` and `newsflow asyncapi`: regenerate the documents built from the code.

Both write the checked-in file, or with --check exit 1 when it is out of date (CI and a test run that).
"""

from collections.abc import Callable
from pathlib import Path

import click


def write_or_check(path: Path, render: Callable[[], str], check: bool, regenerate: str) -> None:
    fresh = render()
    if check:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != fresh:
            raise click.ClickException(f"{path} is out of date: run `{regenerate}`")
        click.echo(f"{path} is current")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(fresh, encoding="utf-8")
    click.echo(f"wrote {path}")


@click.command(name="config-reference")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=Path("docs/configuration.md"),
              show_default=True)
@click.option("--check", is_flag=True, help="Only compare; exit 1 if the file differs.")
def config_reference(output: Path, check: bool) -> None:
    """Write the configuration reference generated from every service's settings class."""
    from newsflow_shared import config_reference as reference

    write_or_check(output, reference.render, check, "newsflow config-reference")


@click.command(name="asyncapi")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=Path("docs/asyncapi.json"),
              show_default=True)
@click.option("--check", is_flag=True, help="Only compare; exit 1 if the file differs.")
def asyncapi(output: Path, check: bool) -> None:
    """Write the AsyncAPI 3.0 document of every stream, generated from the services' code."""
    from newsflow_shared import asyncapi as document

    try:
        write_or_check(output, document.render, check, "newsflow asyncapi")
    except document.ServicesMissing as exc:
        raise click.ClickException(str(exc)) from exc
