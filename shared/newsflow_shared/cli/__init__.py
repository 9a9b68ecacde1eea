"""`newsflow`: the operator's one command, with a subcommand group per concern (one module each)."""

import click


@click.group()
@click.version_option(package_name="newsflow-shared")
def main() -> None:
    """Operate a Newsflow pipeline: streams, dead letters, sources, database."""


def _register() -> None:
    # Each concern's module defines a click group or command; adding one is one line here.
    from newsflow_shared.cli import dlq  # noqa: PLC0415

    main.add_command(dlq.dlq)


_register()
