"""One lab run as data: its metadata, its cells and its puzzles, as ``--json`` prints them.

What lives here: :class:`Run` (everything a renderer needs), :func:`metadata` and
:func:`document`, the JSON document ``{"meta": ..., "cells": [...], "puzzles": [...]}`` that
``lab.schema.json`` (shipped beside this module, see :func:`schema`) describes. What it must not know:
how the numbers were measured, or how text and HTML lay them out.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import platform
import sys
from collections.abc import Sequence
from importlib import resources
from typing import Any

import rtnl

from .model import Cell, Puzzle

__all__ = ["Run", "document", "metadata", "schema"]


@dataclasses.dataclass
class Run:
    """A finished lab run."""

    meta: dict[str, Any]
    cells: list[Cell]
    puzzles: list[Puzzle]


def metadata(
    *, started: datetime.datetime, duration_s: float, modes: Sequence[str], dhcp: bool, user_namespace: bool,
    helpers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The run's metadata: kernel, rtnl and Python versions, when, how long, what was measured, how.
    ``helpers`` maps each helper program to the user it ran as."""
    return {
        "kernel": platform.release(),
        "rtnl_version": rtnl.__version__,
        "python": platform.python_version(),
        "date": started.astimezone(datetime.timezone.utc).isoformat(timespec="seconds"),
        "duration_s": round(duration_s, 2),
        "modes": list(modes),
        "dhcp": dhcp,
        "user_namespace": user_namespace,
        "helpers": dict(helpers or {}),
        "command": " ".join(["rtnl-lab", *sys.argv[1:]]),
    }


def _puzzle(p: Puzzle) -> dict[str, Any]:
    return {
        "number": p.number,
        "title": p.title,
        "experiment": p.experiment,
        "steps": [dataclasses.asdict(s) for s in p.steps],
        "working": p.working,
        "fix": p.fix,
    }


def document(run: Run) -> dict[str, Any]:
    """The ``--json`` document of ``run``; its ``cells`` keep the keys of the old bare list."""
    return {"meta": run.meta, "cells": [c.as_json() for c in run.cells],
            "puzzles": [_puzzle(p) for p in run.puzzles]}


def schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of :func:`document`, from the package's ``lab.schema.json``."""
    result: dict[str, Any] = json.loads(resources.files("rtnl.lab").joinpath("lab.schema.json").read_text())
    return result
