"""Reference data kept as events: county catalogues and uploaded holiday schedules."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import GongkaiAggregate
from domain.cases.service_catalogue import (
    DEFAULT_SERVICES,
    ServiceEntry,
    merge_services,
)
from domain.disclosures.catalogue import (
    CatalogueEntry,
    merge_catalogues,
)
from domain.disclosures.catalogue_defaults import DEFAULT_CATALOGUE
from domain.errors import InvalidInputError
from domain.workdays import WorkingDayCalendar, YearSchedule


@lru_cache(maxsize=65_536)  # derived on every command; uuid5 hashes each time
def catalogue_id(county: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"gongkai:catalogue:{county}")


CALENDAR_ID = uuid5(NAMESPACE_URL, "gongkai:holiday-schedules")


class CountyCatalogue(GongkaiAggregate):
    """A county's own 标准目录 on top of the defaults; each load is a version."""

    @staticmethod
    def create_id(county: str, **_: Any) -> UUID:
        return catalogue_id(county)

    @classmethod
    def first_load(
        cls,
        *,
        county: str,
        entries: Sequence[CatalogueEntry],
        source: str,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> CountyCatalogue:
        catalogue = cls(
            county=county, tenant=county, actor=actor, effective_at=effective_at
        )
        catalogue.load(
            entries=entries, source=source, actor=actor, effective_at=effective_at
        )
        return catalogue

    @event("Started")
    def __init__(
        self, county: str, tenant: str, actor: dict[str, str], effective_at: datetime
    ) -> None:
        self.county = county
        self.tenant = tenant
        self._entries: list[dict[str, Any]] = []
        self.loads = 0

    def load(
        self,
        *,
        entries: Sequence[CatalogueEntry],
        source: str,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        """Replace the county's overlay with ``entries`` (a new catalogue version)."""
        self._loaded(
            tenant=self.county,
            entries=[e.to_dict() for e in entries],
            source=source,
            actor=actor,
            effective_at=effective_at,
        )

    @event("Loaded")
    def _loaded(
        self,
        tenant: str,
        entries: list[dict[str, Any]],
        source: str,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        self._entries = entries
        self.loads += 1

    @property
    def overlay(self) -> tuple[CatalogueEntry, ...]:
        return tuple(CatalogueEntry.from_dict(e) for e in self._entries)

    def merged(self) -> tuple[CatalogueEntry, ...]:
        return merge_catalogues(DEFAULT_CATALOGUE, self.overlay)


class HolidaySchedules(GongkaiAggregate):
    """Official holiday schedules for years the calendar package does not know."""

    @staticmethod
    def create_id(**_: Any) -> UUID:
        return CALENDAR_ID

    @event("Started")
    def __init__(
        self, tenant: str, actor: dict[str, str], effective_at: datetime
    ) -> None:
        self.tenant = tenant
        self._years: dict[str, dict[str, Any]] = {}

    def upload(
        self,
        schedule: YearSchedule,
        *,
        tenant: str,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        self._uploaded(
            schedule=schedule.to_dict(),
            tenant=tenant,
            actor=actor,
            effective_at=effective_at,
        )

    @event("YearUploaded")
    def _uploaded(
        self,
        schedule: dict[str, Any],
        tenant: str,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        self._years[str(schedule["year"])] = schedule

    @property
    def schedules(self) -> tuple[YearSchedule, ...]:
        return tuple(YearSchedule.from_dict(s) for _, s in sorted(self._years.items()))

    def calendar(self) -> WorkingDayCalendar:
        return WorkingDayCalendar(extra=self.schedules)


@lru_cache(maxsize=65_536)  # derived on every command; uuid5 hashes each time
def services_id(tenant: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"gongkai:services:{tenant}")


class TenantServices(GongkaiAggregate):
    """A tenant's own service promises (服务承诺), edited on top of the defaults."""

    @staticmethod
    def create_id(tenant: str, **_: Any) -> UUID:
        return services_id(tenant)

    @event("Started")
    def __init__(
        self, tenant: str, actor: dict[str, str], effective_at: datetime
    ) -> None:
        self.tenant = tenant
        self._entries: list[dict[str, Any]] = []
        self.loads = 0

    def load(
        self,
        entries: Sequence[ServiceEntry],
        *,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        """Replace the tenant's overlay (a new version of its promises)."""
        self._loaded(
            tenant=self.tenant,
            entries=[e.to_dict() for e in entries],
            actor=actor,
            effective_at=effective_at,
        )

    @event("Loaded")
    def _loaded(
        self,
        tenant: str,
        entries: list[dict[str, Any]],
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        self._entries = entries
        self.loads += 1

    def merged(self) -> tuple[ServiceEntry, ...]:
        overlay = [ServiceEntry.from_dict(e) for e in self._entries]
        return merge_services(DEFAULT_SERVICES, overlay)


@lru_cache(maxsize=65_536)  # derived on every command; uuid5 hashes each time
def case_rules_id(tenant: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"gongkai:case-rules:{tenant}")


MAX_EXTENSIONS_LIMIT = 5


class CaseRules(GongkaiAggregate):
    """A tenant's own rules for cases: how many extensions a case may have, and
    whether 基本满意 counts as satisfied. Descendants inherit them."""

    @staticmethod
    def create_id(tenant: str, **_: Any) -> UUID:
        return case_rules_id(tenant)

    @event("Started")
    def __init__(
        self, tenant: str, actor: dict[str, str], effective_at: datetime
    ) -> None:
        self.tenant = tenant
        self.max_extensions = 1
        self.basically_satisfied_counts = True

    def set(
        self,
        *,
        max_extensions: int,
        basically_satisfied_counts: bool,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        if isinstance(max_extensions, bool) or not (
            0 <= max_extensions <= MAX_EXTENSIONS_LIMIT
        ):
            raise InvalidInputError(
                f"max_extensions must be 0 to {MAX_EXTENSIONS_LIMIT}",
                field="max_extensions",
            )
        self._set(
            tenant=self.tenant,
            max_extensions=max_extensions,
            basically_satisfied_counts=basically_satisfied_counts,
            actor=actor,
            effective_at=effective_at,
        )

    @event("Set")
    def _set(
        self,
        tenant: str,
        max_extensions: int,
        basically_satisfied_counts: bool,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        self.max_extensions = max_extensions
        self.basically_satisfied_counts = basically_satisfied_counts
