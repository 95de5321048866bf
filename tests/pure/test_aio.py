"""``rtnl.aio`` without the kernel: every Connection method has its coroutine twin, made from the
method itself (so an operation added to Connection needs one line in rtnl/aio.py, and this test
fails until it is there)."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import pytest

from rtnl.aio import AsyncConnection, AsyncMonitor, _Call, _StandIn, _twin
from rtnl.connection import Connection
from rtnl.monitor import Monitor

LIFECYCLE = {"close", "run", "monitor"}  # written for the loop: closing, driving, reading events
LOOKUPS = {"link", "index", "route_get"}  # driven by the reader's callbacks: they return a _Call


def public_methods(cls: type) -> set[str]:
    return {name for name, value in vars(cls).items() if callable(value) and not name.startswith("_")}


def test_every_connection_method_has_an_async_twin() -> None:
    missing = public_methods(Connection) - public_methods(AsyncConnection)
    assert not missing, f"add `name = _twin(Connection.name)` to AsyncConnection for: {sorted(missing)}"
    for name in public_methods(Connection):
        twin = getattr(AsyncConnection, name)
        assert inspect.iscoroutinefunction(twin) or name == "monitor" or (
            name in LOOKUPS and not hasattr(inspect, "markcoroutinefunction")), name  # (marked on 3.12+)
        if name not in LIFECYCLE:
            assert twin.__wrapped__ is getattr(Connection, name), name  # the method itself, not a copy
            assert inspect.signature(twin) == inspect.signature(getattr(Connection, name))
            assert twin.__doc__ == getattr(Connection, name).__doc__


def test_a_lookups_answer_is_awaited_as_a_coroutine_would_be() -> None:
    """A lookup returns its _Call at once: gather takes it as a future (no task), create_task and
    wait_for as a coroutine; a result, an error and a cancellation each reach the awaiter."""
    async def main() -> None:
        loop = asyncio.get_running_loop()

        def later(value: object = None, error: BaseException | None = None) -> _Call[object]:
            call: _Call[object] = _Call(loop=loop)
            if error is None:
                loop.call_soon(call.set_result, value)
            else:
                loop.call_soon(call.set_exception, error)
            return call

        assert asyncio.iscoroutine(later()) and asyncio.isfuture(later())
        assert await later(1) == 1
        assert list(await asyncio.gather(later(2), later(3))) == [2, 3]
        assert await asyncio.create_task(later(4)) == 4
        assert await asyncio.wait_for(later(5), 1) == 5
        with pytest.raises(KeyError):
            await asyncio.create_task(later(error=KeyError("k")))
        waiting: _Call[object] = _Call(loop=loop)
        task = asyncio.create_task(waiting)
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert waiting.cancelled()  # the task's cancellation reaches the lookup (its answer is dropped)

    asyncio.run(main())


def test_monitors_offer_their_descriptor() -> None:
    assert callable(Monitor.fileno) and callable(AsyncMonitor.fileno)


def test_a_method_that_changes_what_run_returns_gets_no_twin() -> None:
    class Derived(Connection):
        def wrapped(self) -> list[object]:
            return [self.run(iter(()))]  # type: ignore[arg-type]

    twin: Any = _twin(Derived.wrapped)  # type: ignore[arg-type]
    conn: Any = object.__new__(AsyncConnection)
    conn.namespace_id, conn.kernel_echoes = None, False
    conn._stand_in = _StandIn(conn)
    with pytest.raises(TypeError, match="changes what run"):
        asyncio.run(twin(conn))
