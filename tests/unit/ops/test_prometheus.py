"""The optional Prometheus in docker-compose.yml scrapes every service where it serves /metrics."""

import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[3]
COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
CONFIG = yaml.safe_load((REPO / "prometheus/prometheus.yml").read_text())
# Each scraped service and the variable that sets its metrics port in compose.
SCRAPED = {"fetcher": "FETCHER_HTTP_PORT", "extractor": "EXTRACTOR_HTTP_PORT", "store": "STORE_HTTP_PORT",
           "store-api": "STORE_API_PORT"}


def targets() -> dict[str, tuple[list[str], int]]:
    found = {}
    for job in CONFIG["scrape_configs"]:
        (sd,) = job["dns_sd_configs"]
        found[job["job_name"]] = (sd["names"], sd["port"])
    return found


def test_prometheus_is_optional_behind_the_observability_profile() -> None:
    prometheus = SERVICES["prometheus"]
    assert prometheus["profiles"] == ["observability"]
    assert all("profiles" not in spec for name, spec in SERVICES.items() if name != "prometheus")


def test_its_config_file_is_mounted_and_its_data_kept_in_a_named_volume() -> None:
    volumes = SERVICES["prometheus"]["volumes"]
    assert "./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro" in volumes
    assert any(v.split(":")[0] in COMPOSE["volumes"] for v in volumes)


def test_every_service_is_scraped_by_name_on_the_port_it_serves_metrics() -> None:
    """DNS service discovery by compose service name, so every replica of a scaled service is scraped."""
    assert set(targets()) == set(SCRAPED)
    for service, variable in SCRAPED.items():
        names, port = targets()[service]
        assert names == [service]
        assert int(SERVICES[service]["environment"][variable]) == port, service


def test_the_api_serves_metrics(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient
    from store.api import build_api
    from store.settings import ApiSettings

    with TestClient(build_api(ApiSettings(DATABASE_URL=f"sqlite:///{tmp_path / 'api.db'}"))) as client:
        response = client.get("/metrics")
    assert response.status_code == 200
    assert re.search(r"^python_info", response.text, re.MULTILINE)
