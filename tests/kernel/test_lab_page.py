"""``rtnl-lab --json --html FILE``: the JSON document and the page of one run, checked against each other.

The JSON must validate against the schema shipped in the package; the HTML must parse without a single
error (html5lib, strict) and fetch nothing from anywhere; both must say the same thing cell for cell.
Then the page is rendered by a real headless Chromium, and the screenshot's pixels are read back: the
page is not blank, the grid shows 50 cells whose colours are the JSON's answers in the JSON's order, and
the drawing shows every namespace, as Chromium's own DOM of the page does.

Chromium comes from Debian (``apt-get install chromium``), installed by the README's test command; a
missing browser is a failure, not a skip.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from rtnl import lab
from rtnl.lab.page import COLOURS, NAMESPACE_COLOURS
from tests.support.paths import REPO

ROOT_DIR = REPO
Run = tuple[dict[str, Any], str, Path]  # the --json document, the --html page, its path


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, Any], str, Path]]:
    """One full lab run: its ``--json`` document, its ``--html`` page, and the page's path."""
    out = tmp_path_factory.mktemp("lab") / "lab.html"
    done = subprocess.run([sys.executable, "-m", "rtnl.lab", "--json", "--html", str(out)], cwd=ROOT_DIR,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    yield json.loads(done.stdout), out.read_text(encoding="utf-8"), out


def test_the_json_document_validates_against_the_shipped_schema(run: Run) -> None:
    import jsonschema

    doc = run[0]
    validator = jsonschema.Draft202012Validator(lab.schema(), format_checker=jsonschema.FormatChecker())
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(doc)]
    assert not errors
    assert len(doc["cells"]) == 50 and [p["number"] for p in doc["puzzles"]] == [1, 2]
    assert doc["meta"]["modes"] == list(lab.MODES) and doc["meta"]["dhcp"] is False
    assert doc["meta"]["kernel"] == os.uname().release
    # the schema is not vacuous: a cell without one of the old keys, or a fourth answer, is refused
    cell = dict(doc["cells"][0])
    del cell["reason"]
    assert not validator.is_valid({**doc, "cells": [cell]})
    assert not validator.is_valid({**doc, "cells": [{**doc["cells"][0], "mode": "ipvlan"}]})


