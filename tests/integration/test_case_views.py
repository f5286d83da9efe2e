"""The case views on SQLite and PostgreSQL: cards whose due dates and open actions the
aggregate derives, the event list, the board, the figures, rebuild and restart."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.persistence import IntegrityError, Tracking

from domain.cases.case import Case
from domain.timeliness import local_date
from domain.workdays import WorkingDayCalendar, YearSchedule
from infra.settings import Settings
from projections.cases import CaseProjection, CaseView
from projections.sql import iso_moment
from services.core.base import APP_NAME, GongkaiApplication, recorded
from services.platform.runtime import Platform
from tests.conftest import ADMIN, MutableClock, build_tree

TUANJIE = "xinhe.tahe.tuanjie"
XINGFU = "xinhe.tahe.xingfu"
TAHE = "xinhe.tahe"
ACTOR = {"id": "clerk-1", "tenant": TUANJIE, "roles": "clerk"}
CAL = WorkingDayCalendar()
MONDAY = date(2026, 3, 2)

Command = Callable[[Case], object]


@pytest.fixture
def app(platform: Platform, clock: MutableClock) -> Iterator[GongkaiApplication]:
    application = GongkaiApplication(env=platform.env, clock=clock)
    try:
        yield application
    finally:
        application.close()


def file(
    app: GongkaiApplication,
    clock: MutableClock,
    *commands: Command,
    tenant: str = TUANJIE,
    kind: str = "complaint",
    channel: str = "hotline",
    signed: bool = True,
    received_on: date | None = None,
) -> tuple[Case, int]:
    """File a case, run ``commands`` on it, save; returns it and its position."""
    with recorded(app):
        case = Case.file(
            tenant=tenant,
            kind=kind,
            channel=channel,
            category=None,
            summary="村道路灯损坏三个月无人维修",
            signed=signed,
            applicant_ref=str(uuid4()) if signed else None,
            received_on=received_on or local_date(clock.moment),
            actor=ACTOR,
            effective_at=clock.moment,
        )
    return case, run(app, case, *commands)


def run(app: GongkaiApplication, case: Case, *commands: Command) -> int:
    with recorded(app):
        for command in commands:
            command(case)
    return app._commit(case)


def accept(clock: MutableClock) -> Command:
    return lambda c: c.accept(actor=ACTOR, effective_at=clock.moment)


def assign(clock: MutableClock, handler: str = "王芳", days: int = 5) -> Command:
    return lambda c: c.assign(
        department="社会事务服务部",
        handler=handler,
        backup_handler="赵敏",
        promised_working_days=days,
        actor=ACTOR,
        effective_at=clock.moment,
    )


def resolve(clock: MutableClock) -> Command:
    return lambda c: c.resolve(
        result="已更换路灯", actor=ACTOR, effective_at=clock.moment
    )


def reply(clock: MutableClock) -> Command:
    return lambda c: c.reply(
        method="电话", content="路灯已修复", actor=ACTOR, effective_at=clock.moment
    )


def supervise(clock: MutableClock, supervisor: str, due_on: date) -> Command:
    return lambda c: c.supervise(
        supervisor=supervisor,
        due_on=due_on,
        note="请尽快办理",
        actor=ACTOR,
        effective_at=clock.moment,
    )


def view(platform: Platform) -> CaseView:
    found: CaseView = platform.views[CaseProjection.name]  # type: ignore[assignment]
    return found


def wait(platform: Platform, position: int) -> CaseView:
    assert platform.wait(CaseProjection.name, position)
    return view(platform)


def test_card_and_events_follow_the_case(
    platform: Platform, app: GongkaiApplication, clock: MutableClock
) -> None:
    case, position = file(app, clock, accept(clock), assign(clock))
    v = wait(platform, position)

    card = v.card(case.id)
    assert card is not None
    assert card["state"] == "assigned"
    assert card["due_on"] == "2026-03-09"  # 5 working days after Mon 2 March
    assert card["allowed_actions"] == list(case.allowed_actions())
    assert card["allowed_actions"] == [
        "request-materials",
        "transfer",
        "split",
        "extend",
        "resolve",
        "supervise",
    ]
    assert (card["handler"], card["backup_handler"]) == ("王芳", "赵敏")
    assert (card["version"], card["position"]) == (3, position)
    assert card["signed"] is True
    assert card["erased"] is False
    assert card["received_on"] == card["accepted_on"] == "2026-03-02"
    assert card["filed_at"] == card["updated_at"] == iso_moment(clock.moment)
    assert card["working_days_to_resolve"] is None
    assert card["links"]["children"] == []
    assert v.card(uuid4()) is None

    events = v.events(case.id)
    assert [e["event"] for e in events] == ["Filed", "Accepted", "Assigned"]
    assert [e["version"] for e in events] == [1, 2, 3]
    assert [e["state"] for e in events] == ["filed", "accepted", "assigned"]
    assert [e["due_on"] for e in events] == [None, None, "2026-03-09"]
    assert events[2]["details"] == {
        "department": "社会事务服务部",
        "handler": "王芳",
        "backup_handler": "赵敏",
        "promised_working_days": 5,
    }
    assert events[0]["details"]["received_on"] == "2026-03-02"
    assert "tenant" not in events[0]["details"]
    assert events[0]["actor"] == ACTOR
    assert events[0]["tenant"] == TUANJIE

    clock.advance(days=1)
    position = run(app, case, resolve(clock), reply(clock))
    card = wait(platform, position).card(case.id)
    assert card is not None
    assert (card["state"], card["resolved_on"]) == ("replied", "2026-03-03")
    assert card["working_days_to_resolve"] == 1
    assert card["allowed_actions"] == ["feedback", "close", "supervise"]


def test_a_consultation_pauses_and_then_moves_the_due_date(
    platform: Platform, app: GongkaiApplication, clock: MutableClock
) -> None:
    case, _ = file(app, clock, accept(clock), kind="disclosure_request")
    clock.advance(days=1)
    paused = run(
        app,
        case,
        lambda c: c.consult(
            party="县自然资源局",
            third_party=True,
            actor=ACTOR,
            effective_at=clock.moment,
        ),
    )
    card = wait(platform, paused).card(case.id)
    assert card is not None
    assert card["due_on"] is None
    assert card["paused"] is True
    assert card["allowed_actions"] == ["end-consultation", "extend", "supervise"]

    clock.advance(days=7)  # Tue 3 → Tue 10 March: five working days paused
    position = run(
        app, case, lambda c: c.end_consultation(actor=ACTOR, effective_at=clock.moment)
    )
    v = wait(platform, position)
    card = v.card(case.id)
    assert card is not None
    assert case.due_on(CAL) == date(2026, 4, 7)
    assert card["due_on"] == "2026-04-07"
    assert card["paused"] is False
    assert [e["due_on"] for e in v.events(case.id)] == [
        "2026-03-30",  # 20 working days after receipt
        "2026-03-30",
        None,
        "2026-04-07",
    ]


def test_the_board_shows_open_overdue_due_soon_and_supervised_cases(
    platform: Platform, app: GongkaiApplication, clock: MutableClock
) -> None:
    a, _ = file(app, clock, accept(clock), assign(clock, "王芳", 5))  # due 9 March
    b, _ = file(app, clock, accept(clock), assign(clock, "李强", 10))  # due 16 March
    c, _ = file(
        app,
        clock,
        accept(clock),
        assign(clock, "张伟", 5),
        supervise(clock, TAHE, date(2026, 3, 6)),
        tenant=XINGFU,
    )
    _, position = file(
        app,
        clock,
        lambda x: x.reject(
            reason="不属于本村职责",
            referral="县住建局",
            actor=ACTOR,
            effective_at=clock.moment,
        ),
    )
    v = wait(platform, position)
    clock.advance(days=8)  # Tue 10 March
    today = local_date(clock.moment)

    def ids(rows: list[dict[str, Any]]) -> set[str]:
        return {r["id"] for r in rows}

    board = v.board(TUANJIE, include_descendants=False, today=today)
    assert ids(board["open"]) == {str(a.id), str(b.id)}
    assert ids(board["overdue"]) == {str(a.id)}
    assert board["due_soon"] == []  # 16 March is 4 working days away
    assert board["counts"] == {"open": 2, "overdue": 1, "due_soon": 0, "supervised": 0}
    assert board["due_within_basis"] == "working_days"
    handlers = {h["handler"]: h for h in board["by_handler"]}
    assert handlers["王芳"] == {
        "handler": "王芳",
        "open": 1,
        "overdue": 1,
        "due_soon": 0,
    }
    assert board["by_department"] == [
        {"department": "社会事务服务部", "open": 2, "overdue": 1, "due_soon": 0}
    ]
    wider = v.board(TUANJIE, include_descendants=False, today=today, due_within_days=4)
    assert ids(wider["due_soon"]) == {str(b.id)}

    # The town has no cases of its own but sees what it supervises below it.
    town = v.board(TAHE, include_descendants=False, today=today)
    assert town["open"] == []
    assert ids(town["supervised"]) == {str(c.id)}
    assert town["supervised"][0]["supervision_due_on"] == "2026-03-06"
    assert town["supervised"][0]["supervision_overdue"] is True
    subtree = v.board(TAHE, include_descendants=True, today=today)
    assert ids(subtree["open"]) == {str(a.id), str(b.id), str(c.id)}
    assert ids(subtree["overdue"]) == {str(a.id), str(c.id)}
    assert ids(subtree["supervised"]) == {str(c.id)}
    county = v.board("xinhe", include_descendants=True, today=today)
    assert county["counts"]["open"] == 3
    assert county["supervised"] == []
    assert v.board("wensu", include_descendants=True, today=today)["open"] == []


def test_statistics_reproduce_the_third_document(
    platform: Platform, app: GongkaiApplication, clock: MutableClock
) -> None:
    # 今年共受理市民投诉17件次，其中市长信箱投诉6件，市民投诉11件，做到了件件有反馈
    handled = (accept(clock), assign(clock), resolve(clock))
    cases = [
        file(app, clock, *handled, tenant=TAHE, channel=channel)[0]
        for channel in ["mailbox"] * 6 + ["hotline"] * 11
    ]
    # Received in February: outside the period.
    file(app, clock, *handled, tenant=TAHE, received_on=date(2026, 2, 27))
    clock.advance(days=1)
    before_replies = iso_moment(clock.moment)
    clock.advance(hours=1)
    position = 0
    for case in cases:
        position = run(app, case, reply(clock))
    v = wait(platform, position)

    period: dict[str, Any] = {
        "date_from": date(2026, 3, 1),
        "date_to": date(2026, 12, 31),
    }
    stats = v.statistics("xinhe", include_descendants=True, **period)
    assert stats["received"] == 17
    assert stats["by_kind"] == {"complaint": 17}
    assert stats["by_channel"] == {"hotline": 11, "mailbox": 6}
    reply_rate: Any = stats["reply_rate"]
    assert reply_rate["value"] == 1.0
    assert (reply_rate["numerator"], reply_rate["denominator"]) == (17, 17)
    assert stats["on_time_rate"]["numerator"] == 17
    assert stats["mean_working_days_to_resolve"] == 0.0
    assert stats["scope"]["date_from"] == "2026-03-01"

    assert v.statistics(TAHE, include_descendants=False, **period)["received"] == 17
    assert v.statistics("xinhe", include_descendants=False)["received"] == 0
    assert v.statistics(TAHE, include_descendants=False)["received"] == 18
    # As the platform knew it before the replies were recorded.
    earlier = v.statistics(
        "xinhe", include_descendants=True, as_of=before_replies, **period
    )
    assert earlier["received"] == 17
    assert earlier["reply_rate"]["numerator"] == 0
    assert (
        v.statistics(
            TAHE, include_descendants=False, as_of="2026-01-01T00:00:00.000000+00:00"
        )["received"]
        == 0
    )


@pytest.mark.parametrize("kept", [10_000, 1], ids=["cases kept", "one kept"])
def test_rebuild_reproduces_every_row_with_the_calendar_as_it_was(
    platform: Platform,
    app: GongkaiApplication,
    clock: MutableClock,
    kept: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With one case kept, the first case's last event finds its copy evicted by
    the other's and reads the case from the store: the rows are the same."""
    monkeypatch.setattr("projections.cases.CASES_KEPT", kept)
    build_tree(platform)
    clock.moment = datetime(2026, 12, 28, 2, 0, tzinfo=UTC)  # Mon 28 Dec 2026
    case, _ = file(app, clock, kind="disclosure_request")
    before_upload = CAL.add_working_days(date(2026, 12, 28), 20)
    schedule = YearSchedule.build(
        2027, ["2027-01-01", *(f"2027-02-{d:02d}" for d in range(8, 13))], []
    )
    platform.reference.upload_holidays(
        ADMIN, "xinhe", year=2027, holidays=sorted(schedule.holidays), workdays=[]
    )
    other, _ = file(app, clock, accept(clock), assign(clock), tenant=XINGFU)
    clock.advance(days=1)
    position = run(app, case, supervise(clock, TAHE, date(2027, 1, 8)))
    v = wait(platform, position)
    after_upload = WorkingDayCalendar([schedule]).add_working_days(
        date(2026, 12, 28), 20
    )
    assert after_upload > before_upload
    assert [e["due_on"] for e in v.events(case.id)] == [
        before_upload.isoformat(),  # as the calendar stood when it was filed
        after_upload.isoformat(),
    ]
    today = date(2027, 1, 4)

    def snapshot() -> list[Any]:
        return [
            v.card(case.id),
            v.card(other.id),
            v.events(case.id),
            v.events(other.id),
            v.board(TAHE, include_descendants=True, today=today),
            v.statistics("xinhe", include_descendants=True),
        ]

    before = snapshot()
    platform.stop_projections()
    counts = platform.rebuild()
    assert counts["cases"] == 2 + 3 + 2  # case events plus the calendar's two
    assert snapshot() == before


