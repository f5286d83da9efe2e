"""问卷调查: the commands of a unit's questionnaires, the public's answer (throttled
like the receipt lookup) and the results for staff, the public and assessment."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from domain.access import Principal, Role, require_read, require_role
from domain.cases.stats import Rate
from domain.errors import NotFoundError
from domain.participation.questionnaires import (
    MINIMUM_SAMPLE,
    CodeSpentError,
    CodeUnknownError,
    Questionnaire,
    code_hash,
    questionnaire_id,
    results,
)
from domain.timeliness import local_date
from services.core.base import Changed, GongkaiApplication, recorded
from services.people.throttle import too_many

CODE_LETTERS = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
CODE_LENGTH = 10  # ≈ 50 bits: not guessed within the throttle's allowance
MAX_BATCH = 2000


def new_code() -> str:
    """A one-time code as printed: two groups of five, e.g. ``K7QMX-3RTPA``."""
    raw = "".join(secrets.choice(CODE_LETTERS) for _ in range(CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


class Questionnaires:
    """A tenant's questionnaires, numbered 1, 2, … (the number is the page's
    address; listing walks the numbers until one is missing)."""

    def __init__(self, app: GongkaiApplication) -> None:
        self.app = app

    def _stamp(self, principal: Principal) -> dict[str, Any]:
        return {"actor": principal.actor(), "effective_at": self.app.now()}

    def get(self, path: str, number: int) -> Questionnaire:
        found = self.app._get(questionnaire_id(path, number), Questionnaire)
        if found is None:
            raise NotFoundError(f"no questionnaire {number}", field="number")
        return found

    def all(self, path: str) -> list[Questionnaire]:
        found = []
        number = 1
        while q := self.app._get(questionnaire_id(path, number), Questionnaire):
            found.append(q)
            number += 1
        return found

    def design(
        self,
        principal: Principal,
        path: str,
        *,
        title: str,
        purpose: str,
        questions: Sequence[Mapping[str, Any]],
        minimum_sample: int,
    ) -> int:
        """设计 by the tenant's clerk or admin; returns its number (the next)."""
        require_role(principal, path, Role.CLERK, Role.ADMIN)
        self.app.tenant(path)
        number = len(self.all(path)) + 1
        with recorded(self.app):
            q = Questionnaire.design(
                tenant=path,
                number=number,
                title=title,
                purpose=purpose,
                questions=questions,
                minimum_sample=minimum_sample,
                **self._stamp(principal),
            )
        self.app._commit(q)  # a lost race for the number is a 409
        return number

    def issue_codes(
        self, principal: Principal, path: str, number: int, count: int
    ) -> list[str]:
        """``count`` new one-time codes, returned once and stored only hashed."""
        require_role(principal, path, Role.CLERK, Role.ADMIN)
        q = self.get(path, number)
        codes = [new_code() for _ in range(max(0, min(count, MAX_BATCH)))]
        with recorded(self.app):
            q.issue_codes([code_hash(q.id, c) for c in codes], **self._stamp(principal))
        self.app._commit(q)
        return codes

    def open(
        self,
        principal: Principal,
        path: str,
        number: int,
        *,
        opens_on: date | None,
        closes_on: date,
    ) -> Changed:
        require_role(principal, path, Role.CLERK, Role.ADMIN)
        q = self.get(path, number)
        with recorded(self.app):
            q.open(
                opens_on=opens_on or local_date(self.app.now()),
                closes_on=closes_on,
                **self._stamp(principal),
            )
        position = self.app._commit(q)
        return Changed(q.id, q.version, position)

    def close(self, principal: Principal, path: str, number: int) -> Changed:
        require_role(principal, path, Role.CLERK, Role.ADMIN)
        q = self.get(path, number)
        with recorded(self.app):
            q.close(**self._stamp(principal))
        position = self.app._commit(q)
        return Changed(q.id, q.version, position)

    def answer(self, path: str, number: int, code: str, answers: Sequence[Any]) -> None:
        """The public's answer: no account, the code spent in the same event."""
        q = self.get(path, number)
        now = self.app.now()
        with recorded(self.app):
            q.answer(
                code=code, answers=answers, today=local_date(now), effective_at=now
            )
        self.app._commit(q)

    def staff_results(
        self, principal: Principal, path: str, number: int
    ) -> dict[str, Any]:
        """Results with the free text, and the codes issued and spent."""
        require_read(principal, path)
        q = self.get(path, number)
        return {
            **results(q, with_texts=True),
            "codes_issued": q.codes_issued,
            "codes_spent": q.codes_spent,
        }

    def public_results(self, path: str) -> list[dict[str, Any]]:
        """The closed questionnaires' results, without free text."""
        return [
            results(q, with_texts=False) for q in self.all(path) if q.state == "closed"
        ]

    def period_satisfaction(
        self, path: str, period_from: date, period_to: date, known_at: datetime
    ) -> dict[str, Any]:
        """The assessment's objective figure: 满意 and 很满意 over the answers to
        the first scale question of ``path``'s questionnaires closed in the period
        (and by ``known_at``), pooled, with the questionnaires counted."""
        satisfied = answered = 0
        numbers = []
        for q in self.all(path):
            closed = q.closed_at
            if closed is None or closed > known_at:
                continue
            if not period_from <= local_date(closed) <= period_to:
                continue
            figure = results(q, with_texts=False)["satisfaction"]
            if figure is None:
                continue
            satisfied += figure["numerator"]
            answered += figure["denominator"]
            numbers.append(q.number)
        return {
            **Rate(satisfied, answered).to_dict(),
            "insufficient": answered < MINIMUM_SAMPLE,
            "questionnaires": numbers,
        }

    def satisfaction(self, path: str) -> list[dict[str, Any]]:
        """The objective satisfaction figure of each closed questionnaire."""
        return [
            {
                "number": r["number"],
                "title": r["title"],
                "closes_on": r["closes_on"],
                "satisfaction": r["satisfaction"],
            }
            for r in self.public_results(path)
            if r["satisfaction"] is not None
        ]


class Throttled(Protocol):
    settings: Any
    credentials: Any
    questionnaires: Questionnaires


def answer_throttled(
    platform: Throttled,
    path: str,
    number: int,
    code: str,
    answers: Sequence[Any],
    address: str,
) -> None:
    """``answer``, refused while the address is locked; an unknown or spent code
    counts as a failure of the address (the receipt lookup's limits)."""
    settings, store = platform.settings, platform.credentials
    now = platform.questionnaires.app.now()
    key = f"questionnaire-address:{address[:100]}"
    until = store.locked_until(key, now)
    if until is not None:
        raise too_many("此地址", until, now)
    try:
        platform.questionnaires.answer(path, number, code, answers)
    except (CodeUnknownError, CodeSpentError):
        window = timedelta(minutes=settings.receipt_lockout_minutes)
        store.fail(key, now, settings.receipt_address_max_failures, window)
        raise
