"""座谈会, 项目审查会 and 听证: the meetings a unit holds with the public.

The environment bureau "定期邀请行风监督员和企业负责人召开座谈会" and opens the review
of sensitive projects' environmental reports to "项目所在地单位、人大代表、政协委员
及居民代表" (公众知情制度). One book per tenant holds its meetings: each with a
kind, a day, a subject, the attendees by category (invited and present), the
opinions raised (numbered from 1) and the unit's answer to each, and the minutes
by their sha256 (the file stays with the unit; the hash pins what was recorded).
An opinion left unanswered past a number of working days is overdue like a case.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event
from typing_extensions import TypedDict  # pydantic derives the stream schema

from domain.base import GongkaiAggregate
from domain.errors import (
    ConflictError,
    InconsistentInputError,
    InvalidInputError,
    NotFoundError,
)
from domain.workdays import WorkingDayCalendar

KINDS: Mapping[str, str] = MappingProxyType(
    {"forum": "座谈会", "project_review": "项目审查会", "hearing": "听证"}
)
ATTENDEE_CATEGORIES: Mapping[str, str] = MappingProxyType(
    {
        "deputy": "人大代表",
        "member": "政协委员",
        "business": "企业负责人",
        "supervisor": "行风监督员",
        "resident": "居民代表",
        "local_unit": "项目所在地单位",
        "expert": "专家",
        "other": "其他",
    }
)
# 公众知情制度: a sensitive project's review is opened to these.
REVIEW_REQUIRED = ("local_unit", "deputy", "member", "resident")
VERDICTS: Mapping[str, str] = MappingProxyType(
    {"adopted": "采纳", "partly": "部分采纳", "rejected": "不予采纳"}
)
DEFAULT_ANSWER_WORKING_DAYS = 15
MAX_OPINIONS = 100
SHA256 = re.compile(r"^[0-9a-f]{64}$")


class Attendance(TypedDict):
    """Invited and present of one category of attendees."""

    category: str
    invited: int
    present: int


class MissingReviewCategoriesError(InvalidInputError):
    """项目审查会 without one of 项目所在地单位、人大代表、政协委员、居民代表."""

    slug = "review-categories-missing"
    title = "A project review invites the categories the rules name"

    def __init__(self, missing: Sequence[str]) -> None:
        labels = "、".join(missing)
        super().__init__(f"a project review invites {labels}", field="attendees")
        self.missing = labels


def book_id(tenant: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"gongkai:meetings:{tenant}")


def _code(table: Mapping[str, str], text: str, field: str) -> str:
    """The code of a value given as its code or its Chinese label."""
    key = (text or "").strip()
    for code, label in table.items():
        if key in (code, label):
            return code
    allowed = "、".join(table.values())
    raise InvalidInputError(
        f"unknown {field} {text!r}; use one of {allowed}", field=field
    )


def parse_kind(text: str) -> str:
    return _code(KINDS, text, "kind")


def parse_verdict(text: str) -> str:
    return _code(VERDICTS, text, "verdict")


def text_of(value: str, field: str, most: int) -> str:
    """Stripped text of 1 to ``most`` characters."""
    found = (value or "").strip()
    if not found or len(found) > most:
        raise InvalidInputError(f"{field} needs 1 to {most} characters", field=field)
    return found


def attendance(rows: Sequence[Mapping[str, Any]], kind: str) -> list[Attendance]:
    """The attendees by category, each once, present never above invited; a
    项目审查会 invites every category the 公众知情制度 names."""
    found: dict[str, Attendance] = {}
    for row in rows:
        code = _code(ATTENDEE_CATEGORIES, str(row.get("category", "")), "category")
        invited, present = int(row.get("invited", 0)), int(row.get("present", 0))
        if code in found:
            raise InvalidInputError(f"category {code} given twice", field="attendees")
        if not 0 <= present <= invited <= 10_000:
            raise InconsistentInputError(
                "present between 0 and invited", field="attendees"
            )
        found[code] = Attendance(category=code, invited=invited, present=present)
    if not found:
        raise InvalidInputError("name who was invited", field="attendees")
    if kind == "project_review":
        missing = [
            c for c in REVIEW_REQUIRED if c not in found or found[c]["invited"] < 1
        ]
        if missing:
            raise MissingReviewCategoriesError(
                [ATTENDEE_CATEGORIES[c] for c in missing]
            )
    return list(found.values())


@dataclass(frozen=True)
class Opinion:
    """One numbered opinion and the unit's answer, if given."""

    number: int
    text: str
    verdict: str | None = None
    reason: str | None = None
    answered_on: date | None = None

    def due(self, held_on: date, calendar: WorkingDayCalendar, days: int) -> date:
        """The last day to answer: ``days`` working days after the meeting."""
        return calendar.add_working_days(held_on, days)

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "text": self.text,
            "verdict": self.verdict,
            "verdict_label": VERDICTS.get(self.verdict or ""),
            "reason": self.reason,
            "answered_on": None if self.answered_on is None else str(self.answered_on),
        }