def test_restart_resumes_without_applying_twice(
    settings: Settings, clock: MutableClock
) -> None:
    first = Platform(settings, clock=clock)
    app = GongkaiApplication(env=first.env, clock=clock)
    try:
        first.start_projections()
        case, filed = file(app, clock)
        wait(first, filed)
        first.close()

        offline = Platform(settings, clock=clock)  # records while no runner follows
        position = run(app, case, accept(clock), assign(clock))
        assert view(offline).max_tracking_id(APP_NAME) == filed
        offline.close()

        resumed = Platform(settings, clock=clock)
        resumed.start_projections()
        try:
            v = wait(resumed, position)
            assert [e["version"] for e in v.events(case.id)] == [1, 2, 3]
            card = v.card(case.id)
            assert card is not None
            assert (card["version"], card["state"]) == (3, "assigned")
            assert resumed.lag()["cases"]["lag"] == 0
        finally:
            resumed.close()
    finally:
        app.close()


def test_a_position_already_applied_is_refused_and_changes_nothing(
    platform: Platform, app: GongkaiApplication, clock: MutableClock
) -> None:
    case, position = file(app, clock, accept(clock))
    v = wait(platform, position)
    notification = app.recorder.select_notifications(start=position, limit=1)[0]
    event = app.mapper.to_domain_event(notification)
    with pytest.raises(IntegrityError):
        CaseProjection(view=v).process_event(event, Tracking(APP_NAME, position))
    assert [e["event"] for e in v.events(case.id)] == ["Filed", "Accepted"]
