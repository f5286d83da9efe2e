"""问卷调查: a questionnaire a unit designs, opens for a period and closes.

The seed's environment bureau "不定期向社会发放问卷征求意见"; the scenic area collected
questionnaires. The public answers without an account, once per respondent, and the
platform never learns who answered: the unit prints one-time codes (hands them out
on paper), the aggregate keeps only each code's hash, and an answer spends its code
in the same event that records it. The streamed event leaves the hash and the free
text out (``services/streams/cloudevents.py``), so nothing public links an answer to
a code. Results are counts and shares with Wilson intervals, marked 样本不足 under a
minimum sample; the free text is for staff.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from types import MappingProxyType
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import GongkaiAggregate
from domain.cases.stats import Rate
from domain.errors import (
    ConflictError,
    InconsistentInputError,
    InvalidInputError,
    NotFoundError,
)

KINDS: Mapping[str, str] = MappingProxyType(
    {
        "single": "单选",
        "multiple": "多选",
        "scale": "满意度（1–5）",
        "text": "文字意见",
    }
)
SCALE: tuple[str, ...] = ("很不满意", "不满意", "一般", "满意", "很满意")
SATISFIED_FROM = 4  # 满意 and 很满意 count as satisfied
MINIMUM_SAMPLE = 30  # under it the shares are marked 样本不足
MAX_QUESTIONS = 30
MAX_OPTIONS = 10
MAX_TEXT = 500
MAX_CODES = 20000  # per questionnaire
STATES: Mapping[str, str] = MappingProxyType(
    {"designed": "设计中", "open": "征集中", "closed": "已结束"}
)


class CodeUnknownError(NotFoundError):
    """No such code was issued for this questionnaire."""

    slug = "questionnaire-code-unknown"


class CodeSpentError(ConflictError):
    """The code has answered already: one answer per respondent."""

    slug = "questionnaire-code-spent"


class NotOpenError(ConflictError):
    """The questionnaire takes no answers now (not yet open, or closed)."""

    slug = "questionnaire-not-open"


def questionnaire_id(tenant: str, number: int) -> UUID:
    return uuid5(NAMESPACE_URL, f"gongkai:questionnaire:{tenant}:{number}")


def normal_code(code: str) -> str:
    """A code as printed, without spaces or dashes, in capitals."""
    return "".join(c for c in (code or "").upper() if c.isalnum())


def code_hash(questionnaire: UUID, code: str) -> str:
    """The stored form of a one-time code: SHA-256 over the questionnaire's id and
    the code, so equal codes of two questionnaires differ."""
    text = f"{questionnaire}:{normal_code(code)}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _text(value: Any, field: str, most: int) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > most:
        raise InvalidInputError(f"{field} needs 1 to {most} characters", field=field)
    return text


def parse_kind(text: str) -> str:
    key = (text or "").strip()
    for code, label in KINDS.items():
        if key in (code, label):
            return code
    raise InvalidInputError(
        f"unknown question kind {text!r}; use one of {', '.join(KINDS)}",
        field="questions",
    )


def parse_questions(questions: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each question: a kind, a text and, for a choice, 2–10 distinct options."""
    if not 1 <= len(questions) <= MAX_QUESTIONS:
        raise InvalidInputError(
            f"a questionnaire has 1 to {MAX_QUESTIONS} questions", field="questions"
        )
    parsed = []
    for q in questions:
        kind = parse_kind(str(q.get("kind", "")))
        options = [_text(o, "options", 100) for o in q.get("options") or []]
        if kind in ("single", "multiple"):
            if not 2 <= len(options) <= MAX_OPTIONS or len(set(options)) < len(options):
                raise InconsistentInputError(
                    f"a choice has 2 to {MAX_OPTIONS} distinct options",
                    field="options",
                )
        elif options:
            raise InconsistentInputError("only a choice has options", field="options")
        parsed.append(
            {
                "kind": kind,
                "text": _text(q.get("text"), "questions", 200),
                "options": options if kind in ("single", "multiple") else [],
            }
        )
    return parsed


