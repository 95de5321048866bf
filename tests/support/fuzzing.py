"""Hypothesis settings the fuzz tests share: a fixed number of examples (scaled by
``RTNL_FUZZ_SCALE``), no deadline, no example database, and a count of the examples each test ran,
printed at the end of its module (pytest shows it even without ``-s``)."""

from __future__ import annotations

import functools
import os
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, Phase, given, settings

SCALE = float(os.environ.get("RTNL_FUZZ_SCALE", "1"))
F = TypeVar("F", bound=Callable[..., Any])


def fuzz(runs: Counter[str], n: int, *args: Any, shrink: bool = True,
         **kwargs: Any) -> Callable[[F], F]:
    """``@given(*args, **kwargs)`` with ``n`` examples (times RTNL_FUZZ_SCALE), each counted in
    ``runs`` under the test's name. ``shrink=False`` reports a failure as found, for tests whose
    failure message says enough and whose many failing examples would take minutes to shrink."""
    phases = tuple(Phase) if shrink else (Phase.explicit, Phase.generate)

    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def counted(*a: Any, **k: Any) -> Any:
            runs[fn.__name__] += 1
            return fn(*a, **k)

        test = given(*args, **kwargs)(counted)
        return settings(max_examples=int(n * SCALE), deadline=None, database=None,  # type: ignore[no-any-return]
                        phases=phases,
                        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])(test)
    return wrap


def report(request: pytest.FixtureRequest, title: str, *counters: Counter[str]) -> Iterator[None]:
    """The body of a module-scoped autouse fixture: after the module's tests, one line per counter
    (``name n, name n...``), the first headed by ``title``."""
    yield
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if reporter is None or capture is None or not any(counters):
        return
    with capture.global_and_fixture_disabled():  # shown even without -s
        reporter.write_line("")
        for i, counter in enumerate(counters):
            head = f"{title} (RTNL_FUZZ_SCALE={SCALE:g}): " if i == 0 else "  "
            reporter.write_line(head + ", ".join(f"{name} {n}" for name, n in sorted(counter.items())))
