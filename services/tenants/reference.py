"""Reference-data commands: a county's own catalogue, and next year's holidays."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from domain.access import Principal, Role, require_role
from domain.cases.service_catalogue import ServiceEntry
from domain.disclosures.catalogue import CatalogueEntry, parse_catalogue_csv
from domain.errors import (
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    InvalidScheduleError,
)
from domain.reference import (
    CaseRules,
    CountyCatalogue,
    HolidaySchedules,
    TenantServices,
    case_rules_id,
    services_id,
)
from domain.tenancy import Level
from domain.workdays import BUNDLED_YEARS, YearSchedule
from services.core.base import GongkaiApplication, recorded


class ReferenceData(GongkaiApplication):
    """Loads catalogues and holiday schedules, each load a versioned event."""

    def load_catalogue(
        self, principal: Principal, county_path: str, csv_text: str, source: str
    ) -> tuple[int, int, tuple[CatalogueEntry, ...]]:
        """Load a county's 标准目录 CSV on top of the defaults.

        Returns (catalogue version, position, entries loaded).
        """
        if not principal.is_installation_admin:
            require_role(principal, county_path, Role.ADMIN, Role.SUPERVISOR)
        county = self.tenant(county_path)
        if county.level is not Level.COUNTY:
            raise ForbiddenError("only a county loads its own catalogue")
        entries = parse_catalogue_csv(csv_text)
        existing = self.county_catalogue(county_path)
        with recorded(self):
            if existing is None:
                catalogue = CountyCatalogue.first_load(
                    county=county_path,
                    entries=entries,
                    source=source,
                    actor=principal.actor(),
                    effective_at=self.now(),
                )
            else:
                catalogue = existing
                catalogue.load(
                    entries=entries,
                    source=source,
                    actor=principal.actor(),
                    effective_at=self.now(),
                )
        position = self._commit(catalogue)
        return catalogue.loads, position, entries

    def upload_holidays(
        self,
        principal: Principal,
        tenant_path: str,
        *,
        year: int,
        holidays: Sequence[date | str],
        workdays: Sequence[date | str],
        source: str = "",
    ) -> tuple[YearSchedule, int]:
        """A county supervisor uploads a year's official schedule (国务院办公厅通知)."""
        if not principal.is_installation_admin:
            require_role(principal, tenant_path, Role.SUPERVISOR, Role.ADMIN)
        if self.tenant(tenant_path).level is not Level.COUNTY:
            raise ForbiddenError("holiday schedules are uploaded at county level")
        if year in BUNDLED_YEARS:
            raise InvalidScheduleError(
                f"the calendar package already holds the official {year} schedule; "
                "only years it does not know can be uploaded",
                field="year",
            )
        schedule = YearSchedule.build(year, holidays, workdays, source=source)
        schedules = self._get(HolidaySchedules.create_id(), HolidaySchedules)
        uploaded = {s.year for s in schedules.schedules} if schedules else set()
        if year in uploaded and not principal.is_installation_admin:
            # The schedule is national: one county may not silently replace it.
            raise ConflictError(
                f"the {year} schedule was already uploaded; only the installation "
                "admin may replace it",
                field="year",
            )
        with recorded(self):
            if schedules is None:
                schedules = HolidaySchedules(
                    tenant=tenant_path, actor=principal.actor(), effective_at=self.now()
                )
            schedules.upload(
                schedule,
                tenant=tenant_path,
                actor=principal.actor(),
                effective_at=self.now(),
            )
        return schedule, self._commit(schedules)

    def load_services(
        self, principal: Principal, path: str, entries: Sequence[dict[str, object]]
    ) -> tuple[int, int, tuple[ServiceEntry, ...]]:
        """A tenant edits its service promises (materials, departments, working
        days) on top of the defaults. Returns (version, position, merged)."""
        require_role(principal, path, Role.ADMIN, Role.SUPERVISOR)
        self.tenant(path)
        parsed = []
        for i, data in enumerate(entries):
            try:
                parsed.append(ServiceEntry.from_dict(data))
            except InvalidInputError as e:
                raise InvalidInputError(
                    e.detail, field=f"entries[{i}].{e.field}"
                ) from None
        existing = self._get(services_id(path), TenantServices)
        with recorded(self):
            own = existing or TenantServices(
                tenant=path, actor=principal.actor(), effective_at=self.now()
            )
            own.load(parsed, actor=principal.actor(), effective_at=self.now())
            merged = own.merged()
        return own.loads, self._commit(own), merged

    def set_case_rules(
        self,
        principal: Principal,
        path: str,
        *,
        max_extensions: int,
        basically_satisfied_counts: bool,
    ) -> CaseRules:
        """A tenant's admin or supervisor sets its case rules (inherited below)."""
        require_role(principal, path, Role.ADMIN, Role.SUPERVISOR)
        self.tenant(path)
        existing = self._get(case_rules_id(path), CaseRules)
        with recorded(self):
            rules = existing or CaseRules(
                tenant=path, actor=principal.actor(), effective_at=self.now()
            )
            rules.set(
                max_extensions=max_extensions,
                basically_satisfied_counts=basically_satisfied_counts,
                actor=principal.actor(),
                effective_at=self.now(),
            )
        self._commit(rules)
        return rules

    def services_version(self, path: str) -> int:
        own = self._get(services_id(path), TenantServices)
        return own.loads if own else 0

    def known_years(self) -> list[dict[str, object]]:
        """Every year the calendar knows, and where its schedule came from."""
        schedules = self._get(HolidaySchedules.create_id(), HolidaySchedules)
        uploaded = {s.year: s for s in schedules.schedules} if schedules else {}
        years: list[dict[str, object]] = [
            {"year": y, "source": "chinese-calendar"}
            for y in sorted(BUNDLED_YEARS)
            if y not in uploaded
        ]
        years += [
            {"year": y, "source": s.source or "uploaded"} for y, s in uploaded.items()
        ]
        return sorted(years, key=lambda item: int(str(item["year"])))
