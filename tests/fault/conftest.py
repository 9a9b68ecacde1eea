"""Fault tests: every test here is marked `fault`; the long variants (`fault_long`) run only when asked.

`make fault` (or `pytest -m fault_long tests/fault`) runs the long ones; the default suite runs the
short variant of each.
"""

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    asked_for_long = "fault_long" in (config.getoption("markexpr", "") or "")
    deselected = []
    kept = []
    for item in items:
        if HERE in Path(item.fspath).resolve().parents:
            item.add_marker(pytest.mark.fault)
            if item.get_closest_marker("fault_long") and not asked_for_long:
                deselected.append(item)
                continue
        kept.append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


def pytest_terminal_summary(terminalreporter) -> None:
    from tests.fault.pipeline import REPORTED

    if REPORTED:
        terminalreporter.section("fault and load figures")
        for line in REPORTED:
            terminalreporter.write_line(line)
