"""The Case aggregate: the state table, the rules of each command, and deadlines."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.cases.case import Case
from domain.cases.checks import linked_case_id
from domain.cases.rules import (
    TRANSITIONS,
    Action,
    AnswerType,
    CaseKind,
    CaseState,
    IntakeChannel,
    Rating,
    RoutingMode,
    allowed_actions,
    parse_answer_type,
    parse_case_kind,
    parse_case_state,
    parse_intake_channel,
    parse_rating,
    parse_routing_mode,
)
from domain.errors import (
    CaseDateError,
    ConflictError,
    CorrectionAlreadyRequestedError,
    CorrectionWindowPassedError,
    DeadlinePassedError,
    ExtensionLimitError,
    IllegalTransitionError,
    InvalidInputError,
)
from domain.timeliness import SHANGHAI
from domain.workdays import WorkingDayCalendar

TENANT = "xinhe.tahe"
ACTOR = {"id": "clerk-1", "tenant": TENANT, "roles": "clerk"}
CAL = WorkingDayCalendar()
DAY = date(2026, 3, 2)  # a Monday with no holiday near
DR = CaseKind.DISCLOSURE_REQUEST
LIBRARY_FIELDS = {
    "originator_id",
    "originator_version",
    "timestamp",
    "originator_topic",
}


def at(day: date, hour: int = 10) -> datetime:
    """An instant on ``day``, China time."""
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI)


NOW = at(DAY)


def names(events: Sequence[object]) -> list[str]:
    return [type(e).__name__ for e in events]


def fields(event: object) -> set[str]:
    return set(vars(event)) - LIBRARY_FIELDS


def file(**overrides: Any) -> Case:
    values: dict[str, Any] = {
        "tenant": TENANT,
        "kind": "complaint",
        "channel": "hotline",
        "category": None,
        "summary": "村道路灯损坏三个月无人维修",
        "signed": True,
        "applicant_ref": str(uuid4()),
        "received_on": DAY,
        "actor": ACTOR,
        "effective_at": NOW,
    }
    values.update(overrides)
    if not values["signed"] and "applicant_ref" not in overrides:
        values["applicant_ref"] = None
    return Case.file(**values)


def state_of(case: Case) -> CaseState:
    """The state, read through a call so the type checker does not narrow it."""
    return case.state


def first_child(case: Case) -> UUID:
    return UUID(case.children[0]["case_id"]) if case.children else uuid4()


# One valid call per action, at NOW; the kind decides the few kind-specific inputs.
Run = Callable[[Case], object]
ACTIONS: dict[Action, Run] = {
    Action.REQUEST_MATERIALS: lambda c: c.request_materials(
        items=["身份证复印件"], actor=ACTOR, effective_at=NOW, calendar=CAL
    ),
    Action.PROVIDE_MATERIALS: lambda c: c.provide_materials(
        actor=ACTOR, effective_at=NOW
    ),
    Action.ACCEPT: lambda c: c.accept(actor=ACTOR, effective_at=NOW),
    Action.REJECT: lambda c: c.reject(
        reason="不属于本镇职责",
        referral="县住建局",
        actor=ACTOR,
        effective_at=NOW,
    ),
    Action.ASSIGN: lambda c: c.assign(
        department="社会事务服务部",
        handler="handler-1",
        backup_handler="handler-2",
        promised_working_days=None if c.kind is DR else 5,
        actor=ACTOR,
        effective_at=NOW,
    ),
    Action.TRANSFER: lambda c: c.transfer(
        target="xinhe.other", reason="属地管理", actor=ACTOR, effective_at=NOW
    ),
    Action.SPLIT: lambda c: c.split(
        children=["社会事务服务部", "经济发展服务部"], actor=ACTOR, effective_at=NOW
    ),
    Action.CHILD_RESOLVED: lambda c: c.child_resolved(
        first_child(c), actor=ACTOR, effective_at=NOW
    ),
    Action.SUPERVISE: lambda c: c.supervise(
        supervisor="xinhe",
        due_on=date(2026, 3, 20),
        note="请按期办结",
        actor=ACTOR,
        effective_at=NOW,
    ),
    Action.CONSULT: lambda c: c.consult(
        party="涉及商业秘密的第三方企业",
        third_party=True,
        actor=ACTOR,
        effective_at=NOW,
    ),
    Action.END_CONSULTATION: lambda c: c.end_consultation(
        actor=ACTOR, effective_at=NOW
    ),
    Action.EXTEND: lambda c: c.extend(
        working_days=5,
        reason="需调取档案",
        approver="director-1",
        applicant_notice="书面告知",
        actor=ACTOR,
        effective_at=NOW,
        calendar=CAL,
    ),
    Action.RESOLVE: lambda c: c.resolve(
        result="已修复",
        answer="disclose" if c.kind is DR else None,
        actor=ACTOR,
        effective_at=NOW,
    ),
    Action.REPLY: lambda c: c.reply(
        method="电话", content="已修复，欢迎监督", actor=ACTOR, effective_at=NOW
    ),
    Action.FEEDBACK: lambda c: c.feedback(
        rating="unsatisfied", actor=ACTOR, effective_at=NOW
    ),
    Action.CLOSE: lambda c: c.close(actor=ACTOR, effective_at=NOW),
    Action.REOPEN: lambda c: c.reopen(
        reason="路灯仍不亮", actor=ACTOR, effective_at=NOW
    ),
    Action.ERASE: lambda c: c.erase(actor=ACTOR, effective_at=NOW),
    Action.MEET: lambda c: c.meet(note="代表座谈", actor=ACTOR, effective_at=NOW),
}

_A = Action
_TO_RESOLVED = [_A.ACCEPT, _A.ASSIGN, _A.RESOLVE]
_TO_REPLIED = [*_TO_RESOLVED, _A.REPLY]
SCENARIOS: dict[str, list[Action]] = {
    "filed": [],
    "awaiting_materials": [_A.REQUEST_MATERIALS],
    "accepted": [_A.ACCEPT],
    "accepted-consulting": [_A.ACCEPT, _A.CONSULT],
    "rejected": [_A.REJECT],
    "assigned": [_A.ACCEPT, _A.ASSIGN],
    "assigned-consulting": [_A.ACCEPT, _A.ASSIGN, _A.CONSULT],
    "transferred": [_A.TRANSFER],
    "split": [_A.ACCEPT, _A.SPLIT],
    "resolved": _TO_RESOLVED,
    "replied": _TO_REPLIED,
    "replied-rated": [*_TO_REPLIED, _A.FEEDBACK],
    "closed": [*_TO_REPLIED, _A.CLOSE],
    "closed-rated": [*_TO_REPLIED, _A.FEEDBACK, _A.CLOSE],
    "closed-erased": [*_TO_REPLIED, _A.CLOSE, _A.ERASE],
    "met": [_A.ACCEPT, _A.MEET],
}
PROFILES: dict[str, dict[str, Any]] = {
    "signed-complaint": {"kind": "complaint", "signed": True},
    "unsigned-report": {"kind": "report", "signed": False},
    "disclosure-request": {"kind": "disclosure_request", "signed": True},
    "deputy-suggestion": {"kind": "deputy_suggestion", "signed": True},
}
# What an allowed action leads to (None: the state does not change).
NEXT_STATE: dict[Action, CaseState | None] = {
    _A.REQUEST_MATERIALS: CaseState.AWAITING_MATERIALS,
    _A.PROVIDE_MATERIALS: None,  # back to where it was: checked separately
    _A.ACCEPT: CaseState.ACCEPTED,
    _A.REJECT: CaseState.REJECTED,
    _A.ASSIGN: CaseState.ASSIGNED,
    _A.TRANSFER: CaseState.TRANSFERRED,
    _A.SPLIT: CaseState.SPLIT,
    _A.CHILD_RESOLVED: None,
    _A.SUPERVISE: None,
    _A.CONSULT: None,
    _A.END_CONSULTATION: None,
    _A.EXTEND: None,
    _A.RESOLVE: CaseState.RESOLVED,
    _A.REPLY: CaseState.REPLIED,
    _A.FEEDBACK: None,
    _A.CLOSE: CaseState.CLOSED,
    _A.REOPEN: CaseState.ACCEPTED,
    _A.ERASE: None,
    _A.MEET: None,
}


def build(profile: str, scenario: str) -> Case:
    """A case of ``profile`` driven along ``scenario``, its events already saved."""
    case = file(**PROFILES[profile])
    for action in SCENARIOS[scenario]:
        ACTIONS[action](case)
    case.collect_events()
    return case


def reachable(profile: str, scenario: str) -> bool:
    """Scenarios the table lets a profile reach (checked by the building itself)."""
    try:
        build(profile, scenario)
    except IllegalTransitionError:
        return False
    return True


TABLE_CASES = [
    pytest.param(profile, scenario, action, id=f"{profile}-{scenario}-{action.value}")
    for profile in PROFILES
    for scenario in SCENARIOS
    if reachable(profile, scenario)
    for action in Action
    if action is not Action.FILE
]


@pytest.mark.parametrize(("profile", "scenario", "action"), TABLE_CASES)
def test_every_action_in_every_state_works_or_names_the_allowed_ones(
    profile: str, scenario: str, action: Action
) -> None:
    case = build(profile, scenario)
    before = case.state
    allowed = allowed_actions(
        case.state,
        case.kind,
        signed=case.signed,
        consulting=case.consulting,
        rating=case.rating,
        erased=case.erased,
        met=case.met_on is not None,
    )
    assert case.allowed_actions() == allowed
    if action.value in allowed:
        ACTIONS[action](case)
        assert case.collect_events(), "an allowed action records an event"
        expected = NEXT_STATE[action] or before
        if action is not Action.PROVIDE_MATERIALS:
            assert case.state is expected
    else:
        with pytest.raises(IllegalTransitionError) as caught:
            ACTIONS[action](case)
        assert caught.value.state == before.value
        assert caught.value.action == action.value
        assert caught.value.allowed_actions == list(allowed)
        assert case.collect_events() == []
        assert case.state is before


def test_the_table_for_a_signed_complaint_is_as_documented() -> None:
    expected = {
        "filed": "request-materials accept reject transfer supervise",
        "awaiting_materials": "provide-materials reject close supervise",
        "accepted": "request-materials assign transfer split supervise",
        "rejected": "close supervise",
        "assigned": "request-materials transfer split extend resolve supervise",
        "transferred": "close supervise",
        "split": "child-resolved supervise",
        "resolved": "reply supervise",
        "replied": "feedback close supervise",
        "closed": "erase",
    }
    for state, actions in expected.items():
        got = allowed_actions(CaseState(state), CaseKind.COMPLAINT)
        assert got == tuple(actions.split()), state


def test_the_table_for_a_disclosure_request_adds_consultation_and_early_extension() -> (
    None
):
    assert allowed_actions(CaseState.FILED, DR) == (
        "request-materials",
        "accept",
        "reject",
        "transfer",
        "extend",
        "supervise",
    )
    assert allowed_actions(CaseState.ACCEPTED, DR) == (
        "request-materials",
        "assign",
        "transfer",
        "consult",
        "extend",
        "supervise",
    )
    assert allowed_actions(CaseState.ASSIGNED, DR, consulting=True) == (
        "end-consultation",
        "extend",
        "supervise",
    )
    assert "reopen" not in allowed_actions(
        CaseState.CLOSED, DR, rating=Rating.UNSATISFIED
    )


def test_guards_open_close_feedback_and_reopen_by_the_facts() -> None:
    state = CaseState
    kind = CaseKind.COMPLAINT
    assert "close" in allowed_actions(state.RESOLVED, kind, signed=False)
    assert "feedback" not in allowed_actions(state.REPLIED, kind, signed=False)
    unsatisfied = Rating.UNSATISFIED
    assert allowed_actions(state.REPLIED, kind, rating=unsatisfied) == (
        "close",
        "reopen",
        "supervise",
    )
    assert allowed_actions(state.CLOSED, kind, rating=unsatisfied) == (
        "reopen",
        "erase",
    )
    assert allowed_actions(state.CLOSED, kind, rating=unsatisfied, erased=True) == ()
    assert "feedback" not in allowed_actions(state.REPLIED, kind, rating=unsatisfied)


def test_every_state_is_in_the_table_and_file_only_creates() -> None:
    assert set(TRANSITIONS) == set(CaseState)
    assert all(Action.FILE not in actions for actions in TRANSITIONS.values())
    open_states = set(CaseState) - {CaseState.CLOSED}
    for state in open_states:
        assert Action.SUPERVISE in TRANSITIONS[state], state


def test_an_illegal_transition_is_a_409_conflict_with_its_slug() -> None:
    case = file()
    with pytest.raises(IllegalTransitionError) as caught:
        case.resolve(result="x", actor=ACTOR, effective_at=NOW)
    error = caught.value
    assert isinstance(error, ConflictError)
    assert (error.slug, error.status) == ("illegal-transition", 409)
    assert error.allowed_actions == [
        "request-materials",
        "accept",
        "reject",
        "transfer",
        "supervise",
    ]
    assert "filed" in error.detail


# Parsing -----------------------------------------------------------------------------

PARSERS: list[tuple[Callable[[str], Any], type[Any], str]] = [
    (parse_case_kind, CaseKind, "kind"),
    (parse_intake_channel, IntakeChannel, "channel"),
    (parse_case_state, CaseState, "state"),
    (parse_rating, Rating, "rating"),
    (parse_answer_type, AnswerType, "answer"),
    (parse_routing_mode, RoutingMode, "mode"),
]


@pytest.mark.parametrize(("parse", "enum", "field"), PARSERS)
def test_parsers_accept_the_code_or_the_chinese_label(
    parse: Callable[[str], Any], enum: type[Any], field: str
) -> None:
    for member in enum:
        assert parse(member.value) is member
        assert parse(f" {member.label} ") is member
    with pytest.raises(InvalidInputError) as caught:
        parse("nonsense")
    assert caught.value.field == field


def test_labels_follow_the_glossary() -> None:
    assert CaseKind.DISCLOSURE_REQUEST.label == "依申请公开"
    assert IntakeChannel.MAILBOX.label == "市长信箱"
    assert IntakeChannel.AGENT.label == "村代理员"
    assert CaseState.AWAITING_MATERIALS.label == "待补正/补充材料"
    assert parse_case_state("待补正") is CaseState.AWAITING_MATERIALS
    assert AnswerType.NOT_HELD.label == "非本机关掌握"
    assert RoutingMode.SUPERVISE.label == "督办"
    assert Rating.BASICALLY_SATISFIED.label == "基本满意"


# Filing ------------------------------------------------------------------------------


def test_filing_records_the_inputs_and_no_personal_data() -> None:
    ref = str(uuid4())
    case = file(kind="投诉", channel="市长信箱", applicant_ref=ref)
    (filed,) = case.collect_events()
    assert type(filed).__name__ == "Filed"
    assert fields(filed) == {
        "tenant",
        "kind",
        "channel",
        "category",
        "summary",
        "signed",
        "applicant_ref",
        "filed_by_agent",
        "agent_village",
        "parent_case",
        "received_on",
        "statutory_working_days",
        "location",
        "attachments",
        "actor",
        "effective_at",
    }
    assert (filed.location, filed.attachments) == (None, [])
    assert (case.kind, case.channel) == (CaseKind.COMPLAINT, IntakeChannel.MAILBOX)
    assert (case.state, case.applicant_ref, case.tenant) == (
        CaseState.FILED,
        ref,
        TENANT,
    )
    assert case.due_on(CAL) is None  # promised only on assignment


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"summary": "  "}, "summary"),
        ({"summary": "字" * 2001}, "summary"),
        ({"kind": "petition"}, "kind"),
        ({"channel": "fax"}, "channel"),
        ({"signed": True, "applicant_ref": None}, "applicant_ref"),
        ({"applicant_ref": "张三 13800138000"}, "applicant_ref"),
        ({"applicant_ref": str(uuid4()).upper()}, "applicant_ref"),
        ({"kind": "disclosure_request", "signed": False}, "signed"),
        ({"received_on": date(2026, 3, 3)}, "received_on"),
        ({"received_on": date(1999, 12, 31)}, "received_on"),
        ({"category": "契税"}, "category"),
        ({"channel": "agent"}, "filed_by_agent"),
        ({"filed_by_agent": "agent-7"}, "filed_by_agent"),
        (
            {"channel": "agent", "filed_by_agent": "a", "agent_village": "xinhe.x"},
            "agent_village",
        ),
        ({"effective_at": datetime(2026, 3, 2, 10)}, "effective_at"),
        ({"tenant": "Xinhe Tahe"}, "tenant"),
    ],
)
def test_filing_refuses_bad_input_on_its_field(
    overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        file(**overrides)
    assert caught.value.field == field


def test_an_agent_files_for_a_village_below_the_town() -> None:
    case = file(
        channel="村代理员",
        filed_by_agent="agent-7",
        agent_village="xinhe.tahe.dongcun",
        category="svc.household-registration",
        kind="service_request",
    )
    assert (case.filed_by_agent, case.agent_village) == (
        "agent-7",
        "xinhe.tahe.dongcun",
    )
    assert case.category == "svc.household-registration"


def test_an_unsigned_case_may_keep_no_reference() -> None:
    case = file(kind="report", signed=False)
    assert case.applicant_ref is None
    assert not case.signed


# Commands: rules --------------------------------------------------------------------


def test_every_event_carries_tenant_actor_and_effective_at() -> None:
    case = file()
    for action in [
        _A.REQUEST_MATERIALS,
        _A.PROVIDE_MATERIALS,
        _A.ACCEPT,
        _A.ASSIGN,
        _A.SUPERVISE,
        _A.EXTEND,
        _A.RESOLVE,
        _A.REPLY,
        _A.FEEDBACK,
        _A.CLOSE,
        _A.REOPEN,
    ]:
        ACTIONS[action](case)
    events = case.collect_events()
    assert names(events) == [
        "Filed",
        "MaterialsRequested",
        "MaterialsProvided",
        "Accepted",
        "Assigned",
        "Supervised",
        "Extended",
        "Resolved",
        "Replied",
        "FeedbackGiven",
        "Closed",
        "Reopened",
    ]
    for e in events:
        payload = vars(e)
        assert payload["tenant"] == TENANT
        assert payload["actor"] == ACTOR
        assert payload["effective_at"] == NOW


@pytest.mark.parametrize(
    ("reason", "referral", "field"),
    [("", "县住建局", "reason"), ("不属于本镇职责", "  ", "referral")],
)
def test_reject_requires_a_reason_and_a_referral(
    reason: str, referral: str, field: str
) -> None:
    case = file()
    case.collect_events()
    with pytest.raises(InvalidInputError) as caught:
        case.reject(reason=reason, referral=referral, actor=ACTOR, effective_at=NOW)
    assert caught.value.field == field
    assert case.collect_events() == []
    assert case.state is CaseState.FILED


def test_reject_records_reason_and_referral() -> None:
    case = file()
    ACTIONS[_A.REJECT](case)
    assert case.rejection == {"reason": "不属于本镇职责", "referral": "县住建局"}
    assert fields(case.collect_events()[-1]) == {
        "tenant",
        "reason",
        "referral",
        "actor",
        "effective_at",
    }


@pytest.mark.parametrize(
    ("kwargs", "kind", "field"),
    [
        ({"promised_working_days": None}, "complaint", "promised_working_days"),
        ({"promised_working_days": 0}, "complaint", "promised_working_days"),
        ({"promised_working_days": 61}, "complaint", "promised_working_days"),
        ({"promised_working_days": True}, "complaint", "promised_working_days"),
        ({"promised_working_days": 5}, "disclosure_request", "promised_working_days"),
        ({"backup_handler": "handler-1"}, "complaint", "backup_handler"),
        ({"department": " "}, "complaint", "department"),
    ],
)
def test_assign_refuses_bad_input(
    kwargs: dict[str, Any], kind: str, field: str
) -> None:
    case = file(kind=kind)
    case.accept(actor=ACTOR, effective_at=NOW)
    case.collect_events()
    values: dict[str, Any] = {
        "department": "政务服务部",
        "handler": "handler-1",
        "promised_working_days": 5,
    }
    values.update(kwargs)
    with pytest.raises(InvalidInputError) as caught:
        case.assign(actor=ACTOR, effective_at=NOW, **values)
    assert caught.value.field == field
    assert case.collect_events() == []


def test_an_act_cannot_predate_the_last_one() -> None:
    case = file()
    case.accept(actor=ACTOR, effective_at=at(date(2026, 3, 4)))
    case.collect_events()
    with pytest.raises(CaseDateError) as caught:
        case.assign(
            department="政务服务部",
            handler="handler-1",
            promised_working_days=5,
            actor=ACTOR,
            effective_at=at(date(2026, 3, 3)),
        )
    assert caught.value.field == "effective_at"
    with pytest.raises(IllegalTransitionError):
        case.accept(actor=ACTOR, effective_at=at(date(2026, 3, 3)))
    assert case.collect_events() == []


def test_the_act_day_is_the_day_in_china() -> None:
    case = file(received_on=date(2026, 3, 3), effective_at=at(date(2026, 3, 3), 9))
    # 2026-03-02 17:00 UTC is 03-03 01:00 in China.
    case.accept(actor=ACTOR, effective_at=datetime(2026, 3, 2, 17, tzinfo=UTC))
    assert case.accepted_on == date(2026, 3, 3)


# Feedback, reopen, close and erase --------------------------------------------------


def replied(**overrides: Any) -> Case:
    case = file(**overrides)
    for action in _TO_REPLIED:
        ACTIONS[action](case)
    case.collect_events()
    return case


def test_unsigned_cases_close_without_reply_and_never_get_feedback_or_reopen() -> None:
    case = file(kind="report", signed=False)
    for action in _TO_RESOLVED:
        ACTIONS[action](case)
    assert "close" in case.allowed_actions()
    case.reply(method="网站公示", content="已查处", actor=ACTOR, effective_at=NOW)
    case.collect_events()
    with pytest.raises(IllegalTransitionError) as caught:
        case.feedback(rating="unsatisfied", actor=ACTOR, effective_at=NOW)
    assert caught.value.allowed_actions == ["close", "supervise"]
    case.close(actor=ACTOR, effective_at=NOW)
    assert case.allowed_actions() == ("erase",)


def test_a_signed_case_must_be_replied_to_before_it_closes() -> None:
    case = file()
    for action in _TO_RESOLVED:
        ACTIONS[action](case)
    with pytest.raises(IllegalTransitionError) as caught:
        case.close(actor=ACTOR, effective_at=NOW)
    assert caught.value.allowed_actions == ["reply", "supervise"]


@pytest.mark.parametrize("rating", ["satisfied", "基本满意"])
def test_satisfied_feedback_does_not_allow_reopen(rating: str) -> None:
    case = replied()
    case.feedback(rating=rating, actor=ACTOR, effective_at=NOW)
    case.close(actor=ACTOR, effective_at=NOW)
    case.collect_events()
    with pytest.raises(IllegalTransitionError) as caught:
        case.reopen(reason="还是不满意", actor=ACTOR, effective_at=NOW)
    assert caught.value.allowed_actions == ["erase"]
    assert case.collect_events() == []


def test_feedback_is_given_once_per_round() -> None:
    case = replied()
    case.feedback(rating="满意", actor=ACTOR, effective_at=NOW)
    assert case.rating is Rating.SATISFIED
    with pytest.raises(IllegalTransitionError):
        case.feedback(rating="unsatisfied", actor=ACTOR, effective_at=NOW)


def test_unsatisfied_feedback_reopens_with_a_new_promise_from_the_reopening() -> None:
    case = replied()
    case.feedback(rating="不满意", actor=ACTOR, effective_at=NOW)
    case.close(actor=ACTOR, effective_at=NOW)
    reopened_at = at(date(2026, 3, 10))
    case.reopen(reason="路灯仍不亮", actor=ACTOR, effective_at=reopened_at)
    assert case.state is CaseState.ACCEPTED
    assert (case.rating, case.reply_record, case.resolved_on) == (None, None, None)
    assert case.reopen_count == 1
    assert case.due_on(CAL) is None
    case.assign(
        department="政务服务部",
        handler="handler-3",
        promised_working_days=3,
        actor=ACTOR,
        effective_at=at(date(2026, 3, 11)),
    )
    assert case.due_on(CAL) == date(2026, 3, 13)  # 3 working days after 03-10
    events = case.collect_events()
    assert names(events)[-3:] == ["Closed", "Reopened", "Assigned"]
    assert fields(events[-2]) == {
        "tenant",
        "reason",
        "reopened_on",
        "actor",
        "effective_at",
    }


def test_a_reopen_needs_a_reason() -> None:
    case = replied()
    case.feedback(rating="unsatisfied", actor=ACTOR, effective_at=NOW)
    case.collect_events()
    with pytest.raises(InvalidInputError) as caught:
        case.reopen(reason=" ", actor=ACTOR, effective_at=NOW)
    assert caught.value.field == "reason"
    assert case.collect_events() == []


def test_erase_only_after_close_and_only_once() -> None:
    case = replied()
    with pytest.raises(IllegalTransitionError):
        case.erase(actor=ACTOR, effective_at=NOW)
    case.feedback(rating="unsatisfied", actor=ACTOR, effective_at=NOW)
    case.close(actor=ACTOR, effective_at=NOW)
    case.collect_events()
    case.erase(actor=ACTOR, effective_at=NOW)
    (erased,) = case.collect_events()
    assert type(erased).__name__ == "Erased"
    assert fields(erased) == {"tenant", "applicant_ref", "actor", "effective_at"}
    assert erased.applicant_ref == case.applicant_ref  # type: ignore[attr-defined]
    assert case.erased
    assert case.allowed_actions() == ()  # no reopen once the data is gone
    with pytest.raises(IllegalTransitionError) as caught:
        case.erase(actor=ACTOR, effective_at=NOW)
    assert caught.value.allowed_actions == []


def test_an_abandoned_request_closes_while_awaiting_materials() -> None:
    case = file(kind="service_request")
    ACTIONS[_A.REQUEST_MATERIALS](case)
    case.close(note="逾期未补正，视为放弃", actor=ACTOR, effective_at=NOW)
    assert case.state is CaseState.CLOSED
    assert case.close_note == "逾期未补正，视为放弃"
    assert case.due_on(CAL) is None


# Routing: transfer, split, supervise -------------------------------------------------


def test_transfer_returns_the_linked_case_id() -> None:
    case = file()
    linked = case.transfer(
        target="xinhe.other", reason="属地", actor=ACTOR, effective_at=NOW
    )
    assert linked == linked_case_id(case.id, RoutingMode.TRANSFER, "xinhe.other")
    assert case.links["transferred_to"] == "xinhe.other"
    assert case.links["transferred_case"] == linked
    assert case.routing_modes == (RoutingMode.TRANSFER,)
    assert case.due_on(CAL) is None
    child = file(tenant="xinhe.other", parent_case=case.id, case_id=linked)
    assert (child.id, child.parent_case) == (linked, case.id)


@pytest.mark.parametrize("target", ["xinhe.tahe", "Not A Path", ""])
def test_transfer_refuses_itself_and_bad_paths(target: str) -> None:
    case = file()
    case.collect_events()
    with pytest.raises(InvalidInputError) as caught:
        case.transfer(target=target, reason="属地", actor=ACTOR, effective_at=NOW)
    assert caught.value.field == "target"
    assert case.collect_events() == []


def test_children_resolve_the_parent_only_when_all_are_resolved() -> None:
    case = file()
    case.accept(actor=ACTOR, effective_at=NOW)
    ids = case.split(
        children=["社会事务服务部", "经济发展服务部", "xinhe.tahe.dongcun"],
        actor=ACTOR,
        effective_at=NOW,
    )
    assert ids == [
        linked_case_id(case.id, RoutingMode.SPLIT, t)
        for t in ["社会事务服务部", "经济发展服务部", "xinhe.tahe.dongcun"]
    ]
    case.collect_events()
    later = at(date(2026, 3, 5))
    case.child_resolved(ids[1], actor=ACTOR, effective_at=later)
    case.child_resolved(ids[1], actor=ACTOR, effective_at=later)  # counted once
    case.child_resolved(ids[0], actor=ACTOR, effective_at=later)
    assert case.state is CaseState.SPLIT
    assert [c["resolved"] for c in case.children] == [True, True, False]
    assert names(case.collect_events()) == ["ChildResolved", "ChildResolved"]
    case.child_resolved(ids[2], actor=ACTOR, effective_at=later)
    events = case.collect_events()
    assert names(events) == ["ChildResolved", "Resolved"]
    assert fields(events[0]) == {"tenant", "child_case", "actor", "effective_at"}
    assert state_of(case) is CaseState.RESOLVED
    assert case.resolved_on == date(2026, 3, 5)
    assert case.result == "分办的3件均已办结"
    assert case.routing_modes == (RoutingMode.SPLIT,)


def test_an_unknown_child_is_refused() -> None:
    case = file()
    case.accept(actor=ACTOR, effective_at=NOW)
    case.split(children=["a部", "b部"], actor=ACTOR, effective_at=NOW)
    case.collect_events()
    with pytest.raises(InvalidInputError) as caught:
        case.child_resolved(uuid4(), actor=ACTOR, effective_at=NOW)
    assert caught.value.field == "child_case"
    assert case.collect_events() == []


@pytest.mark.parametrize("children", [["社会事务服务部"], ["a部", "a部"], []])
def test_a_split_needs_two_distinct_targets(children: list[str]) -> None:
    case = file()
    case.accept(actor=ACTOR, effective_at=NOW)
    with pytest.raises(InvalidInputError):
        case.split(children=children, actor=ACTOR, effective_at=NOW)


def test_supervision_by_an_ancestor_is_recorded_without_changing_state() -> None:
    case = file()
    case.accept(actor=ACTOR, effective_at=NOW)
    case.collect_events()
    case.supervise(
        supervisor="xinhe",
        due_on=date(2026, 3, 13),
        note="限期办结",
        actor=ACTOR,
        effective_at=NOW,
    )
    (supervised,) = case.collect_events()
    assert fields(supervised) == {
        "tenant",
        "supervisor",
        "due_on",
        "note",
        "supervised_on",
        "actor",
        "effective_at",
    }
    assert case.state is CaseState.ACCEPTED
    assert case.supervised_by == [
        {
            "supervisor": "xinhe",
            "due_on": date(2026, 3, 13),
            "note": "限期办结",
            "on": DAY,
        }
    ]
    assert case.routing_modes == (RoutingMode.SUPERVISE,)


@pytest.mark.parametrize(
    ("supervisor", "due_on", "field"),
    [
        ("xinhe.tahe", date(2026, 3, 13), "supervisor"),
        ("xinhe.other", date(2026, 3, 13), "supervisor"),
        ("xinhe.tahe.dongcun", date(2026, 3, 13), "supervisor"),
        ("xinhe", date(2026, 3, 1), "due_on"),
    ],
)
def test_supervision_needs_an_ancestor_and_a_future_due_date(
    supervisor: str, due_on: date, field: str
) -> None:
    case = file()
    case.collect_events()
    with pytest.raises(InvalidInputError) as caught:
        case.supervise(
            supervisor=supervisor,
            due_on=due_on,
            note="督办",
            actor=ACTOR,
            effective_at=NOW,
        )
    assert caught.value.field == field
    assert case.collect_events() == []


# Deadlines of ordinary cases ---------------------------------------------------------


def assigned(days: int = 5, **overrides: Any) -> Case:
    case = file(**overrides)
    case.accept(actor=ACTOR, effective_at=NOW)
    case.assign(
        department="社会事务服务部",
        handler="handler-1",
        promised_working_days=days,
        actor=ACTOR,
        effective_at=NOW,
    )
    case.collect_events()
    return case


def extend(case: Case, days: int, when: datetime, **kwargs: Any) -> None:
    values: dict[str, Any] = {
        "reason": "需现场核实",
        "approver": "director-1",
        "applicant_notice": "短信告知",
    }
    values.update(kwargs)
    case.extend(
        working_days=days, actor=ACTOR, effective_at=when, calendar=CAL, **values
    )


def test_a_promise_counts_from_acceptance_and_restarts_when_materials_arrive() -> None:
    case = assigned(5)
    assert case.deadline(CAL).start == DAY
    assert case.due_on(CAL) == date(2026, 3, 9)
    case.request_materials(
        items=["房屋权属证明"],
        actor=ACTOR,
        effective_at=at(date(2026, 3, 4)),
        calendar=CAL,
    )
    assert case.state is CaseState.AWAITING_MATERIALS
    assert case.due_on(CAL) is None
    assert case.deadline(CAL).paused
    assert not case.is_overdue(date(2026, 3, 30), CAL)
    case.provide_materials(actor=ACTOR, effective_at=at(date(2026, 3, 10)))
    assert state_of(case) is CaseState.ASSIGNED  # back where it was
    assert case.due_on(CAL) == date(2026, 3, 17)  # 5 working days after 03-10
    extend(case, 3, at(date(2026, 3, 12)))
    assert case.due_on(CAL) == date(2026, 3, 20)
    assert names(case.collect_events()) == [
        "MaterialsRequested",
        "MaterialsProvided",
        "Extended",
    ]


def test_ordinary_cases_extend_once_unless_the_tenant_allows_more() -> None:
    case = assigned(5)
    extend(case, 3, NOW)
    case.collect_events()
    with pytest.raises(ExtensionLimitError):
        extend(case, 2, NOW)
    assert case.collect_events() == []
    extend(case, 2, NOW, max_extensions=2)
    assert case.due_on(CAL) == date(2026, 3, 16)  # 5 + 3 + 2 after 03-02
    assert [e["working_days"] for e in case.extensions] == [3, 2]


def test_an_extension_cannot_follow_the_deadline() -> None:
    case = assigned(5)  # due 03-09
    extend(case, 1, at(date(2026, 3, 9)))
    with pytest.raises(DeadlinePassedError):
        extend(case, 1, at(date(2026, 3, 11)), max_extensions=3)


def test_overdue_and_due_within_count_working_days() -> None:
    case = assigned(5)  # due Mon 03-09
    assert not case.is_overdue(date(2026, 3, 9), CAL)
    assert case.is_overdue(date(2026, 3, 10), CAL)
    assert case.due_within(date(2026, 3, 6), 1, CAL)  # Fri; Mon is 1 working day on
    assert not case.due_within(date(2026, 3, 5), 1, CAL)
    assert not case.due_within(date(2026, 3, 10), 5, CAL)  # already overdue
    case.resolve(result="已修复", actor=ACTOR, effective_at=at(date(2026, 3, 10)))
    assert not case.is_overdue(date(2026, 3, 20), CAL)
    assert case.on_time(CAL) is False
    assert case.due_on(CAL) == date(2026, 3, 9)  # kept for the record


# Disclosure requests (政府信息公开条例 2019) -----------------------------------------


def disclosure_request(received_on: date) -> Case:
    return file(
        kind="依申请公开",
        channel="web",
        summary="申请公开2025年村道硬化项目资金使用情况",
        received_on=received_on,
        effective_at=at(received_on),
    )


def test_a_disclosure_request_through_correction_consultation_and_extension() -> None:
    """Spring Festival 2026: 02-15..02-23 off, Saturdays 02-14 and 02-28 worked."""
    case = disclosure_request(date(2026, 1, 26))  # Monday
    # 20 working days after 01-26 (day of receipt not counted) ends on the make-up
    # Saturday: 01-27..30 (4), 02-02..06 (9), 02-09..14 (15), 02-24..28 (20).
    assert case.due_on(CAL) == date(2026, 2, 28)
    assert case.deadline(CAL).statutory

    # 补正 on Friday 01-30, the 4th working day after receipt (at most the 7th).
    case.request_materials(
        items=["所需信息的名称或文号", "用途说明"],
        actor=ACTOR,
        effective_at=at(date(2026, 1, 30)),
        calendar=CAL,
    )
    assert case.due_on(CAL) is None

    # The corrected request arrives Tuesday 02-03: the 20 days count from there.
    # 02-04..06 (3), 02-09..14 (9), 02-24..28 (14), 03-02..06 (19), 03-09 (20).
    case.provide_materials(actor=ACTOR, effective_at=at(date(2026, 2, 3)))
    assert case.state is CaseState.FILED
    assert case.deadline(CAL).start == date(2026, 2, 3)
    assert case.due_on(CAL) == date(2026, 3, 9)
    case.accept(actor=ACTOR, effective_at=at(date(2026, 2, 3)))
    case.assign(
        department="中心办公室",
        handler="handler-1",
        actor=ACTOR,
        effective_at=at(date(2026, 2, 4)),
    )
    assert case.due_on(CAL) == date(2026, 3, 9)  # accepting changes nothing

    # Third party asked on 02-25; while it runs there is no due date.
    case.consult(
        party="中标施工企业",
        third_party=True,
        actor=ACTOR,
        effective_at=at(date(2026, 2, 25)),
    )
    assert case.due_on(CAL) is None
    assert not case.is_overdue(date(2026, 4, 30), CAL)
    # The third party has 15 working days: 02-26..28 (3), 03-02..06 (8),
    # 03-09..13 (13), 03-16, 03-17 (15).
    assert case.consultation_due_on(CAL) == date(2026, 3, 17)
    with pytest.raises(IllegalTransitionError) as caught:
        case.resolve(
            result="x",
            answer="disclose",
            actor=ACTOR,
            effective_at=at(date(2026, 3, 2)),
        )
    assert caught.value.allowed_actions == ["end-consultation", "extend", "supervise"]

    # It ends on 03-04: [02-25, 03-04) holds 02-25, 26, 27, 28 (Sat, worked),
    # 03-02, 03-03 = 6 working days, added: 03-10..13 (24), 03-16, 03-17 (26).
    case.end_consultation(
        note="第三方同意公开", actor=ACTOR, effective_at=at(date(2026, 3, 4))
    )
    deadline = case.deadline(CAL)
    assert deadline.paused_working_days == 6
    assert deadline.due_on == date(2026, 3, 17)

    # Extended once by 20 on 03-10, approved and the applicant told:
    # 03-18..20 (3), 03-23..27 (8), 03-30..04-03 (13), 清明 04-04..06 off,
    # 04-07..10 (17), 04-13..15 (20).
    extend(
        case,
        20,
        at(date(2026, 3, 10)),
        approver="office-head",
        applicant_notice="2026-03-10 书面告知延期",
    )
    assert case.due_on(CAL) == date(2026, 4, 15)
    assert case.extensions[0]["approver"] == "office-head"
    with pytest.raises(ExtensionLimitError):
        extend(case, 1, at(date(2026, 3, 11)), max_extensions=5)

    assert not case.is_overdue(date(2026, 4, 15), CAL)
    assert case.is_overdue(date(2026, 4, 16), CAL)
    assert case.due_within(date(2026, 4, 13), 2, CAL)
    assert not case.due_within(date(2026, 4, 10), 2, CAL)

    # Deciding does not stop the statute's clock; the reply (答复) does.
    disclosure = uuid4()
    case.resolve(
        result="部分公开：资金拨付明细公开，涉及商业秘密的单价不予公开",
        answer="部分公开",
        legal_ground="《政府信息公开条例》第十五条、第三十七条",
        disclosure_id=disclosure,
        actor=ACTOR,
        effective_at=at(date(2026, 4, 14)),
    )
    assert case.is_overdue(date(2026, 4, 16), CAL)
    assert case.answer == {
        "type": "partial",
        "legal_ground": "《政府信息公开条例》第十五条、第三十七条",
        "referral": None,
        "disclosure_id": disclosure,
    }
    case.reply(
        method="邮寄",
        content="答复书及公开信息",
        actor=ACTOR,
        effective_at=at(date(2026, 4, 15)),
    )
    assert case.on_time(CAL) is True
    assert not case.is_overdue(date(2026, 4, 20), CAL)

    events = case.collect_events()
    assert names(events) == [
        "Filed",
        "MaterialsRequested",
        "MaterialsProvided",
        "Accepted",
        "Assigned",
        "ConsultationStarted",
        "ConsultationEnded",
        "Extended",
        "Resolved",
        "Replied",
    ]
    assert fields(events[5]) == {
        "tenant",
        "party",
        "third_party",
        "started_on",
        "actor",
        "effective_at",
    }
    assert fields(events[7]) == {
        "tenant",
        "working_days",
        "reason",
        "approver",
        "applicant_notice",
        "extended_on",
        "actor",
        "effective_at",
    }
    # Replaying the stored events derives the same deadline: nothing hides in bodies.
    copy: Case | None = None
    for e in events:
        copy = e.mutate(copy)
    assert isinstance(copy, Case)
    assert copy.deadline(CAL) == case.deadline(CAL)


@pytest.mark.parametrize(
    ("received_on", "last_day", "too_late"),
    [
        (date(2026, 1, 26), date(2026, 2, 4), date(2026, 2, 5)),
        # Across the festival: 02-11, 12, 13, 14 (Sat, worked), 24, 25, 26.
        (date(2026, 2, 10), date(2026, 2, 26), date(2026, 2, 27)),
    ],
)
def test_correction_notice_is_refused_after_the_seventh_working_day(
    received_on: date, last_day: date, too_late: date
) -> None:
    late = disclosure_request(received_on)
    late.collect_events()
    with pytest.raises(CorrectionWindowPassedError) as caught:
        late.request_materials(
            items=["用途说明"], actor=ACTOR, effective_at=at(too_late), calendar=CAL
        )
    assert str(last_day) in caught.value.detail
    assert late.collect_events() == []
    on_time = disclosure_request(received_on)
    on_time.request_materials(
        items=["用途说明"], actor=ACTOR, effective_at=at(last_day), calendar=CAL
    )
    assert on_time.state is CaseState.AWAITING_MATERIALS


def test_a_second_correction_notice_is_refused() -> None:
    case = disclosure_request(DAY)
    ACTIONS[_A.REQUEST_MATERIALS](case)
    ACTIONS[_A.PROVIDE_MATERIALS](case)
    case.collect_events()
    assert "request-materials" not in case.allowed_actions()  # the notice is used up
    with pytest.raises(CorrectionAlreadyRequestedError):
        ACTIONS[_A.REQUEST_MATERIALS](case)
    assert case.collect_events() == []
    ordinary = file(kind="service_request")
    for action in [_A.REQUEST_MATERIALS, _A.PROVIDE_MATERIALS, _A.REQUEST_MATERIALS]:
        ACTIONS[action](ordinary)  # an ordinary request may ask again
    assert len(ordinary.materials_requests) == 2


@pytest.mark.parametrize(
    ("days", "kwargs", "field"),
    [
        (21, {}, "working_days"),
        (0, {}, "working_days"),
        (10, {"applicant_notice": None}, "applicant_notice"),
        (10, {"approver": ""}, "approver"),
        (10, {"reason": ""}, "reason"),
    ],
)
def test_a_disclosure_extension_is_at_most_20_approved_and_notified(
    days: int, kwargs: dict[str, Any], field: str
) -> None:
    case = disclosure_request(DAY)
    case.collect_events()
    with pytest.raises(InvalidInputError) as caught:
        extend(case, days, NOW, **kwargs)
    assert caught.value.field == field
    assert case.collect_events() == []


def test_a_disclosure_request_is_extended_once_even_if_the_tenant_allows_more() -> None:
    case = disclosure_request(DAY)
    extend(case, 20, NOW)
    assert case.due_on(CAL) == CAL.add_working_days(DAY, 40)
    with pytest.raises(ExtensionLimitError):
        extend(case, 5, NOW, max_extensions=3)


ANSWERS: list[tuple[str, dict[str, Any], str | None]] = [
    ("disclose", {}, None),
    ("disclose", {"disclosure_id": uuid4()}, None),
    ("partial", {"legal_ground": "第十五条", "disclosure_id": uuid4()}, None),
    ("partial", {}, "legal_ground"),
    ("refuse", {"legal_ground": "第十四条"}, None),
    ("refuse", {}, "legal_ground"),
    ("refuse", {"legal_ground": "第十四条", "disclosure_id": uuid4()}, "disclosure_id"),
    ("not_exist", {}, None),
    ("not_exist", {"disclosure_id": uuid4()}, "disclosure_id"),
    ("not_held", {"referral": "县自然资源局，电话0997-1234567"}, None),
    ("not_held", {}, "referral"),
    ("duplicate", {}, None),
    ("信息不存在", {}, None),
    ("withheld", {}, "answer"),
]


@pytest.mark.parametrize(("answer", "kwargs", "field"), ANSWERS)
def test_answer_types_and_their_required_fields(
    answer: str, kwargs: dict[str, Any], field: str | None
) -> None:
    case = disclosure_request(DAY)
    for action in [_A.ACCEPT, _A.ASSIGN]:
        ACTIONS[action](case)
    case.collect_events()

    def resolve() -> None:
        case.resolve(
            result="答复", answer=answer, actor=ACTOR, effective_at=NOW, **kwargs
        )

    if field is None:
        resolve()
        assert case.answer is not None
        assert case.answer["type"] == parse_answer_type(answer).value
        (resolved,) = case.collect_events()
        assert fields(resolved) == {
            "tenant",
            "result",
            "answer",
            "legal_ground",
            "referral",
            "disclosure_id",
            "answer_category",
            "answer_reason",
            "resolved_on",
            "actor",
            "effective_at",
        }
    else:
        with pytest.raises(InvalidInputError) as caught:
            resolve()
        assert caught.value.field == field
        assert case.collect_events() == []


def test_a_disclosure_request_needs_an_answer_and_others_take_none() -> None:
    request = disclosure_request(DAY)
    for action in [_A.ACCEPT, _A.ASSIGN]:
        ACTIONS[action](request)
    with pytest.raises(InvalidInputError) as caught:
        request.resolve(result="答复", actor=ACTOR, effective_at=NOW)
    assert caught.value.field == "answer"
    complaint = assigned(5)
    with pytest.raises(InvalidInputError) as caught:
        complaint.resolve(
            result="已修复", answer="disclose", actor=ACTOR, effective_at=NOW
        )
    assert caught.value.field == "answer"


def test_consultation_is_for_disclosure_requests_only() -> None:
    case = assigned(5)
    with pytest.raises(IllegalTransitionError) as caught:
        ACTIONS[_A.CONSULT](case)
    assert "consult" not in caught.value.allowed_actions


def test_a_consultation_before_a_restart_does_not_count_twice() -> None:
    case = disclosure_request(date(2026, 3, 2))
    case.accept(actor=ACTOR, effective_at=at(date(2026, 3, 2)))
    case.consult(party="县财政局", third_party=False, actor=ACTOR, effective_at=at(DAY))
    assert case.consultation_due_on(CAL) is None  # another agency: no fixed term
    case.end_consultation(actor=ACTOR, effective_at=at(date(2026, 3, 4)))
    # [03-02, 03-04): 03-02 is the day of receipt, never counted anyway; 03-03 is.
    assert case.deadline(CAL).paused_working_days == 1
    case.request_materials(
        items=["用途说明"],
        actor=ACTOR,
        effective_at=at(date(2026, 3, 5)),
        calendar=CAL,
    )
    case.provide_materials(actor=ACTOR, effective_at=at(date(2026, 3, 6)))
    deadline = case.deadline(CAL)
    assert deadline.paused_working_days == 0
    assert deadline.due_on == CAL.add_working_days(date(2026, 3, 6), 20)
