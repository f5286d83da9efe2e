"""Case commands against the in-memory event store, with a vault in a tmp dir."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from domain.access import Principal, Role
from domain.cases.applicant import ApplicantRecord
from domain.cases.case import Case
from domain.cases.personal_data import Applicant, erased_view, id_check_digit
from domain.cases.rules import CaseState
from domain.errors import (
    CaseNotFoundError,
    ForbiddenError,
    IllegalTransitionError,
    InvalidInputError,
    NotFoundError,
    UnknownServiceError,
)
from infra.vault import PersonalDataVault
from services.cases.commands import Cases
from services.core.base import Changed
from services.disclosures.commands import Disclosures
from services.tenants.commands import Tenants
from services.tenants.reference import ReferenceData

# Monday 2 March 2026, 10:00 in China.
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
ID_NUMBER = "11010119900307123" + id_check_digit("11010119900307123")
PERSON = Applicant(
    "张三丰", "13812345678", ID_NUMBER, "塔河镇东村幸福路8号", "zhangsf@example.cn"
)


class Platform(Tenants, Disclosures, ReferenceData, Cases):
    """Every command over one in-memory store."""


def principal(tenant: str | None, *roles: Role) -> Principal:
    return Principal(
        id=f"{tenant}:{'+'.join(roles)}", tenant=tenant, roles=frozenset(roles)
    )


ROOT = principal(None, Role.ADMIN)
TAHE, TA, VILLAGE = "xinhe.tahe", "xinhe.ta", "xinhe.tahe.dongcun"


def admin(path: str) -> Principal:
    return principal(path, Role.ADMIN)


def clerk(path: str) -> Principal:
    return principal(path, Role.CLERK)


@pytest.fixture(autouse=True)
def _in_memory_only(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PERSISTENCE_MODULE", "GONGKAI_PERSISTENCE_MODULE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def app(tmp_path: Path) -> Platform:
    platform = Platform(clock=lambda: NOW)
    platform.configure(PersonalDataVault(tmp_path / "vault"))
    platform.register(ROOT, code="xinhe", name="新河县", level="县", parent=None)
    for town in ("tahe", "ta"):
        platform.register(
            admin("xinhe"), code=town, name=town, level="镇", parent="xinhe"
        )
    platform.register(admin(TAHE), code="dongcun", name="东村", level="村", parent=TAHE)
    platform.register(admin(TA), code="xicun", name="西村", level="村", parent=TA)
    return platform


def file(app: Platform, path: str = TAHE, **overrides: Any) -> Changed:
    fields: dict[str, Any] = {
        "kind": "complaint",
        "channel": "hotline",
        "summary": "村道路灯损坏三个月无人维修",
        "signed": True,
        "applicant": PERSON,
    }
    fields.update(overrides)
    return app.file(clerk(path), path, **fields)


def handle_to_reply(app: Platform, path: str, case_id: UUID) -> None:
    who = clerk(path)
    app.accept(who, path, case_id)
    app.assign(
        who, path, case_id, department="社会事务服务部", handler="李四",
        promised_working_days=10,
    )  # fmt: skip
    app.resolve(who, path, case_id, result="已更换路灯")
    app.reply(who, path, case_id, method="电话", content="路灯已修复")


def stored_states(app: Platform) -> list[bytes]:
    notifications = app.recorder.select_notifications(start=1, limit=10000)
    return [n.state for n in notifications]


def assert_no_personal_data(app: Platform) -> None:
    secrets = [*PERSON.to_dict().values(), *PERSON.redacted().values()]
    states = stored_states(app)
    assert any("村道路灯".encode() in state for state in states)  # the scan sees text
    for state in states:
        for secret in secrets:
            assert secret is not None
            assert secret.encode() not in state
            assert json.dumps(secret)[1:-1].encode() not in state


# The life of a case -----------------------------------------------------------------


def test_a_case_runs_from_filing_through_reopening_to_erasure(app: Platform) -> None:
    who = clerk(TAHE)
    filed = file(app)
    case = app.case(who, TAHE, filed.id)
    assert case.state is CaseState.FILED
    assert case.received_on == date(2026, 3, 2)
    assert filed.version == 1

    handle_to_reply(app, TAHE, filed.id)
    app.feedback(who, TAHE, filed.id, rating="不满意")
    app.reopen(who, TAHE, filed.id, reason="路灯仍不亮")
    assert app.case(who, TAHE, filed.id).state is CaseState.ACCEPTED
    app.assign(
        who, TAHE, filed.id, department="社会事务服务部", handler="王五",
        promised_working_days=5,
    )  # fmt: skip
    app.resolve(who, TAHE, filed.id, result="更换线路")
    app.reply(who, TAHE, filed.id, method="电话", content="线路已更换")
    app.feedback(who, TAHE, filed.id, rating="satisfied")
    closed = app.close_case(who, TAHE, filed.id, note="满意")
    assert app.case(who, TAHE, filed.id).state is CaseState.CLOSED
    assert app.applicant(who, TAHE, filed.id) == PERSON.to_dict()
    assert_no_personal_data(app)

    erased = app.erase(admin(TAHE), TAHE, filed.id, expected_version=closed.version)
    assert erased.position == app.recorder.max_notification_id()
    case = app.case(who, TAHE, filed.id)
    assert case.erased
    assert case.applicant_ref is not None
    record = app._get(UUID(case.applicant_ref), ApplicantRecord)
    assert record is not None
    assert record.erased
    assert app.vault.is_erased(case.applicant_ref)
    assert app.applicant(who, TAHE, filed.id) == erased_view()
    assert_no_personal_data(app)


def test_an_illegal_action_lists_the_allowed_ones_and_saves_nothing(
    app: Platform,
) -> None:
    filed = file(app)
    before = app.recorder.max_notification_id()
    with pytest.raises(IllegalTransitionError) as caught:
        app.resolve(clerk(TAHE), TAHE, filed.id, result="已办")
    assert "accept" in caught.value.allowed_actions
    assert "resolve" not in caught.value.allowed_actions
    assert app.case(clerk(TAHE), TAHE, filed.id).version == filed.version
    assert app.recorder.max_notification_id() == before


def test_a_closed_case_is_erased_only_once_and_only_when_closed(
    app: Platform,
) -> None:
    filed = file(app)
    with pytest.raises(IllegalTransitionError):
        app.erase(clerk(TAHE), TAHE, filed.id)
    ref = app.case(clerk(TAHE), TAHE, filed.id).applicant_ref
    assert ref is not None
    assert not app.vault.is_erased(ref)


def test_filing_checks_the_category_and_needs_an_applicant_when_signed(
    app: Platform,
) -> None:
    with pytest.raises(UnknownServiceError):
        file(app, category="svc.no-such-thing")
    with pytest.raises(InvalidInputError):
        file(app, applicant=None)
    anonymous = file(app, signed=False, applicant=None)
    assert app.applicant(clerk(TAHE), TAHE, anonymous.id) is None
    assert app.recorder.max_notification_id() == anonymous.position


# Who may act ------------------------------------------------------------------------


def test_a_sibling_tenants_clerk_cannot_act_or_see_the_case(app: Platform) -> None:
    filed = file(app)
    with pytest.raises((NotFoundError, ForbiddenError)):
        app.accept(clerk(TA), TAHE, filed.id)
    with pytest.raises(CaseNotFoundError):
        app.accept(clerk(TA), TA, filed.id)
    with pytest.raises(ForbiddenError):
        app.accept(principal(TAHE, Role.INSPECTOR), TAHE, filed.id)


def test_a_supervisor_above_supervises_and_a_siblings_cannot(app: Platform) -> None:
    filed = file(app, path=VILLAGE)
    done = app.supervise(
        principal(TAHE, Role.SUPERVISOR), VILLAGE, filed.id,
        due_on=date(2026, 3, 20), note="请尽快办理",
    )  # fmt: skip
    case = app.case(clerk(VILLAGE), VILLAGE, filed.id)
    assert done.version == case.version == 2
    assert case.supervised_by[0]["supervisor"] == TAHE
    assert case.state is CaseState.FILED
    with pytest.raises(NotFoundError):
        app.supervise(
            principal(TA, Role.SUPERVISOR), VILLAGE, filed.id,
            due_on=date(2026, 3, 20), note="越权",
        )  # fmt: skip
    with pytest.raises(ForbiddenError):
        app.supervise(
            principal(VILLAGE, Role.SUPERVISOR), VILLAGE, filed.id,
            due_on=date(2026, 3, 20), note="自己督办自己",
        )  # fmt: skip


# Routing ----------------------------------------------------------------------------


def test_transfer_files_a_linked_case_in_the_target(app: Platform) -> None:
    filed = file(app, path=VILLAGE)
    before = app.recorder.max_notification_id() or 0
    moved = app.transfer(
        clerk(VILLAGE), VILLAGE, filed.id, target=TAHE, reason="村级无权处理"
    )
    assert moved.position == before + 2  # source and linked case, one commit
    source = app.case(clerk(VILLAGE), VILLAGE, filed.id)
    assert source.state is CaseState.TRANSFERRED
    assert source.transferred_case is not None
    linked = app.case(clerk(TAHE), TAHE, source.transferred_case)
    assert linked.parent_case == filed.id
    assert linked.applicant_ref == source.applicant_ref
    assert (linked.kind, linked.channel, linked.summary) == (
        source.kind,
        source.channel,
        source.summary,
    )
    assert app.applicant(clerk(TAHE), TAHE, linked.id) == PERSON.to_dict()
    with pytest.raises(InvalidInputError):
        app.transfer(clerk(TAHE), TAHE, linked.id, target=TA, reason="平级")


def test_resolving_every_split_child_resolves_the_parent(app: Platform) -> None:
    who = clerk(TAHE)
    filed = file(app)
    app.accept(who, TAHE, filed.id)
    app.split(who, TAHE, filed.id, children=[VILLAGE, "经济发展服务部"])
    parent = app.case(who, TAHE, filed.id)
    assert parent.state is CaseState.SPLIT
    in_village, in_town = (UUID(c["case_id"]) for c in parent.children)
    assert app.case(clerk(VILLAGE), VILLAGE, in_village).parent_case == filed.id
    assert app.case(who, TAHE, in_town).parent_case == filed.id

    for path, child in ((VILLAGE, in_village), (TAHE, in_town)):
        who_here = clerk(path)
        app.accept(who_here, path, child)
        app.assign(
            who_here, path, child, department="办公室", handler="赵六",
            promised_working_days=5,
        )  # fmt: skip
        app.resolve(who_here, path, child, result="已办结")
    parent = app.case(who, TAHE, filed.id)
    assert parent.state is CaseState.RESOLVED
    assert all(c["resolved"] for c in parent.children)
    app.reply(who, TAHE, filed.id, method="短信", content="均已办结")


# Personal data ----------------------------------------------------------------------


def test_who_sees_the_applicant_in_clear(app: Platform) -> None:
    filed = file(app, path=VILLAGE)
    clear, redacted = PERSON.to_dict(), PERSON.redacted()
    assert app.applicant(clerk(VILLAGE), VILLAGE, filed.id) == clear
    handler = principal(VILLAGE, Role.HANDLER)
    assert app.applicant(handler, VILLAGE, filed.id) == clear
    inspector = principal("xinhe", Role.INSPECTOR)
    assert app.applicant(inspector, VILLAGE, filed.id) == clear
    supervisor = principal(TAHE, Role.SUPERVISOR)
    assert app.applicant(supervisor, VILLAGE, filed.id) == redacted
    assert app.applicant(clerk(TAHE), VILLAGE, filed.id) == redacted
    with pytest.raises(NotFoundError):
        app.applicant(principal(TA, Role.INSPECTOR), VILLAGE, filed.id)


def test_a_failed_filing_leaves_no_key_behind(app: Platform, tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError):
        file(app, received_on=date(2026, 3, 3))  # after the filing day
    assert not list((tmp_path / "vault").glob("*.key"))
    assert not any(
        isinstance(
            app._get(UUID(str(n.originator_id)), ApplicantRecord), ApplicantRecord
        )
        for n in app.recorder.select_notifications(start=1, limit=10000)
    )


# Source scenario --------------------------------------------------------------------


def test_seventeen_complaints_six_by_mailbox_all_replied(app: Platform) -> None:
    """17 complaints to one tenant, 6 via the mailbox, 11 otherwise, all replied."""
    others = ["hotline", "web", "visit", "letter"]
    channels = ["mailbox"] * 6 + [others[i % 4] for i in range(11)]
    ids = [file(app, channel=channel).id for channel in channels]
    for case_id in ids:
        handle_to_reply(app, TAHE, case_id)
    cases = [app._get(i, Case) for i in ids]
    assert len(cases) == 17
    assert sum(c is not None and c.channel.value == "mailbox" for c in cases) == 6
    assert all(c is not None and c.state is CaseState.REPLIED for c in cases)
    assert all(c is not None and c.kind.value == "complaint" for c in cases)
    assert_no_personal_data(app)
