"""The figures of the annual 政府信息公开工作年度报告, tallied from the log.

Tables 三 and 四 are tallied from the tenants' disclosure requests and the reviews and
lawsuits against their decisions, each replayed as it stood at the report's moment
(effective by ``as_of``, recorded by ``known_at``, like every history query); table
二 from the tenants' disclosures in the catalogue categories that map to its items,
and the inputs the office recorded. Every cell carries the ids of the cases,
challenges or disclosures behind it. These only read the store of the application
passed in; the commands, the drafts and the report's assembly are in
``annual_reports``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from eventsourcing.persistence import DatetimeAsISO
from eventsourcing.utils import resolve_topic

from domain.cases.case import Case
from domain.cases.rules import SUGGESTION_KINDS, CaseKind
from domain.participation.suggestions import SuggestionFacts, suggestion_figures
from domain.reporting import layout
from domain.reporting.annual import (
    DEFAULT_APPLICANT_TYPE,
    PROACTIVE_COLUMNS,
    ChallengeFacts,
    Line,
    RequestFacts,
    Table,
    applications_table,
    challenges_table,
)
from domain.reporting.challenge import Challenge
from domain.reporting.drafts import check_year
from domain.tenancy import is_within
from domain.timeliness import SHANGHAI, local_date
from services.core.base import GongkaiApplication
from services.inspection.moments import replay

SCAN_BATCH = 2_000


def year_bounds(year: int) -> tuple[date, date, datetime]:
    """First and last day, and the last instant (China time), of ``year``."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    last = datetime.combine(end + timedelta(days=1), time(), SHANGHAI)
    return start, end, (last - timedelta(microseconds=1)).astimezone(UTC)


@dataclass(frozen=True)
class Moment:
    """The report's period and moment: the year, effective by ``as_of`` (at most
    the year's end), recorded by ``known_at``."""

    year: int
    as_of: datetime
    known_at: datetime

    @property
    def start(self) -> date:
        return date(self.year, 1, 1)

    @property
    def cut(self) -> date:
        return local_date(self.as_of)


def moment_of(
    year: int, as_of: datetime | None, known_at: datetime | None, now: datetime
) -> Moment:
    _, _, last = year_bounds(check_year(year))
    effective = min(as_of or now, last)
    return Moment(year, effective, known_at or now)


