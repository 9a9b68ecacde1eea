"""`newsflow recluster --since … [--until …]`: cluster a time range again (delegates to store.recluster)."""

import click

from newsflow_shared.cli.options import require_module


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True,
                                 "help_option_names": []})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@click.pass_context
def recluster(ctx: click.Context, args: tuple[str, ...]) -> None:
    """Re-cluster stored articles of a time range (DATABASE_URL); `newsflow recluster --help` for options."""
    module = require_module("store.recluster", "newsflow-store")
    try:
        code = module.main(list(args))
    except SystemExit as exc:  # argparse's --help and usage errors
        code = exc.code if isinstance(exc.code, int) else 1
    ctx.exit(code or 0)
