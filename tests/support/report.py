"""Lines written to the terminal after a test module, shown even without ``-s``: the counts the
fuzz and fault-injection suites report."""

from __future__ import annotations

import pytest


def write_lines(request: pytest.FixtureRequest, *lines: str) -> None:
    """Write ``lines`` to pytest's terminal, past its output capture."""
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if reporter is None or capture is None:
        return
    with capture.global_and_fixture_disabled():
        for line in ("", *lines):
            reporter.write_line(line)
