"""Property and fuzz tests (hypothesis): marked `property`; bounded example counts keep them to seconds."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

HERE = Path(__file__).resolve().parent

# The default suite's profile: few enough examples to stay fast on a busy 2-core machine. Set
# HYPOTHESIS_PROFILE=thorough for a longer search (e.g. before a release).
settings.register_profile("newsflow", max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=2000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(__import__("os").environ.get("HYPOTHESIS_PROFILE", "newsflow"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(item.fspath).resolve().parents:
            item.add_marker(pytest.mark.property)
