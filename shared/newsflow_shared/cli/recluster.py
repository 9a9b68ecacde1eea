"""`newsflow recluster --since … [--until …]`: cluster a time range again (delegates to store.recluster)."""

import click

from newsflow_shared.cli.options import run_module_main


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True,
                                 "help_option_names": []})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@click.pass_context
def recluster(ctx: click.Context, args: tuple[str, ...]) -> None:
    """Re-cluster stored articles of a time range (DATABASE_URL); `newsflow recluster --help` for options."""
    run_module_main(ctx, "store.recluster", "newsflow-store", args)
