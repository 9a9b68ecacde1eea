"""settings: the extractor reads EXTRACTOR_* variables, and REDIS_URL without prefix."""

import pytest

from extractor.settings import ExtractorSettings


def test_settings_read_the_extractor_prefix_and_the_shared_redis_url(monkeypatch: pytest.MonkeyPatch) -> None:
    """Base fields take the service prefix; REDIS_URL is shared by every service."""
    monkeypatch.setenv("REDIS_URL", "redis://redis.internal:6380/2")
    monkeypatch.setenv("EXTRACTOR_MIN_ARTICLE_WORDS", "75")
    monkeypatch.setenv("EXTRACTOR_HTTP_PORT", "9102")
    monkeypatch.setenv("EXTRACTOR_LOG_LEVEL", "DEBUG")
    settings = ExtractorSettings()

    assert str(settings.redis_url) == "redis://redis.internal:6380/2"
    assert settings.min_article_words == 75
    assert settings.http_port == 9102
    assert settings.log_level == "DEBUG"
