"""Values without a kernel: enums print their names and parse them; specs take a mode by name."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import rtnl
from rtnl.values.check import check_name
from rtnl.values.enums import NamedIntEnum, NamedIntFlag


def all_enums() -> list[type]:
    names = ("MacvlanMode", "MacvlanFlag", "OperState", "Scope", "AddressFlag", "Group")
    return [getattr(rtnl, name) for name in names]


@pytest.mark.parametrize("cls", all_enums(), ids=lambda c: c.__name__)
def test_every_enum_value_prints_its_name(cls: type) -> None:
    assert issubclass(cls, (NamedIntEnum, NamedIntFlag))
    for member in cls:
        assert str(member) == f"{cls.__name__}.{member.name}" == f"{member}"


def test_flags_print_their_names_combined() -> None:
    both = rtnl.MacvlanFlag.NOPROMISC | rtnl.MacvlanFlag.NODST
    assert str(both) == "MacvlanFlag.NOPROMISC|NODST"


def test_macvlan_mode_by_name_in_any_case() -> None:
    for text in ("bridge", "BRIDGE", "Bridge"):
        assert rtnl.Macvlan("mv0", parent="eth0", mode=text).mode is rtnl.MacvlanMode.BRIDGE
    assert rtnl.Macvtap("t0", parent=2, mode="vepa").mode is rtnl.MacvlanMode.VEPA
    assert str(rtnl.Macvlan("mv0", parent="eth0", mode="source").mode) == "MacvlanMode.SOURCE"


def test_unknown_mode_names_list_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="private, vepa, bridge, passthru, source"):
        rtnl.Macvlan("mv0", parent="eth0", mode="hub")
    with pytest.raises(TypeError, match="mode"):
        rtnl.Macvlan("mv0", parent="eth0", mode=4)  # type: ignore[arg-type]


def test_by_nsid_refuses_a_lone_string_for_its_candidates() -> None:
    """Issue 14 class 3: ``candidates`` is an iterable of namespaces; "ab" is not two of them."""
    from rtnl.netns import by_nsid

    for lone in ("ab", b"ab"):
        with pytest.raises(TypeError, match="candidates is an iterable"):
            by_nsid(None, 1, lone)  # type: ignore[arg-type]


@given(st.one_of(st.text(max_size=18), st.text(alphabet="ab0/:. %\t\xa0\u3000-_", max_size=6),
                 st.sampled_from([".", "..", "all", "default", "a" * 15, "a" * 16, "xà", "é"])))
def test_check_name_takes_what_the_kernel_rule_takes(name: str) -> None:
    """check_name (with its shortcut for plain alphanumeric names) against the rule its docstring
    states: 1..15 bytes of UTF-8, not . or .., none of / : NUL, the kernel's isspace bytes, %, nor
    all/default."""
    try:
        raw = name.encode()
    except UnicodeEncodeError:
        raw = None
    rule = (raw is not None and 0 < len(raw) < 16 and name not in (".", "..", "all", "default")
            and not any(byte in b"/:\0\t\n\v\f\r \xa0" for byte in raw) and "%" not in name)
    try:
        check_name(name)
        taken = True
    except ValueError:
        taken = False
    assert taken == rule
