"""Disclosure commands: publish, revise and withdraw items (公开事项)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from domain.access import Principal, Role, require_read, require_role
from domain.disclosures.catalogue import CatalogueEntry
from domain.disclosures.disclosure import Attachment, Disclosure, check_dates
from domain.errors import DisclosureNotFoundError, UnknownCategoryError
from domain.tenancy import Tenant
from domain.timeliness import (
    DEFAULT_BACKDATING_WINDOW,
    Backdating,
    Timeliness,
    check_backdating,
    disclosure_timeliness,
    local_date,
    local_noon,
)
from domain.workdays import WorkingDayCalendar
from services.core.base import (
    Changed,
    GongkaiApplication,
    check_expected_version,
    recorded,
    rules_checked_at_append,
)


@dataclass(frozen=True)
class Published:
    """What a clerk learns on publishing: the id, version and reckoned timeliness."""

    id: UUID
    version: int
    position: int
    timeliness: Timeliness
    backdating: Backdating


def check_category(
    code: str, entries: Sequence[CatalogueEntry], tenant: Tenant
) -> None:
    if not any(e.code == code for e in entries):
        allowed = ", ".join(e.code for e in entries)
        raise UnknownCategoryError(
            f"category {code!r} is not in the catalogue for a {tenant.catalogue_kind} "
            f"({tenant.path}); allowed: {allowed}",
            field="category",
        )


class Disclosures(GongkaiApplication):
    """Records what tenants make public."""

    backdating_window = DEFAULT_BACKDATING_WINDOW

    @rules_checked_at_append
    def publish(
        self,
        principal: Principal,
        tenant_path: str,
        *,
        category: str,
        title: str,
        body: str,
        channels: Sequence[str],
        formed_on: date,
        published_on: date | None = None,
        attachments: Sequence[Attachment] = (),
        late_reason: str | None = None,
    ) -> Published:
        """Publish an item; ``published_on`` defaults to today (China time)."""
        require_role(principal, tenant_path, Role.CLERK)
        with self.rules_scope(tenant_path):
            tenant = self.read_tenant(tenant_path)
            check_category(category, self.catalogue_for(tenant), tenant)
            calendar = self.calendar()
        now = self.now()
        day = published_on or local_date(now)
        effective_at = now if day == local_date(now) else local_noon(day)
        check_dates(formed_on, day)
        backdating = self._backdating(
            effective_at, now, calendar, late_reason, "published_on"
        )
        timeliness = disclosure_timeliness(formed_on, day, calendar)
        with recorded(self):
            disclosure = Disclosure.publish(
                tenant=tenant_path,
                category=category,
                title=title,
                body=body,
                channels=channels,
                formed_on=formed_on,
                published_on=day,
                attachments=attachments,
                timeliness=timeliness,
                backdating=backdating,
                actor=principal.actor(),
                effective_at=effective_at,
            )
        position = self._commit(disclosure)
        return Published(
            disclosure.id, disclosure.version, position, timeliness, backdating
        )

    @rules_checked_at_append
    def revise(
        self,
        principal: Principal,
        tenant_path: str,
        disclosure_id: UUID,
        *,
        reason: str,
        title: str | None = None,
        body: str | None = None,
        channels: Sequence[str] | None = None,
        category: str | None = None,
        attachments: Sequence[Attachment] | None = None,
        effective_at: datetime | None = None,
        late_reason: str | None = None,
        expected_version: int | None = None,
    ) -> Changed:
        """Correct an item (更正); ``effective_at`` defaults to now."""
        require_role(principal, tenant_path, Role.CLERK)
        disclosure = self.disclosure(principal, tenant_path, disclosure_id)
        check_expected_version(disclosure, expected_version)
        if category is not None:
            tenant = self.read_tenant(tenant_path)
            check_category(category, self.catalogue_for(tenant), tenant)
        now = self.now()
        when = effective_at or now
        backdating = self._backdating(when, now, self.calendar(), late_reason)
        with recorded(self):
            disclosure.revise(
                reason=reason,
                title=title,
                body=body,
                channels=channels,
                category=category,
                attachments=attachments,
                backdating=backdating,
                actor=principal.actor(),
                effective_at=when,
            )
        position = self._commit(disclosure)
        return Changed(disclosure.id, disclosure.version, position)

    @rules_checked_at_append
    def withdraw(
        self,
        principal: Principal,
        tenant_path: str,
        disclosure_id: UUID,
        *,
        reason: str,
        personal_data: bool = False,
        effective_at: datetime | None = None,
        late_reason: str | None = None,
        expected_version: int | None = None,
    ) -> Changed:
        """Take an item down (撤回); it stays in the history. ``personal_data``:
        withdrawn because it discloses personal data (涉及个人隐私); its content is
        then withheld from the streams and lists too."""
        require_role(principal, tenant_path, Role.CLERK)
        disclosure = self.disclosure(principal, tenant_path, disclosure_id)
        check_expected_version(disclosure, expected_version)
        now = self.now()
        when = effective_at or now
        backdating = self._backdating(when, now, self.calendar(), late_reason)
        with recorded(self):
            disclosure.withdraw(
                reason=reason,
                personal_data=personal_data,
                backdating=backdating,
                actor=principal.actor(),
                effective_at=when,
            )
        position = self._commit(disclosure)
        return Changed(disclosure.id, disclosure.version, position)

    def disclosure(
        self, principal: Principal, tenant_path: str, disclosure_id: UUID
    ) -> Disclosure:
        """The item, if it belongs to ``tenant_path`` and the caller may read it."""
        require_read(principal, tenant_path)
        found = self._get(disclosure_id, Disclosure)
        if found is None or found.tenant != tenant_path:
            raise DisclosureNotFoundError(
                f"disclosure {disclosure_id} not found in {tenant_path!r}", field="id"
            )
        return found

    def _backdating(
        self,
        effective_at: datetime,
        now: datetime,
        calendar: WorkingDayCalendar,
        late_reason: str | None,
        field: str = "effective_at",
    ) -> Backdating:
        return check_backdating(
            effective_at,
            now,
            window=self.backdating_window,
            calendar=calendar,
            reason=late_reason,
            field=field,
        )
