"""Real Redis and PostgreSQL for the tests, found or started, never faked and never skipped.

Order of preference for each: a testcontainers container when a Docker engine answers; the URL in
REDIS_URL / DATABASE_URL (TEST_ prefixed first); the server on its standard local port; a private
server started on a free port from the local binaries. If none works the test fails, saying why.
"""

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import redis

from demo.redis_provider import LOCAL_DEMO_URL


# Set NEWSFLOW_TEST_PRIVATE_SERVICES=1 to exercise the last fallback: servers started by the tests.
PRIVATE_ONLY = bool(os.environ.get("NEWSFLOW_TEST_PRIVATE_SERVICES"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(check, what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception as exc:  # noqa: BLE001 - keep polling until the deadline
            last = exc
        time.sleep(0.1)  # poll interval, not a synchronisation sleep
    raise RuntimeError(f"{what} did not come up within {timeout}s: {last}")


def _docker_available() -> bool:
    if os.environ.get("NEWSFLOW_TEST_NO_DOCKER"):
        return False
    try:
        import docker  # testcontainers' dependency

        docker.from_env(timeout=2).ping()
        return True
    except Exception:  # noqa: BLE001 - no engine is the normal case on developer machines
        return False


def redis_answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001
        return False


def postgres_answers(url: str) -> bool:
    try:
        with psycopg.connect(_libpq(url), connect_timeout=2) as conn:
            conn.execute("select 1")
        return True
    except Exception:  # noqa: BLE001
        return False


def _libpq(url: str) -> str:
    """SQLAlchemy URL (postgresql+psycopg://) to a libpq one."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@contextlib.contextmanager
def provide_redis() -> Iterator[str]:
    tried: list[str] = []
    if _docker_available():
        from testcontainers.redis import RedisContainer

        with RedisContainer("redis:7-alpine") as container:
            host, port = container.get_container_host_ip(), container.get_exposed_port(6379)
            yield f"redis://{host}:{port}/0"
            return
    tried.append("docker: no engine")
    candidates = [] if PRIVATE_ONLY else [os.environ.get("TEST_REDIS_URL"), os.environ.get("REDIS_URL"),
                                          "redis://127.0.0.1:6379/0"]
    for url in candidates:
        if url and redis_answers(url):
            yield url
            return
        if url:
            tried.append(f"{url}: no answer")
    binary = shutil.which("redis-server")
    if not binary:
        raise RuntimeError(
            "No Redis for the tests (" + "; ".join(tried) + "; no redis-server on PATH). "
            "Install it (Debian: apt-get install redis-server) or set TEST_REDIS_URL."
        )
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        proc = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", tmp],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        url = f"redis://127.0.0.1:{port}/0"
        try:
            _wait(lambda: redis_answers(url), "private redis-server")
            yield url
        finally:
            proc.terminate()
            proc.wait(10)


CLAIM_TTL_S = 6 * 3600  # a killed session's claim lapses; no test session runs this long
DEMO_REDIS_DB = int(LOCAL_DEMO_URL.rsplit("/", 1)[1])  # `make demo` empties it every run: never claimed


@contextlib.contextmanager
def claim_redis_db(server_url: str, *, first: int = 13) -> Iterator[int]:
    """A Redis database number no other running test session uses, held until the context exits.

    Each test flushes its database, so two suites on one Redis (CI and a developer's run, the fault
    tests and the unit tests) would empty each other's streams. The claim is a key in db 0, which no
    test flushes: set only if absent, with an expiry so that a killed session's claim lapses. Numbers
    are tried from `first` down to 1, except the demo's.
    """
    client = redis.Redis.from_url(server_url.rsplit("/", 1)[0] + "/0")
    owner = f"{socket.gethostname()}:{os.getpid()}".encode()
    try:
        for db in (db for db in range(first, 0, -1) if db != DEMO_REDIS_DB):
            key = f"newsflow:test:redis-db-claim:{db}"
            if client.set(key, owner, nx=True, ex=CLAIM_TTL_S):
                try:
                    yield db
                finally:
                    if client.get(key) == owner:
                        client.delete(key)
                return
        raise RuntimeError(f"every Redis database from {first} down to 1 is claimed by another test session "
                           "(keys newsflow:test:redis-db-claim:* in db 0); set NEWSFLOW_TEST_REDIS_DB to pick one")
    finally:
        client.close()


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    return str(candidates[0]) if candidates else None


@contextlib.contextmanager
def provide_postgres() -> Iterator[str]:
    """Yield a SQLAlchemy URL (postgresql+psycopg://) to a server the tests may create databases on."""
    tried: list[str] = []
    if _docker_available():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:16-alpine", driver="psycopg") as container:
            yield container.get_connection_url()
            return
    tried.append("docker: no engine")
    env_urls = [os.environ.get("TEST_DATABASE_URL"), os.environ.get("DATABASE_URL")]
    local = ["postgresql+psycopg://postgres@127.0.0.1:5432/test", "postgresql+psycopg://127.0.0.1:5432/test"]
    candidates = [] if PRIVATE_ONLY else [u for u in env_urls if u and u.startswith("postgresql")] + local
    for url in candidates:
        if postgres_answers(url):
            yield url
            return
        tried.append(f"{url}: no answer")
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not (initdb and pg_ctl):
        raise RuntimeError(
            "No PostgreSQL for the tests (" + "; ".join(tried) + "; no initdb/pg_ctl found). "
            "Install it (Debian: apt-get install postgresql) or set TEST_DATABASE_URL."
        )
    with tempfile.TemporaryDirectory() as tmp:
        data, port = Path(tmp) / "data", free_port()
        user = _unprivileged_user()
        run_as = ["runuser", "-u", user, "--"] if user else []
        if user:
            shutil.chown(tmp, user)
        subprocess.run([*run_as, initdb, "-D", str(data), "-U", "postgres", "--auth=trust"], check=True,
                       stdout=subprocess.DEVNULL)
        subprocess.run([*run_as, pg_ctl, "-D", str(data), "-o", f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1",
                        "-l", str(Path(tmp) / "log"), "-w", "start"], check=True, stdout=subprocess.DEVNULL)
        url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        try:
            _wait(lambda: postgres_answers(url), "private PostgreSQL")
            yield url
        finally:
            subprocess.run([*run_as, pg_ctl, "-D", str(data), "-m", "fast", "stop"], check=False,
                           stdout=subprocess.DEVNULL)


def _unprivileged_user() -> str | None:
    """PostgreSQL refuses to run as root; use the `postgres` account when we are root."""
    if os.geteuid() != 0:
        return None
    import pwd

    try:
        return pwd.getpwnam("postgres").pw_name
    except KeyError:
        return "nobody"


@contextlib.contextmanager
def fresh_database(server_url: str, name: str) -> Iterator[str]:
    """Create an empty database on the server for one test and drop it afterwards."""
    admin = _libpq(server_url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    base, _, _ = server_url.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')
