"""Tables 三 and 四 of the annual report from a year of disclosure requests built by
hand: every answer category and reason, every applicant type, requests carried over
from 2024 and into 2026, reviews and lawsuits; every cell checked as of the year's
end and as known on two different days (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

from domain.access import Role
from domain.cases.case import Case
from domain.reporting.annual import (
    APPLICANT_TYPES,
    APPLICATION_COLUMNS,
    APPLICATION_ROWS,
    CHALLENGE_COLUMNS,
    REASONS,
    ROUTES,
)
from domain.timeliness import local_noon
from services.core.base import recorded
from services.platform.runtime import Platform
from tests.conftest import MutableClock, build_tree, principal
from tests.integration import annual_layout

TUANJIE = "xinhe.tahe.tuanjie"
CLERK = principal(TUANJIE, Role.CLERK)
ACTOR = CLERK.actor()
KNOWN_1 = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)  # most of the year was recorded
KNOWN_2 = datetime(2026, 1, 20, 2, 0, tzinfo=UTC)  # late records came in
LATER = datetime(2026, 2, 2, 2, 0, tzinfo=UTC)
TYPES = [t.code for t in APPLICANT_TYPES]
Cells = dict[tuple[str, str], int]


def _request(
    platform: Platform,
    received: date,
    applicant: str,
    answer: tuple[str, str | None] | None = None,
    resolved: date | None = None,
    ground: str | None = None,
) -> UUID:
    """File, accept and (if ``answer``) resolve a disclosure request; the acts are
    effective at noon of their days, recorded by the platform's clock."""
    app = platform.cases
    with recorded(app):
        case = Case.file(
            tenant=TUANJIE,
            kind="disclosure_request",
            channel="letter",
            category=None,
            summary="申请公开本村2025年低保评审会议记录",
            signed=True,
            applicant_ref=str(uuid4()),
            received_on=received,
            actor=ACTOR,
            effective_at=local_noon(received),
            applicant_type=applicant,
        )
        case.accept(actor=ACTOR, effective_at=local_noon(received))
        case.assign(
            department="党政综合办",
            handler="王芳",
            backup_handler="赵敏",
            actor=ACTOR,
            effective_at=local_noon(received),
        )
        if answer is not None:
            assert resolved is not None
            kind, reason = answer
            needs_ground = kind in ("partial", "refuse")
            case.resolve(
                result="已答复",
                answer=kind,
                answer_reason=reason,
                legal_ground=ground or ("条例第十四条" if needs_ground else None),
                referral="县民政局" if kind == "not_held" else None,
                actor=ACTOR,
                effective_at=local_noon(resolved),
            )
    app._commit(case)
    return case.id


def _resolve_late(platform: Platform, case_id: UUID, on: date) -> None:
    app = platform.cases
    case = app.repository.get(case_id)
    with recorded(app):
        case.resolve(
            result="已答复",
            answer="公开",
            actor=ACTOR,
            effective_at=local_noon(on),
        )
    app._commit(case)


def _cells(report: dict[str, Any], table: str) -> Cells:
    return {
        (row["code"], col): n
        for row in report["tables"][table]["rows"]
        for col, n in row["cells"].items()
    }


def _challenge_cells(report: dict[str, Any]) -> Cells:
    """Table 四's one row as (route, outcome) cells."""
    (row,) = report["tables"]["reviews_lawsuits"]["rows"]
    out: Cells = {}
    for code, n in row["cells"].items():
        route, outcome = code.split(".")
        out[(route, outcome)] = n
    return out


def _expect(nonzero: Cells, rows: list[str], columns: list[str]) -> Cells:
    """Every cell of the table: the given ones, totals added up, the rest zero."""
    cells = {(r, c): 0 for r in rows for c in columns}
    for (r, c), n in nonzero.items():
        cells[(r, c)] += n
        cells[(r, "total")] += n
    return cells


