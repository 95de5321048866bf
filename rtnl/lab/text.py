"""The lab for a terminal: the matrix as a table, reasons and puzzles wrapped to the terminal's width.

What lives here: :func:`render` and :func:`render_puzzles`, pure functions of the results and a width
(:func:`width` reads it as :func:`shutil.get_terminal_size` does, so ``COLUMNS`` sets it). What it
must not know: the kernel, or how a reason was derived.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Sequence

from .explain import group_reasons
from .model import PAIRS, Cell, Puzzle

__all__ = ["mark", "render", "render_puzzles", "width"]

TITLE = (
    "macvlan reachability, measured live "
    "(ens33 = veth to a bridge 'switch'; children in their own namespaces)"
)


def width() -> int:
    """The terminal's width (``$COLUMNS`` first), 100 when there is no terminal; at least 40."""
    return max(40, shutil.get_terminal_size((100, 24)).columns)


def mark(cell: Cell) -> str:
    """A cell's one-word answer: ``yes``, ``no`` or ``REFUSED`` (the kernel would not build it)."""
    if cell.reachable:
        return "yes"
    return "REFUSED" if cell.refused else "no"


def _wrap(text: str, cols: int, first: str = "", rest: str | None = None) -> list[str]:
    return textwrap.wrap(text, cols, initial_indent=first, subsequent_indent=first if rest is None else rest,
                         break_on_hyphens=False, break_long_words=False)


def _table(cells: Sequence[Cell], cols: int) -> list[str]:
    heads = [f"{s}->{d}" for s, d in PAIRS]
    rows: dict[tuple[str, bool], dict[str, Cell]] = {}
    for c in cells:
        rows.setdefault((c.mode, c.hairpin), {})[f"{c.src}->{c.dst}"] = c
    w = max(map(len, heads)) + 2
    header = [f"{'mode':9}{'hairpin':9}" + "".join(f"{h:>{w}}" for h in heads)]
    if len(header[0]) > cols:  # narrow: each heading on two lines ("child->" over "peer")
        w = max(len(part) for h in heads for part in (h.split("->")[0] + "->", h.split("->")[1])) + 1
        header = [
            f"{'':18}" + "".join(f"{h.split('->')[0] + '->':>{w}}" for h in heads),
            f"{'mode':9}{'hairpin':9}" + "".join(f"{h.split('->')[1]:>{w}}" for h in heads),
        ]
    lines = header
    for (mode, hairpin), row in rows.items():
        marks = "".join(f"{mark(row[h]):>{w}}" for h in heads)
        lines.append(f"{mode:9}{'on' if hairpin else 'off':9}{marks}")
    return lines


def render(cells: Sequence[Cell], *, explain_all: bool = False, cols: int | None = None) -> str:
    """The matrix as text: one row per (mode, hairpin), one column per probe; with ``explain_all``
    the reason for every cell that was not reached, each distinct reason once with its cells."""
    cols = width() if cols is None else cols
    lines = _wrap(TITLE, cols) + _table(cells, cols)
    order = {"switch": 0, "peer": 1}
    lists = {
        " and the ".join(sorted(c.observed.get("source_from", ()), key=lambda who: order.get(who, 2)))
        for c in cells
        if c.observed.get("source_from")
    }
    for owners in sorted(lists):
        lines += _wrap(f"source mode: a child takes frames only from the MACs on its list, here the {owners}",
                       cols)
    if explain_all:
        lines += ["", *_wrap("why not (from the counters and settings observed in each cell; each reason "
                             "once, after the cells it explains):", cols)]
        for reason, group in group_reasons(cells):
            names = ", ".join(f"{c.mode} hairpin {'on' if c.hairpin else 'off'} {c.src}->{c.dst}"
                              for c in group)
            lines += _wrap(names + ":", cols, "  ", "    ")
            lines += _wrap(reason, cols, "      ")
    return "\n".join(lines)


def render_puzzles(puzzles: Sequence[Puzzle], *, cols: int | None = None) -> str:
    """The note's puzzles, in the note's order, answered from the live checks."""
    cols = width() if cols is None else cols
    out = [""]
    for p in puzzles:
        out += _wrap(f"Puzzle {p.number} - {p.title} (the note's experiment {p.experiment}):", cols)
        for i, s in enumerate(p.steps, 1):
            if s.cell is not None:  # a matrix cell: its answer and reason on one wrapped paragraph
                answer = "reachable" if s.works else "unreachable"
                out += _wrap(f"{s.setup}: {answer} - {s.observed}", cols, "  ", "      ")
            else:
                out += _wrap(f"{i}. {s.setup}: {'WORKS' if s.works else 'fails'}", cols, "  ", "     ")
                out += _wrap(s.observed, cols, "     ")
        out += _wrap(f"What works: {p.fix}.", cols, "  ", "    ")
    return "\n".join(out)
