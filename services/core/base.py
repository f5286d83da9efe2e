"""The application base every Gongkai command handler extends.

All applications share one name, hence one event table: the whole installation is one
totally ordered log whose notification ids the projections, the audit log and the relay
all follow. Commands take primitives (tenant path first), run get → command → save,
and return the notification position of their last event (for read-your-writes).
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    IntegrityError,
    Recording,
    Transcoder,
    Transcoding,
)
from eventsourcing.utils import EnvType

from domain.base import Clock, recording_clock
from domain.cases.service_catalogue import DEFAULT_SERVICES, ServiceEntry
from domain.disclosures.catalogue import CatalogueEntry, entries_for
from domain.errors import (
    ConflictError,
    GongkaiError,
    TenantNotFoundError,
    VersionMismatchError,
)
from domain.reference import (
    CALENDAR_ID,
    CaseRules,
    CountyCatalogue,
    HolidaySchedules,
    TenantServices,
    case_rules_id,
    catalogue_id,
    services_id,
)
from domain.tenancy import Tenant, ancestors_of, tenant_id
from domain.workdays import WorkingDayCalendar
from infra.pgrecorder import VersionsMovedError
from services.core.refcache import ReferenceCache

Stamp = dict[str, Any]
"""The actor and ``effective_at`` of one command, passed to each of its events."""

APP_NAME = "gongkai"

A = TypeVar("A", bound=Aggregate)
F = TypeVar("F", bound=Callable[..., Any])


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


def system_clock() -> datetime:
    return datetime.now(UTC)


class GongkaiApplication(Application[UUID]):
    """Shared wiring: one log, the injected clock, date transcoding, typed lookups."""

    name = APP_NAME

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Every subclass writes to and reads from the one shared log."""
        super().__init_subclass__(**kwargs)
        cls.name = APP_NAME

    def __init__(self, env: EnvType | None = None, clock: Clock | None = None) -> None:
        super().__init__(env)
        self.clock: Clock = clock or system_clock
        self.references = ReferenceCache(self.recorder)

    def register_transcodings(self, transcoder: Transcoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def now(self) -> datetime:
        return self.clock()

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """Save; inside ``rules_checked_at_append`` the rule versions the command
        decided on go with the append, which records nothing if one moved."""
        expected = self.references.take_deferred()
        if expected is not None:
            kwargs["expected_versions"] = expected
        return super().save(*objs, **kwargs)

    def _commit(self, *aggregates: Aggregate) -> int:
        """Save atomically; a lost race on a version is a 409, never a 500."""
        try:
            recordings = self.save(*aggregates)
        except IntegrityError as e:
            raise ConflictError(
                "someone else changed this at the same moment; reload and try again"
            ) from e
        return recordings[-1].notification.id if recordings else 0

    def _get(self, aggregate_id: UUID, cls: type[A]) -> A | None:
        try:
            aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        return aggregate if isinstance(aggregate, cls) else None

    def rules_scope(self, path: str) -> AbstractContextManager[None]:
        """One version check for every rule a command at ``path`` may read: its
        tenant, county catalogue, the calendar, and the service promises and case
        rules at it and above (refcache.py)."""
        chain = [path, *reversed(ancestors_of(path))]
        ids = [
            tenant_id(path),
            catalogue_id(path.split(".", 1)[0]),
            CALENDAR_ID,
            *(services_id(p) for p in chain),
            *(case_rules_id(p) for p in chain),
        ]
        return self.references.scope(ids)

    def read_scope(self, paths: Sequence[str]) -> AbstractContextManager[None]:
        """One version check for what a query over ``paths`` shows with its rows:
        each tenant, its county's catalogue and the calendar (instead of a check
        per look-up: a round trip each)."""
        counties = sorted({p.split(".", 1)[0] for p in paths})
        ids = [
            *(tenant_id(p) for p in paths),
            *(catalogue_id(c) for c in counties),
            CALENDAR_ID,
        ]
        return self.references.scope(ids)

    def tenant(self, path: str) -> Tenant:
        """The tenant at ``path``; unknown paths are 404s. A copy: callers may
        change it and save."""
        return copy.deepcopy(self.read_tenant(path))

    def read_tenant(self, path: str) -> Tenant:
        """The tenant at ``path`` as cached, to read only (no copy); 404 if none."""
        tid = tenant_id(path)
        found = self.references.get(
            ("tenant", path), [tid], lambda: self._get(tid, Tenant)
        )
        if found is None:
            raise TenantNotFoundError(f"tenant {path!r} not found", field="path")
        return found

    def calendar(self) -> WorkingDayCalendar:
        """The working-day calendar with every uploaded holiday schedule."""

        def build() -> WorkingDayCalendar:
            schedules = self._get(CALENDAR_ID, HolidaySchedules)
            return schedules.calendar() if schedules else WorkingDayCalendar()

        return self.references.get("calendar", [CALENDAR_ID], build)

    def _nearest(
        self, path: str, make_id: Callable[[str], UUID], cls: type[A]
    ) -> A | None:
        """The tenant-scoped setting at ``path``, else at its nearest ancestor."""
        ids = [make_id(c) for c in [path, *reversed(ancestors_of(path))]]

        def find() -> A | None:
            for aggregate_id in ids:
                own = self._get(aggregate_id, cls)
                if own is not None:
                    return own
            return None

        return self.references.get(("nearest", cls.__name__, path), ids, find)

    def services_for(self, path: str) -> tuple[ServiceEntry, ...]:
        """The service promises in force for ``path``: the nearest edited ones at or
        above it, else the defaults of the service-centre plan."""
        own = self._nearest(path, services_id, TenantServices)
        return own.merged() if own is not None else DEFAULT_SERVICES

    def case_rules_for(self, path: str) -> CaseRules | None:
        """The case rules in force for ``path``: the nearest set at or above it."""
        return self._nearest(path, case_rules_id, CaseRules)

    def county_catalogue(self, county: str) -> CountyCatalogue | None:
        return self._get(catalogue_id(county), CountyCatalogue)

    def catalogue_for(self, tenant: Tenant) -> tuple[CatalogueEntry, ...]:
        """Entries that apply to ``tenant``: its county's catalogue, else defaults."""

        def derive() -> tuple[CatalogueEntry, ...]:
            own = self.county_catalogue(tenant.county)
            return (
                entries_for(tenant.catalogue_kind, own.merged())
                if own
                else entries_for(tenant.catalogue_kind)
            )

        key = ("catalogue", tenant.county, tenant.catalogue_kind)
        return self.references.get(key, [catalogue_id(tenant.county)], derive)


def rules_checked_at_append(method: F) -> F:
    """A command whose rule look-ups are checked by its append, not before it.

    The first attempt decides on the reference versions this process last saw
    and its save sends them along (refcache.py): one round trip for check and
    append. If one moved, nothing was recorded and the command runs again with
    the check up front. A refusal (GongkaiError) or an end without a save checks
    before it answers, and runs again if a rule moved. So the command must be
    safe to run twice when its first attempt recorded nothing (every command is:
    nothing outside the log changes before the save, or it is undone on failure).
    """

    @functools.wraps(method)
    def command(self: GongkaiApplication, *args: Any, **kwargs: Any) -> Any:
        refs = self.references
        if not refs.checks_at_append or refs.deferring:
            return method(self, *args, **kwargs)
        try:
            with refs.checking_at_append():
                try:
                    result = method(self, *args, **kwargs)
                except GongkaiError:
                    if not refs.deferred_moved():
                        raise
                else:
                    if not refs.deferred_moved():
                        return result
        except VersionsMovedError:
            pass
        refs.decided_again += 1
        return method(self, *args, **kwargs)

    return cast("F", command)


@dataclass(frozen=True)
class Changed:
    """What a command returns: the aggregate, its new version and the log position."""

    id: UUID
    version: int
    position: int


def check_expected_version(aggregate: Aggregate, expected: int | None) -> None:
    """Optimistic concurrency for ``If-Match``: a stale version is a 409."""
    if expected is not None and expected != aggregate.version:
        raise VersionMismatchError(expected=expected, current=aggregate.version)


def recorded(app: GongkaiApplication) -> Any:
    """Stamp the events of one command with the application's clock."""
    return recording_clock(app.clock)