class Subtree:
    """The tenant paths within ``path`` (itself and its descendants), for scans
    whose tenants are not known beforehand (the summary finds them by their
    registrations)."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __contains__(self, other: object) -> bool:
        return isinstance(other, str) and is_within(other, self.path)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def tables(
    app: GongkaiApplication, paths: Collection[str], moment: Moment
) -> dict[str, Any]:
    """Tables 三 and 四 over the tenants at ``paths``, and the 建议提案 figures."""
    requests = list(_requests(app, paths, moment))
    challenges = list(_challenges(app, paths, moment))
    return {
        "suggestions": suggestions(app, paths, moment),
        "applications": _applications_json(
            applications_table(requests, moment.start, moment.cut)
        ),
        "reviews_lawsuits": _challenges_json(
            challenges_table(challenges, moment.start, moment.cut)
        ),
    }


def scan(
    app: GongkaiApplication, topic: str, paths: Collection[str], moment: Moment
) -> Iterator[Any]:
    """Creation events of ``topic`` in the tenants, recorded by ``known_at``.

    Reads every event of ``topic`` in the log (its cost grows with the
    installation's log, not with the tenants asked about; see
    docs/performance.md), but decodes only the tenants' own: the others are
    told apart by ``_peek`` on the stored JSON (at 10^6 events a county's
    report decoded 40,000 events of other tenants for a few dozen of its own)."""
    version = int(getattr(resolve_topic(topic), "class_version", 1))
    start = 0
    while True:
        batch = list(
            app.recorder.select_notifications(
                start=start,
                limit=SCAN_BATCH,
                topics=(topic,),
                inclusive_of_start=False,
            )
        )
        for n in batch:
            peeked = _peek(n.state, version)
            if peeked is not None:
                recorded, tenants = peeked
                if recorded > moment.known_at:
                    return
                if not any(t in paths for t in tenants):
                    continue
            event: Any = app.mapper.to_domain_event(n)
            if event.timestamp > moment.known_at:
                return
            if event.tenant in paths:
                yield event
        if len(batch) < SCAN_BATCH:
            return
        start = batch[-1].id


STAMP = b'{"timestamp":{"_type_":"' + DatetimeAsISO.name.encode() + b'","_data_":"'
TENANT = b'"tenant":"'


def _peek(state: bytes, class_version: int) -> tuple[datetime, set[str]] | None:
    """The event's timestamp and every value of a ``"tenant"`` key in its stored
    JSON (its own tenant is one of them; an actor's may be another), read off the
    bytes without decoding: the transcoder's object hook on every object is most
    of a decode's cost. None when the state is not the transcoder's compact JSON
    (compressed, encrypted, stored at another ``class_version`` that an upcaster
    would change): the caller then decodes it."""
    if not state.startswith(STAMP):
        return None
    stored = b'"class_version":' in state
    if stored != (class_version != 1) or (
        stored and f'"class_version":{class_version}'.encode() not in state
    ):
        return None
    end = state.find(b'"', len(STAMP))
    tenants: set[str] = set()
    at = state.find(TENANT)
    while at >= 0:
        start = at + len(TENANT)
        stop = state.find(b'"', start)
        tenants.add(state[start:stop].decode())
        at = state.find(TENANT, stop)
    if not tenants or end < 0:
        return None
    try:
        return datetime.fromisoformat(state[len(STAMP) : end].decode()), tenants
    except ValueError:
        return None


def _requests(
    app: GongkaiApplication, paths: Collection[str], moment: Moment
) -> Iterator[RequestFacts]:
    for filed in scan(app, "domain.cases:Case.Filed", paths, moment):
        if filed.kind != CaseKind.DISCLOSURE_REQUEST:
            continue
        (case,), _ = replay(app, filed.originator_id, [(moment.as_of, moment.known_at)])
        if not isinstance(case, Case):
            continue
        answer = case.answer_class or {}
        yield RequestFacts(
            ref=str(case.id),
            applicant_type=case.applicant_type or DEFAULT_APPLICANT_TYPE,
            received_on=case.received_on,
            resolved_on=case.resolved_on if answer else None,
            category=answer.get("category"),
            reason=answer.get("reason"),
        )


def suggestions(
    app: GongkaiApplication, paths: Collection[str], moment: Moment
) -> dict[str, Any]:
    """建议提案 received in the year (见面率, 答复率, 满意率, section 六), each case
    replayed as it stood at the report's moment; the rule's 基本满意 counts."""
    found: list[SuggestionFacts] = []
    refs: list[str] = []
    for filed in scan(app, "domain.cases:Case.Filed", paths, moment):
        if CaseKind(filed.kind) not in SUGGESTION_KINDS:
            continue
        if not moment.start <= filed.received_on <= moment.cut:
            continue
        (case,), _ = replay(app, filed.originator_id, [(moment.as_of, moment.known_at)])
        if not isinstance(case, Case):
            continue
        refs.append(str(case.id))
        found.append(
            SuggestionFacts(
                tenant=case.tenant,
                kind=case.kind.value,
                received_on=case.received_on,
                met=case.met_on is not None,
                replied=case.replied_on is not None,
                rating=None if case.rating is None else case.rating.value,
            )
        )
    figures = suggestion_figures(found).to_dict()
    figures["refs"] = refs
    return figures


def _challenges(
    app: GongkaiApplication, paths: Collection[str], moment: Moment
) -> Iterator[ChallengeFacts]:
    topic = "domain.reporting.challenge:Challenge.Filed"
    for filed in scan(app, topic, paths, moment):
        (found,), _ = replay(
            app, filed.originator_id, [(moment.as_of, moment.known_at)]
        )
        if isinstance(found, Challenge):
            yield ChallengeFacts(
                ref=str(found.id),
                route=found.route,
                filed_on=found.filed_on,
                outcome=found.outcome,
                decided_on=found.decided_on,
            )


def proactive(
    app: GongkaiApplication,
    moment: Moment,
    inputs: Mapping[str, Mapping[str, float]],
) -> dict[str, Any]:
    """Table 二 over the tenants that are the keys of ``inputs``, each from its own
    disclosures and its own recorded inputs, added up: a tenant's disclosures in
    the categories its catalogue maps to a row count as 本年制发 (or 处理决定); a
    figure the tenant recorded replaces its count; one neither counted nor recorded
    is 0 (source ``missing``)."""
    paths = set(inputs)
    made: dict[tuple[str, str], list[str]] = {}
    items = {
        (path, e.code): e.annual_item
        for path in paths
        for e in app.catalogue_for(app.tenant(path))
        if e.annual_item
    }
    for e in scan(app, "domain.disclosure:Disclosure.Published", paths, moment):
        item = items.get((e.tenant, e.category))
        on = e.published_on
        if item and moment.start <= on <= moment.cut and e.effective_at <= moment.as_of:
            made.setdefault((e.tenant, item), []).append(str(e.originator_id))
    sections = []
    for code, title, rows in layout.proactive_sections():
        columns = PROACTIVE_COLUMNS[rows[0].code]
        sections.append(
            {
                "code": code,
                "title": title,
                "header": [h.to_dict() for h in layout.proactive_header(code)],
                "columns": _columns(columns),
                "rows": [_proactive_row(row, columns, inputs, made) for row in rows],
            }
        )
    return {"width": layout.PROACTIVE_WIDTH, "sections": sections}


def _proactive_row(
    row: Line,
    columns: tuple[Line, ...],
    inputs: Mapping[str, Mapping[str, float]],
    made: Mapping[tuple[str, str], list[str]],
) -> dict[str, Any]:
    cells: dict[str, float] = {}
    refs: dict[str, list[str]] = {}
    sources: dict[str, str] = {}
    for col in columns:
        key = f"{row.code}.{col.code}"
        total: float = 0
        found: set[str] = set()
        for path, recorded in inputs.items():
            if key in recorded:
                total += recorded[key]
                found.add("input")
            elif col.code in ("made", "decisions"):
                counted = made.get((path, row.code), [])
                total += len(counted)
                refs.setdefault(col.code, []).extend(counted)
                found.add("log")
        cells[col.code] = round(total, 4) if isinstance(total, float) else total
        sources[col.code] = "+".join(sorted(found)) or "missing"
    return {
        "code": row.code,
        "label": row.label,
        "cells": cells,
        "refs": refs,
        "sources": sources,
    }


def _applications_json(table: Table) -> dict[str, Any]:
    """Table 三 as the format lays it out: three header rows under the 勾稽关系
    note, each body row with the label cells that start in it (``heads``) and the
    groups of its result rows; ``unbalanced`` names columns that do not add up."""
    rows = []
    for row in table.rows:
        rows.append(
            {
                "code": row.code,
                "label": row.label,
                "path": layout.row_path(row.code),
                "heads": [h.to_dict() for h in layout.APPLICATION_HEADS[row.code]],
                "cells": {c.code: table.cell(row.code, c.code) for c in table.columns},
                "refs": _refs(table, row.code, table.columns),
            }
        )
    cells = {
        (r.code, c.code): table.cell(r.code, c.code)
        for r in table.rows
        for c in table.columns
    }
    return {
        "note": layout.BALANCE_NOTE,
        "label_columns": layout.APPLICATION_LABEL_COLUMNS,
        "header": layout.header_json(layout.APPLICATION_HEADER),
        "columns": _columns(table.columns),
        "groups": [g.to_dict() for g in layout.APPLICATION_GROUPS],
        "rows": rows,
        "unbalanced": layout.unbalanced(cells),
    }


def _challenges_json(table: Table) -> dict[str, Any]:
    """Table 四: one row of fifteen cells under 行政复议 and 行政诉讼 (未经复议直接
    起诉, 复议后起诉), five each."""
    cells: dict[str, int] = {}
    refs: dict[str, list[str]] = {}
    for line in layout.CHALLENGE_CELLS:
        route, outcome = line.code.split(".")
        cells[line.code] = table.cell(route, outcome)
        found = table.refs.get((route, outcome), [])
        if outcome != "total" and found:
            refs[line.code] = list(found)
    return {
        "header": layout.header_json(layout.CHALLENGE_HEADER),
        "columns": _columns(layout.CHALLENGE_CELLS),
        "groups": [g.to_dict() for g in layout.CHALLENGE_GROUPS],
        "rows": [{"code": "all", "label": "", "cells": cells, "refs": refs}],
    }


def _refs(table: Table, row: str, columns: tuple[Line, ...]) -> dict[str, list[str]]:
    return {
        c.code: list(table.refs.get((row, c.code), []))
        for c in columns
        if c.code != "total" and table.refs.get((row, c.code))
    }


def _columns(columns: tuple[Line, ...]) -> list[dict[str, str]]:
    return [{"code": c.code, "label": c.label} for c in columns]
