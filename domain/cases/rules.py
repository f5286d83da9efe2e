"""Rules of the Case aggregate as data: kinds, states, the action table and deadlines.

The state machine is ``TRANSITIONS`` (state → actions) narrowed by ``GUARDS`` (facts
besides the state: the kind, whether the case is signed, an open consultation, the
rating, erasure). Deadlines are derived from the inputs the events stored, never kept
by hand: a start date, a period in working days, extensions and consultation pauses.
The checks of a command's input are in ``case_checks``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import TypeVar

from domain.errors import (
    InvalidInputError,
)
from domain.workdays import WorkingDayCalendar

DISCLOSURE_ANSWER_WORKING_DAYS = 20  # 政府信息公开条例 (2019) 第三十三条第一款
DISCLOSURE_EXTENSION_WORKING_DAYS = 20  # 第三十三条第二款: once, at most 20
CORRECTION_NOTICE_WORKING_DAYS = 7  # 第三十条: one 补正 notice within 7 working days
THIRD_PARTY_WORKING_DAYS = 15  # 第三十二条: the third party answers within 15
MAX_PROMISED_WORKING_DAYS = 60
MAX_SUMMARY_LENGTH = 2000
MAX_TEXT_LENGTH = 5000
MAX_NAME_LENGTH = 100
MAX_MATERIALS = 30
EARLIEST_DAY = date(2000, 1, 1)
SERVICE_CODE_PATTERN = re.compile(r"^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+$")


class LabelledEnum(StrEnum):
    """A stable code with a Chinese label; the parsers accept either."""

    @property
    def label(self) -> str:
        """Chinese name, as clerks write it."""
        return LABELS[type(self)][self]


class CaseKind(LabelledEnum):
    """What was filed."""

    COMPLAINT = "complaint"
    REPORT = "report"
    SERVICE_REQUEST = "service_request"
    INQUIRY = "inquiry"
    PROPOSAL = "proposal"
    VISIT = "visit"
    DISCLOSURE_REQUEST = "disclosure_request"
    DEPUTY_SUGGESTION = "deputy_suggestion"  # 人大代表建议
    MEMBER_PROPOSAL = "member_proposal"  # 政协委员提案
    SUPERVISOR_OPINION = "supervisor_opinion"  # 社会监督员意见


SUGGESTION_KINDS: frozenset[CaseKind] = frozenset(
    {CaseKind.DEPUTY_SUGGESTION, CaseKind.MEMBER_PROPOSAL}
)
"""建议提案: answered in writing within months (not working days) of assignment, after
meeting the proposer (见面); 见面率, 答复率 and 满意率 are counted apart."""
COUNTED_APART: frozenset[CaseKind] = SUGGESTION_KINDS | {CaseKind.SUPERVISOR_OPINION}
"""Kinds with figures of their own, left out of the 一事一办 case statistics."""
MAX_SUGGESTION_WORKING_DAYS = 260  # a year: the longest time limit a setting may give


class IntakeChannel(LabelledEnum):
    """How the case arrived (受理渠道)."""

    HOTLINE = "hotline"
    MAILBOX = "mailbox"
    WEB = "web"
    VISIT = "visit"
    LETTER = "letter"
    AGENT = "agent"
    MEDIA = "media"


class CaseState(LabelledEnum):
    """Where the case stands."""

    FILED = "filed"
    AWAITING_MATERIALS = "awaiting_materials"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    ASSIGNED = "assigned"
    TRANSFERRED = "transferred"
    SPLIT = "split"
    RESOLVED = "resolved"
    REPLIED = "replied"
    CLOSED = "closed"


class Rating(LabelledEnum):
    """The applicant's verdict on the handling."""

    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    UNSATISFIED = "unsatisfied"


class AnswerType(LabelledEnum):
    """How a disclosure request is answered (条例第三十六条)."""

    DISCLOSE = "disclose"
    PARTIAL = "partial"
    REFUSE = "refuse"
    NOT_EXIST = "not_exist"
    NOT_HELD = "not_held"
    DUPLICATE = "duplicate"
    UNABLE = "unable"  # 无法提供 (the annual report's category; needs answer_reason)
    NOT_PROCESSED = "not_processed"  # 不予处理
    OTHER = "other"  # 其他处理