def parse_answers(
    questions: Sequence[Mapping[str, Any]], answers: Sequence[Any]
) -> tuple[list[Any], dict[str, str]]:
    """One answer per question, in order (None skips it): an option's index for a
    single choice, a list of indexes for a multiple, 1–5 for a scale, a text.
    Returns the choices (texts as None) and the texts by question index."""
    if len(answers) != len(questions):
        raise InconsistentInputError(
            f"give {len(questions)} answers, one per question", field="answers"
        )
    choices: list[Any] = []
    texts: dict[str, str] = {}
    for i, (q, a) in enumerate(zip(questions, answers, strict=True)):
        kind = q["kind"]
        bad = InconsistentInputError(
            f"answer {i + 1} does not fit its question", field="answers"
        )
        if a is None or a == [] or a == "":
            choices.append(None)
        elif kind == "single":
            if not isinstance(a, int) or isinstance(a, bool):
                raise bad
            if not 0 <= a < len(q["options"]):
                raise bad
            choices.append(a)
        elif kind == "multiple":
            if not isinstance(a, list) or len(set(a)) < len(a):
                raise bad
            if not all(isinstance(x, int) and 0 <= x < len(q["options"]) for x in a):
                raise bad
            choices.append(sorted(a))
        elif kind == "scale":
            if not isinstance(a, int) or isinstance(a, bool) or not 1 <= a <= 5:
                raise bad
            choices.append(a)
        elif not isinstance(a, str) or not a.strip() or len(a) > MAX_TEXT:
            raise bad
        else:
            texts[str(i)] = a.strip()
            choices.append(None)
    if all(c is None for c in choices) and not texts:
        raise InconsistentInputError("an answer answers something", field="answers")
    return choices, texts


