"""A tenant's annual report for one year: written sections, recorded inputs, and
its publication as a disclosure.

Sections 一, 五 and 六 are text the office writes; table 二's numbers that the log
cannot know (文件废止, 处理决定数量, 收费金额) are inputs. Each write is an event with
its author, so the draft has history; publishing links the disclosure it became.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import GongkaiAggregate
from domain.errors import InconsistentInputError, InvalidInputError
from domain.reporting.annual import PROACTIVE_INPUTS, SECTIONS, WRITTEN_SECTIONS

Actor = dict[str, str]
MAX_SECTION_TEXT = 20_000
MAX_INPUT = 10**9
INPUT_NAMES = tuple(sorted(PROACTIVE_INPUTS))


def report_id(tenant: str, year: int) -> UUID:
    return uuid5(NAMESPACE_URL, f"gongkai:annual-report:{tenant}:{year}")


def check_year(year: int) -> int:
    if not 2000 <= year <= 2100:
        raise InvalidInputError(f"year {year} is out of range", field="year")
    return year


def check_section(
    section: int, text: str | None, inputs: Mapping[str, Any]
) -> tuple[str | None, dict[str, float]]:
    """Requires a section of the format; text only for 一/五/六, inputs only for 二
    (codes like ``fees.amount``, numbers ≥ 0)."""
    if section not in SECTIONS:
        raise InvalidInputError(f"no section {section} (1–6)", field="section")
    if text is not None:
        text = text.strip()
        if section not in WRITTEN_SECTIONS:
            raise InconsistentInputError(
                f"section {section} is computed; only 1, 5 and 6 take text",
                field="text",
            )
        if len(text) > MAX_SECTION_TEXT:
            raise InvalidInputError("text is too long", field="text")
    clean: dict[str, float] = {}
    for code, value in inputs.items():
        if code not in PROACTIVE_INPUTS:
            allowed = ", ".join(sorted(PROACTIVE_INPUTS))
            raise InvalidInputError(
                f"unknown input {code!r}; section 2 takes {allowed}", field="inputs"
            )
        if section != 2:
            raise InconsistentInputError(
                f"section {section} takes no inputs; section 2 does", field="inputs"
            )
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidInputError(f"{code} is not a number", field="inputs")
        if not 0 <= value <= MAX_INPUT:
            raise InvalidInputError(f"{code} is out of range", field="inputs")
        clean[code] = value
    if text is None and not clean:
        raise InvalidInputError("give text or inputs", field="text")
    return text, clean


class AnnualReport(GongkaiAggregate):
    """The drafts of one tenant's report for one year."""

    @classmethod
    def create_id(cls, tenant: str, year: int, **_: Any) -> UUID:
        return report_id(tenant, year)

    @event("Started")
    def __init__(self, tenant: str, year: int, actor: Actor, effective_at: datetime):
        self.tenant = tenant
        self.year = year
        self.sections: dict[str, str] = {}
        self.inputs: dict[str, float] = {}
        self.published: dict[str, Any] | None = None
        self.effective_at = effective_at

    def write(
        self,
        *,
        section: int,
        text: str | None,
        inputs: Mapping[str, Any],
        actor: Actor,
        effective_at: datetime,
    ) -> None:
        """Record a section's text and/or table 二's inputs (a later write wins)."""
        body, values = check_section(section, text, inputs)
        self._section_written(
            tenant=self.tenant,
            section=section,
            text=body,
            inputs=values,
            actor=actor,
            effective_at=effective_at,
        )

    @event("SectionWritten")
    def _section_written(
        self,
        tenant: str,
        section: int,
        text: str | None,
        inputs: dict[str, float],
        actor: Actor,
        effective_at: datetime,
    ) -> None:
        if text is not None:
            self.sections = {**self.sections, str(section): text}
        self.inputs = {**self.inputs, **inputs}
        self.effective_at = effective_at

    def publish(
        self,
        *,
        disclosure_id: UUID,
        revision: bool,
        actor: Actor,
        effective_at: datetime,
    ) -> None:
        """Link the disclosure the report was published (or revised) as."""
        self._published(
            tenant=self.tenant,
            disclosure_id=disclosure_id,
            revision=revision,
            actor=actor,
            effective_at=effective_at,
        )

    @event("Published")
    def _published(
        self,
        tenant: str,
        disclosure_id: UUID,
        revision: bool,
        actor: Actor,
        effective_at: datetime,
    ) -> None:
        # ``first_on`` stays the first publication's moment (a correction moves
        # ``on``): whether the report was late is read from it.
        first = (self.published or {}).get("first_on") or (self.published or {}).get(
            "on"
        )
        self.published = {
            "disclosure_id": str(disclosure_id),
            "on": effective_at.isoformat(),
            "first_on": first or effective_at.isoformat(),
        }
        self.effective_at = effective_at
