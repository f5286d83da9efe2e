"""When a year's report may be published and by when it must be (条例第四十九条).

A report covers a calendar year, so it can be published from 1 January of the next
year; before that (and until it is published) it is a draft. A body publishes its
report by 31 January of the next year; the county government's own report (the
root of a county's tree) by 31 March. A report first published after its day is
late, and says so wherever it is listed. Table 三 must add up (its 勾稽关系) before
a report can be published.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from domain.errors import ConflictError

DEADLINE_BASIS = "《中华人民共和国政府信息公开条例》第四十九条"
DRAFT_MARK = "草稿"
LATE_MARK = "逾期发布"


class ReportTooEarlyError(ConflictError):
    slug = "annual-report-too-early"
    title = "The year is not over: its report can be published from 1 January"


class ReportUnbalancedError(ConflictError):
    slug = "annual-report-unbalanced"
    title = "Table 三 does not add up (new + carried in = results + carried out)"


def publishable_from(year: int) -> date:
    """The first day a report on ``year`` can be published."""
    return date(year + 1, 1, 1)


def deadline(year: int, *, top: bool) -> date:
    """The last day to publish: 31 January, or 31 March for the county's own."""
    return date(year + 1, 3, 31) if top else date(year + 1, 1, 31)


def deadline_text(due: date) -> str:
    """法定公布期限：2027年1月31日前（…第四十九条）."""
    return f"法定公布期限：{due.year}年{due.month}月{due.day}日前（{DEADLINE_BASIS}）"


def is_late(first_published_on: date, due: date) -> bool:
    return first_published_on > due


def check_publishable(year: int, today: date, unbalanced: Sequence[str]) -> None:
    """Requires the year to be over and table 三 to add up in every column."""
    if today < publishable_from(year):
        raise ReportTooEarlyError(
            f"the report on {year} can be published from "
            f"{publishable_from(year).isoformat()}; until then it is a draft",
            field="year",
        )
    if unbalanced:
        raise ReportUnbalancedError(
            "table 三 does not add up in the columns " + ", ".join(unbalanced),
            field="applications",
        )