def _year(platform: Platform, clock: MutableClock) -> dict[str, UUID]:
    """The year 2025 at 团结村, recorded on KNOWN_1 except the late records."""
    ids: dict[str, UUID] = {}
    clock.moment = KNOWN_1
    # Carried over from 2024: one answered in December 2024 (not in 2025 at all),
    # two answered in 2025.
    _request(
        platform, date(2024, 12, 2), "research", ("disclose", None), date(2024, 12, 20)
    )
    _request(
        platform,
        date(2024, 12, 16),
        "natural_person",
        ("disclose", None),
        date(2025, 1, 8),
    )
    _request(
        platform,
        date(2024, 12, 23),
        "commercial",
        ("refuse", "state_secret"),
        date(2025, 1, 15),
    )
    # Every result row once, the applicant types in turn.
    n = 0
    for category, reasons in REASONS.items():
        for reason in [r.code for r in reasons] or [None]:
            applicant = TYPES[n % len(TYPES)]
            received = date(2025, 3, 3 + n)
            key = category if reason is None else f"{category}.{reason}"
            ids[key] = _request(
                platform, received, applicant, (category, reason), date(2025, 4, 1 + n)
            )
            n += 1
    # Older answer types and Chinese names map onto the format's rows.
    _request(
        platform, date(2025, 5, 6), "自然人", ("not_exist", None), date(2025, 5, 20)
    )
    _request(
        platform,
        date(2025, 5, 7),
        "法律服务机构",
        ("duplicate", None),
        date(2025, 5, 21),
    )
    _request(
        platform,
        date(2025, 5, 8),
        "natural_person",
        ("refuse", None),
        date(2025, 5, 22),
        ground="申请公开的信息涉及国家秘密",
    )
    _request(
        platform,
        date(2025, 5, 9),
        "natural_person",
        ("不予处理", "信访举报投诉类申请"),
        date(2025, 5, 23),
    )
    # Carried into 2026: received in December, still open at the year's end
    # (one answered in January 2026).
    _request(platform, date(2025, 12, 22), "public_interest")
    _request(
        platform,
        date(2025, 12, 29),
        "natural_person",
        ("disclose", None),
        date(2026, 1, 4),
    )
    # Answered on 20 December but only recorded on KNOWN_2.
    ids["late"] = _request(platform, date(2025, 11, 24), "commercial")
    # Reviews and lawsuits against decisions.
    reports = platform.annual_reports
    review = reports.file_challenge(
        CLERK,
        TUANJIE,
        ids["refuse.third_party"],
        route="行政复议",
        filed_on=date(2025, 6, 2),
    ).id
    reports.decide_challenge(
        CLERK, TUANJIE, review, outcome="纠正", decided_on=date(2025, 8, 1)
    )
    direct = reports.file_challenge(
        CLERK,
        TUANJIE,
        ids["refuse.process"],
        route="lawsuit_direct",
        filed_on=date(2025, 7, 1),
    ).id
    after = reports.file_challenge(
        CLERK,
        TUANJIE,
        ids["refuse.third_party"],
        route="复议后起诉",
        filed_on=date(2025, 9, 1),
    ).id
    reports.file_challenge(
        CLERK,
        TUANJIE,
        ids["unable.not_held"],
        route="行政复议",
        filed_on=date(2025, 10, 9),
    )
    # January 2026: the direct lawsuit is decided (after the year: still pending then).
    reports.decide_challenge(
        CLERK, TUANJIE, direct, outcome="维持", decided_on=date(2026, 1, 5)
    )
    # The late records, on KNOWN_2.
    clock.moment = KNOWN_2
    _resolve_late(platform, ids["late"], date(2025, 12, 20))
    reports.decide_challenge(
        CLERK, TUANJIE, after, outcome="其他", decided_on=date(2025, 12, 15)
    )
    _request(
        platform, date(2025, 10, 13), "other_org", ("partial", None), date(2025, 10, 27)
    )
    clock.moment = LATER
    return ids


