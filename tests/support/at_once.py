"""The blocking Connection's at-once paths (``add_route_at_once``, ``add_address_at_once``,
``add_at_once``) held to their operations without a kernel: which calls took them, and what a call
sent and returned or raised."""

from __future__ import annotations

import inspect
from types import ModuleType
from typing import Any

import pytest


def record_at_once(monkeypatch: pytest.MonkeyPatch, module: ModuleType, name: str) -> list[bool]:
    """Whether each call of ``module.name`` (an at-once path, whose argument ``request`` sends) sent
    anything itself, without running the operation; a list the calls append to."""
    said: list[bool] = []
    plain = getattr(module, name)
    at = list(inspect.signature(plain).parameters).index("request")

    def recorded(*args: Any) -> Any:
        sent: list[object] = []
        request = args[at]
        spied = lambda *a: sent.append(a) or request(*a)  # noqa: E731
        try:
            return plain(*args[:at], spied, *args[at + 1:])
        finally:
            said.append(bool(sent))

    monkeypatch.setattr(module, name, recorded)
    return said


def outcome(conn: Any, how: Any) -> object:
    """What ``how(conn)`` sent (``conn.sent``) and returned, or the error it raised (type, text, and
    what it names)."""
    try:
        result: object = how(conn)
    except (OSError, TypeError, ValueError) as e:
        result = (type(e), str(e), getattr(e, "about", None))
    return conn.sent, result
