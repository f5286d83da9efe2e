"""Checks of a case command's input: texts, dates, working days, agents, answers,
a whole filing.

Apart from the rules as data (``domain.cases.rules``): these refuse bad input with
the field it came in, before an event is made."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, TypedDict
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from domain.cases.location import Location, check_attachments, check_location
from domain.cases.rules import (
    CORRECTION_NOTICE_WORKING_DAYS,
    DISCLOSURE_ANSWER_WORKING_DAYS,
    DISCLOSURE_EXTENSION_WORKING_DAYS,
    EARLIEST_DAY,
    MAX_MATERIALS,
    MAX_NAME_LENGTH,
    MAX_PROMISED_WORKING_DAYS,
    MAX_SUMMARY_LENGTH,
    SERVICE_CODE_PATTERN,
    AnswerType,
    CaseKind,
    IntakeChannel,
    RoutingMode,
    parse_case_kind,
    parse_intake_channel,
)
from domain.errors import (
    CaseDateError,
    CorrectionAlreadyRequestedError,
    CorrectionWindowPassedError,
    DeadlinePassedError,
    ExtensionLimitError,
    InconsistentInputError,
    InvalidInputError,
)
from domain.reporting.annual import parse_applicant_type
from domain.tenancy import CODE_PATTERN as TENANT_CODE_PATTERN
from domain.tenancy import is_within
from domain.timeliness import MAX_REASON_LENGTH, local_date
from domain.workdays import WorkingDayCalendar


def check_text(
    value: str | None, field: str, max_length: int = MAX_REASON_LENGTH
) -> str:
    """Return the trimmed text; requires 1 to ``max_length`` characters."""
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > max_length:
        raise InvalidInputError(
            f"{field} must have 1 to {max_length} characters", field=field
        )
    return text


def check_optional_text(
    value: str | None, field: str, max_length: int = MAX_REASON_LENGTH
) -> str | None:
    """None for a missing or blank value, else the checked text."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return check_text(value, field, max_length)


def check_tenant_path(path: str, field: str) -> str:
    """Requires dot-separated tenant codes, e.g. ``xinhe.tahe``."""
    parts = path.split(".") if isinstance(path, str) else []
    if not parts or not all(TENANT_CODE_PATTERN.fullmatch(p) for p in parts):
        raise InvalidInputError(f"{path!r} is not a tenant path", field=field)
    return path


def check_applicant_ref(ref: str | None, signed: bool) -> str | None:
    """An opaque vault subject id (a canonical UUID), never personal data."""
    if ref is None:
        if signed:
            raise InvalidInputError(
                "a signed case needs the applicant's reference", field="applicant_ref"
            )
        return None
    try:
        canonical = str(UUID(ref))
    except (ValueError, TypeError, AttributeError):
        canonical = None
    if canonical != ref:
        raise InvalidInputError(
            "applicant_ref must be the canonical UUID of the sealed personal data, "
            "never the data itself",
            field="applicant_ref",
        )
    return ref


