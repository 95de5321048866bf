"""Why a probe got through or not: a pure function of what was observed.

What lives here: :func:`explain` (one cell's reason from its :class:`~rtnl.lab.model.Observed`),
:func:`why_pair` (one step of puzzle 2) and :func:`group_reasons`. Every rule quoted in a reason is
quoted only when the observation that supports it was made. What it must not know: the kernel, sockets
or namespaces: it reads plain data, so it is unit-tested without root.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .model import ADDRESS, Cell, Observed

__all__ = ["explain", "group_reasons", "why_pair"]


def explain(mode: str, src: str, dst: str, reachable: bool, o: Observed) -> str:
    """One line on why a probe did or did not get through, from what was observed along the path.

    The counters say *where* the frames stopped (never left, reached the switch, came back, reached
    the target's stack); the mode and hairpin setting read back from the kernel say *why* they stop
    there. Only a rule whose observed precondition holds is quoted.
    """
    if "refused" in o:
        r = o["refused"]
        what = "a second macvlan child of ens33" if r["role"] in ("peer", "shim") else "the child"
        text = f"the kernel refused {what} ({r['role']}): {r['message']}"
        if r["extack"]:
            text += f" - {r['extack']}"
        if mode == "passthru" and r["errno"] == "EINVAL" and r["role"] != "child":
            text += "; in passthru mode ens33 takes one child"
        return text
    target = "child" if src == "parent" else dst
    sent, to_sw, from_sw = o["sent"], o["to_switch"], o["from_switch"]
    hairpin = "on" if o["hairpin"] else "off"
    if reachable:
        if target == "switch":
            return f"the switch answered ({to_sw} frames in, {from_sw} out on its port)"
        echoes = o["echo_from_switch"]
        if echoes == 0:
            took = o["echo_to_switch"]
            took_text = "none an echo request" if took == 0 else f"{took} of them echo requests"
            back = "nothing" if from_sw == 0 else f"{_n(from_sw, 'frame')}, none an echo request"
            return (
                f"macvlan delivered the echo inside the host: the switch's port took {_n(to_sw, 'frame')}, "
                f"{took_text}, and sent back {back}"
            )
        back = _n(echoes, "echo request")
        return f"via the switch: it sent {back} back out of the port it came in on (hairpin {hairpin})"
    if o.get("send_error") and sent == 0:
        return f"nothing was sent: {o['send_error']} (route: {o['route']})"
    where = f"{_n(sent, 'frame')} left {'ens33' if src == 'parent' else 'the child'}"
    if o["target_echo_in"] > 0:
        if o["target_echo_out"] > 0:
            why = f"the {target} got {o['target_echo_in']} echo requests and answered; no reply came back"
        else:
            why = f"the {target} got {o['target_echo_in']} echo requests and did not answer"
        return f"{where}; {why}{_source_rule(mode, src, target, o)}"
    if to_sw > 0 and from_sw == 0:
        stuck = f"{where}, {to_sw} reached the switch and none came back"
        if o["hairpin"]:  # the bridge rule below does not apply: say only what was seen
            return f"{stuck}, although hairpin is on (route: {o['route']})"
        if src == "parent":
            rule = (
                "; what ens33's own stack sends goes straight to the wire: macvlan only sorts frames "
                "that arrive on ens33"
            )
        elif mode != "bridge":
            rule = f"; in {mode} mode a child's frames always leave through ens33"
        elif target == "parent":
            rule = (
                "; bridge mode switches locally between children only; ens33's own stack is not one "
                "of them, it is reached from the wire"
            )
        else:
            rule = ""
        return (
            f"{stuck}: hairpin is off, and a bridge never sends a frame back out of the port it came in on"
            + rule
        )
    if from_sw > 0:
        came_back = (
            f"{where}; the switch sent {from_sw} back (hairpin {hairpin}) "
            f"but the {target}'s stack saw no echo request"
        )
        if mode == "private" and src == "child" and o["child_rx"] > 0:
            return (
                f"{came_back}: in private mode macvlan hands a child's own broadcasts that come back "
                f"to that child alone (it received {o['child_rx']}), so its ARP requests reach no one else"
            )
        if mode == "passthru" and o["child_mac"] == o["parent_mac"]:
            return (
                f"{came_back}: the passthru child has taken ens33's MAC ({o['parent_mac']}), so every "
                f"frame arriving on ens33 is handed to the child and ens33's own stack gets nothing"
            )
        return came_back + _source_rule(mode, src, target, o)
    return f"{where}; the switch saw {to_sw} and the {target} saw nothing (route: {o['route']})"


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _source_rule(mode: str, src: str, target: str, o: Observed) -> str:
    """Source mode: the child hears only senders on its list; quoted when the other end is not."""
    other, mac = ("parent", o["parent_mac"]) if src == "parent" else (target, o["target_mac"])
    if mode != "source" or mac in o["source_macs"]:
        return ""
    owners = o.get("source_from") or o["source_macs"]
    pairs = zip(owners, o["source_macs"], strict=True)
    listed = ", ".join(f"the {who}'s {m}" for who, m in pairs) or "nothing"
    return (
        f": a source-mode child takes only frames sent from the MACs on its list ({listed}); "
        f"the {other} ({mac}) is not on it"
    )



def why_pair(
    route: tuple[str, str],
    lo_up: bool,
    moved: dict[str, tuple[int, int]],
    accept: dict[str, str],
    a: str,
    b: str,
    rtt: float | None,
) -> str:
    """The reading of one puzzle step, from its observations."""
    lo_tx, a_tx, b_rx, b_tx = moved["lo"][1], moved[a][1], moved[b][0], moved[b][1]
    if route[0] == "local":
        if rtt is not None:
            return f"It works, but over lo (+{lo_tx} packets), not over the macvlans ({a} sent {a_tx})"
        return (
            "The peer's address is local to this namespace, so the kernel routes it via lo, and "
            "lo is down in a fresh namespace"
            if not lo_up
            else "Routed via lo, yet no answer"
        )
    if rtt is not None:
        back = (
            f", and the reply came back via lo (+{lo_tx}): {ADDRESS['child']} is local here" if lo_tx else ""
        )
        return f"The request went over the macvlans ({a} sent {a_tx}, {b} received {b_rx}){back}"
    if b_rx and not b_tx and accept[b] == "0":
        return (
            f"Bound to {a} the lookup skips the local route (its device is {b}) and sends on the "
            f"wire: {b} received {b_rx} frames (the ARP requests) but answered none, because their "
            f"sender {ADDRESS['child']} is one of its own addresses and accept_local is 0"
        )
    if b_rx and b_tx:
        return (
            f"{b} received {b_rx} and sent {b_tx} (ARP answered), but the echo reply to "
            f"{ADDRESS['child']} is routed to a local address, via lo, "
            f"{'which is down' if not lo_up else f'so it never arrives on {a}, the device ping is bound to'}"
        )
    return f"{a} sent {a_tx}, {b} received {b_rx}, sent {b_tx}"




# a count in a reason: a number standing alone (not part of an address, a MAC or a link name)
_COUNT = re.compile(r"(?<![\w:.+])\d+(?![\w:.])")
_NOUN = re.compile(r"\b(\d+|#) (frame|echo request)s?\b")


def _shape(reason: str) -> str:
    """A reason with its counts taken out: the cells that share a shape differ only in numbers."""
    return _COUNT.sub("#", _NOUN.sub(r"\1 \2s", reason))


def _merge(reasons: list[str]) -> str:
    """One reason for reasons of one shape: each count as its value, or ``min-max`` where they differ."""
    first = _NOUN.sub(r"\1 \2s", reasons[0])
    values = [[int(n) for n in _COUNT.findall(_NOUN.sub(r"\1 \2s", r))] for r in reasons]
    slots = iter(zip(*values, strict=True))

    def fill(match: re.Match[str]) -> str:
        low, high = min(counts := next(slots)), max(counts)
        return str(low) if low == high else f"{low}-{high}"

    merged = _COUNT.sub(fill, first)
    return re.sub(r"\b1 (frame|echo request)s\b", r"1 \1", merged)


def group_reasons(cells: Iterable[Cell]) -> list[tuple[str, list[Cell]]]:
    """The unreachable cells grouped by reason, in order of first appearance. Reasons that differ only
    in their counts (one ARP retry more, say) form one group, told once with each count as a range::

        1-2 frames left the child, 1-2 reached the switch and none came back: ...
    """
    groups: dict[str, list[Cell]] = {}
    for c in cells:
        if not c.reachable:
            groups.setdefault(_shape(c.reason), []).append(c)
    return [(_merge([c.reason for c in group]), group) for group in groups.values()]