@dataclass(frozen=True)
class Meeting:
    """A meeting as the book holds it."""

    number: str
    kind: str
    held_on: date
    subject: str
    attendees: tuple[Attendance, ...]
    opinions: tuple[Opinion, ...]
    minutes_sha256: str | None = None
    minutes_name: str | None = None

    def overdue(
        self, today: date, calendar: WorkingDayCalendar, days: int
    ) -> list[int]:
        """Numbers of the opinions unanswered after their last day."""
        due = calendar.add_working_days(self.held_on, days)
        return [o.number for o in self.opinions if o.verdict is None and today > due]

    def to_dict(
        self, today: date, calendar: WorkingDayCalendar, days: int
    ) -> dict[str, Any]:
        due = calendar.add_working_days(self.held_on, days)
        late = set(self.overdue(today, calendar, days))
        return {
            "number": self.number,
            "kind": self.kind,
            "kind_label": KINDS[self.kind],
            "held_on": self.held_on.isoformat(),
            "subject": self.subject,
            "attendees": [
                {**a, "category_label": ATTENDEE_CATEGORIES[a["category"]]}
                for a in self.attendees
            ],
            "opinions": [
                {**o.to_dict(), "overdue": o.number in late} for o in self.opinions
            ],
            "answer_due": due.isoformat(),
            "overdue": len(late),
            "unanswered": sum(1 for o in self.opinions if o.verdict is None),
            "minutes_sha256": self.minutes_sha256,
            "minutes_name": self.minutes_name,
        }


