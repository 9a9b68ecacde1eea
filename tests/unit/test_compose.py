"""docker-compose.yml checked against the code: commands exist, env vars are settings fields, ports agree."""

import importlib.util
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from extractor.settings import ExtractorSettings
from fetcher.settings import FetcherSettings
from pydantic_settings import BaseSettings
from store.settings import ApiSettings, StoreSettings

REPO = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]

SETTINGS: dict[str, type[BaseSettings]] = {
    "fetcher": FetcherSettings,
    "extractor": ExtractorSettings,
    "store": StoreSettings,
    "store-api": ApiSettings,
    "migrate": StoreSettings,
}
WORKERS = ("fetcher", "extractor", "store")  # stream consumers/producers serving /health on HTTP_PORT
BACKING = ("redis", "postgres")

VARIABLE = re.compile(r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::?-(?P<default>[^}]*))?\}")


def interpolate(value: str, env: dict[str, str] | None = None) -> str:
    """Compose's ${VAR}, ${VAR:-default} and $$, resolved as on a machine with no .env."""
    env = env or {}

    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        return env.get(match["name"]) or match["default"] or ""

    return VARIABLE.sub(substitute, value)


def environment(service: str) -> dict[str, str]:
    return {k: interpolate(str(v)) for k, v in (SERVICES[service].get("environment") or {}).items()}


def mounts(service: str) -> dict[str, Path]:
    """Container path → host path of the service's bind mounts."""
    found = {}
    for volume in SERVICES[service].get("volumes") or []:
        source, target, *_ = interpolate(volume).split(":")
        if source.startswith((".", "/")):
            found[target] = (REPO / source).resolve()
    return found


def accepted_env_names(settings: type[BaseSettings]) -> set[str]:
    """The variable names pydantic-settings reads for `settings` (prefix + field, or the field's alias)."""
    prefix = settings.model_config.get("env_prefix", "")
    names = set()
    for name, field in settings.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, str):
            names.add(alias.upper())
        elif alias is not None:
            names.update(str(choice).upper() for choice in alias.choices)
        else:
            names.add(f"{prefix}{name}".upper())
    return names


def settings_as_configured(service: str, monkeypatch: pytest.MonkeyPatch) -> BaseSettings:
    """The service's settings built from exactly its compose environment, with mounted paths on the host."""
    settings = SETTINGS[service]
    prefix = settings.model_config.get("env_prefix", "")
    for name in [*accepted_env_names(settings), *(k for k in os.environ if k.startswith(prefix))]:
        monkeypatch.delenv(name, raising=False)
    host_paths = mounts(service)
    for name, value in environment(service).items():
        monkeypatch.setenv(name, str(host_paths.get(value, value)))
    return settings()