class RoutingMode(LabelledEnum):
    """How a case is routed: here, to another tenant, among several, or overseen."""

    DIRECT = "direct"
    TRANSFER = "transfer"
    SPLIT = "split"
    SUPERVISE = "supervise"


class Action(LabelledEnum):
    """A command on a case, named as in the API."""

    FILE = "file"
    REQUEST_MATERIALS = "request-materials"
    PROVIDE_MATERIALS = "provide-materials"
    ACCEPT = "accept"
    REJECT = "reject"
    ASSIGN = "assign"
    TRANSFER = "transfer"
    SPLIT = "split"
    CHILD_RESOLVED = "child-resolved"
    SUPERVISE = "supervise"
    CONSULT = "consult"
    END_CONSULTATION = "end-consultation"
    EXTEND = "extend"
    RESOLVE = "resolve"
    REPLY = "reply"
    FEEDBACK = "feedback"
    CLOSE = "close"
    REOPEN = "reopen"
    ERASE = "erase"
    MEET = "meet"


LABELS: Mapping[type[LabelledEnum], Mapping[LabelledEnum, str]] = MappingProxyType(
    {
        CaseKind: {
            CaseKind.COMPLAINT: "投诉",
            CaseKind.REPORT: "举报",
            CaseKind.SERVICE_REQUEST: "办事申请",
            CaseKind.INQUIRY: "咨询",
            CaseKind.PROPOSAL: "提案建议",
            CaseKind.VISIT: "来访",
            CaseKind.DISCLOSURE_REQUEST: "依申请公开",
            CaseKind.DEPUTY_SUGGESTION: "人大代表建议",
            CaseKind.MEMBER_PROPOSAL: "政协委员提案",
            CaseKind.SUPERVISOR_OPINION: "监督员意见",
        },
        IntakeChannel: {
            IntakeChannel.HOTLINE: "热线",
            IntakeChannel.MAILBOX: "市长信箱",
            IntakeChannel.WEB: "网站",
            IntakeChannel.VISIT: "来访",
            IntakeChannel.LETTER: "来信",
            IntakeChannel.AGENT: "村代理员",
            IntakeChannel.MEDIA: "媒体",
        },
        CaseState: {
            CaseState.FILED: "已登记",
            CaseState.AWAITING_MATERIALS: "待补正/补充材料",
            CaseState.ACCEPTED: "已受理",
            CaseState.REJECTED: "不予受理",
            CaseState.ASSIGNED: "办理中",
            CaseState.TRANSFERRED: "已转办",
            CaseState.SPLIT: "已分办",
            CaseState.RESOLVED: "已办结",
            CaseState.REPLIED: "已回复",
            CaseState.CLOSED: "已结案",
        },
        Rating: {
            Rating.SATISFIED: "满意",
            Rating.BASICALLY_SATISFIED: "基本满意",
            Rating.UNSATISFIED: "不满意",
        },
        AnswerType: {
            AnswerType.DISCLOSE: "公开",
            AnswerType.PARTIAL: "部分公开",
            AnswerType.REFUSE: "不予公开",
            AnswerType.NOT_EXIST: "信息不存在",
            AnswerType.NOT_HELD: "非本机关掌握",
            AnswerType.DUPLICATE: "重复申请",
            AnswerType.UNABLE: "无法提供",
            AnswerType.NOT_PROCESSED: "不予处理",
            AnswerType.OTHER: "其他处理",
        },
        RoutingMode: {
            RoutingMode.DIRECT: "直办",
            RoutingMode.TRANSFER: "转办",
            RoutingMode.SPLIT: "分办",
            RoutingMode.SUPERVISE: "督办",
        },
        Action: {
            Action.FILE: "登记",
            Action.REQUEST_MATERIALS: "补正/补充材料",
            Action.PROVIDE_MATERIALS: "材料补齐",
            Action.ACCEPT: "受理",
            Action.REJECT: "不予受理",
            Action.ASSIGN: "交办",
            Action.TRANSFER: "转办",
            Action.SPLIT: "分办",
            Action.CHILD_RESOLVED: "分办件办结",
            Action.SUPERVISE: "督办",
            Action.CONSULT: "征求意见",
            Action.END_CONSULTATION: "征求意见结束",
            Action.EXTEND: "延期",
            Action.RESOLVE: "办结",
            Action.REPLY: "回复",
            Action.FEEDBACK: "评价",
            Action.CLOSE: "结案",
            Action.REOPEN: "重新办理",
            Action.ERASE: "删除个人信息",
            Action.MEET: "见面沟通",
        },
    }
)
_ALIASES: Mapping[str, LabelledEnum] = MappingProxyType(
    {
        "待补正": CaseState.AWAITING_MATERIALS,
        "待补充材料": CaseState.AWAITING_MATERIALS,
        "信访": CaseKind.VISIT,
        "信箱": IntakeChannel.MAILBOX,
        "予以公开": AnswerType.DISCLOSE,
    }
)

