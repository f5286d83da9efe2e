"""The criteria template: 第十条's 14 contents, each judged by 第十一条's 7 standards.

A campaign's criteria are items ``{code, title, points, veto}`` whose points sum to
exactly 100 (第十二条 百分制); an item marked ``veto`` vetoes the grade (一票否决)
when it fails. An item fails when it earns less than 60 % of its points (the 合格
line of 第十二条 applied to the item); failed items are the ones a rectification
order names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from domain.errors import CriteriaError

TOTAL_POINTS = 100
ITEM_PASS_SHARE = 0.6

STANDARDS: tuple[tuple[str, str], ...] = (
    ("s1", "组织机构健全，责任明确"),
    ("s2", "公开内容全面，真实具体"),
    ("s3", "公开范围适宜，分级有序"),
    ("s4", "公开形式便捷，实用有效"),
    ("s5", "公开时限适时，经常高效"),
    ("s6", "监督机制完善，经费落实"),
    ("s7", "投诉处理得当，群众满意"),
)
"""第十一条 考核标准: every item is judged against the standards it lists."""

METHODS: dict[str, str] = {
    "self_check": "自查",
    "mutual_check": "互查",
    "announced": "明查",
    "unannounced": "暗访",
    "online": "网上评审",
    "on_site": "实地考核（看访听查评）",
    "overall": "综合评议",
}
"""第十三条 and 第十四条: how a review was done."""


@dataclass(frozen=True)
class Criterion:
    """One item of a campaign: code, title, points (> 0), veto, standards."""

    code: str
    title: str
    points: float
    veto: bool = False
    standards: tuple[str, ...] = ()

    def fails(self, awarded: float) -> bool:
        """Requires 0 <= awarded <= points; less than 60 % of the points fails."""
        return awarded < self.points * ITEM_PASS_SHARE

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "points": self.points,
            "veto": self.veto,
            "standards": list(self.standards),
        }


_ALL = tuple(code for code, _ in STANDARDS)

TEMPLATE: tuple[Criterion, ...] = (
    Criterion(
        "c01",
        "组织领导、制度建设、责任落实、方案制订、目录指南编制",
        10,
        True,
        ("s1", "s6"),
    ),
    Criterion("c02", "机构设置、工作职责和管理权限的公开", 6, False, ("s2", "s3")),
    Criterion("c03", "国家相关法律、法规和规章的公开", 6, False, ("s2", "s4")),
    Criterion(
        "c04",
        "重大决策、重要事项、重点项目和重大资金安排的公开",
        10,
        True,
        ("s2", "s3", "s5"),
    ),
    Criterion(
        "c05", "办事依据、程序、时限和方式、方法、结果的公开", 8, False, ("s2", "s5")
    ),
    Criterion("c06", "行政许可、审批事项的公开", 8, False, ("s2", "s5")),
    Criterion("c07", "收费项目、标准、时限的公开", 6, False, ("s2", "s5")),
    Criterion("c08", "行政执法公开", 8, False, ("s2", "s3", "s5")),
    Criterion(
        "c09",
        "办事服务大厅、便民窗口建设；网站、电话、公开栏等公开形式",
        8,
        False,
        ("s4",),
    ),
    Criterion("c10", "便民利民措施执行、服务承诺兑现", 6, False, ("s4", "s7")),
    Criterion("c11", "政策咨询解答、群众投诉处理", 10, False, ("s7",)),
    Criterion("c12", "接受监督情况", 6, False, ("s6",)),
    Criterion("c13", "经费落实情况", 4, False, ("s6",)),
    Criterion("c14", "其他方面的情况", 4, False, _ALL),
)
"""The default template (第十条 (一)–(十四)); its points sum to 100."""


def check_criteria(items: Iterable[Criterion]) -> tuple[Criterion, ...]:
    """Requires distinct non-empty codes, positive points, and a sum of exactly 100."""
    criteria = tuple(items)
    if not criteria:
        raise CriteriaError("a campaign needs at least one item", field="criteria")
    codes = [c.code for c in criteria]
    if any(not c.strip() for c in codes) or len(set(codes)) != len(codes):
        raise CriteriaError(
            "item codes must be distinct and non-empty", field="criteria"
        )
    bad = [c.code for c in criteria if not c.points > 0]
    if bad:
        raise CriteriaError(
            f"points must be positive; not for {', '.join(bad)}", field="criteria"
        )
    unknown = sorted({s for c in criteria for s in c.standards} - set(_ALL))
    if unknown:
        raise CriteriaError(f"unknown standards {', '.join(unknown)}", field="criteria")
    total = sum(c.points for c in criteria)
    if abs(total - TOTAL_POINTS) > 1e-9:
        raise CriteriaError(
            f"the items' points sum to {total:g}, not {TOTAL_POINTS}", field="criteria"
        )
    return criteria


def criteria_from(rows: Iterable[Mapping[str, Any]]) -> tuple[Criterion, ...]:
    """Items as the API and the events carry them → checked criteria."""
    return check_criteria(
        Criterion(
            code=str(r["code"]).strip(),
            title=str(r.get("title") or r["code"]),
            points=float(r["points"]),
            veto=bool(r.get("veto", False)),
            standards=tuple(r.get("standards") or ()),
        )
        for r in rows
    )


def check_methods(methods: Iterable[str]) -> list[str]:
    """Requires at least one known method; returns them in the order of METHODS."""
    chosen = set(methods)
    unknown = sorted(chosen - METHODS.keys())
    if unknown:
        raise CriteriaError(
            f"unknown methods {', '.join(unknown)}; use {', '.join(METHODS)}",
            field="methods",
        )
    if not chosen:
        raise CriteriaError("name at least one method", field="methods")
    return [m for m in METHODS if m in chosen]
