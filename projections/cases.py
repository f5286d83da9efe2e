"""Case views: a card per case, every event of it, who supervises it, and the figures.

The due date and the open actions are derived from a case's whole history (pauses,
consultations, extensions, the working-day calendar), so this projection does not
re-implement the rules: for each event it rebuilds the case at that event's version
with a reader application on the same store and asks the aggregate. The calendar is
the HolidaySchedules aggregate at the version the log had reached at that event (its
events are followed here too), so a rebuild reproduces every row exactly even when a
schedule was uploaded later.

Tables (portable TEXT / INTEGER / BIGINT; dates ISO text, moments fixed-width UTC):

- ``case_cards``: one row per case, its state after its latest event.
- ``case_events``: one row per event, with the state, due date and statistical facts
  the case had just after it (so figures "as known at" a moment are one query).
- ``case_supervision``: one row per (case, supervising tenant), the latest 督办 due.
- ``case_calendar``: the HolidaySchedules version the log has reached.

The columns, and how a case and its events become rows, are in ``case_rows``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from contextlib import suppress
from datetime import date, timedelta
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection
from eventsourcing.utils import get_topic

from domain.cases.case import Case
from domain.cases.rules import COUNTED_APART, CaseState
from domain.cases.stats import case_statistics
from domain.reference import CALENDAR_ID, HolidaySchedules
from domain.workdays import WorkingDayCalendar, default_calendar
from projections.case_rows import (
    CARD_COLUMNS,
    CARD_JSON,
    EVENT_COLUMNS,
    EVENT_JSON,
    case_card,
    decode_card,
    decode_event,
    event_row,
    facts_of,
    table_ddl,
)
from projections.sql import (
    PATTERN_OPS,
    PostgresSqlView,
    Row,
    SQLiteSqlView,
    SqlView,
    dumps,
    iso_day,
    subtree_clause,
    subtree_params,
)

CASE_EVENTS = (
    "Filed",
    "ApplicantClassified",
    "MaterialsRequested",
    "MaterialsProvided",
    "Accepted",
    "Rejected",
    "Assigned",
    "Transferred",
    "Split",
    "ChildResolved",
    "Supervised",
    "ConsultationStarted",
    "ConsultationEnded",
    "Extended",
    "Resolved",
    "Replied",
    "FeedbackGiven",
    "Closed",
    "Reopened",
    "Erased",
    "PowerNamed",
    "ProposerMet",
)
CALENDAR_EVENTS = ("Started", "YearUploaded")
COUNTED_APART_CODES = frozenset(k.value for k in COUNTED_APART)
CASES_KEPT = 10_000
"""Cases the projection keeps at their last version (bounds its memory)."""
SUPERVISION_COLUMNS = ("case_id", "supervisor", "due_on")
CLOSED_STATES = (CaseState.CLOSED.value, CaseState.REJECTED.value)
"""A case is open unless closed or rejected (transferred and split ones still wait
for their closing act, so they stay on the board)."""


def _tally(cards: list[Row], key: str, overdue: set[str], soon: set[str]) -> list[Row]:
    counts: dict[str | None, Row] = {}
    for card in cards:
        entry = counts.setdefault(
            card[key], {key: card[key], "open": 0, "overdue": 0, "due_soon": 0}
        )
        entry["open"] += 1
        entry["overdue"] += card["id"] in overdue
        entry["due_soon"] += card["id"] in soon
    return sorted(counts.values(), key=lambda e: (-e["open"], e[key] or ""))


def _by_due(card: Row) -> tuple[bool, str, int]:
    return (card["due_on"] is None, card["due_on"] or "", card["position"])


class CaseView(SqlView):
    tables = ("case_cards", "case_events", "case_supervision", "case_calendar")
    tracking_table_name = "cases_tracking"
    # 2: a disclosure request's working days count to its reply, as its facts do
    schema_version = 2
    ddl = (
        table_ddl("case_cards", CARD_COLUMNS, "id"),
        table_ddl("case_events", EVENT_COLUMNS, "case_id, version"),
        "CREATE TABLE IF NOT EXISTS case_supervision ("
        " case_id TEXT NOT NULL, supervisor TEXT NOT NULL, due_on TEXT NOT NULL,"
        " PRIMARY KEY (case_id, supervisor))",
        "CREATE TABLE IF NOT EXISTS case_calendar ("
        " id INTEGER PRIMARY KEY, version INTEGER NOT NULL, position BIGINT NOT NULL)",
        # By tenant, or by subtree (subtree_clause: one range of byte order);
        # they replace (tenant, ...) in the database's collation at the next start.
        "CREATE INDEX IF NOT EXISTS case_cards_subtree "
        f"ON case_cards (tenant {PATTERN_OPS}, state)",
        "DROP INDEX IF EXISTS case_cards_tenant",
        "CREATE INDEX IF NOT EXISTS case_events_subtree "
        f"ON case_events (tenant {PATTERN_OPS}, received_on)",
        "DROP INDEX IF EXISTS case_events_tenant",
        "CREATE INDEX IF NOT EXISTS case_supervision_supervisor "
        "ON case_supervision (supervisor)",
    )

    # Writes -------------------------------------------------------------------------

    def record(
        self,
        card: Row,
        event: Row,
        supervision: list[tuple[str, str]],
        tracking: Tracking,
    ) -> None:
        """Upsert the card, add the event row, rewrite the case's supervision rows,
        in the transaction that records ``tracking``."""
        cards = [dumps(card[c]) if c in CARD_JSON else card[c] for c in CARD_COLUMNS]
        events = [dumps(event[c]) if c in (*EVENT_JSON, "facts") else event[c]
                  for c in EVENT_COLUMNS]  # fmt: skip
        case_id = card["id"]
        with self._rows(tracking) as rows:  # a batch writes them set-wise
            rows.replace("case_cards", CARD_COLUMNS, "id", case_id, [cards])
            rows.append("case_events", EVENT_COLUMNS, [events])
            rows.replace(
                "case_supervision",
                SUPERVISION_COLUMNS,
                "case_id",
                case_id,
                [[case_id, supervisor, due_on] for supervisor, due_on in supervision],
            )

    def record_calendar(self, version: int, tracking: Tracking) -> None:
        with self._write(tracking) as curs:
            self._exec(curs, "DELETE FROM case_calendar WHERE id = 1")
            self._exec(
                curs,
                "INSERT INTO case_calendar (id, version, position) VALUES (1, ?, ?)",
                [version, tracking.notification_id],
            )

    def calendar_version(self) -> int | None:
        """The HolidaySchedules version the view has reached (None: none uploaded)."""
        rows = self._query("SELECT version FROM case_calendar WHERE id = 1")
        return int(rows[0]["version"]) if rows else None

    # Queries ------------------------------------------------------------------------

    def card(self, case_id: str | UUID) -> Row | None:
        rows = self._query(
            f"SELECT {','.join(CARD_COLUMNS)} FROM case_cards WHERE id = ?",
            [str(case_id)],
        )
        return decode_card(rows[0]) if rows else None

    def cards(self, case_ids: list[str]) -> list[Row]:
        """The cards of ``case_ids`` (those the view holds), in no order."""
        found: list[Row] = []
        for start in range(0, len(case_ids), 500):
            chunk = case_ids[start : start + 500]
            marks = ",".join("?" for _ in chunk)
            found += self._cards(f"id IN ({marks})", list(chunk))
        return found

    def by_receipt(self, id_prefix: str, received_on: str) -> list[Row]:
        """Cards whose id starts with ``id_prefix`` (hex), received that day."""
        return self._cards(
            "id LIKE ? AND received_on = ?", [id_prefix + "%", received_on]
        )

    def events(self, case_id: str | UUID) -> list[Row]:
        rows = self._query(
            f"SELECT {','.join(EVENT_COLUMNS)} FROM case_events "
            "WHERE case_id = ? ORDER BY version",
            [str(case_id)],
        )
        return [decode_event(r) for r in rows]

    def _cards(self, where: str, params: list[Any]) -> list[Row]:
        rows = self._query(
            f"SELECT {','.join(CARD_COLUMNS)} FROM case_cards WHERE {where}", params
        )
        return [decode_card(r) for r in rows]

    def board(
        self,
        tenant: str,
        *,
        include_descendants: bool,
        today: date,
        due_within_days: int = 3,
        calendar: WorkingDayCalendar | None = None,
        limit: int = 500,
    ) -> Row:
        """Open cases of ``tenant`` (and its subtree), those overdue and those due
        within ``due_within_days`` WORKING days of ``today``, counts per handler and
        department, and the open cases below ``tenant`` that it supervises (督办).

        Open = neither closed nor rejected. Overdue and due soon count only cases
        whose timed duty is not yet met (no resolution; no reply for a disclosure
        request). Counts cover every case; each list holds at most ``limit``.
        """
        cal = calendar or CaseProjection.calendar_at(self.calendar_version())
        scope = subtree_clause() if include_descendants else "tenant = ?"
        params = subtree_params(tenant) if include_descendants else [tenant]
        open_cards = sorted(
            self._cards(f"{scope} AND state NOT IN (?, ?)", [*params, *CLOSED_STATES]),
            key=_by_due,
        )
        today_text = today.isoformat()
        # Due within n working days: due <= the day before the (n+1)-th working day.
        last_soon = (
            cal.add_working_days(today, due_within_days + 1) - timedelta(days=1)
        ).isoformat()
        owed = [c for c in open_cards if c["due_on"] and c["completed_on"] is None]
        overdue = [c for c in owed if c["due_on"] < today_text]
        soon = [c for c in owed if today_text <= c["due_on"] <= last_soon]
        overdue_ids = {c["id"] for c in overdue}
        soon_ids = {c["id"] for c in soon}
        supervised = self._supervised(tenant, today_text)
        return {
            "tenant": tenant,
            "include_descendants": include_descendants,
            "today": today_text,
            "due_within_days": due_within_days,
            "due_within_basis": "working_days",
            "due_soon_until": last_soon,
            "counts": {
                "open": len(open_cards),
                "overdue": len(overdue),
                "due_soon": len(soon),
                "supervised": len(supervised),
            },
            "open": open_cards[:limit],
            "overdue": overdue[:limit],
            "due_soon": soon[:limit],
            "by_handler": _tally(open_cards, "handler", overdue_ids, soon_ids),
            "by_department": _tally(open_cards, "department", overdue_ids, soon_ids),
            "supervised": supervised[:limit],
        }

    def _supervised(self, supervisor: str, today: str) -> list[Row]:
        cols = ",".join(f"c.{c}" for c in CARD_COLUMNS)
        rows = self._query(
            f"SELECT {cols}, s.due_on AS supervision_due_on FROM case_supervision s "
            "JOIN case_cards c ON c.id = s.case_id "
            "WHERE s.supervisor = ? AND c.tenant <> ? AND c.state NOT IN (?, ?)",
            [supervisor, supervisor, *CLOSED_STATES],
        )
        out = []
        for row in rows:
            card = decode_card(row)
            card["supervision_overdue"] = (
                card["completed_on"] is None and row["supervision_due_on"] < today
            )
            out.append(card)
        return sorted(out, key=lambda c: (c["supervision_due_on"], c["position"]))

    def statistics(
        self,
        tenant: str,
        *,
        include_descendants: bool,
        date_from: date | None = None,
        date_to: date | None = None,
        as_of: str | None = None,
        basically_counts_as_satisfied: bool = True,
    ) -> Row:
        """The figures (domain.cases.stats) of the cases received in [date_from,
        date_to], each as the platform knew it at ``as_of`` (recorded time, ISO text as
        ``iso_moment`` writes it; None: now); ``COUNTED_APART`` kinds left out."""
        scope = subtree_clause("e.tenant") if include_descendants else "e.tenant = ?"
        where = [scope]
        params: list[Any] = subtree_params(tenant) if include_descendants else [tenant]
        if date_from is not None:
            where.append("e.received_on >= ?")
            params.append(date_from.isoformat())
        if date_to is not None:
            where.append("e.received_on <= ?")
            params.append(date_to.isoformat())
        known = "" if as_of is None else " AND e2.recorded_at <= ?"
        where.append(
            "e.version = (SELECT MAX(e2.version) FROM case_events e2 "
            f"WHERE e2.case_id = e.case_id{known})"
        )
        if as_of is not None:
            params.append(as_of)
        rows = self._query(
            f"SELECT e.facts FROM case_events e WHERE {' AND '.join(where)}", params
        )
        # 建议提案 and supervisors' opinions are counted apart (their own figures).
        facts = [
            facts_of(found)
            for found in (json.loads(r["facts"]) for r in rows)
            if found["kind"] not in COUNTED_APART_CODES
        ]
        figures = case_statistics(
            facts, basically_counts_as_satisfied=basically_counts_as_satisfied
        ).to_dict()
        figures["scope"] = {
            "tenant": tenant,
            "include_descendants": include_descendants,
            "date_from": iso_day(date_from),
            "date_to": iso_day(date_to),
            "as_of": as_of,
        }
        return figures


class PostgresCaseView(CaseView, PostgresSqlView):
    pass


class SQLiteCaseView(CaseView, SQLiteSqlView):
    pass


class CaseProjection(Projection[CaseView]):
    """Cards, events and supervision of every case, derived by the aggregate itself.

    ProjectionRunner constructs projections as ``CaseProjection(view=view)``, so the
    store to read cases from is bound on the class: ``Platform`` calls
    ``CaseProjection.bind(env, make_reader)`` before any runner starts; the reader
    application is made on first use by ``make_reader`` (the services layer's
    application class, so that this layer imports nothing above it).
    """

    name = "cases"
    topics = (
        *(get_topic(getattr(Case, n)) for n in CASE_EVENTS),
        *(get_topic(getattr(HolidaySchedules, n)) for n in CALENDAR_EVENTS),
    )

    _env: ClassVar[dict[str, str] | None] = None
    _make_reader: ClassVar[Callable[..., Application[Any]] | None] = None
    _reader: ClassVar[Application[Any] | None] = None
    _calendars: ClassVar[dict[int, WorkingDayCalendar]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, view: CaseView) -> None:
        super().__init__(view=view)
        self._cases: dict[UUID, Case] = {}
        self._calendar: int | None = None
        self._calendar_known = False

    @classmethod
    def bind(
        cls, env: dict[str, str], make_reader: Callable[..., Application[Any]]
    ) -> None:
        """Read cases from the store ``env`` describes, with an application made by
        ``make_reader(env=…)`` (a new store drops the old reader; the same store
        keeps it)."""
        with cls._lock:
            cls._make_reader = make_reader
            if cls._env == env:
                return
            old, cls._reader = cls._reader, None
            cls._env = dict(env)
            cls._calendars = {}
        if old is not None:
            with suppress(Exception):
                old.close()

    @classmethod
    def reader(cls) -> Application[Any]:
        with cls._lock:
            if cls._reader is None:
                if cls._env is None or cls._make_reader is None:
                    msg = "CaseProjection.bind(env, make_reader) must be called first"
                    raise RuntimeError(msg)
                cls._reader = cls._make_reader(env=cls._env)
            return cls._reader

    @classmethod
    def calendar_at(cls, version: int | None) -> WorkingDayCalendar:
        """The calendar with the holiday schedules up to ``version``."""
        if version is None:
            return default_calendar()
        found = cls._calendars.get(version)
        if found is None:
            schedules: HolidaySchedules = cls.reader().repository.get(
                CALENDAR_ID, version=version
            )
            found = cls._calendars[version] = schedules.calendar()
        return found

    @singledispatchmethod
    def process_event(
        self, domain_event: DomainEventProtocol[Any], tracking: Tracking
    ) -> None:
        """Ignore events this view does not need."""

    def _case_at(self, ev: Any) -> Case:
        """The case at ``ev``'s version: the copy this projection derived at the
        version before, advanced by ``ev`` (the log is immutable, so that copy is
        what the store would give), else read from the store. A rebuild thus reads
        no case back (it read one per event: a round trip each, most of its time)."""
        cached = self._cases.pop(ev.originator_id, None)
        if ev.originator_version == 1:
            case: Case = ev.mutate(None)
        elif cached is not None and cached.version == ev.originator_version - 1:
            case = ev.mutate(cached)
        else:
            case = self.reader().repository.get(
                ev.originator_id, version=ev.originator_version
            )
        self._cases[ev.originator_id] = case
        if len(self._cases) > CASES_KEPT:
            del self._cases[next(iter(self._cases))]  # the least recently advanced
        return case

    def _calendar_version(self) -> int | None:
        """The view's calendar version, asked once: only this projection's
        ``_calendar_event`` moves it (a failed batch stops its runner, and the
        next runner makes a new projection)."""
        if not self._calendar_known:
            self._calendar = self.view.calendar_version()
            self._calendar_known = True
        return self._calendar

    @process_event.register
    def _case_event(self, e: Case.Event, tracking: Tracking) -> None:
        ev: Any = e
        case = self._case_at(ev)
        calendar = self.calendar_at(self._calendar_version())
        card = case_card(case, calendar, tracking)
        supervision = {s["supervisor"]: s["due_on"] for s in card["supervised_by"]}
        self.view.record(
            card, event_row(ev, card, tracking), sorted(supervision.items()), tracking
        )

    @process_event.register
    def _calendar_event(self, e: HolidaySchedules.Event, tracking: Tracking) -> None:
        self.view.record_calendar(e.originator_version, tracking)
        self._calendar, self._calendar_known = e.originator_version, True


__all__ = [
    "CLOSED_STATES",
    "CaseProjection",
    "CaseView",
    "PostgresCaseView",
    "SQLiteCaseView",
]
