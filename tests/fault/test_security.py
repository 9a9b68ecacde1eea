"""Security properties of the tree as a whole: no SSRF through redirects, no pickle, no root containers."""

import ast
import contextlib
import ipaddress
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
import yaml
from fetcher.http import build_client
from fetcher.ssrf import RequestRefused

REPO = Path(__file__).resolve().parents[2]
SOURCE_DIRS = ("shared", "services", "demo", "tests")
UNSAFE_MODULES = {"pickle", "cPickle", "_pickle", "dill", "cloudpickle", "shelve", "marshal", "jsonpickle"}
UNSAFE_YAML = {"load", "unsafe_load", "full_load", "load_all", "unsafe_load_all", "full_load_all"}
LOOPBACK = [ipaddress.ip_network("127.0.0.1/32")]


@contextlib.contextmanager
def redirecting_server(location: str) -> Iterator[str]:
    """A local server answering every GET with a 302 to `location`."""

    class Redirect(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/feed.xml"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("target", [
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata
    "http://10.0.0.1/admin",                      # private network
    "http://127.0.0.2:6379/",                     # loopback outside the allowed 127.0.0.1/32
    "http://[::1]:5432/",                         # IPv6 loopback
])
async def test_a_redirect_to_a_non_public_address_is_refused(target: str) -> None:
    """An allowed feed host redirecting to metadata, private or loopback addresses gets no connection there."""
    with redirecting_server(target) as url:
        async with build_client(user_agent="newsflow-test", timeout_s=5, allowed_networks=LOOPBACK) as client:
            first = await client.get(url)
            assert first.status_code == 302, "the allowed host itself is reachable"
            with pytest.raises((RequestRefused, httpx.HTTPError)) as refused:
                await client.get(url, follow_redirects=True)
    chain = [refused.value, refused.value.__cause__, refused.value.__context__]
    assert any(isinstance(e, RequestRefused) for e in chain), f"refused by the guard, not by chance: {chain}"


async def test_a_name_resolving_to_loopback_is_refused_without_an_allow_list() -> None:
    """With no allowed networks, `localhost` is refused after resolution, before any connection."""
    async with build_client(user_agent="newsflow-test", timeout_s=5) as client:
        with pytest.raises((RequestRefused, httpx.HTTPError)) as refused:
            await client.get("http://localhost:6379/")
    chain = [refused.value, refused.value.__cause__, refused.value.__context__]
    assert any(isinstance(e, RequestRefused) for e in chain), chain


def python_files() -> list[Path]:
    return [p for d in SOURCE_DIRS for p in (REPO / d).rglob("*.py") if ".venv" not in p.parts]


def test_no_pickle_or_other_code_executing_deserialisers_anywhere() -> None:
    """Messages and files are JSON/YAML-safe only: no pickle-family import, no yaml.load, no eval/exec."""
    problems = []
    for path in python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [(node.module or "").split(".")[0]]
            else:
                names = []
            problems += [f"{path}:{node.lineno} imports {n}" for n in names if n in UNSAFE_MODULES]
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Name) and func.id in {"eval", "exec"}:
                    problems.append(f"{path}:{node.lineno} calls {func.id}()")
                if (isinstance(func, ast.Attribute) and func.attr in UNSAFE_YAML
                        and isinstance(func.value, ast.Name) and func.value.id == "yaml"):
                    problems.append(f"{path}:{node.lineno} calls yaml.{func.attr}()")
    assert not problems, "\n".join(problems)
    assert len(python_files()) > 50, "the scan saw the source tree"


def dockerfiles() -> list[Path]:
    return sorted((REPO / "services").glob("*/Dockerfile"))


@pytest.mark.parametrize("dockerfile", dockerfiles(), ids=lambda p: p.parent.name)
def test_every_image_runs_as_a_non_root_user(dockerfile: Path) -> None:
    """The last USER of each Dockerfile names a non-root user (not root, not uid 0)."""
    users = re.findall(r"^\s*USER\s+(\S+)", dockerfile.read_text(), flags=re.MULTILINE | re.IGNORECASE)
    assert users, f"{dockerfile} never sets USER"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}, f"{dockerfile} runs as {user}"


def test_compose_never_runs_a_service_as_root() -> None:
    """No compose service overrides its image's user with root."""
    services = yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"]
    for name, service in services.items():
        user = str(service.get("user", "")).split(":")[0]
        assert user not in {"root", "0"}, name


# Official images whose entrypoint or image USER drops root before the server starts (redis and
# postgres: su-exec to their own account; prometheus: USER nobody). Any other image needs `user:`.
DROP_ROOT_THEMSELVES = ("redis:", "postgres:", "prom/prometheus:")


def test_every_compose_container_runs_as_a_non_root_user() -> None:
    """Each service is built from one of our Dockerfiles (checked above), sets a non-root `user:`, or
    uses an official image known to drop root itself: a bare base image (python, alpine) running as its
    default root is refused."""
    services = yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"]
    ours = {str(p.relative_to(REPO)) for p in dockerfiles()}
    for name, service in services.items():
        build = service.get("build") or {}
        if build:
            assert build.get("dockerfile") in ours, f"{name} is built from a Dockerfile this test does not check"
            continue
        user = str(service.get("user", "")).split(":")[0]
        if user:
            assert user not in {"root", "0"}, name
            continue
        assert str(service.get("image", "")).startswith(DROP_ROOT_THEMSELVES), \
            f"{name} runs {service.get('image')} as its default user (root): set `user:`"
