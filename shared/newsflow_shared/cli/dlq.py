"""`newsflow dlq`: list, inspect and replay dead-lettered messages."""

import click


@click.group()
def dlq() -> None:
    """Dead-lettered messages, per stage (extractor, store, ...)."""
