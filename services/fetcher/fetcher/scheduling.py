"""The adaptive poll interval: shorter for feeds that change, longer for feeds that don't, always jittered."""

import random
from collections.abc import Callable

GROWTH = 1.5  # unchanged poll: wait longer next time
SHRINK = 0.5  # changed poll: come back sooner


def next_interval(current_s: float, *, changed: bool, initial_s: float, min_s: float, max_s: float) -> float:
    base = current_s or initial_s
    proposed = base * (SHRINK if changed else GROWTH)
    return min(max(proposed, min_s), max_s)


def jittered(interval_s: float, jitter: float, rand: Callable[[], float] = random.random) -> float:
    """Spread polls of feeds that would otherwise fall due together (and hit one host together)."""
    return interval_s * (1 + jitter * (2 * rand() - 1))
