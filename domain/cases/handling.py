"""办理 → 回复 → 结案: consultations and extensions while the case is handled, its
resolution (a disclosure request's answer with it), the reply, the applicant's rating,
closing, reopening and erasure. ``Case`` mixes this in; each command checks, then calls
the ``@event`` method ``Case`` defines (declared in ``domain.cases.recording``).
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from domain.cases.checks import (
    check_answer,
    check_extension,
    check_optional_text,
    check_text,
)
from domain.cases.recording import Actor, CaseRecording
from domain.cases.rules import (
    MAX_NAME_LENGTH,
    MAX_TEXT_LENGTH,
    Action,
    AnswerType,
    CaseKind,
    Rating,
    parse_answer_type,
    parse_rating,
)
from domain.errors import CaseDateError, InconsistentInputError
from domain.reporting.annual import classify_answer
from domain.workdays import WorkingDayCalendar

_DR = CaseKind.DISCLOSURE_REQUEST


class HandlingCommands(CaseRecording):
    """The commands from handling to the closed case."""

    def consult(
        self,
        *,
        party: str,
        third_party: bool,
        actor: Actor,
        effective_at: datetime,
    ) -> None:
        """征求意见 of a third party (第三十二条) or another agency (第三十四条); the
        working days until it ends do not count. ``party`` names no private person."""
        on = self._check(Action.CONSULT, effective_at)
        self._consultation_started(
            tenant=self.tenant,
            party=check_text(party, "party", 200),
            third_party=bool(third_party),
            started_on=on,
            actor=actor,
            effective_at=effective_at,
        )

    def end_consultation(
        self, *, actor: Actor, effective_at: datetime, note: str | None = None
    ) -> None:
        """The consultation ended (answer received or time up); the clock resumes."""
        on = self._check(Action.END_CONSULTATION, effective_at)
        self._consultation_ended(
            tenant=self.tenant,
            ended_on=on,
            note=check_optional_text(note, "note"),
            actor=actor,
            effective_at=effective_at,
        )

    def extend(
        self,
        *,
        working_days: int,
        reason: str,
        approver: str,
        actor: Actor,
        effective_at: datetime,
        calendar: WorkingDayCalendar,
        applicant_notice: str | None = None,
        max_extensions: int = 1,
    ) -> None:
        """延期, before the due date passes, by an approver.

        A disclosure request: once, at most 20 working days, the applicant told
        (条例第三十三条第二款), whatever ``max_extensions`` says. Other cases: up to
        ``max_extensions`` times (the tenant's rule).
        """
        on = self._check(Action.EXTEND, effective_at)
        days, notice = check_extension(
            statutory=self.kind is _DR,
            working_days=working_days,
            applicant_notice=applicant_notice,
            done=len(self._extensions),
            max_extensions=max_extensions,
            due_on=self.due_on(calendar),
            on=on,
        )
        self._extended(
            tenant=self.tenant,
            working_days=days,
            reason=check_text(reason, "reason"),
            approver=check_text(approver, "approver", MAX_NAME_LENGTH),
            applicant_notice=notice,
            extended_on=on,
            actor=actor,
            effective_at=effective_at,
        )

    def resolve(
        self,
        *,
        result: str,
        actor: Actor,
        effective_at: datetime,
        answer: AnswerType | str | None = None,
        legal_ground: str | None = None,
        referral: str | None = None,
        disclosure_id: UUID | None = None,
        answer_reason: str | None = None,
    ) -> None:
        """办结 with a result; a disclosure request also with its answer type.

        ``Resolved`` (v2) also records the annual report's category and reason
        (``answer_reason``, needed where the format's row has reasons).

        refuse and partial need the legal ground (第三十六条(三), 第三十七条),
        not_held the body that holds it (第三十六条(五)); ``disclosure_id`` links the
        published item and fits only disclose and partial.
        """
        on = self._check(Action.RESOLVE, effective_at)
        text = check_text(result, "result", MAX_TEXT_LENGTH)
        ground = check_optional_text(legal_ground, "legal_ground")
        refer = check_optional_text(referral, "referral")
        if self.kind is not _DR:
            extra = ground or refer or disclosure_id is not None or answer_reason
            if answer is not None or extra:
                raise InconsistentInputError(
                    "only a disclosure request takes an answer, legal ground, "
                    "referral or disclosure link",
                    field="answer",
                )
            kind_of_answer = None
        else:
            if answer is None:
                raise InconsistentInputError(
                    "a disclosure request needs an answer type", field="answer"
                )
            kind_of_answer = parse_answer_type(answer)
            check_answer(kind_of_answer, ground, refer, disclosure_id)
            category, reason = classify_answer(
                kind_of_answer.value, answer_reason, ground
            )
        self._resolved(
            answer_category=None if kind_of_answer is None else category,
            answer_reason=None if kind_of_answer is None else reason,
            tenant=self.tenant,
            result=text,
            answer=None if kind_of_answer is None else kind_of_answer.value,
            legal_ground=ground,
            referral=refer,
            disclosure_id=disclosure_id,
            resolved_on=on,
            actor=actor,
            effective_at=effective_at,
        )

    def reply(
        self, *, method: str, content: str, actor: Actor, effective_at: datetime
    ) -> None:
        """回复 / 告知: the applicant is told the result (a signed case must be)."""
        on = self._check(Action.REPLY, effective_at)
        self._replied(
            tenant=self.tenant,
            method=check_text(method, "method", MAX_NAME_LENGTH),
            content=check_text(content, "content", MAX_TEXT_LENGTH),
            replied_on=on,
            actor=actor,
            effective_at=effective_at,
        )

    def feedback(
        self, *, rating: Rating | str, actor: Actor, effective_at: datetime
    ) -> None:
        """The signed applicant's rating; 不满意 opens reopen."""
        self._check(Action.FEEDBACK, effective_at)
        self._feedback_given(
            tenant=self.tenant,
            rating=parse_rating(rating).value,
            actor=actor,
            effective_at=effective_at,
        )

    def meet(
        self,
        *,
        actor: Actor,
        effective_at: datetime,
        met_on: date | None = None,
        note: str | None = None,
    ) -> None:
        """见面: the handling unit met the deputy or member about a 建议提案 (once;
        见面率 counts it). ``met_on`` defaults to the act's day and may not be after
        it, nor before the case was received."""
        on = self._check(Action.MEET, effective_at)
        day = on if met_on is None else met_on
        if not self.received_on <= day <= on:
            raise CaseDateError(
                "met_on lies between the day received and today", field="met_on"
            )
        self._proposer_met(
            tenant=self.tenant,
            met_on=day,
            note=check_optional_text(note, "note"),
            actor=actor,
            effective_at=effective_at,
        )

    def close(
        self, *, actor: Actor, effective_at: datetime, note: str | None = None
    ) -> None:
        """结案."""
        self._check(Action.CLOSE, effective_at)
        self._closed(
            tenant=self.tenant,
            note=check_optional_text(note, "note"),
            actor=actor,
            effective_at=effective_at,
        )

    def reopen(self, *, reason: str, actor: Actor, effective_at: datetime) -> None:
        """Handle again after 不满意 feedback: back to accepted, to be assigned with a
        new promise counted from today."""
        on = self._check(Action.REOPEN, effective_at)
        self._reopened(
            tenant=self.tenant,
            reason=check_text(reason, "reason"),
            reopened_on=on,
            actor=actor,
            effective_at=effective_at,
        )

    def erase(self, *, actor: Actor, effective_at: datetime) -> None:
        """Record that the applicant's personal data was erased (the caller destroys
        the vault key of ``applicant_ref``). Requires a closed case."""
        self._check(Action.ERASE, effective_at)
        self._erased(
            tenant=self.tenant,
            applicant_ref=self.applicant_ref,
            actor=actor,
            effective_at=effective_at,
        )
