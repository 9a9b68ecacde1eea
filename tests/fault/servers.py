"""Private Redis and PostgreSQL servers a fault test may stop and start: never the machine's shared ones."""

import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.support.backing_services import (
    _pg_bin,
    _unprivileged_user,
    free_port,
    postgres_answers,
    redis_answers,
)
from tests.support.polling import eventually_sync


class PrivateRedis:
    """redis-server on a free port with append-only persistence, as compose runs it."""

    def __init__(self, directory: Path) -> None:
        self.binary = shutil.which("redis-server")
        if not self.binary:
            raise RuntimeError("the broker-restart test needs redis-server on PATH (apt-get install redis-server)")
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        log = (self.directory / "redis.log").open("ab")
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--appendonly", "yes",
             "--save", "", "--dir", str(self.directory)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        eventually_sync(lambda: redis_answers(self.url), timeout=20, what="private redis-server up")

    def stop(self) -> None:
        """SIGTERM: Redis flushes its append-only file and exits, as `docker restart` would make it."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(20)
        self.process = None


class PrivatePostgres:
    """A PostgreSQL cluster of its own (initdb, pg_ctl) on a free port, run as `postgres` when we are root."""

    def __init__(self) -> None:
        self.initdb, self.pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
        if not (self.initdb and self.pg_ctl):
            raise RuntimeError("the database-outage test needs initdb and pg_ctl (apt-get install postgresql)")
        # Directly under /tmp: the `postgres` account cannot enter pytest's root-only tmp_path.
        self.directory = Path(tempfile.mkdtemp(prefix="newsflow-fault-pg-"))
        self.data = self.directory / "data"
        self.port = free_port()
        user = _unprivileged_user()
        self.run_as = ["runuser", "-u", user, "--"] if user else []
        if user:
            shutil.chown(self.directory, user)
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        subprocess.run([*self.run_as, self.initdb, "-D", str(self.data), "-U", "postgres", "--auth=trust"],
                       check=True, stdout=subprocess.DEVNULL)

    def start(self) -> None:
        subprocess.run(
            [*self.run_as, self.pg_ctl, "-D", str(self.data), "-o",
             f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1", "-l",
             str(self.directory / "log"), "-w", "start"],
            check=True, stdout=subprocess.DEVNULL,
        )
        eventually_sync(lambda: postgres_answers(self.url), timeout=30, what="private PostgreSQL up")

    def stop(self) -> None:
        subprocess.run([*self.run_as, self.pg_ctl, "-D", str(self.data), "-m", "fast", "-w", "stop"],
                       check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)