class Questionnaire(GongkaiAggregate):
    """One questionnaire of a tenant, numbered 1, 2, … within it."""

    @staticmethod
    def create_id(tenant: str, number: int, **_: Any) -> UUID:
        return questionnaire_id(tenant, number)

    @event("Designed")
    def __init__(
        self,
        tenant: str,
        number: int,
        title: str,
        purpose: str,
        questions: list[dict[str, Any]],
        minimum_sample: int,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        self.tenant = tenant
        self.number = number
        self.title = title
        self.purpose = purpose
        self.questions = questions
        self.minimum_sample = minimum_sample
        self.state = "designed"
        self.opens_on: date | None = None
        self.closes_on: date | None = None
        self.closed_at: datetime | None = None
        self._codes: frozenset[str] = frozenset()
        self._spent: frozenset[str] = frozenset()
        self.choices: list[list[Any]] = []
        self.texts: list[dict[str, str]] = []

    @classmethod
    def design(
        cls,
        *,
        tenant: str,
        number: int,
        title: str,
        purpose: str,
        questions: Sequence[Mapping[str, Any]],
        minimum_sample: int = MINIMUM_SAMPLE,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> Questionnaire:
        """A new questionnaire: a title, what it asks for, the questions."""
        if not 1 <= minimum_sample <= 1000:
            raise InvalidInputError(
                "the minimum sample lies in 1–1000", field="minimum_sample"
            )
        return cls(
            tenant=tenant,
            number=number,
            title=_text(title, "title", 100),
            purpose=(purpose or "").strip()[:500],
            questions=parse_questions(questions),
            minimum_sample=minimum_sample,
            actor=actor,
            effective_at=effective_at,
        )

    def issue_codes(
        self, hashes: Sequence[str], *, actor: dict[str, str], effective_at: datetime
    ) -> None:
        """Add one-time codes (their hashes) before the questionnaire closes."""
        if self.state == "closed":
            raise NotOpenError("a closed questionnaire takes no codes", field="state")
        fresh = sorted(set(hashes) - self._codes)
        if not fresh or len(self._codes) + len(fresh) > MAX_CODES:
            raise InconsistentInputError(
                f"issue 1 to {MAX_CODES} new codes in all", field="count"
            )
        self._codes_issued(
            hashes=fresh, tenant=self.tenant, actor=actor, effective_at=effective_at
        )

    def open(
        self,
        *,
        opens_on: date,
        closes_on: date,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        """征集: answers are taken from ``opens_on`` to ``closes_on``; once."""
        if self.state != "designed":
            raise ConflictError("this questionnaire was opened", field="state")
        if closes_on < opens_on or (closes_on - opens_on).days > 366:
            raise InconsistentInputError(
                "the period ends after it starts, within a year", field="closes_on"
            )
        self._opened(
            tenant=self.tenant,
            opens_on=opens_on,
            closes_on=closes_on,
            actor=actor,
            effective_at=effective_at,
        )

    def answer(
        self,
        *,
        code: str,
        answers: Sequence[Any],
        today: date,
        effective_at: datetime,
    ) -> None:
        """One answer, spending its code in the same event."""
        if not self.taking_answers(today):
            raise NotOpenError("this questionnaire takes no answers now", field="state")
        hashed = code_hash(self.id, code)
        if hashed not in self._codes:
            raise CodeUnknownError("no such code for this questionnaire", field="code")
        if hashed in self._spent:
            raise CodeSpentError("this code has answered already", field="code")
        choices, texts = parse_answers(self.questions, answers)
        self._answered(
            tenant=self.tenant,
            code_hash=hashed,
            choices=choices,
            texts=texts,
            actor={"id": "public", "tenant": self.tenant},
            effective_at=effective_at,
        )

    def close(self, *, actor: dict[str, str], effective_at: datetime) -> None:
        """结束 and publish the results; once, after opening."""
        if self.state != "open":
            raise NotOpenError("only an open questionnaire closes", field="state")
        self._closed(tenant=self.tenant, actor=actor, effective_at=effective_at)

    def taking_answers(self, today: date) -> bool:
        return (
            self.state == "open"
            and self.opens_on is not None
            and self.closes_on is not None
            and self.opens_on <= today <= self.closes_on
        )

    @event("CodesIssued")
    def _codes_issued(
        self,
        hashes: list[str],
        tenant: str,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        self._codes = self._codes | frozenset(hashes)

    @event("Opened")
    def _opened(
        self,
        tenant: str,
        opens_on: date,
        closes_on: date,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        self.state = "open"
        self.opens_on = opens_on
        self.closes_on = closes_on

    @event("Answered")
    def _answered(
        self,
        tenant: str,
        code_hash: str,
        choices: list[Any],
        texts: dict[str, str],
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        self._spent = self._spent | {code_hash}
        self.choices = [*self.choices, choices]
        if texts:
            self.texts = [*self.texts, texts]

    @event("Closed")
    def _closed(
        self, tenant: str, actor: dict[str, str], effective_at: datetime
    ) -> None:
        self.state = "closed"
        self.closed_at = effective_at

    @property
    def codes_issued(self) -> int:
        return len(self._codes)

    @property
    def codes_spent(self) -> int:
        return len(self._spent)

    def summary(self) -> dict[str, Any]:
        return {
            "tenant": self.tenant,
            "number": self.number,
            "title": self.title,
            "purpose": self.purpose,
            "state": self.state,
            "state_label": STATES[self.state],
            "opens_on": self.opens_on.isoformat() if self.opens_on else None,
            "closes_on": self.closes_on.isoformat() if self.closes_on else None,
            "answers": len(self.choices),
            "minimum_sample": self.minimum_sample,
            "questions": [
                {**q, "kind_label": KINDS[q["kind"]]} for q in self.questions
            ],
        }


def _share(count: int, n: int, minimum: int) -> dict[str, Any]:
    return {**Rate(count, n).to_dict(), "insufficient": n < minimum}


def question_results(
    question: Mapping[str, Any],
    index: int,
    choices: Sequence[Sequence[Any]],
    minimum: int,
) -> dict[str, Any]:
    """Counts and shares of one question over the answers that answered it."""
    given = [c[index] for c in choices if c[index] is not None]
    n = len(given)
    kind = question["kind"]
    out: dict[str, Any] = {
        "text": question["text"],
        "kind": kind,
        "kind_label": KINDS[kind],
        "answered": n,
        "insufficient": n < minimum,
    }
    if kind in ("single", "multiple"):
        counts = [0] * len(question["options"])
        for g in given:
            for x in g if isinstance(g, list) else [g]:
                counts[x] += 1
        out["options"] = [
            {"label": label, "count": k, "share": _share(k, n, minimum)}
            for label, k in zip(question["options"], counts, strict=True)
        ]
    elif kind == "scale":
        out["options"] = [
            {
                "label": f"{v} {SCALE[v - 1]}",
                "count": given.count(v),
                "share": _share(given.count(v), n, minimum),
            }
            for v in range(1, 6)
        ]
        out["mean"] = round(sum(given) / n, 2) if n else None
        satisfied = sum(1 for g in given if g >= SATISFIED_FROM)
        out["satisfied"] = _share(satisfied, n, minimum)
    return out


def results(q: Questionnaire, *, with_texts: bool) -> dict[str, Any]:
    """The questionnaire's results; the free text only ``with_texts`` (staff)."""
    questions = [
        question_results(question, i, q.choices, q.minimum_sample)
        for i, question in enumerate(q.questions)
    ]
    if with_texts:
        for i, out in enumerate(questions):
            if out["kind"] == "text":
                out["texts"] = [t[str(i)] for t in q.texts if str(i) in t]
                out["answered"] = len(out["texts"])
                out["insufficient"] = out["answered"] < q.minimum_sample
    return {
        **q.summary(),
        "results": questions,
        "satisfaction": satisfaction(questions),
    }


def satisfaction(questions: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """The objective figure for assessment: the share of 满意 and 很满意 on the
    first satisfaction question, with its interval; None without one."""
    for out in questions:
        if out["kind"] == "scale":
            return {
                "question": out["text"],
                "mean": out["mean"],
                **out["satisfied"],
            }
    return None
