"""Service settings: read from the environment with a prefix per service, REDIS_URL shared."""

import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict

from newsflow_shared.settings import ServiceSettings


class ProbeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PROBE_")


def test_redis_url_is_shared_and_other_fields_take_the_service_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://cache.internal:6380/2")
    monkeypatch.setenv("PROBE_MAX_ATTEMPTS", "7")
    monkeypatch.setenv("MAX_ATTEMPTS", "99")
    settings = ProbeSettings()
    assert str(settings.redis_url) == "redis://cache.internal:6380/2"
    assert settings.max_attempts == 7


def test_each_process_gets_its_own_consumer_name() -> None:
    assert ProbeSettings().consumer_name != ""


def test_nothing_listens_beyond_loopback_by_default() -> None:
    assert ProbeSettings().http_host == "127.0.0.1"


def test_an_invalid_value_is_refused_with_the_field_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROBE_MAX_ATTEMPTS", "0")
    with pytest.raises(ValidationError, match="max_attempts"):
        ProbeSettings()
