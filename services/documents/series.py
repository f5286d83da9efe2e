"""编号管理: a tenant's document series, the number a document takes when it is
issued, voiding with a reason, and the supervisor's view per series and year.

Issuing is not a command of its own: the command that issues a document (a
campaign's 公示 or 通报, a 限期整改通知, a 征收通知书) takes the number with
``numbered`` and saves the series together with its own aggregate, in one atomic
append, so a document is never issued without its number nor a number taken
without its document. A series not opened yet opens at its first issue with a
default 机关代字 (``default_code``); a tenant opens its series first to choose its
own.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.access import Principal, Role, require_read, require_role
from domain.documents.series import (
    KINDS,
    DocumentSeries,
    SeriesExistsError,
    SeriesNotFoundError,
    check_kind,
    series_id,
)
from domain.timeliness import local_date
from services.core.base import GongkaiApplication, recorded

# The tail of a default 机关代字 after the head of the tenant's name: its first
# character for a county (新和县 → 新政公开), its first two below (新和镇 → 新和政公开),
# so that a county and its towns do not share a 文号. A tenant that uses another
# 代字 opens its series first.
DEFAULT_TAILS = {
    "bulletin": "政公开",
    "notice": "政公示",
    "rectification": "政改",
    "levy": "征",
}
WRITERS = (Role.SUPERVISOR, Role.CLERK, Role.ADMIN)


def default_code(tenant_name: str, level: str, kind: str) -> str:
    head = tenant_name[:1] if level == "county" else tenant_name[:2]
    return f"{head}{DEFAULT_TAILS[kind]}"


def numbered(
    app: GongkaiApplication,
    tenant: str,
    kind: str,
    subject: dict[str, str],
    title: str,
    on: date,
    actor: dict[str, str],
) -> DocumentSeries:
    """签发: the tenant's series of ``kind`` with the next number issued to
    ``subject`` (opened with the default code if need be); the caller saves it with
    the document. Call inside ``recorded(app)``."""
    series = app._get(series_id(tenant, kind), DocumentSeries)
    if series is None:
        found = app.read_tenant(tenant)
        code = default_code(found.name, str(found.level), kind)
        series = DocumentSeries.open(tenant=tenant, kind=kind, code=code, actor=actor)
    series.issue(subject=subject, title=title, issued_on=on, actor=actor)
    return series


def number_of(
    app: GongkaiApplication, tenant: str, kind: str, subject: dict[str, str]
) -> dict[str, Any] | None:
    """The 文号 and state of the number ``subject`` took, if it took one:
    ``{"wenhao", "issued_on", "voided"}``."""
    series = app._get(series_id(tenant, kind), DocumentSeries)
    entry = series.for_subject(subject) if series else None
    if series is None or entry is None:
        return None
    return {
        "wenhao": series.wenhao(entry),
        "issued_on": entry["issued_on"],
        "voided": entry["voided"],
    }


class DocumentSeriesBook(GongkaiApplication):
    """Opens series, voids numbers, and shows a tenant's series."""

    def today(self) -> date:
        return local_date(self.now())

    def open(
        self, principal: Principal, path: str, kind: str, code: str
    ) -> tuple[DocumentSeries, int]:
        """Requires a writer of ``path`` and no series of ``kind`` there yet."""
        require_role(principal, path, *WRITERS)
        self.tenant(path)
        if self._get(series_id(path, check_kind(kind)), DocumentSeries) is not None:
            raise SeriesExistsError(f"{path} already has a series of {kind}")
        with recorded(self):
            series = DocumentSeries.open(
                tenant=path, kind=kind, code=code, actor=principal.actor()
            )
        return series, self._commit(series)

    def void(
        self,
        principal: Principal,
        path: str,
        kind: str,
        year: int,
        number: int,
        reason: str,
    ) -> tuple[DocumentSeries, int]:
        """作废 with a reason; the number and its document stay on record."""
        require_role(principal, path, *WRITERS)
        series = self.series(principal, path, kind)
        with recorded(self):
            series.void(
                year=year,
                number=number,
                reason=reason,
                on=self.today(),
                actor=principal.actor(),
            )
        return series, self._commit(series)

    def series(self, principal: Principal, path: str, kind: str) -> DocumentSeries:
        require_read(principal, path)
        found = self._get(series_id(path, check_kind(kind)), DocumentSeries)
        if found is None:
            raise SeriesNotFoundError(f"{path} has no series of {kind}", field="kind")
        return found

    def all_series(self, principal: Principal, path: str) -> list[DocumentSeries]:
        """The tenant's series, one per kind it has issued or opened."""
        require_read(principal, path)
        self.read_tenant(path)
        found = [self._get(series_id(path, kind), DocumentSeries) for kind in KINDS]
        return [s for s in found if s is not None]
