"""The seed lab: the macvlan experiments of the study note, rebuilt live and measured.

``python -m rtnl.lab`` (or ``rtnl-lab``) builds the note's network in throwaway namespaces, for every
macvlan mode and with the "switch" hairpinning or not, sends real ICMP echoes and prints who reaches
whom (``--json`` for programs, ``--html FILE`` for a page to look at, ``--explain`` for the reasons).
Every cell is measured in its own freshly built copy of the network, and its reason is derived from
what was observed: the link counters along the path, the settings read back from the kernel and the
route lookup. Then the note's two puzzles are replayed, in its order.

The package, one job per module, each importing only those listed before it:

- :mod:`~rtnl.lab.model`: roles, addresses, the typed records (no I/O)
- :mod:`~rtnl.lab.explain`: reasons, a pure function of the observations
- :mod:`~rtnl.lab.probes`: ICMP echoes and a packet tap
- :mod:`~rtnl.lab.dhcp`: dnsmasq and dhclient, their privileges and liveness
- :mod:`~rtnl.lab.topology`: one copy of the note's network, and the readings taken of it
- :mod:`~rtnl.lab.measure`, :mod:`~rtnl.lab.puzzles`: the matrix and the puzzles, measured
- :mod:`~rtnl.lab.report`, :mod:`~rtnl.lab.text`, :mod:`~rtnl.lab.page`: the run as JSON, text, HTML
- :mod:`~rtnl.lab.cli`: the command line

Isolation (user, network, mount and PID namespaces) comes from :mod:`rtnl.sandbox`. The network is
reached only through rtnl's public API.
"""

from __future__ import annotations

from .cli import main
from .dhcp import HelperDied, dhclient_script, dhcp_lease, dhcp_missing
from .explain import explain, group_reasons
from .measure import measure, run_matrix
from .model import ADDRESS, CHILD, MAC, MODES, PAIRS, Cell, Observed, Puzzle, Step
from .probes import ping
from .puzzles import puzzles, same_namespace
from .report import document, schema
from .topology import Topology, link_counters, route_get

__all__ = [
    "ADDRESS", "CHILD", "MAC", "MODES", "PAIRS", "Cell", "HelperDied", "Observed", "Puzzle", "Step",
    "Topology", "dhclient_script", "dhcp_lease", "dhcp_missing", "document", "explain", "group_reasons",
    "link_counters", "main", "measure", "ping", "puzzles", "route_get", "run_matrix", "same_namespace",
    "schema",
]