def check_working_days(
    days: int | None, field: str, maximum: int = MAX_PROMISED_WORKING_DAYS
) -> int:
    """Requires an int from 1 to ``maximum``."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= maximum:
        raise InvalidInputError(
            f"{field} must be a whole number of working days from 1 to {maximum}",
            field=field,
        )
    return days


def check_items(items: Iterable[str], field: str) -> list[str]:
    """A non-empty list of distinct short texts (e.g. 补充材料清单)."""
    if isinstance(items, str):
        raise InvalidInputError("expected a list", field=field)
    checked: list[str] = []
    for i, item in enumerate(items):
        text = check_text(item, f"{field}[{i}]", 200)
        if text in checked:
            raise InconsistentInputError(
                f"{text!r} is listed twice", field=f"{field}[{i}]"
            )
        checked.append(text)
    if not checked or len(checked) > MAX_MATERIALS:
        raise InvalidInputError(f"list 1 to {MAX_MATERIALS} items", field=field)
    return checked


def act_date(effective_at: datetime, not_before: date) -> date:
    """The local day of an act; requires a zone and no day before ``not_before``."""
    if not isinstance(effective_at, datetime) or effective_at.tzinfo is None:
        raise CaseDateError(
            "effective_at needs a time zone offset", field="effective_at"
        )
    day = local_date(effective_at)
    if day < not_before:
        raise CaseDateError(
            f"effective_at falls on {day}, before the case's last act on {not_before}",
            field="effective_at",
        )
    return day


def linked_case_id(parent: UUID, mode: RoutingMode, target: str) -> UUID:
    """The id of the case a transfer or split creates, so filing it twice fails."""
    return uuid5(NAMESPACE_URL, f"gongkai:case:{parent}:{mode.value}:{target}")


def check_received_on(received_on: date, effective_at: datetime) -> None:
    """Requires EARLIEST_DAY <= received_on <= the filing day."""
    filed_on = act_date(effective_at, EARLIEST_DAY)
    if not EARLIEST_DAY <= received_on <= filed_on:
        raise CaseDateError(
            f"received_on {received_on} must lie between {EARLIEST_DAY} and the "
            f"filing day {filed_on}",
            field="received_on",
        )


def check_agent(
    channel: IntakeChannel, agent: str | None, village: str | None, tenant: str
) -> str | None:
    """A 村代理员 is named exactly when the channel is agent; their village, if
    given, lies below the handling tenant."""
    name = check_optional_text(agent, "filed_by_agent", MAX_NAME_LENGTH)
    if (channel is IntakeChannel.AGENT) != (name is not None):
        raise InconsistentInputError(
            "filed_by_agent is given exactly when the channel is agent (村代理员)",
            field="filed_by_agent",
        )
    if village is not None and (
        name is None
        or village == tenant
        or not is_within(check_tenant_path(village, "agent_village"), tenant)
    ):
        raise InconsistentInputError(
            "agent_village is a village below the handling tenant, with an agent",
            field="agent_village",
        )
    return name


def check_correction_notice(
    received_on: date, on: date, earlier: Sequence[date], calendar: WorkingDayCalendar
) -> None:
    """One 补正 notice, within 7 working days of receipt (条例第三十条)."""
    if earlier:
        raise CorrectionAlreadyRequestedError(
            "a disclosure request gets one 补正 notice (条例第三十条); one was sent "
            f"on {earlier[0]}"
        )
    days = calendar.working_days_between(received_on, on)
    if days > CORRECTION_NOTICE_WORKING_DAYS:
        last = calendar.add_working_days(received_on, CORRECTION_NOTICE_WORKING_DAYS)
        raise CorrectionWindowPassedError(
            f"the 补正 notice was due by {last} (7 working days after receipt on "
            f"{received_on}, 条例第三十条); {on} is {days} working days after receipt",
            field="effective_at",
        )


def check_extension(
    *,
    statutory: bool,
    working_days: int,
    applicant_notice: str | None,
    done: int,
    max_extensions: int,
    due_on: date | None,
    on: date,
) -> tuple[int, str | None]:
    """The checked days and notice of an extension granted on ``on``.

    Statutory (disclosure request): once, at most 20 working days, the applicant
    told (条例第三十三条第二款). Otherwise at most ``max_extensions`` times. Never
    after the due date has passed.
    """
    maximum = (
        DISCLOSURE_EXTENSION_WORKING_DAYS if statutory else MAX_PROMISED_WORKING_DAYS
    )
    days = check_working_days(working_days, "working_days", maximum)
    notice = check_optional_text(applicant_notice, "applicant_notice")
    if statutory and notice is None:
        raise InconsistentInputError(
            "the applicant must be told of the extension (条例第三十三条)",
            field="applicant_notice",
        )
    limit = 1 if statutory else max_extensions
    if done >= limit:
        raise ExtensionLimitError(
            f"this case was already extended {done} time(s); at most {limit} allowed"
        )
    if due_on is not None and on > due_on:
        raise DeadlinePassedError(
            f"the case was due on {due_on}; an extension cannot follow the deadline",
            field="effective_at",
        )
    return days, notice


def check_answer(
    answer: AnswerType,
    legal_ground: str | None,
    referral: str | None,
    disclosure_id: UUID | None,
) -> None:
    """The fields each answer type needs (政府信息公开条例第三十六、三十七条)."""
    if answer in (AnswerType.REFUSE, AnswerType.PARTIAL) and legal_ground is None:
        raise InconsistentInputError(
            f"a {answer.value} answer states its legal ground", field="legal_ground"
        )
    if answer is AnswerType.NOT_HELD and referral is None:
        raise InconsistentInputError(
            "a not_held answer names the body that holds the information",
            field="referral",
        )
    if disclosure_id is not None and answer not in (
        AnswerType.DISCLOSE,
        AnswerType.PARTIAL,
    ):
        raise InconsistentInputError(
            f"a {answer.value} answer links no disclosure", field="disclosure_id"
        )


class FiledFields(TypedDict):
    """The checked fields of a ``Filed`` event, besides ``actor`` and
    ``effective_at``."""

    id: UUID
    tenant: str
    kind: str
    channel: str
    category: str | None
    summary: str
    signed: bool
    applicant_ref: str | None
    filed_by_agent: str | None
    agent_village: str | None
    parent_case: UUID | None
    received_on: date
    statutory_working_days: int | None
    location: Location | None
    attachments: list[str]


def check_filing(
    *,
    tenant: str,
    kind: CaseKind | str,
    channel: IntakeChannel | str,
    category: str | None,
    summary: str,
    signed: bool,
    applicant_ref: str | None,
    received_on: date,
    effective_at: datetime,
    filed_by_agent: str | None,
    agent_village: str | None,
    parent_case: UUID | None,
    case_id: UUID | None,
    applicant_type: str | None,
    location: Mapping[str, Any] | None = None,
    attachments: Iterable[str] = (),
) -> tuple[FiledFields, str | None]:
    """登记's input: the ``Filed`` fields, and the applicant type a disclosure
    request names (None if it names none)."""
    path = check_tenant_path(tenant, "tenant")
    case_kind = parse_case_kind(kind)
    intake = parse_intake_channel(channel)
    if case_kind is CaseKind.DISCLOSURE_REQUEST and not signed:
        raise InconsistentInputError(
            "a disclosure request names its applicant (条例第二十九条)",
            field="signed",
        )
    check_received_on(received_on, effective_at)
    kind_of_applicant = None
    if applicant_type is not None:
        if case_kind is not CaseKind.DISCLOSURE_REQUEST:
            raise InconsistentInputError(
                "only a disclosure request takes an applicant_type",
                field="applicant_type",
            )
        kind_of_applicant = parse_applicant_type(applicant_type)
    if category is not None and not SERVICE_CODE_PATTERN.fullmatch(category):
        raise InvalidInputError(
            f"category {category!r} is not a service code", field="category"
        )
    if parent_case is not None and parent_case == case_id:
        raise InconsistentInputError(
            "a case cannot be its own parent", field="parent_case"
        )
    fields = FiledFields(
        id=case_id or uuid4(),
        tenant=path,
        kind=case_kind.value,
        channel=intake.value,
        category=category,
        summary=check_text(summary, "summary", MAX_SUMMARY_LENGTH),
        signed=bool(signed),
        applicant_ref=check_applicant_ref(applicant_ref, signed),
        filed_by_agent=check_agent(intake, filed_by_agent, agent_village, path),
        agent_village=agent_village,
        parent_case=parent_case,
        received_on=received_on,
        statutory_working_days=DISCLOSURE_ANSWER_WORKING_DAYS
        if case_kind is CaseKind.DISCLOSURE_REQUEST
        else None,
        location=None if location is None else check_location(**location),
        attachments=check_attachments(attachments),
    )
    return fields, kind_of_applicant
