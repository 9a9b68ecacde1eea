"""The adaptive interval: halves on change, grows by half when quiet, within bounds; jitter within ± its fraction."""

import pytest
from fetcher.scheduling import jittered, next_interval


def test_interval_adapts_within_bounds() -> None:
    bounds = {"initial_s": 300, "min_s": 60, "max_s": 3600}
    assert next_interval(0, changed=True, **bounds) == 150
    assert next_interval(0, changed=False, **bounds) == 450
    assert next_interval(100, changed=True, **bounds) == 60
    assert next_interval(3000, changed=False, **bounds) == 3600


def test_jitter_stays_within_its_fraction() -> None:
    assert jittered(100, 0.1, rand=lambda: 0.0) == 90
    assert jittered(100, 0.1, rand=lambda: 1.0) == pytest.approx(110)
    assert jittered(100, 0.0, rand=lambda: 0.3) == 100
