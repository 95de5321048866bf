"""The lab as one self-contained HTML page: the network as SVG, the matrix as a colour grid, the evidence.

What lives here: :func:`page`, a pure function of a :class:`~rtnl.lab.report.Run`. The page has inline
CSS and SVG only: no script, no font, image or style sheet from anywhere else, so it opens offline and
can be mailed. Each grid cell links to its evidence (frames counted per port, the route decision, the
reason). What it must not know: how anything was measured.

The grid's colours are fixed (:data:`COLOURS`) and used nowhere else on the page at that size, so a
screenshot can be checked against the JSON by colour.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from .model import CHILD, PAIRS, Cell, Puzzle, Step
from .report import Run
from .text import TITLE, mark

__all__ = ["COLOURS", "NAMESPACE_COLOURS", "page"]

COLOURS = {"yes": "#1f9d55", "no": "#d64545", "REFUSED": "#8c8c99"}  #: grid cell fill by answer
NAMESPACE_COLOURS = {"switch": "#dbe9f7", "host": "#f7ecd9", "child": "#e0f2dc", "peer": "#efe0f5"}

CSS = """
body { font: 15px/1.45 system-ui, sans-serif; color: #1d1d22; margin: 0 auto; max-width: 1180px;
       padding: 16px 24px; }
