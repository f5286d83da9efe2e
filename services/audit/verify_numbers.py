"""The 编号管理 check of ``gongkai audit verify``: every document series' numbers of
a year are exactly 1..n, read from the raw store.

The series aggregate never skips or repeats a number and no event removes one, so a
gap or a repeat in the stored events means a row was deleted or forged: a number
made to disappear, which 编号管理 exists to prevent. A voided number with no issue
before it is the same deletion seen from the voiding side.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from domain.documents.numbering import first_gap, taken_twice, wenhao
from domain.documents.series import DocumentSeries
from services.audit.verify_chain import Finding


@dataclass
class NumberLedger:
    """What the stored series events say: numbers per (series, year)."""

    issued: dict[tuple[UUID, int], list[int]] = field(default_factory=dict)
    voided: list[tuple[UUID, int, int]] = field(default_factory=list)
    tenants: dict[UUID, str] = field(default_factory=dict)
    codes: dict[UUID, str] = field(default_factory=dict)

    def see(self, event: Any) -> None:
        """Take note of one decoded stored event (others are ignored)."""
        if isinstance(event, DocumentSeries.Opened):
            self.tenants[event.originator_id] = event.tenant
            self.codes[event.originator_id] = event.code
        elif isinstance(event, DocumentSeries.NumberIssued):
            key = (event.originator_id, int(event.year))
            self.issued.setdefault(key, []).append(int(event.number))
            self.tenants.setdefault(event.originator_id, event.tenant)
        elif isinstance(event, DocumentSeries.NumberVoided):
            self.voided.append(
                (event.originator_id, int(event.year), int(event.number))
            )

    @property
    def count(self) -> int:
        return sum(len(n) for n in self.issued.values())

    def findings(self, within: Any) -> list[Finding]:
        """A finding per series and year with a gap or a repeat, and per voided
        number never issued; ``within(tenant)`` selects the tenants checked."""
        found: list[Finding] = []
        for (series, year), numbers in sorted(self.issued.items(), key=str):
            tenant = self.tenants.get(series, "?")
            if not within(tenant):
                continue
            gap = first_gap(numbers)
            if gap is not None:
                found.append(self._finding(series, year, gap, "is missing (缺号)"))
            for twice in taken_twice(numbers):
                found.append(self._finding(series, year, twice, "was issued twice"))
        for series, year, number in self.voided:
            issued = self.issued.get((series, year), [])
            if within(self.tenants.get(series, "?")) and number not in issued:
                found.append(
                    self._finding(series, year, number, "is voided but never issued")
                )
        return found

    def _finding(self, series: UUID, year: int, number: int, what: str) -> Finding:
        code = self.codes.get(series, "?")
        return Finding(
            self.tenants.get(series, "?"),
            None,
            "number",
            f"document series {series} ({code}): {wenhao(code, year, number)} {what}",
        )