_E = TypeVar("_E", bound=LabelledEnum)


def parse_labelled(cls: type[_E], text: str, field: str) -> _E:
    """The member of ``cls`` whose code or Chinese label is ``text``."""
    key = text.strip() if isinstance(text, str) else ""
    for member in cls:
        if key in (member.value, member.label):
            return member
    alias = _ALIASES.get(key)
    if isinstance(alias, cls):
        return alias
    allowed = ", ".join(f"{m.value}/{m.label}" for m in cls)
    raise InvalidInputError(
        f"unknown {field} {text!r}; use one of {allowed}", field=field
    )


def spellings(cls: type[LabelledEnum]) -> tuple[str, ...]:
    """Every text ``parse_labelled(cls, …)`` takes: codes, labels and aliases."""
    found = [m.value for m in cls] + [m.label for m in cls]
    found += [alias for alias, member in _ALIASES.items() if isinstance(member, cls)]
    return tuple(dict.fromkeys(found))


def parse_case_kind(text: str, field: str = "kind") -> CaseKind:
    return parse_labelled(CaseKind, text, field)


def parse_intake_channel(text: str, field: str = "channel") -> IntakeChannel:
    return parse_labelled(IntakeChannel, text, field)


def parse_case_state(text: str, field: str = "state") -> CaseState:
    return parse_labelled(CaseState, text, field)


def parse_rating(text: str, field: str = "rating") -> Rating:
    return parse_labelled(Rating, text, field)


def parse_answer_type(text: str, field: str = "answer") -> AnswerType:
    return parse_labelled(AnswerType, text, field)


def parse_routing_mode(text: str, field: str = "mode") -> RoutingMode:
    return parse_labelled(RoutingMode, text, field)


# The state machine -------------------------------------------------------------------

_TABLE: Mapping[str, str] = MappingProxyType(
    {
        "filed": "request-materials accept reject transfer extend supervise",
        "awaiting_materials": "provide-materials reject close supervise",
        "accepted": "request-materials assign transfer split consult "
        "end-consultation extend supervise meet",
        "rejected": "close supervise",
        "assigned": "request-materials transfer split consult end-consultation "
        "extend resolve supervise meet",
        "transferred": "close supervise",
        "split": "child-resolved supervise",
        "resolved": "reply close supervise meet",
        "replied": "feedback close reopen supervise meet",
        "closed": "reopen erase",
    }
)
TRANSITIONS: Mapping[CaseState, tuple[Action, ...]] = MappingProxyType(
    {
        CaseState(state): tuple(Action(a) for a in actions.split())
        for state, actions in _TABLE.items()
    }
)
"""Every action a state can take at most; ``GUARDS`` narrow it by the facts."""


@dataclass(frozen=True)
class TransitionFacts:
    """What besides the state decides which actions are open."""

    kind: CaseKind
    signed: bool = True
    consulting: bool = False
    rating: Rating | None = None
    erased: bool = False
    met: bool = False


_S, _A, _DR = CaseState, Action, CaseKind.DISCLOSURE_REQUEST
Guard = Callable[[CaseState, TransitionFacts], bool]
GUARDS: Mapping[Action, Guard] = MappingProxyType(
    {
        # Third-party consultation is the statute's pause for disclosure requests.
        _A.CONSULT: lambda s, f: f.kind is _DR and not f.consulting,
        _A.END_CONSULTATION: lambda s, f: f.consulting,
        # A disclosure request gets one answer from one body: no 分办.
        _A.SPLIT: lambda s, f: f.kind is not _DR,
        # The statutory clock runs from receipt; a promise only from assignment.
        _A.EXTEND: lambda s, f: f.kind is _DR or s is _S.ASSIGNED,
        # A signed case must be told the result before it is closed.
        _A.CLOSE: lambda s, f: s is not _S.RESOLVED or not f.signed,
        # Only a signed applicant can be asked, once per round.
        _A.FEEDBACK: lambda s, f: f.signed and f.rating is None,
        # Reopen follows unsatisfied feedback; disclosure answers are challenged by
        # 行政复议 or 行政诉讼 (条例第五十一条) instead.
        _A.REOPEN: lambda s, f: (
            f.kind is not _DR and f.rating is Rating.UNSATISFIED and not f.erased
        ),
        _A.ERASE: lambda s, f: not f.erased,
        # 见面: a deputy or member is met about the suggestion, once.
        _A.MEET: lambda s, f: f.kind in SUGGESTION_KINDS and not f.met,
    }
)
WHILE_CONSULTING: frozenset[Action] = frozenset(
    {_A.END_CONSULTATION, _A.EXTEND, _A.SUPERVISE}
)
"""The only actions open while a consultation runs (resolve after it ends)."""