h1 { font-size: 22px; margin: 4px 0 2px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #ccd; }
h3 { font-size: 15px; margin: 18px 0 4px; }
.meta { color: #555; margin: 0 0 8px; }
table.grid { border-collapse: separate; border-spacing: 4px; }
table.grid th { font-weight: 600; padding: 2px 8px; text-align: center; white-space: nowrap; }
table.grid th.row { text-align: left; }
table.grid td.cell { width: 112px; height: 30px; padding: 0; text-align: center; }
table.grid td.cell a { display: block; line-height: 30px; color: #fff; font-weight: 600;
                       text-decoration: none; }
.legend span { display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 14px; vertical-align: -1px; }
svg text { font: 12px system-ui, sans-serif; fill: #1d1d22; }
svg text.ns { font-weight: 700; font-size: 13px; }
svg .dev { fill: #fff; stroke: #556; }
svg .wire { stroke: #556; stroke-width: 2; fill: none; }
svg .mv { stroke: #556; stroke-width: 1.5; stroke-dasharray: 5 3; fill: none; }
ol.steps li { margin: 6px 0; }
.works { color: #16703d; font-weight: 700; }
.fails { color: #a32c2c; font-weight: 700; }
article { border-left: 4px solid #ccd; padding: 2px 12px; margin: 10px 0; }
table.ev { border-collapse: collapse; font-size: 13px; }
table.ev td { padding: 1px 10px 1px 0; vertical-align: top; }
dl.meta { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; }
dl.meta dt { font-weight: 600; }
""" + "".join(
    f"td.{answer} {{ background: {colour}; }}\narticle.{answer} {{ border-color: {colour}; }}\n"
    for answer, colour in COLOURS.items()
)


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _label(c: Cell) -> str:
    return f"{c.mode}, hairpin {'on' if c.hairpin else 'off'}, {c.src} \u2192 {c.dst}"


def _grid(cells: Sequence[Cell]) -> str:
    rows: dict[tuple[str, bool], dict[tuple[str, str], Cell]] = {}
    for c in cells:
        rows.setdefault((c.mode, c.hairpin), {})[c.src, c.dst] = c
    head = "".join(f"<th>{_e(s)} \u2192 {_e(d)}</th>" for s, d in PAIRS)
    out = ['<table class="grid">', f'<tr><th class="row">mode</th><th class="row">hairpin</th>{head}</tr>']
    for (mode, hairpin), row in rows.items():
        tds = []
        for pair in PAIRS:
            c = row[pair]
            answer = mark(c)
            tds.append(
                f'<td class="cell {answer}" data-cell="{c.id}" data-mode="{c.mode}" '
                f'data-hairpin="{str(c.hairpin).lower()}" data-src="{c.src}" data-dst="{c.dst}" '
                f'data-reachable="{str(c.reachable).lower()}" title="{_e(c.reason)}">'
                f'<a href="#cell-{c.id}">{answer}</a></td>'
            )
        out.append(f'<tr><th class="row">{mode}</th><th class="row">{"on" if hairpin else "off"}</th>'
                   + "".join(tds) + "</tr>")
    out.append("</table>")
    legend = "".join(f'<span style="background:{colour}"></span>{_e(what)}' for what, colour in (
        ("reachable", COLOURS["yes"]), ("not reachable", COLOURS["no"]),
        ("the kernel refused to build it", COLOURS["REFUSED"])))
    out.append(f'<p class="legend">{legend} &#8212; click a cell for its evidence.</p>')
    return "\n".join(out)


def _representative(cells: Sequence[Cell]) -> tuple[str, bool, dict[str, str], dict[str, str]]:
    """The mode and hairpin whose cells the drawing shows, and their addresses and MACs merged."""
    built = [c for c in cells if not c.refused]
    first = next((c for c in built if c.mode == "bridge" and not c.hairpin), built[0] if built else None)
    if first is None:
        return "bridge", False, {}, {}
    address: dict[str, str] = {}
    mac: dict[str, str] = {}
    for c in built:
        if (c.mode, c.hairpin) == (first.mode, first.hairpin):
            address.update(c.observed.get("address", {}))
            mac.update(c.observed.get("mac", {}))
    return first.mode, first.hairpin, address, mac


def _box(x: int, y: int, w: int, h: int, lines: Iterable[str], cls: str = "dev") -> str:
    text = "".join(f'<text x="{x + 8}" y="{y + 17 + 15 * i}">{_e(t)}</text>' for i, t in enumerate(lines))
    return f'<rect class="{cls}" x="{x}" y="{y}" width="{w}" height="{h}" rx="4"/>{text}'


def _namespace(role: str, title: str, x: int, y: int, w: int, h: int, body: str) -> str:
    return (
        f'<g class="ns" data-ns="{role}"><rect x="{x}" y="{y}" width="{w}" height="{h}" rx="10" '
        f'fill="{NAMESPACE_COLOURS[role]}" stroke="#8a8fa0"/>'
        f'<text class="ns" x="{x + 10}" y="{y + 18}">{_e(title)}</text>{body}</g>'
    )


def topology_svg(cells: Sequence[Cell]) -> tuple[str, str]:
    """The network as the cells of one mode and hairpin setting measured it (bridge, hairpin off
    when there), with every namespace drawn as a coloured box; and which setting that is."""
    mode, hairpin, address, mac = _representative(cells)

    def dev(role: str) -> str:
        return f"{address.get(role, '-')}  {mac.get(role, '-')}"

    hp = "on" if hairpin else "off"
    parts = [
        _namespace("switch", "switch namespace", 300, 10, 400, 120,
                   _box(316, 34, 368, 40, ["br0  bridge (the \"switch\")", dev("switch")])
                   + _box(316, 82, 368, 40, ["port0  bridge port, veth",
                                             f"hairpin {hp} here (the grid measures off and on)"])),
        _namespace("host", "host namespace", 120, 170, 760, 120,
                   _box(140, 196, 330, 56, ["ens33  the parent NIC (veth peer of port0)", dev("parent")])
                   + _box(520, 196, 340, 56, ["shim  macvlan bridge on ens33, /32 route", dev("shim")])),
        _namespace("child", "child namespace", 60, 340, 400, 90,
                   _box(76, 364, 368, 56, [f"{CHILD['child']}  macvlan {mode} on ens33", dev("child")])),
        _namespace("peer", "peer namespace", 540, 340, 400, 90,
                   _box(556, 364, 368, 56, [f"{CHILD['peer']}  macvlan {mode} on ens33", dev("peer")])),
        '<path class="wire" d="M500 122 L500 160 L305 160 L305 196"/>',
        '<text x="508" y="154">veth</text>',
        '<path class="mv" d="M260 252 L260 364"/><path class="mv" d="M400 252 L400 310 L740 310 L740 364"/>',
        '<path class="mv" d="M470 224 L520 224"/>',
        '<text x="268" y="322">macvlan children of ens33</text>',
    ]
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="440" viewBox="0 0 1000 440" '
        'role="img" aria-label="the lab\'s network: switch, host, child and peer namespaces">'
        + "".join(parts) + "</svg>"
    ), f"{mode} mode, hairpin {hp}"


def _step(s: Step) -> str:
    verdict = f'<span class="{"works" if s.works else "fails"}">{"works" if s.works else "fails"}</span>'
    what = f'<a href="#cell-{s.cell}">{_e(s.setup)}</a>' if s.cell else _e(s.setup)
    return f"<li>{what}: {verdict}<br>{_e(s.observed)}</li>"


def _puzzles(puzzles: Sequence[Puzzle]) -> str:
    out = []
    for p in puzzles:
        out.append(f'<h3 id="puzzle-{p.number}">Puzzle {p.number}: {_e(p.title)} '
                   f"(the note's experiment {p.experiment})</h3>")
        out.append('<ol class="steps">' + "".join(_step(s) for s in p.steps) + "</ol>")
        worked = "; ".join(map(_e, p.working)) or "none of these steps"
        out.append(f"<p><b>What works:</b> {_e(p.fix)}. <b>Worked in this run:</b> {worked}.</p>")
    return "\n".join(out)


_COUNTS = (  # (observed key(s), what the number is)
    (("sent",), "frames sent by the source link"),
    (("to_switch", "from_switch"), "frames on the switch's port0: in / out"),
    (("echo_to_switch", "echo_from_switch"), "ICMP echo requests on port0: in / out"),
    (("target_rx",), "frames received by the target link"),
    (("target_echo_in", "target_echo_out"), "echo requests taken / replies sent by the target's stack"),
    (("child_rx",), "frames received by the child"),
)


def _evidence(c: Cell) -> str:
    answer = mark(c)
    o = c.observed
    rows: list[tuple[str, str]] = []
    refused = o.get("refused")
    if refused is not None:
        rows += [("refused", f"{refused['role']}: {refused['errno']} {refused['message']}"),
                 ("kernel's message", refused["extack"] or "-")]
    else:
        for keys, what in _COUNTS:
            rows.append((what, " / ".join(str(o.get(k, "-")) for k in keys)))
        rows += [
            ("route decision", str(o.get("route", "-"))),
            ("read back", f"mode {o.get('mode')}, hairpin {'on' if o.get('hairpin') else 'off'}"),
            ("round trip", "-" if c.rtt_ms is None else f"{c.rtt_ms} ms"),
            ("addresses", ", ".join(f"{k} {v}" for k, v in o.get("address", {}).items())),
            ("MACs", ", ".join(f"{k} {v}" for k, v in o.get("mac", {}).items())),
        ]
        if o.get("source_macs"):
            rows.append(("source list", ", ".join(o.get("source_macs", []))))
        if o.get("send_error"):
            rows.append(("send error", str(o.get("send_error"))))
    table = "".join(f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in rows)
    return (
        f'<article id="cell-{c.id}" class="{answer}" data-cell="{c.id}"><h3>{_e(_label(c))}: {answer}</h3>'
        f'<p>{_e(c.reason)}</p><table class="ev">{table}</table></article>'
    )


def _meta(meta: dict[str, object]) -> str:
    names = {"kernel": "kernel", "rtnl_version": "rtnl", "python": "Python", "date": "date (UTC)",
             "duration_s": "duration (s)", "modes": "modes", "dhcp": "DHCP used",
             "user_namespace": "through a user namespace", "helpers": "helpers ran as", "command": "command"}
    items = []
    for key, name in names.items():
        value = meta.get(key)
        if isinstance(value, list):
            value = ", ".join(map(str, value))
        elif isinstance(value, dict):
            value = ", ".join(f"{k}: {v}" for k, v in value.items()) or "-"
        elif isinstance(value, bool):
            value = "yes" if value else "no"
        items.append(f'<dt>{_e(name)}</dt><dd data-key="{key}">{_e(value)}</dd>')
    return '<dl class="meta">' + "".join(items) + "</dl>"


def page(run: Run) -> str:
    """The whole page, as a string."""
    meta = run.meta
    svg, shown = topology_svg(run.cells)
    reached = sum(c.reachable for c in run.cells)
    summary = " \u00b7 ".join([
        f"kernel {meta.get('kernel')}", f"rtnl {meta.get('rtnl_version')}", str(meta.get("date")),
        f"{len(run.cells)} cells, {reached} reachable", f"{meta.get('duration_s')} s",
        *(["DHCP"] if meta.get("dhcp") else []),
    ])
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>rtnl lab: macvlan reachability, measured live</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{_e(TITLE)}</h1>",
        f'<p class="meta">{_e(summary)}</p>',
        '<section id="matrix"><h2>Who reaches whom: mode &#215; hairpin &#215; path</h2>',
        _grid(run.cells),
        "</section>",
        '<section id="topology"><h2>The network</h2>',
        f"<p>Every cell is measured in its own fresh copy of this network; drawn here with the addresses "
        f"and MACs read back in the cells of {_e(shown)} (bridge and veth MACs are new in every copy).</p>",
        svg,
        "</section>",
        '<section id="puzzles"><h2>The note\'s puzzles, replayed</h2>',
        _puzzles(run.puzzles) if run.puzzles else "<p>Not run (--no-puzzles).</p>",
        "</section>",
        '<section id="evidence"><h2>Evidence, cell by cell</h2>',
        *(_evidence(c) for c in run.cells),
        "</section>",
        '<section id="run"><h2>This run</h2>',
        _meta(meta),
        "</section>",
        "</body></html>",
        "",
    ])
