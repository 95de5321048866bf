"""The lab's renderers as pure functions of results (no kernel): text wrapped to a width, identical
reasons told once, and a page that parses cleanly with one grid cell per result."""

from __future__ import annotations

import re

import pytest

from rtnl import lab
from rtnl.lab.page import page
from rtnl.lab.report import Run
from rtnl.lab.text import render, render_puzzles, width

LONG = ("1 frame left the child, 1 reached the switch and none came back: hairpin is off, and a bridge never "
        "sends a frame back out of the port it came in on")


def _cells() -> list[lab.Cell]:
    cells = []
    keys = [(m, h, s, d) for m in lab.MODES for h in (False, True) for s, d in lab.PAIRS]
    for i, (m, h, s, d) in enumerate(keys):
        if m == "passthru" and d in ("peer", "shim"):
            refused: lab.Observed = {"refused": {"role": d, "errno": "EINVAL", "message": "Invalid argument",
                                                 "extack": None}}
            cells.append(lab.Cell(m, h, s, d, False, f"the kernel refused ({d})", observed=refused))
        else:
            reachable = i % 3 == 0
            cells.append(lab.Cell(m, h, s, d, reachable, "via the switch" if reachable else LONG,
                                  1.0 if reachable else None))
    return cells


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("cols", [48, 64, 80, 200])
def test_text_wraps_to_the_width_and_says_each_reason_once(cols: int) -> None:
    cells = _cells()
    out = render(cells, explain_all=True, cols=cols)
    assert max(map(len, out.splitlines())) <= max(cols, 66)  # the table's narrowest form is 66 wide
    if cols >= 66:
        assert max(map(len, out.splitlines())) <= cols
    assert _flat(out).count(LONG) == 1  # told once, after all the cells it explains
    unreachable = [c for c in cells if not c.reachable]
    for c in unreachable:
        assert f"{c.mode} hairpin {'on' if c.hairpin else 'off'} {c.src}->{c.dst}" in _flat(out)
    # the table has one row per mode and hairpin, whatever the width
    table = out.split("why not")[0].splitlines()
    rows = [line.split() for line in table if line.split()[:1] and line.split()[0] in lab.MODES]
    assert [(r[0], r[1]) for r in rows] == [(m, h) for m in lab.MODES for h in ("off", "on")]
    assert sum(r[2:].count("yes") for r in rows) == sum(c.reachable for c in cells)
    assert sum(r[2:].count("REFUSED") for r in rows) == 4


def test_puzzles_wrap_too() -> None:
    steps = [lab.Step("plain ping, lo up", True, LONG * 2), lab.Step("fresh namespace", False, LONG)]
    out = render_puzzles(lab.puzzles(_cells(), steps), cols=60)
    assert max(map(len, out.splitlines())) <= 60
    assert "Puzzle 1 - a child cannot reach its parent" in _flat(out)
    assert "1. plain ping, lo up: WORKS" in out and "2. fresh namespace: fails" in out
    assert _flat(out).count(LONG) >= 3


def test_width_follows_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "77")
    assert width() == 77
    monkeypatch.setenv("COLUMNS", "10")
    assert width() == 40  # no narrower than a readable minimum


def test_the_page_of_any_run_parses_strictly_and_has_one_cell_per_result() -> None:
    import html5lib

    cells = _cells()
    text = page(Run({"kernel": "k", "modes": list(lab.MODES), "dhcp": False}, cells, lab.puzzles(cells, [])))
    html5lib.HTMLParser(strict=True).parse(text)
    assert text.count('<td class="cell ') == 50
    assert text.count('<td class="cell REFUSED"') == 4
    for c in cells:
        assert f'href="#cell-{c.id}"' in text and f'<article id="cell-{c.id}"' in text
    assert "<script" not in text and "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_reasons_that_differ_only_in_counts_are_told_once_with_ranges() -> None:
    one = "1 frame left the child, 1 reached the switch and none came back; route: unicast dev ens33.01"
    two = "2 frames left the child, 1 reached the switch and none came back; route: unicast dev ens33.01"
    mac = "the switch (02:00:5e:10:00:11) is not on the list, 1 frame"
    cells = [lab.Cell("vepa", False, "child", d, False, r) for d, r in (("peer", one), ("parent", two),
                                                                          ("shim", one), ("switch", mac))]
    cells.append(lab.Cell("vepa", True, "child", "peer", True, one))  # reachable: not a reason for "no"
    groups = lab.group_reasons(cells)
    assert [(text, [c.dst for c in group]) for text, group in groups] == [
        ("1-2 frames left the child, 1 reached the switch and none came back; route: unicast dev ens33.01",
         ["peer", "parent", "shim"]),
        (mac, ["switch"]),  # numbers inside a MAC, an address or a link name are not counts
    ]
    assert lab.group_reasons(cells[:1]) == [(one, cells[:1])]  # a group of one is its reason, unchanged