def test_tables_three_and_four_cell_by_cell(
    platform: Platform, clock: MutableClock
) -> None:
    build_tree(platform)
    _year(platform, clock)
    reports = platform.annual_reports
    rows = [r.code for r in APPLICATION_ROWS]
    columns = [c.code for c in APPLICATION_COLUMNS]
    # As known on KNOWN_1 the 20 December answer and the October request are
    # unknown; as known on KNOWN_2 they count.
    known1 = _tables_expected(known_late=False)
    known2 = _tables_expected(known_late=True)
    report1 = reports.report(CLERK, TUANJIE, 2025, known_at=KNOWN_1)
    report2 = reports.report(CLERK, TUANJIE, 2025, known_at=KNOWN_2)
    now = reports.report(CLERK, TUANJIE, 2025)
    assert _cells(report1, "applications") == _expect(known1[0], rows, columns)
    assert _cells(report2, "applications") == _expect(known2[0], rows, columns)
    assert _cells(now, "applications") == _cells(report2, "applications")
    routes = [r.code for r in ROUTES]
    outcomes = [c.code for c in CHALLENGE_COLUMNS]
    for report, known in ((report1, known1), (report2, known2)):
        # Table 四 is one row of fifteen cells, 行政复议 then the two 行政诉讼 routes.
        (row,) = report["tables"]["reviews_lawsuits"]["rows"]
        assert list(row["cells"]) == [f"{r}.{o}" for r in routes for o in outcomes]
        assert _challenge_cells(report) == _expect(known[1], routes, outcomes)
    assert now["as_of"].startswith("2025-12-31T15:59:59")
    # The layout, and every figure, in the JSON, the HTML and the workbook.
    for report in (report1, report2):
        annual_layout.check_json(report)
        annual_layout.check_grids(report)
        annual_layout.check_html(report)
        annual_layout.check_xlsx(report)
        annual_layout.check_text(report)
        assert report["tables"]["applications"]["unbalanced"] == []
    # The totals, written out: new + carried in = results + carried out.
    for report, new, results, out in [(report1, 28, 27, 3), (report2, 29, 29, 2)]:
        cells = _cells(report, "applications")
        assert cells[("new", "total")] == new
        assert cells[("carried_in", "total")] == 2
        assert cells[("results_total", "total")] == results
        assert cells[("carried_out", "total")] == out


def _tables_expected(*, known_late: bool) -> tuple[Cells, Cells]:
    """The nonzero cells, written out row by row."""
    t = TYPES
    apps: Cells = {}

    def add(row: str, col: str, k: int = 1) -> None:
        apps[(row, col)] = apps.get((row, col), 0) + k

    # 上年结转: two requests of December 2024 still open on 1 January.
    add("carried_in", "natural_person")
    add("carried_in", "commercial")
    add("disclose", "natural_person")
    add("refuse.state_secret", "commercial")
    # Every result row once, types in turn: 21 rows.
    n = 0
    for category, reasons in REASONS.items():
        for reason in [r.code for r in reasons] or [None]:
            key = category if reason is None else f"{category}.{reason}"
            add("new", t[n % 6])
            add(key, t[n % 6])
            n += 1
    for applicant, key in [
        ("natural_person", "unable.not_held"),
        ("legal_service", "not_processed.duplicate"),
        ("natural_person", "refuse.state_secret"),
        ("natural_person", "not_processed.petition"),
    ]:
        add("new", applicant)
        add(key, applicant)
    # December requests carried into 2026, and the late one of November.
    add("new", "public_interest")
    add("carried_out", "public_interest")
    add("new", "natural_person")
    add("carried_out", "natural_person")
    add("new", "commercial")
    if known_late:
        add("disclose", "commercial")
        add("new", "other_org")
        add("partial", "other_org")
    else:
        add("carried_out", "commercial")
    results = [r for r, _ in apps if r not in ("new", "carried_in", "carried_out")]
    for (row, col), k in list(apps.items()):
        if row in results:
            add("results_total", col, k)
    challenges: Cells = {
        ("review", "corrected"): 1,
        ("review", "pending"): 1,
        ("lawsuit_direct", "pending"): 1,
        ("lawsuit_after_review", "other" if known_late else "pending"): 1,
    }
    return apps, challenges
