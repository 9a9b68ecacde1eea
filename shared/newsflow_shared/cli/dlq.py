"""`newsflow dlq`: list, inspect and replay dead-lettered messages."""

import json
import os

import click
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from newsflow_shared import dead_letter_store
from newsflow_shared.cli.options import printable, unreachable_redis
from newsflow_shared.dead_letter_store import LetterNotFound, StoredLetter

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
STAGE = click.option("--stage", help="Only this stage's dead letters (extractor, store, ...).")


def redis_url() -> str:
    """REDIS_URL, as the services read it."""
    return os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)


def connect() -> Redis:
    return Redis.from_url(redis_url())


class RedisCommands(click.Group):
    """Subcommands that end with one line naming the Redis they cannot reach, not a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (OSError, RedisConnectionError, RedisTimeoutError) as exc:
            raise unreachable_redis(redis_url(), exc) from exc


def summary(stored: StoredLetter) -> dict:
    letter = stored.letter
    return {
        "id": stored.id, "stage": letter.stage, "stream": letter.stream, "entry_id": letter.entry_id,
        "reason": letter.reason, "attempts": letter.attempts, "failed_at": letter.failed_at.isoformat(),
        "correlation_id": letter.correlation_id, "error": letter.error,
    }


@click.group(cls=RedisCommands)
def dlq() -> None:
    """Dead-lettered messages, per stage (extractor, store, ...)."""


@dlq.command("list")
@STAGE
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def list_letters(stage: str | None, as_json: bool) -> None:
    """Every dead letter, oldest first: id, stage, reason, attempts, error."""
    count = 0
    for stored in dead_letter_store.iter_letters(connect(), stage=stage):
        count += 1
        row = summary(stored)
        if as_json:
            click.echo(json.dumps(row))
        else:
            error = printable(row["error"])
            click.echo(f"{row['id']:<22} {row['stage']:<10} {row['reason']:<16} attempts={row['attempts']:<3} "
                       f"{row['failed_at'][:19]}  {error[:100]}")
    if not as_json:
        click.echo(f"{count} dead letter(s)", err=True)


@dlq.command("show")
@click.argument("letter_id")
@STAGE
def show(letter_id: str, stage: str | None) -> None:
    """One dead letter in full, with the original message's headers and body decoded."""
    stored = _find(letter_id, stage)
    body, headers = stored.decoded_payload()
    try:
        payload: object = json.loads(body)
    except ValueError:
        payload = body.decode("utf-8", "replace")
    click.echo(json.dumps({**summary(stored), "headers": headers, "body": payload}, indent=2, default=str))


@dlq.command("replay")
@click.argument("letter_id", required=False)
@click.option("--all", "replay_all", is_flag=True, help="Replay every dead letter (of --stage if given).")
@STAGE
def replay(letter_id: str | None, replay_all: bool, stage: str | None) -> None:
    """Put a dead letter's original message back on its stream, byte-exact, and delete the letter."""
    if bool(letter_id) == replay_all:
        raise click.UsageError("give either a LETTER_ID or --all")
    redis = connect()
    letters = list(dead_letter_store.iter_letters(redis, stage=stage)) if replay_all else [_find(letter_id, stage)]
    replayed = 0
    for stored in letters:
        new_id = dead_letter_store.replay(redis, stored)
        if new_id is None:
            click.echo(f"{stored.id}: already gone (replayed elsewhere?)", err=True)
            continue
        replayed += 1
        click.echo(f"{stored.id} -> {stored.letter.stream} {new_id}")
    click.echo(f"{replayed} dead letter(s) replayed", err=True)


def _find(letter_id: str | None, stage: str | None) -> StoredLetter:
    assert letter_id is not None
    try:
        return dead_letter_store.find_letter(connect(), letter_id, stage=stage)
    except LetterNotFound as exc:
        raise click.ClickException(str(exc)) from None
