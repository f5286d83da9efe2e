"""Builds the running platform from settings: applications, views, projection runners.

The only place that knows which view class serves which store, so the API, the CLI
and the tests all get the same wiring.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from eventsourcing.application import Application
from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.projection import ProjectionRunner
from eventsourcing.utils import Environment

from domain.base import Clock
from infra.credentials import CredentialStore
from infra.keys import KeyStore
from infra.mirror_store import MirrorStore
from infra.passwords import Passwords
from infra.runlock import ProjectionLock
from infra.settings import Settings, check_follower_budget
from infra.vault import PersonalDataVault
from projections.cases import CaseProjection
from projections.disclosures import (
    DisclosureProjection,
)
from projections.sql import SqlView
from projections.staff import StaffProjection
from projections.tenant_directory import (
    TenantDirectory,
)
from services.assessment.campaigns import Campaigns
from services.assessment.conduct import Conduct
from services.assessment.rankings import Rankings
from services.assessment.statements import Statements
from services.audit.auditor import Auditor
from services.audit.witness import WitnessEndpoint
from services.cases.commands import Cases
from services.core.base import APP_NAME, GongkaiApplication
from services.core.batches import (
    BatchingProjectionRunner,
)
from services.core.views import (
    AUDIT,
    AUDIT_NAME,
    CASES_NAME,
    PROJECTIONS,
    ProjectionSpec,
)
from services.disclosures.commands import Disclosures
from services.documents.series import DocumentSeriesBook
from services.fees.levies import Levies
from services.inspection.commands import Inspections
from services.participation.meetings import Meetings
from services.participation.questionnaires import Questionnaires
from services.participation.remediation import Remediation
from services.participation.supervisors import Supervisors
from services.people.clients import Clients
from services.people.signin import SignIns
from services.people.staff import Staff
from services.platform.followers import (
    AuditFollower,
    Checkpointer,
    MirrorFollower,
    Worker,
    append_if_unfollowed,
)
from services.platform.reads import Reads
from services.platform.rebuild import REBUILD_PAGE, rebuild_all
from services.platform.watchdog import Watchdog
from services.powers.commands import PowerLists
from services.reporting.annual_reports import AnnualReports
from services.streams.cloudevents import families
from services.tenants.commands import Tenants
from services.tenants.reference import ReferenceData

log = logging.getLogger("gongkai.runtime")


WAIT_FIRST_SECONDS = 0.002
WAIT_MAX_SECONDS = 0.05


class Platform:
    """The applications and views of one installation, for one process."""

    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.env = settings.eventsourcing_env()
        CaseProjection.bind(
            self.env, GongkaiApplication
        )  # cases rebuilt from this store
        self.clock = clock
        self.tenants = Tenants(env=self.env, clock=clock)
        self.disclosures = Disclosures(env=self.env, clock=clock)
        self.disclosures.backdating_window = settings.backdating_window_working_days
        self.reference = ReferenceData(env=self.env, clock=clock)
        self._factories: list[InfrastructureFactory[Any]] = []
        self.views: dict[str, SqlView] = {
            spec.name: self.construct_view(spec) for spec in PROJECTIONS
        }
        self.views[AUDIT_NAME] = self.construct_view(AUDIT, AUDIT_NAME)
        self.reads = Reads(  # positions of the followed views; answers kept by them
            self.tenants.recorder,
            {spec.name: self.views[spec.name] for spec in PROJECTIONS},
            settings.read_cache_mb * 1024 * 1024,
        )
        self.cases = Cases(env=self.env, clock=clock)
        vault = PersonalDataVault(settings.effective_vault_dir)
        self.cases.configure(vault)
        self.cases.suggestion_months = settings.suggestion_answer_months
        self.supervisors = Supervisors(self.cases)
        self.questionnaires = Questionnaires(self.cases)
        self.meetings = Meetings(self.cases)
        self.meetings.answer_days = settings.meeting_answer_working_days
        self.remediation = Remediation(self.cases, self.meetings)
        self.credentials = CredentialStore(self.env)
        self.staff = Staff(env=self.env, clock=clock)
        self.staff.configure(self.credentials, settings)
        self.clients = Clients(env=self.env, clock=clock)
        self.clients.configure(self.credentials, families())
        self.sign_ins = SignIns(env=self.env, clock=clock)
        self.sign_ins.configure(self.credentials, Passwords(), settings)
        self.inspections = Inspections(env=self.env, clock=clock)
        self.annual_reports = AnnualReports(env=self.env, clock=clock)
        self.campaigns = Campaigns(env=self.env, clock=clock)
        self.series = DocumentSeriesBook(env=self.env, clock=clock)
        self.levies = Levies(env=self.env, clock=clock)
        self.levies.required_reviewers = settings.fee_reviewers
        self.levies.configure(vault)  # natural persons' names, sealed
        self.rankings = Rankings(env=self.env, clock=clock)
        self.conduct = Conduct(env=self.env, clock=clock)
        self.conduct.configure(self.staff)
        self.statements = Statements(env=self.env, clock=clock)
        self.statements.configure(self.staff)
        self.powers = PowerLists(env=self.env, clock=clock)
        self.auditor = Auditor(env=self.env, clock=clock)
        self.auditor.configure(
            self.views[AUDIT_NAME],  # type: ignore[arg-type]
            KeyStore(settings.effective_key_dir),
            settings.installation,
        )
        self.witnesses = [WitnessEndpoint(w.url, w.key) for w in settings.witnesses]
        self._runners: dict[str, ProjectionRunner[Any, Any]] = {}
        self._followers: list[Worker] = []
        self._lock = threading.Lock()
        self.projection_lock = ProjectionLock(settings)
        self._watchdog: Any = None
        self._mirror_store: MirrorStore | None = None

    # Views ---------------------------------------------------------------------------

    def view_class(self, spec: ProjectionSpec) -> type[SqlView]:
        return (
            spec.postgres_view
            if self.settings.store_kind == "postgresql"
            else (spec.sqlite_view)
        )

    def construct_view(self, spec: ProjectionSpec, name: str = "") -> SqlView:
        factory = InfrastructureFactory[Any].construct(
            env=Environment(name or spec.name, self.env)
        )
        self._factories.append(factory)
        view: SqlView = factory.tracking_recorder(self.view_class(spec))
        return view

    @property
    def directory(self) -> Any:
        return self.views[TenantDirectory.name]

    @property
    def disclosure_view(self) -> Any:
        return self.views[DisclosureProjection.name]

    @property
    def case_view(self) -> Any:
        return self.views[CASES_NAME]

    @property
    def staff_view(self) -> Any:
        return self.views[StaffProjection.name]

    def wait(self, view_name: str, position: int) -> bool:
        """Wait (bounded) until a view has processed ``position``; False on timeout.

        Polls from 2 ms, doubling to 50 ms: the library's own wait starts at
        100 ms, which every read-your-writes answer would pay even when the view
        is a millisecond behind."""
        view = self.views[view_name]
        deadline = time.monotonic() + self.settings.read_wait_seconds
        interval = WAIT_FIRST_SECONDS
        while not view.has_tracking_id(APP_NAME, position):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            time.sleep(min(interval, remaining))
            interval = min(interval * 2, WAIT_MAX_SECONDS)
        return True

    def catch_up_audit(self) -> bool:
        """Bring the audit view to the end of the log: append the missing leaves
        here when no process follows the log, else wait (bounded) for the one that
        does. False if the view did not get there in time."""
        with self._lock:  # one thread at a time; not while runners start or stop
            if append_if_unfollowed(self):
                return True
        return self.wait(AUDIT_NAME, self.max_position())

    def follower(self) -> str:
        """Who follows the log: ``here`` (this process), ``elsewhere`` (another
        live process holds the projection lock) or ``none``."""
        if self.projection_lock.held:
            return "here"
        if self.settings.store_kind == "sqlite":
            alive = self.projection_lock.held_anywhere()
        else:
            with self.tenants.recorder.datastore.get_connection() as conn:
                alive = self.projection_lock.held_anywhere(conn)
        return "elsewhere" if alive else "none"

    def lag(self, follower: str | None = None) -> dict[str, dict[str, Any]]:
        """Per view: its position, how many of its events are still unprocessed,
        and whether a runner follows it (here, or in another live process)."""
        follower = follower or self.follower()
        recorder = self.tenants.recorder
        report: dict[str, dict[str, Any]] = {}
        for spec in PROJECTIONS:
            position = self.views[spec.name].max_tracking_id(APP_NAME) or 0
            pending = recorder.select_notifications(
                start=position,
                limit=1000,
                topics=spec.projection.topics,
                inclusive_of_start=False,
            )
            runner = self._runners.get(spec.name)
            here = runner is not None and not runner.is_interrupted.is_set()
            report[spec.name] = {
                "position": position,
                "lag": len(pending),
                "running": here if follower == "here" else follower == "elsewhere",
            }
        position = self.views[AUDIT_NAME].max_tracking_id(APP_NAME) or 0
        here = any(isinstance(f, AuditFollower) and f.running for f in self._followers)
        report[AUDIT_NAME] = {
            "position": position,
            "lag": max(self.max_position() - position, 0),
            "running": here if follower == "here" else follower == "elsewhere",
        }
        return report

    @property
    def mirror_store(self) -> MirrorStore:
        """The mirrors this installation holds (made on first use)."""
        if self._mirror_store is None:
            self._mirror_store = MirrorStore(self.env)
        return self._mirror_store

    def mirrors(self) -> dict[str, dict[str, Any]]:
        """Each mirror's state, position and lag (services/mirror/health.py)."""
        from services.mirror.health import mirrors_report

        return mirrors_report(self.mirror_store)

    def max_position(self) -> int:
        return self.tenants.recorder.max_notification_id() or 0

    # Runners -------------------------------------------------------------------------

    def start_projections(self, *, supervise: bool = False) -> None:
        """Follow the log in background threads: one runner per view, the audit
        follower, and the checkpointer. Raises ProjectionsBusyError if another
        process already does. ``supervise``: restart them after a failure
        (services/platform/watchdog.py)."""
        if self.settings.store_kind == "postgresql":
            check_follower_budget(self.settings.pg_connections)
        if supervise and self._watchdog is None:
            self._watchdog = Watchdog(self)
            self._watchdog.start()
        with self._lock:
            self.projection_lock.acquire()
            for spec in PROJECTIONS:
                if spec.name in self._runners:
                    continue
                runner: ProjectionRunner[Any, Any] = BatchingProjectionRunner(
                    application_class=GongkaiApplication,
                    projection_class=spec.projection,
                    view_class=self.view_class(spec),
                    env=self.env,
                    batch_limit=self.settings.follow_batch,
                )
                self._runners[spec.name] = runner
                log.info("projection %s following the log", spec.name)
            if not self._followers:
                self._followers = [AuditFollower(self), Checkpointer(self)]
                if self.settings.mirrors_follow:
                    store = self.mirror_store
                    self._followers += [
                        MirrorFollower(self, c.name, store) for c in store.configs()
                    ]
                for follower in self._followers:
                    follower.start()

    def stop_projections(self) -> None:
        with self._lock:
            runners, self._runners = self._runners, {}
            followers, self._followers = self._followers, []
        for follower in followers:
            follower.stop()
        for runner in runners.values():
            with suppress(Exception):
                runner.__exit__(None, None, None)
        self.projection_lock.release()

    def runner_errors(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        for name, runner in self._runners.items():
            error = getattr(runner, "_thread_error", None)
            if error is not None or runner.is_interrupted.is_set():
                errors[name] = repr(error) if error else "stopped"
        for follower in self._followers:
            if follower.error is not None:
                errors[follower.name] = repr(follower.error)
        return errors

    def rebuild(
        self,
        progress: Callable[[str, int, int], None] | None = None,
        batch: int = REBUILD_PAGE,
        processes: bool | None = None,
    ) -> dict[str, int]:
        """Drop every view and replay the whole log into it; returns events applied
        (services/platform/rebuild.py: pages of ``batch`` events, on PostgreSQL
        in worker processes past a size; ``processes`` forces either way).

        Refuses (ProjectionsBusyError) while another process follows the log.
        """
        holding = self.projection_lock.held
        self.projection_lock.acquire()
        try:
            return rebuild_all(
                self.views,
                self.tenants,
                self.env,
                postgres=self.settings.store_kind == "postgresql",
                progress=progress,
                page=batch,
                processes=processes,
            )
        finally:
            if not holding:
                self.projection_lock.release()

    def close(self) -> None:
        if self._watchdog is not None:
            self._watchdog.stop()
        self.stop_projections()
        # Every application (each holds a share of the process's connection pool).
        apps = [a for a in vars(self).values() if isinstance(a, Application)]
        for app in apps:
            with suppress(Exception):
                app.close()
        with suppress(Exception):
            self.credentials.close()
        if self._mirror_store is not None:
            with suppress(Exception):
                self._mirror_store.close()
        for factory in self._factories:
            with suppress(Exception):
                factory.close()