def healthcheck_port(service: str) -> int:
    test = " ".join(SERVICES[service]["healthcheck"]["test"])
    match = re.search(r"127\.0\.0\.1:(\d+)/health", test)
    assert match, f"{service}: healthcheck does not GET 127.0.0.1:<port>/health: {test}"
    return int(match[1])


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_command_runs_a_module_that_exists(service: str) -> None:
    """Each service of ours runs `python -m <module>`, and that module is importable."""
    command = SERVICES[service]["command"]
    assert command[:2] == ["python", "-m"] and len(command) == 3, command
    assert importlib.util.find_spec(command[2]) is not None, f"{service}: no module {command[2]}"


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_image_is_built_from_the_service_dockerfile(service: str) -> None:
    """Images build from the repository root with the service package's own Dockerfile."""
    build = SERVICES[service]["build"]
    assert build["context"] == "."
    assert (REPO / build["dockerfile"]).is_file(), f"{service}: {build['dockerfile']} is missing"
    package = "store" if service in ("store-api", "migrate") else service
    assert build["dockerfile"] == f"services/{package}/Dockerfile"


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_every_environment_variable_is_a_settings_field(service: str) -> None:
    """A misspelt variable would be silently ignored; each one must be read by the service's settings."""
    unknown = set(environment(service)) - accepted_env_names(SETTINGS[service])
    assert not unknown, f"{service}: {sorted(unknown)} are not fields of {SETTINGS[service].__name__}"


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_settings_validate_from_the_compose_environment(service: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The service would start: its settings class accepts the values compose gives it."""
    settings_as_configured(service, monkeypatch)


@pytest.mark.parametrize("service", WORKERS)
def test_worker_healthcheck_probes_the_configured_http_port(service: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers get an explicit HTTP port on all interfaces, and the healthcheck probes that port."""
    settings = settings_as_configured(service, monkeypatch)
    assert settings.http_port != 0, f"{service}: HTTP_PORT must be fixed for the healthcheck"
    assert healthcheck_port(service) == settings.http_port
    assert settings.http_host == "0.0.0.0"  # reachable for metrics scraping on the compose network


def test_api_healthcheck_and_published_port_match_its_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """store-api listens where its healthcheck looks, and the host reaches it on loopback only."""
    settings = settings_as_configured("store-api", monkeypatch)
    assert settings.host == "0.0.0.0"
    assert healthcheck_port("store-api") == settings.port
    (published,) = SERVICES["store-api"]["ports"]
    host_ip, host_port, container_port = interpolate(published).split(":")
    assert (host_ip, host_port, int(container_port)) == ("127.0.0.1", "8000", settings.port)


def test_only_the_api_publishes_a_port() -> None:
    """Redis, PostgreSQL and the workers stay on the compose network (the optional Prometheus: loopback only)."""
    published = sorted(name for name, service in SERVICES.items() if service.get("ports"))
    assert published == ["prometheus", "store-api"]
    (binding,) = SERVICES["prometheus"]["ports"]
    assert interpolate(binding).startswith("127.0.0.1:")


def test_every_dependency_waits_for_health_or_a_finished_migration() -> None:
    """Services start only once what they need is healthy (or, for the schema, migrated)."""
    for name, service in SERVICES.items():
        for dependency, rule in (service.get("depends_on") or {}).items():
            expected = "service_completed_successfully" if dependency == "migrate" else "service_healthy"
            assert rule["condition"] == expected, f"{name} -> {dependency}"
            if expected == "service_healthy":
                assert "healthcheck" in SERVICES[dependency], f"{dependency} has no healthcheck"


def test_writers_and_readers_wait_for_the_migration() -> None:
    """Neither store process touches the database before the schema is at head."""
    for name in ("store", "store-api"):
        assert SERVICES[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert SERVICES["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_long_running_services_have_healthchecks_and_resource_limits() -> None:
    """Everything but the one-shot migration is health-checked; everything is resource-limited."""
    for name, service in SERVICES.items():
        if name != "migrate":
            assert "healthcheck" in service, name
        limits = service["deploy"]["resources"]["limits"]
        assert limits.get("cpus") and limits.get("memory"), name


def test_extractor_scales() -> None:
    """Two extractors by default; no fixed container name, so `--scale extractor=4` works."""
    assert SERVICES["extractor"]["deploy"]["replicas"] >= 2
    assert not [name for name, service in SERVICES.items() if "container_name" in service]


def test_redis_persists_and_requires_the_password_the_services_use() -> None:
    """Append-only file on; every REDIS_URL carries the password Redis was started with."""
    command = [interpolate(part) for part in SERVICES["redis"]["command"]]
    assert command[command.index("--appendonly") + 1] == "yes"
    password = command[command.index("--requirepass") + 1]
    assert password
    for name in SERVICES:
        url = environment(name).get("REDIS_URL")
        if url:
            assert url == f"redis://:{password}@redis:6379/0", name


def test_database_url_points_every_store_process_at_the_compose_postgres() -> None:
    """Writer, API and migration share one PostgreSQL database, the one the postgres service creates."""
    pg = environment("postgres")
    expected = (f"postgresql+psycopg://{pg['POSTGRES_USER']}:{pg['POSTGRES_PASSWORD']}"
                f"@postgres:5432/{pg['POSTGRES_DB']}")
    for name in ("migrate", "store", "store-api"):
        assert environment(name)["DATABASE_URL"] == expected, name


def test_backing_services_have_pinned_images_and_named_volumes() -> None:
    """Redis and PostgreSQL keep their data in named volumes across `docker compose down`."""
    assert SERVICES["redis"]["image"] == "redis:7-alpine"
    assert SERVICES["postgres"]["image"] == "postgres:16-alpine"
    for name in BACKING:
        (volume,) = SERVICES[name]["volumes"]
        assert volume.split(":")[0] in COMPOSE["volumes"], name


def test_fetcher_reads_a_mounted_sources_file_that_exists(monkeypatch: pytest.MonkeyPatch) -> None:
    """FETCHER_SOURCES_FILE names the mount target, and the default mount source is in the repository."""
    settings = settings_as_configured("fetcher", monkeypatch)
    assert settings.sources_file.is_file()
    assert environment("fetcher")["FETCHER_SOURCES_FILE"] in mounts("fetcher")


def test_fetcher_ssrf_allow_list_is_only_the_demo_network() -> None:
    """The guard exempts the demo site's pinned subnet, not the network where Redis and PostgreSQL live."""
    subnet = interpolate(COMPOSE["networks"]["demo-feeds"]["ipam"]["config"][0]["subnet"])
    assert environment("fetcher")["FETCHER_ALLOWED_PRIVATE_NETWORKS"] == subnet
    assert SERVICES["demo-site"]["networks"] == ["demo-feeds"]
    assert "demo-feeds" not in (SERVICES["redis"].get("networks") or [])


def test_demo_site_serves_the_bundled_site_module() -> None:
    """The demo-site container runs demo/site_server.py from the mounted demo folder."""
    command = SERVICES["demo-site"]["command"]
    assert command[:3] == ["python", "-m", "demo.site_server"]
    assert importlib.util.find_spec("demo.site_server") is not None
    assert command[command.index("--base-url") + 1] == "http://demo-site:8765"
