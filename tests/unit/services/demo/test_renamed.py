"""The demo under another county's name (services/demo/renamed.py): what is renamed,
what is not, and that renaming twice changes nothing (the demo hands the platform's
own answers back to it)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from domain.access import Principal, Role
from services.demo.common import clerk
from services.demo.renamed import DemoCounty, renamed, renamed_platform

SHAYA = DemoCounty.parse("shaya:沙雅县:SY")


def test_parse_defaults_the_badge_to_the_codes_first_letters() -> None:
    assert DemoCounty.parse("kuche:库车市") == DemoCounty("kuche", "库车市", "KU")
    assert DemoCounty.parse("kuche:库车市").short == "库车"
    assert DemoCounty.parse("xinhe:新和县:XH").is_default


@pytest.mark.parametrize(
    "text",
    ["shaya", "shaya:", ":沙雅县", "Shaya:沙雅县", "shaya:沙雅县:sy", "a.b:沙雅县",
     "xinhe2:某县", "shaya:新和二县"],
)  # fmt: skip
def test_parse_refuses_what_cannot_be_a_county(text: str) -> None:
    with pytest.raises(ValueError, match=r"."):
        DemoCounty.parse(text)


def test_paths_names_and_staff_numbers_are_renamed() -> None:
    assert SHAYA.rename("xinhe.xinhe-zhen.tuanjie") == "shaya.shaya-zhen.tuanjie"
    assert SHAYA.rename("新和县财政局 新和镇第一小学") == "沙雅县财政局 沙雅镇第一小学"
    assert SHAYA.rename("XH-0301@xinhe") == "SY-0301@shaya"
    assert SHAYA.rename("团结村") == "团结村"
    # What the platform hands back (an activation code) is not a staff number.
    assert SHAYA.rename("K7XH-3MXP-9TRA-WF2H") == "K7XH-3MXP-9TRA-WF2H"


@dataclass(frozen=True)
class Listing:
    office: str
    number: int


def test_renamed_walks_principals_collections_and_dataclasses() -> None:
    before = (
        clerk("xinhe.czj"),
        [Listing("新和县财政局", 3)],
        {"xinhe": {"XH-0001"}},
        Role.CLERK,
    )
    after = renamed(before, SHAYA)
    principal = after[0]
    assert principal == Principal(
        id="clerk@shaya.czj", tenant="shaya.czj", roles=frozenset({Role.CLERK})
    )
    assert after[1] == [Listing("沙雅县财政局", 3)]
    assert after[2] == {"shaya": {"SY-0001"}}
    assert after[3] is Role.CLERK
    assert renamed(after, SHAYA) == after  # twice: nothing more changes


class Service:
    calls: list[tuple[object, ...]]

    def __init__(self) -> None:
        self.calls = []
        self.app = "the application, as it is"

    def publish(self, *args: object, **kwargs: object) -> str:
        self.calls.append((args, kwargs))
        return "xinhe"  # answers are not renamed (the store holds new names)


class FakePlatform:
    def __init__(self) -> None:
        self.disclosures = Service()

    def max_position(self) -> int:
        return 7


def test_the_platform_renames_what_services_are_given_and_nothing_else() -> None:
    real = FakePlatform()
    acting = renamed_platform(real, SHAYA)  # type: ignore[arg-type]
    assert acting.disclosures.publish("xinhe.czj", title="新和县") == "xinhe"  # type: ignore[attr-defined]
    assert real.disclosures.calls == [(("shaya.czj",), {"title": "沙雅县"})]
    assert acting.disclosures.app == "the application, as it is"  # type: ignore[attr-defined]
    assert acting.max_position() == 7
    assert renamed_platform(real, DemoCounty()) is real  # type: ignore[arg-type]