class _Page(HTMLParser):
    """Every tag with its attributes, the text of <style>, and the text under each id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.style = ""
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style += data


def test_the_page_is_well_formed_and_fetches_nothing(run: Run) -> None:
    import html5lib

    page = run[1]
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page)  # raises on any parse error
    parsed = _Page()
    parsed.feed(page)
    names = {tag for tag, _ in parsed.tags}
    fetching = {"script", "link", "img", "iframe", "object", "embed", "source", "audio", "video", "base"}
    assert not names & fetching
    ids = {attrs["id"] for _, attrs in parsed.tags if "id" in attrs}
    for tag, attrs in parsed.tags:
        assert not {"src", "srcset", "data", "poster", "action", "xlink:href"} & attrs.keys(), (tag, attrs)
        if "href" in attrs:  # only links within the page, and each one lands somewhere
            assert attrs["href"].startswith("#") and attrs["href"][1:] in ids, attrs
        assert "url(" not in attrs.get("style", "")
    assert parsed.style and "url(" not in parsed.style and "@import" not in parsed.style


def _answer(cell: dict[str, Any]) -> str:
    return "yes" if cell["reachable"] else "REFUSED" if "refused" in cell["observed"] else "no"


def _grid_cells(page: str) -> dict[str, dict[str, str]]:
    parsed = _Page()
    parsed.feed(page)
    return {a["data-cell"]: a for t, a in parsed.tags if t == "td" and "cell" in a.get("class", "").split()}


def test_the_page_and_the_json_agree_cell_for_cell(run: Run) -> None:
    doc, page, _ = run
    grid = _grid_cells(page)
    assert list(grid) == [c["id"] for c in doc["cells"]]  # the same cells, in the same order
    for c in doc["cells"]:
        td = grid[c["id"]]
        assert td["class"].split() == ["cell", _answer(c)]
        data = tuple(td[f"data-{k}"] for k in ("mode", "hairpin", "src", "dst", "reachable"))
        assert data == (c["mode"], str(c["hairpin"]).lower(), c["src"], c["dst"], str(c["reachable"]).lower())
        # the cell links to its evidence, which quotes the reason and the counts of the JSON
        start = page.index(f'<article id="cell-{c["id"]}"')
        evidence = html.unescape(page[start:page.index("</article>", start)])
        assert c["reason"] in evidence
        if "refused" not in c["observed"]:
            o = c["observed"]
            port = f"{o['to_switch']} / {o['from_switch']}"
            assert f"frames on the switch's port0: in / out</td><td>{port}<" in evidence
            assert f"route decision</td><td>{o['route']}<" in evidence
    for puzzle in doc["puzzles"]:
        for step in puzzle["steps"]:
            assert html.escape(step["observed"]) in page
    assert f'<dd data-key="kernel">{doc["meta"]["kernel"]}</dd>' in page


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("chromium is not installed (the README's test command installs it)")
    return found


def _chromium_run(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    argv = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--force-device-scale-factor=1", f"--user-data-dir={tmp / 'profile'}", "--no-first-run",
            "--disable-extensions", "--disable-background-networking", *args]
    env = {**os.environ, "HOME": str(tmp)}
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _blobs(pixels: list[tuple[int, int, int]], width: int, colour: tuple[int, int, int],
           min_area: int) -> list[tuple[float, float, int]]:
    """Connected areas (4-neighbours) of exactly ``colour``: (centre x, centre y, area), large ones only."""
    todo = {i for i, p in enumerate(pixels) if p == colour}
    found = []
    while todo:
        stack, area, sx, sy = [todo.pop()], 0, 0, 0
        while stack:
            i = stack.pop()
            area, sx, sy = area + 1, sx + i % width, sy + i // width
            for j in (i - 1, i + 1, i - width, i + width):
                if j in todo and (j // width == i // width or j % width == i % width):
                    todo.remove(j)
                    stack.append(j)
        if area >= min_area:
            found.append((sx / area, sy / area, area))
    return found


def test_chromium_renders_the_grid_in_the_json_colours_and_every_namespace(
    run: Run, tmp_path: Path
) -> None:
    from PIL import Image

    doc, _, path = run
    shot = tmp_path / "lab.png"
    _chromium_run(tmp_path, "--window-size=1280,1300", f"--screenshot={shot}", path.as_uri())
    image = Image.open(shot).convert("RGB")
    width, _ = image.size
    raw = image.tobytes()
    pixels = list(zip(raw[0::3], raw[1::3], raw[2::3], strict=True))
    # not blank: most of the page is white, but a good share is drawn, in many colours
    drawn = sum(p != (255, 255, 255) for p in pixels)
    assert drawn > len(pixels) // 10 and len(set(pixels)) > 100
    # the grid: 50 large blocks in the three answer colours (the legend's swatches are too small to count)
    blocks = [(y, x, answer) for answer, colour in COLOURS.items()
              for x, y, _ in _blobs(pixels, width, _rgb(colour), min_area=1500)]
    assert len(blocks) == 50
    blocks.sort()
    rows = [sorted(blocks[i:i + 5], key=lambda b: b[1]) for i in range(0, 50, 5)]
    assert all(abs(row[0][0] - row[-1][0]) < 3 for row in rows)  # five to a row, each row level
    seen = [answer for row in rows for _, _, answer in row]
    expected = [_answer(c) for c in doc["cells"]]
    assert seen == expected
    # the drawing: every namespace's box is on screen, in its own colour
    for role, colour in NAMESPACE_COLOURS.items():
        assert _blobs(pixels, width, _rgb(colour), min_area=5000), f"{role} namespace not drawn"
    # and Chromium parsed the drawing as SVG, with one labelled group per namespace
    dom = _chromium_run(tmp_path, "--dump-dom", path.as_uri()).stdout
    parsed = _Page()
    parsed.feed(dom)
    groups = [a["data-ns"] for t, a in parsed.tags if t == "g" and a.get("class") == "ns"]
    assert groups == list(NAMESPACE_COLOURS)
    for role in NAMESPACE_COLOURS:
        assert f">{role} namespace</text>" in dom
    assert dom.count('<td class="cell ') == 50
