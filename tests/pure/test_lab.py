"""The lab's explanations as a function of what was observed (no kernel): a rule is quoted only when
the observation it rests on was made."""

from __future__ import annotations

from rtnl import lab


def test_explain_follows_the_observations() -> None:
    base = {"sent": 2, "to_switch": 2, "from_switch": 0, "echo_to_switch": 0, "echo_from_switch": 0,
            "target_rx": 0, "target_echo_in": 0,
            "target_echo_out": 0, "child_rx": 0, "route": "unicast dev ens33.01", "hairpin": False,
            "child_mac": "02:00:5e:10:00:11", "target_mac": "aa:bb:cc:dd:ee:ff",
            "parent_mac": "aa:bb:cc:dd:ee:ff", "source_macs": []}
    stuck = lab.explain("vepa", "child", "peer", False, base)
    assert "2 reached the switch and none came back" in stuck and "hairpin is off" in stuck
    came_back = {**base, "from_switch": 3, "hairpin": True}
    back = lab.explain("private", "child", "peer", False, {**came_back, "child_rx": 1})
    assert "private mode" in back and "received 1" in back
    # the same mode without the observation that supports the private-mode rule: the rule is not quoted
    assert "private mode" not in lab.explain("private", "child", "peer", False, came_back)
    inside = lab.explain("bridge", "child", "peer", True, {**base, "from_switch": 0})
    assert "inside the host" in inside


def test_explain_quotes_a_rule_only_when_its_precondition_was_observed() -> None:
    base = {"sent": 2, "to_switch": 2, "from_switch": 0, "echo_to_switch": 0, "echo_from_switch": 0,
            "target_echo_in": 0, "target_echo_out": 0, "child_rx": 0, "route": "unicast dev ens33.01",
            "hairpin": False, "child_mac": "02:00:5e:10:00:11", "target_mac": "aa:bb:cc:dd:ee:ff",
            "parent_mac": "aa:bb:cc:dd:ee:ff", "source_macs": []}
    one_child = "in passthru mode ens33 takes one child"

    def refused(mode: str, code: str, role: str = "peer") -> str:
        observed = {"refused": {"role": role, "errno": code, "message": "m", "extack": None}}
        return lab.explain(mode, "child", "peer", False, observed)

    assert one_child in refused("passthru", "EINVAL")
    assert one_child not in refused("bridge", "EINVAL")  # some other refusal: the rule is not the reason
    assert one_child not in refused("passthru", "EEXIST")
    assert one_child not in refused("passthru", "EINVAL", role="child")  # the first child is not a second one
    # frames stuck at the switch: the hairpin-off bridge rule only when hairpin was read back as off
    off = lab.explain("bridge", "child", "parent", False, base)
    assert "never sends a frame back" in off and "ens33's own stack is not one of them" in off
    on = lab.explain("bridge", "child", "parent", False, {**base, "hairpin": True})
    assert "never sends a frame back" not in on and "hairpin is on" in on
    # the bridge-mode rule is about the parent: not quoted for a peer
    assert "own stack" not in lab.explain("bridge", "child", "peer", False, base)
    # reachable with hairpin on: only the ARP broadcast came back (1 frame), the echo stayed inside
    arp_only = {**base, "hairpin": True, "to_switch": 1, "from_switch": 1}
    local = lab.explain("bridge", "child", "peer", True, arp_only)
    assert "inside the host" in local and "via the switch" not in local
    hairpinned = lab.explain("vepa", "child", "peer", True, {**arp_only, "echo_to_switch": 1,
                                                               "echo_from_switch": 1})
    assert hairpinned.startswith("via the switch: it sent 1 echo request back")