class MeetingBook(GongkaiAggregate):
    """A tenant's book of meetings with the public."""

    @staticmethod
    def create_id(tenant: str, **_: Any) -> UUID:
        return book_id(tenant)

    @event("Started")
    def __init__(
        self, tenant: str, actor: dict[str, str], effective_at: datetime
    ) -> None:
        self.tenant = tenant
        self._meetings: dict[str, dict[str, Any]] = {}

    def hold(
        self,
        *,
        number: str,
        kind: str,
        held_on: date,
        subject: str,
        attendees: Sequence[Mapping[str, Any]],
        opinions: Sequence[str],
        today: date,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        """Record a meeting held (not one to come) with its opinions numbered."""
        code = text_of(number, "number", 30)
        if code in self._meetings:
            raise ConflictError(f"meeting number {code} is taken", field="number")
        if held_on > today:
            raise InconsistentInputError(
                "a meeting is recorded once held", field="held_on"
            )
        if len(opinions) > MAX_OPINIONS:
            raise InvalidInputError(
                f"at most {MAX_OPINIONS} opinions", field="opinions"
            )
        found = parse_kind(kind)
        self._held(
            tenant=self.tenant,
            number=code,
            kind=found,
            held_on=held_on,
            subject=text_of(subject, "subject", 200),
            attendees=attendance(attendees, found),
            opinions=[text_of(o, "opinions", 1000) for o in opinions],
            actor=actor,
            effective_at=effective_at,
        )

    def answer(
        self,
        *,
        number: str,
        opinion: int,
        verdict: str,
        reason: str,
        answered_on: date,
        today: date,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        """The unit's answer to one opinion: 采纳, 部分采纳 or 不予采纳, with a
        reason; once, between the meeting and ``today``."""
        meeting = self._meeting(number)
        opinions = meeting["opinions"]
        if not 1 <= opinion <= len(opinions):
            raise NotFoundError(f"no opinion {opinion}", field="opinion")
        if opinions[opinion - 1]["verdict"] is not None:
            raise ConflictError("this opinion was answered", field="opinion")
        if not meeting["held_on"] <= answered_on <= today:
            raise InconsistentInputError(
                "an answer follows the meeting", field="answered_on"
            )
        self._answered(
            tenant=self.tenant,
            number=number,
            opinion=opinion,
            verdict=parse_verdict(verdict),
            reason=text_of(reason, "reason", 500),
            answered_on=answered_on,
            actor=actor,
            effective_at=effective_at,
        )

    def attach_minutes(
        self,
        *,
        number: str,
        sha256: str,
        name: str,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        """The minutes (会议纪要) by the sha256 of the file; a new file replaces."""
        self._meeting(number)
        digest = (sha256 or "").strip().lower()
        if not SHA256.match(digest):
            raise InvalidInputError("sha256 is 64 hex digits", field="sha256")
        self._minutes(
            tenant=self.tenant,
            number=number,
            sha256=digest,
            name=text_of(name, "name", 120),
            actor=actor,
            effective_at=effective_at,
        )

    def _meeting(self, number: str) -> dict[str, Any]:
        found = self._meetings.get(number)
        if found is None:
            raise NotFoundError(f"no meeting number {number}", field="number")
        return found

    @event("Held")
    def _held(
        self,
        tenant: str,
        number: str,
        kind: str,
        held_on: date,
        subject: str,
        attendees: list[Attendance],
        opinions: list[str],
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        self._meetings = {
            **self._meetings,
            number: {
                "kind": kind,
                "held_on": held_on,
                "subject": subject,
                "attendees": tuple(attendees),
                "opinions": [
                    {"text": t, "verdict": None, "reason": None, "answered_on": None}
                    for t in opinions
                ],
                "minutes": None,
            },
        }

    @event("Answered")
    def _answered(
        self,
        tenant: str,
        number: str,
        opinion: int,
        verdict: str,
        reason: str,
        answered_on: date,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        meeting = self._meetings[number]
        opinions = list(meeting["opinions"])
        opinions[opinion - 1] = {
            **opinions[opinion - 1],
            "verdict": verdict,
            "reason": reason,
            "answered_on": answered_on,
        }
        self._meetings = {**self._meetings, number: {**meeting, "opinions": opinions}}

    @event("MinutesAttached")
    def _minutes(
        self,
        tenant: str,
        number: str,
        sha256: str,
        name: str,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        meeting = {**self._meetings[number], "minutes": (sha256, name)}
        self._meetings = {**self._meetings, number: meeting}

    def meetings(self) -> list[Meeting]:
        """Every meeting, the latest first."""
        found = [self.meeting(n) for n in self._meetings]
        return sorted(found, key=lambda m: (m.held_on, m.number), reverse=True)

    def meeting(self, number: str) -> Meeting:
        m = self._meeting(number)
        minutes = m["minutes"] or (None, None)
        return Meeting(
            number=number,
            kind=m["kind"],
            held_on=m["held_on"],
            subject=m["subject"],
            attendees=m["attendees"],
            opinions=tuple(
                Opinion(
                    number=i,
                    text=o["text"],
                    verdict=o["verdict"],
                    reason=o["reason"],
                    answered_on=o["answered_on"],
                )
                for i, o in enumerate(m["opinions"], start=1)
            ),
            minutes_sha256=minutes[0],
            minutes_name=minutes[1],
        )

    def has(self, number: str) -> bool:
        return number in self._meetings