def allowed_actions(
    state: CaseState,
    kind: CaseKind,
    *,
    signed: bool = True,
    consulting: bool = False,
    rating: Rating | None = None,
    erased: bool = False,
    met: bool = False,
) -> tuple[str, ...]:
    """The action names (as in the API) a case in ``state`` may take now."""
    facts = TransitionFacts(kind, signed, consulting, rating, erased, met)
    return tuple(
        a.value
        for a in TRANSITIONS[state]
        if GUARDS.get(a, _always)(state, facts)
        and (not consulting or a in WHILE_CONSULTING)
    )


def _always(state: CaseState, facts: TransitionFacts) -> bool:
    return True


OPEN_STATES: frozenset[CaseState] = frozenset(CaseState) - {CaseState.CLOSED}


# Deadlines ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Consultation:
    """A pause: a third party or another agency asked, [started_on, ended_on)."""

    party: str
    third_party: bool
    started_on: date
    ended_on: date | None = None


@dataclass(frozen=True)
class ClockInputs:
    """What the events stored that a due date is derived from."""

    statutory_working_days: int | None
    promised_working_days: int | None
    received_on: date
    accepted_on: date | None
    materials_arrived_on: date | None
    reopened_on: date | None
    extension_working_days: int
    consultations: tuple[Consultation, ...]
    awaiting_materials: bool
    power_working_days: int | None = None  # the named power's promised limit


@dataclass(frozen=True)
class Deadline:
    """A due date and how it was reckoned; ``due_on`` is None while the clock waits."""

    due_on: date | None
    start: date | None
    working_days: int | None
    extension_working_days: int
    paused_working_days: int
    paused: bool
    statutory: bool


def derive_deadline(inputs: ClockInputs, calendar: WorkingDayCalendar) -> Deadline:
    """The due date: ``working_days`` + extensions + pauses after ``start``.

    Disclosure requests count from receipt, or from the corrected request (第三十条);
    other cases from acceptance, the arrival of missing materials or a reopening,
    whichever came last. A power named from the tenant's 权责清单 whose promised
    limit is shorter replaces the period (docs/powers.md). Working days inside a
    finished consultation [started_on, ended_on) after the start do not count
    (第三十二条、第三十四条).
    """
    statutory = inputs.statutory_working_days is not None
    if statutory:
        start: date | None = inputs.materials_arrived_on or inputs.received_on
        period = inputs.statutory_working_days
    else:
        starts = (inputs.accepted_on, inputs.materials_arrived_on, inputs.reopened_on)
        known = [d for d in starts if d is not None]
        start = max(known) if inputs.accepted_on is not None else None
        period = inputs.promised_working_days
    power = inputs.power_working_days
    if power is not None and (period is None or power < period):
        period = power  # the power list promises less: the case owes that
    open_consultation = any(c.ended_on is None for c in inputs.consultations)
    paused_days = 0
    if start is not None:
        for c in inputs.consultations:
            if c.ended_on is not None:
                first = max(c.started_on - timedelta(days=1), start)
                last = c.ended_on - timedelta(days=1)
                paused_days += calendar.working_days_between(first, last)
    paused = inputs.awaiting_materials or open_consultation
    due_on = None
    if start is not None and period is not None and not paused:
        total = period + inputs.extension_working_days + paused_days
        due_on = calendar.add_working_days(start, total)
    return Deadline(
        due_on=due_on,
        start=start,
        working_days=period,
        extension_working_days=inputs.extension_working_days,
        paused_working_days=paused_days,
        paused=paused,
        statutory=statutory,
    )
