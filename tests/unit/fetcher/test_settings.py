"""FetcherSettings: FETCHER_* variables, comma-separated networks, consistent timeouts."""

import ipaddress
from pathlib import Path

import pytest
from fetcher.settings import FetcherSettings
from pydantic import ValidationError


def test_variables_are_read_with_the_fetcher_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    """FETCHER_* configures the fetcher; REDIS_URL stays unprefixed; networks are comma-separated."""
    monkeypatch.setenv("FETCHER_SOURCES_FILE", "/etc/newsflow/sources.yaml")
    monkeypatch.setenv("FETCHER_ALLOWED_PRIVATE_NETWORKS", "127.0.0.0/8, 10.20.0.0/16")
    monkeypatch.setenv("FETCHER_POLL_INTERVAL_S", "60")
    monkeypatch.setenv("FETCHER_LOG_LEVEL", "DEBUG")
    monkeypatch.setenv("REDIS_URL", "redis://redis:6379/0")
    settings = FetcherSettings()
    assert settings.sources_file == Path("/etc/newsflow/sources.yaml")
    assert settings.allowed_private_networks == [ipaddress.ip_network("127.0.0.0/8"),
                                                 ipaddress.ip_network("10.20.0.0/16")]
    assert settings.poll_interval_s == 60
    assert settings.log_level == "DEBUG"
    assert str(settings.redis_url) == "redis://redis:6379/0"


def test_defaults_allow_no_private_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Out of the box the SSRF guard lets nothing private through and polls every five minutes."""
    monkeypatch.delenv("FETCHER_ALLOWED_PRIVATE_NETWORKS", raising=False)
    monkeypatch.delenv("FETCHER_POLL_INTERVAL_S", raising=False)
    settings = FetcherSettings(sources_file=Path("s.yaml"))
    assert settings.allowed_private_networks == []
    assert settings.poll_interval_s == 300
    assert settings.seen_ttl_days == 30


def test_sources_file_is_required(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a sources file there is nothing to poll, so start-up fails."""
    monkeypatch.delenv("FETCHER_SOURCES_FILE", raising=False)
    with pytest.raises(ValidationError, match="sources_file"):
        FetcherSettings()


def test_bad_cidr_is_refused() -> None:
    """A typo in the allowed networks fails at start rather than opening or closing the wrong range."""
    with pytest.raises(ValidationError, match="allowed_private_networks"):
        FetcherSettings(sources_file=Path("s.yaml"), allowed_private_networks="127.0.0.0/33")


def test_claim_must_outlive_a_fetch() -> None:
    """A claim shorter than a fetch would let a second replica fetch the same page."""
    with pytest.raises(ValidationError, match="claim_ttl_s"):
        FetcherSettings(sources_file=Path("s.yaml"), request_timeout_s=30, claim_ttl_s=10)


def test_poll_interval_bounds_must_be_ordered() -> None:
    """A minimum interval above the maximum is a configuration mistake, caught at start."""
    with pytest.raises(ValidationError, match="min_poll_interval_s"):
        FetcherSettings(sources_file=Path("s.yaml"), min_poll_interval_s=600, max_poll_interval_s=60)


def test_every_setting_is_described() -> None:
    """docs/fetcher.md and operators rely on each FETCHER_* setting saying what it does."""
    assert all(field.description for field in FetcherSettings.model_fields.values())


def test_extra_ca_file_must_exist(tmp_path: Path) -> None:
    """A mistyped CA bundle path fails at start instead of failing every HTTPS fetch later."""
    with pytest.raises(ValidationError, match="extra_ca_file"):
        FetcherSettings(sources_file=Path("s.yaml"), extra_ca_file=tmp_path / "missing.pem")
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    assert FetcherSettings(sources_file=Path("s.yaml"), extra_ca_file=bundle).extra_ca_file == bundle
