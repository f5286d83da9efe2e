"""Table 二 of the annual report cell by cell, each body's from its own disclosures
and inputs (a town's, a dept's, the county's, and the town's subtree added up);
and when a report can be published: not before the year is over, late after its
statutory day (条例第四十九条), marked so in the report, its text and the summary."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import pytest

from domain.access import Role
from domain.reporting.publication import ReportTooEarlyError
from services.platform.runtime import Platform
from services.reporting.annual_pdf import report_pdf
from services.reporting.annual_render import report_html, report_text
from services.reporting.annual_reports import publish_report
from services.reporting.annual_xlsx import report_xlsx
from tests.conftest import ADMIN, MutableClock, build_tree, principal
from tests.integration import annual_layout
from tests.unit.services.reporting.test_pdf import content_streams

TOWN = "xinhe.tahe"
DEPT = "xinhe.tahe.czs"
COUNTY = "xinhe"
TOWN_INPUTS = {
    "rules.made": 1,
    "rules.in_force": 4,
    "normative.made": 7,
    "normative.repealed": 2,
    "normative.in_force": 30,
    "licensing.decisions": 126,
    "punishment.decisions": 14,
    "coercion.decisions": 3,
    "fees.amount": 3.25,
}
DEPT_INPUTS = {"normative.in_force": 5, "fees.amount": 0.5}
COUNTY_INPUTS = {"licensing.decisions": 40, "rules.repealed": 1}
Figures = dict[str, dict[str, float]]


def _figures(report: dict[str, Any]) -> Figures:
    return {
        row["code"]: row["cells"]
        for section in report["tables"]["proactive"]["sections"]
        for row in section["rows"]
    }


def _table_two(
    rules: tuple[float, float, float],
    normative: tuple[float, float, float],
    licensing: float,
    punishment: float,
    coercion: float,
    fees: float,
) -> Figures:
    """Every cell of table 二, written out."""
    three = ("made", "repealed", "in_force")
    return {
        "rules": dict(zip(three, rules, strict=True)),
        "normative": dict(zip(three, normative, strict=True)),
        "licensing": {"decisions": licensing},
        "punishment": {"decisions": punishment},
        "coercion": {"decisions": coercion},
        "fees": {"amount": fees},
    }


def _red_header_pages(pdf: bytes) -> tuple[int, int]:
    """(pages whose content sets the red of the 【草稿】 header, pages)."""
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
    red = sum(b"0.7843 0 0 rg" in s for s in content_streams(pdf))
    return red, pages


def _tree(platform: Platform, clock: MutableClock) -> None:
    """The test tree with a department of the town (财政所), registered before
    the year."""
    clock.moment = datetime(2025, 1, 2, 2, tzinfo=UTC)
    build_tree(platform)
    platform.tenants.register(
        ADMIN, code="czs", name="塔河镇财政所", level="unit", parent=TOWN,
        kind="department",
    )  # fmt: skip


def _policy(platform: Platform, clock: MutableClock, day: date, title: str) -> str:
    """A 部门政策 of the dept (mapped to 行政规范性文件) published on ``day``."""
    clock.moment = datetime(day.year, day.month, day.day, 2, tzinfo=UTC)
    published = platform.disclosures.publish(
        principal(DEPT, Role.CLERK),
        DEPT,
        category="department.policies",
        title=title,
        body="全文见附件",
        channels=["notice_board"],
        formed_on=day,
    )
    return str(published.id)


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_table_two_cell_by_cell_each_body_its_own(
    platform: Platform, clock: MutableClock
) -> None:
    _tree(platform, clock)
    policies = [
        _policy(platform, clock, date(2025, 4, 8), "塔河镇财政所惠民资金管理办法"),
        _policy(platform, clock, date(2025, 9, 1), "塔河镇财政所资金拨付规程"),
    ]
    _policy(platform, clock, date(2026, 1, 6), "2026年资金安排")  # next year
    clock.moment = datetime(2026, 1, 8, 2, tzinfo=UTC)
    reports = platform.annual_reports
    for path, inputs in (
        (TOWN, TOWN_INPUTS),
        (DEPT, DEPT_INPUTS),
        (COUNTY, COUNTY_INPUTS),
    ):
        clerk = principal(path, Role.CLERK)
        reports.write_section(clerk, path, 2025, 2, text=None, inputs=inputs)
    sup = principal(COUNTY, Role.SUPERVISOR)

    town = reports.report(sup, TOWN, 2025)
    assert _figures(town) == _table_two((1, 0, 4), (7, 2, 30), 126, 14, 3, 3.25)
    dept = reports.report(sup, DEPT, 2025)
    assert _figures(dept) == _table_two((0, 0, 0), (2, 0, 5), 0, 0, 0, 0.5)
    row = next(
        r
        for s in dept["tables"]["proactive"]["sections"]
        for r in s["rows"]
        if r["code"] == "normative"
    )
    assert sorted(row["refs"]["made"]) == sorted(policies)
    assert row["sources"] == {"made": "log", "repealed": "missing", "in_force": "input"}
    county = reports.report(sup, COUNTY, 2025)
    assert _figures(county) == _table_two((0, 1, 0), (0, 0, 0), 40, 0, 0, 0)
    # The town's subtree adds up each body's own figures (the dept's counted
    # policies under its own inputs); the county's adds its own on top.
    subtree = reports.summary(sup, TOWN, 2025)
    assert _figures(subtree) == _table_two((1, 0, 4), (9, 2, 35), 126, 14, 3, 3.75)
    whole = reports.summary(sup, COUNTY, 2025)
    assert _figures(whole) == _table_two((1, 1, 4), (9, 2, 35), 166, 14, 3, 3.75)
    # No dash and no null for a figure, in any format.
    for report in (town, dept, county):
        annual_layout.check_json(report)
        assert "—" not in report_text(report)
        assert "—" not in report_html(report).split("<h2>")[2]
        report_xlsx(report)


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_publication_from_1_january_and_late_after_the_statutory_day(
    platform: Platform, clock: MutableClock
) -> None:
    _tree(platform, clock)
    reports = platform.annual_reports
    sup = principal(COUNTY, Role.SUPERVISOR)

    def publish(path: str) -> dict[str, Any]:
        clerk = principal(path, Role.CLERK)
        return publish_report(reports, platform.disclosures, clerk, path, 2025)

    clock.moment = datetime(2025, 12, 31, 15, 59, tzinfo=UTC)  # 23:59 in China
    with pytest.raises(ReportTooEarlyError) as early:
        publish(TOWN)
    assert early.value.status == 409
    draft = reports.report(sup, TOWN, 2025)
    assert draft["status"] == "draft"
    assert draft["publishable_from"] == "2026-01-01"
    assert draft["deadline"]["on"] == "2026-01-31"
    assert "草稿" in report_html(draft)
    assert "法定公布期限：2026年1月31日前" in report_html(draft)
    assert reports.summary(sup, COUNTY, 2025)["late"] == []
    red, pages = _red_header_pages(report_pdf(draft))
    assert red == pages > 1  # 【草稿】 in red in the header of every page

    clock.moment = datetime(2025, 12, 31, 16, 1, tzinfo=UTC)  # 1 January, 00:01
    publish(TOWN)
    clock.moment = datetime(2026, 2, 1, 2, tzinfo=UTC)  # a day after the 31st
    out = publish(DEPT)
    town = reports.report(sup, TOWN, 2025)
    dept = reports.report(sup, DEPT, 2025)
    assert (town["status"], town["late"]) == ("published", False)
    assert (dept["status"], dept["late"]) == ("published", True)
    assert "草稿" not in report_html(town)
    assert _red_header_pages(report_pdf(town))[0] == 0
    assert "逾期发布" in report_html(dept)
    body = platform.disclosures.disclosure(  # the published text says it too
        principal(DEPT, Role.CLERK), DEPT, UUID(out["disclosure_id"])
    )
    assert "逾期发布：首次发布于 2026-02-01 10:00" in body.body
    summary = reports.summary(sup, COUNTY, 2025)
    assert summary["late"] == [DEPT]
    due = {r["tenant"]: r["due_on"] for r in summary["reports"]}
    assert (due[COUNTY], due[TOWN]) == ("2026-03-31", "2026-01-31")
    # A correction keeps the first publication's day: the town stays on time.
    clock.moment = datetime(2026, 3, 2, 2, tzinfo=UTC)
    reports.write_section(
        principal(TOWN, Role.CLERK), TOWN, 2025, 1, text="补充总体情况", inputs={}
    )
    publish_report(
        reports, platform.disclosures, principal(TOWN, Role.CLERK), TOWN, 2025,
        reason="补充总体情况",
    )  # fmt: skip
    assert reports.report(sup, TOWN, 2025)["late"] is False
    board = reports.published_reports(DEPT)
    assert [(r["year"], r["late"]) for r in board.values()] == [(2025, True)]
