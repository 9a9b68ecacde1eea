"""Options several `newsflow` subcommands share, read from the same variables the services use, and the helpers
their error messages share."""

from urllib.parse import urlsplit

import click

redis_url_option = click.option(
    "--redis-url", envvar="REDIS_URL", default="redis://127.0.0.1:6379/0", show_default=True,
    help="Redis holding the streams (env REDIS_URL).",
)
database_url_option = click.option(
    "--database-url", envvar="DATABASE_URL", default="sqlite:///newsflow.db", show_default=True,
    help="The store's database (env DATABASE_URL).",
)


def require_module(module: str, package: str) -> object:
    """Import a service module for a subcommand, or say which package to install."""
    import importlib

    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name.split(".")[0]):
            raise click.ClickException(
                f"this command needs the {package} package ({module} is not installed): "
                f"pip install -e services/{package.removeprefix('newsflow-')}"
            ) from exc
        raise


def run_module_main(ctx: click.Context, module: str, package: str, args: tuple[str, ...]) -> None:
    """Hand a subcommand's arguments to a service module's argparse `main` (its usage and errors named as
    the subcommand, e.g. `newsflow recluster`) and exit with its code."""
    found = require_module(module, package)
    try:
        code = found.main(list(args), prog=ctx.command_path)
    except SystemExit as exc:  # argparse's --help and usage errors
        code = exc.code if isinstance(exc.code, int) else 1
    ctx.exit(code or 0)


def without_password(url: str) -> str:
    """A URL fit for an error message: its password, if any, as ***."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    return parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@", 1)).geturl()


def unreachable_redis(url: str, exc: Exception) -> click.ClickException:
    return click.ClickException(f"cannot reach Redis at {without_password(url)}: {exc}")


def printable(text: str) -> str:
    """Error text comes from untrusted input: escape control characters (terminal escape sequences) on one line."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text.replace("\n", " "))
