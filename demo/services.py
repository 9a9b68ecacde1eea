"""The pipeline's services as separate OS processes, started with the commands and env compose uses."""

import contextlib
import importlib.util
import os
import signal
import subprocess
import sys
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from demo.errors import DemoError

REPO_ROOT = Path(__file__).resolve().parent.parent
MODULES = ("fetcher", "extractor", "store", "store.api", "store.migrate")


def require_installed() -> None:
    """Fail early, and say how to fix it, when the service packages are not in this Python."""
    missing = [m for m in MODULES if _find(m) is None]
    if missing:
        raise DemoError(
            f"{', '.join(missing)} not importable from {sys.executable}. Run `make demo`, which installs "
            "the services into .venv, or `pip install -e shared -e services/fetcher -e services/extractor "
            "-e services/store`."
        )


def _find(module: str) -> object | None:
    try:
        return importlib.util.find_spec(module)
    except ModuleNotFoundError:
        return None


def log_tail(path: Path, lines: int = 40) -> str:
    if not path.exists():
        return "(no log written)"
    with path.open(encoding="utf-8", errors="replace") as f:
        return "".join(deque(f, maxlen=lines)).rstrip() or "(log is empty)"


@dataclass
class Service:
    name: str
    module: str
    log: Path
    process: subprocess.Popen
    _log_file: IO[bytes]

    def failure(self, why: str) -> DemoError:
        return DemoError(f"{self.name} {why}. Last lines of {self.log}:\n{log_tail(self.log)}")


class Services:
    """Starts each service as `python -m <module>`, watches that none has died, stops them all."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = env
        self.log_dir = log_dir
        self.running: list[Service] = []

    def run_to_completion(self, name: str, module: str, timeout_s: float = 120.0) -> None:
        service = self._spawn(name, module, {})
        try:
            code = service.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            service.process.kill()
            raise service.failure(f"did not finish within {timeout_s:.0f}s") from None
        finally:
            service._log_file.close()
        if code != 0:
            raise service.failure(f"exited with code {code}")

    def start(self, name: str, module: str, extra_env: dict[str, str] | None = None) -> Service:
        service = self._spawn(name, module, extra_env or {})
        self.running.append(service)
        return service

    def check_alive(self) -> None:
        for service in self.running:
            code = service.process.poll()
            if code is not None:
                raise service.failure(f"exited unexpectedly with code {code}")

    def stop_all(self, timeout_s: float = 30.0) -> None:
        """SIGTERM to every service at once (they finish in-flight work), then wait; SIGKILL stragglers."""
        for service in self.running:
            if service.process.poll() is None:
                service.process.send_signal(signal.SIGTERM)
        for service in self.running:
            try:
                service.process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                print(f"  {service.name} ignored SIGTERM for {timeout_s:.0f}s; killing it", file=sys.stderr)
                service.process.kill()
                service.process.wait()
            with contextlib.suppress(OSError):
                service._log_file.close()
        self.running.clear()

    def tails(self, lines: int = 15) -> str:
        return "\n".join(f"--- {s.log} ---\n{log_tail(s.log, lines)}" for s in self.running)

    def _spawn(self, name: str, module: str, extra_env: dict[str, str]) -> Service:
        log = self.log_dir / f"{name}.log"
        log_file = log.open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", module],
            cwd=REPO_ROOT,
            env={**self.env, **extra_env},
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            # Own session: Ctrl-C reaches only the runner, which then stops the services in order.
            start_new_session=True,
        )
        return Service(name, module, log, process, log_file)


def base_environment(*, redis_url: str, database_url: str) -> dict[str, str]:
    """What every service gets, named as in docker-compose.yml."""
    return {
        **os.environ,
        "REDIS_URL": redis_url,
        "DATABASE_URL": database_url,
        "PYTHONUNBUFFERED": "1",
        "FETCHER_LOG_FORMAT": "console",
        "EXTRACTOR_LOG_FORMAT": "console",
        "STORE_LOG_FORMAT": "console",
        "STORE_API_LOG_FORMAT": "console",
    }
