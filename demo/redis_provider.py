"""Finds the Redis the demo runs on (REDIS_URL, else a local server), or starts a private one for the run."""

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import redis

from demo.errors import DemoError

LOCAL_DEMO_URL = "redis://127.0.0.1:6379/12"  # a database of its own: the demo empties it every run
NEWSFLOW_KEYS = "newsflow:*"
INSTALL_HINT = (
    "Install Redis (Debian/Ubuntu: sudo apt-get install redis-server; Fedora: sudo dnf install redis; "
    "macOS: brew install redis), start one on 127.0.0.1:6379, or set REDIS_URL."
)


@dataclass(frozen=True)
class DemoRedis:
    url: str
    origin: str  # said to the user: where this Redis came from


def answers(url: str) -> bool:
    try:
        with redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2) as client:
            return bool(client.ping())
    except (redis.RedisError, OSError):
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _delete_newsflow_keys(url: str) -> int:
    with redis.Redis.from_url(url) as client:
        keys = list(client.scan_iter(NEWSFLOW_KEYS, count=500))
        if keys:
            client.delete(*keys)
        return len(keys)


def _has_newsflow_keys(url: str) -> bool:
    with redis.Redis.from_url(url) as client:
        return next(iter(client.scan_iter(NEWSFLOW_KEYS, count=500)), None) is not None


def _from_environment(url: str, *, flush: bool) -> DemoRedis:
    if not answers(url):
        raise DemoError(f"REDIS_URL={url} does not answer. Start that Redis, or unset REDIS_URL.")
    if flush:
        _delete_newsflow_keys(url)
    elif _has_newsflow_keys(url):
        # The fetcher remembers URLs it has published; left over, they would hide the demo's articles.
        raise DemoError(
            f"REDIS_URL={url} already holds newsflow:* keys from an earlier run. Re-run with --flush-redis "
            "to delete them (only those keys), or point REDIS_URL at an empty database."
        )
    return DemoRedis(url, "REDIS_URL")


@contextlib.contextmanager
def _private_server(binary: str, run_dir: Path, timeout_s: float = 20.0) -> Iterator[DemoRedis]:
    data_dir = run_dir / "redis"
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    with open(run_dir / "logs" / "redis-server.log", "ab") as log:
        proc = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(data_dir)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        deadline = time.monotonic() + timeout_s
        while not answers(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise DemoError(f"redis-server did not start; see {run_dir / 'logs' / 'redis-server.log'}")
            time.sleep(0.1)  # poll interval
        yield DemoRedis(url, f"private redis-server (pid {proc.pid}) started for this run")
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(10)


@contextlib.contextmanager
def provide_redis(run_dir: Path, *, flush: bool = False) -> Iterator[DemoRedis]:
    """REDIS_URL if set; else db 12 of a Redis on 127.0.0.1:6379 (emptied); else a private redis-server."""
    env_url = os.environ.get("REDIS_URL")
    if env_url:
        yield _from_environment(env_url, flush=flush)
        return
    if answers(LOCAL_DEMO_URL):
        with redis.Redis.from_url(LOCAL_DEMO_URL) as client:
            client.flushdb()
        yield DemoRedis(LOCAL_DEMO_URL, "local Redis on 127.0.0.1:6379, database 12 (emptied for this run)")
        return
    binary = shutil.which("redis-server")
    if binary is None:
        raise DemoError("No Redis: REDIS_URL is unset, nothing answers on 127.0.0.1:6379, and there is no "
                        "redis-server on PATH. " + INSTALL_HINT)
    with _private_server(binary, run_dir) as found:
        yield found
