"""`newsflow`: the operator's one command, with a subcommand group per concern (one module each)."""

import click


@click.group()
@click.version_option(package_name="newsflow-shared")
def main() -> None:
    """Operate a Newsflow pipeline: streams, dead letters, sources, database, archives, documents."""


def _register() -> None:
    # Each concern's module defines a click group or command; adding one is one line here.
    # Commands that need a service package (sources, db, recluster) import it only when run.
    from newsflow_shared.cli import backfill, db, dlq, docs, recluster, sources, status

    main.add_command(status.status)
    main.add_command(dlq.dlq)
    main.add_command(sources.sources)
    main.add_command(db.db)
    main.add_command(recluster.recluster)
    main.add_command(backfill.backfill_command)
    main.add_command(docs.config_reference)
    main.add_command(docs.asyncapi)


_register()
