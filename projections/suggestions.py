"""建议提案 as the case views hold them: the facts their figures need.

Read from the case views (``projections.cases``), which already follow every case
event; 见面 is a ``ProposerMet`` row in ``case_events``. No tables of its own.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from domain.cases.rules import SUGGESTION_KINDS
from domain.participation.suggestions import SuggestionFacts
from projections.cases import CaseView
from projections.sql import Row, subtree_clause, subtree_params

_KINDS = tuple(sorted(k.value for k in SUGGESTION_KINDS))


def suggestion_cards(
    view: CaseView,
    tenant: str,
    *,
    include_descendants: bool,
    date_from: date | None = None,
    date_to: date | None = None,
) -> list[Row]:
    """The 建议提案 of ``tenant`` (and its subtree) received in [date_from, date_to],
    each with ``met_on`` (the 见面 day, None if not met yet)."""
    scope = subtree_clause("c.tenant") if include_descendants else "c.tenant = ?"
    params: list[Any] = subtree_params(tenant) if include_descendants else [tenant]
    where = [scope, f"c.kind IN ({','.join('?' * len(_KINDS))})"]
    params += list(_KINDS)
    if date_from is not None:
        where.append("c.received_on >= ?")
        params.append(date_from.isoformat())
    if date_to is not None:
        where.append("c.received_on <= ?")
        params.append(date_to.isoformat())
    met = (
        "(SELECT MAX(e.details) FROM case_events e WHERE e.case_id = c.id "
        "AND e.event = 'ProposerMet')"
    )
    rows = view._query(  # the case view's own tables
        "SELECT c.id, c.tenant, c.kind, c.summary, c.state, c.received_on, "
        "c.due_on, c.replied_on, c.rating, c.department, "
        f"{met} AS met FROM case_cards c WHERE {' AND '.join(where)} "
        "ORDER BY c.received_on, c.id",
        params,
    )
    out = []
    for row in rows:
        card = {k: v for k, v in row.items() if k != "met"}
        card["met_on"] = _met_on(row["met"])
        out.append(card)
    return out


def _met_on(details: str | None) -> str | None:
    if not details:
        return None
    found: Any = json.loads(details).get("met_on")
    return None if found is None else str(found)


def suggestion_facts(cards: list[Row]) -> list[SuggestionFacts]:
    """The facts of each card ``suggestion_cards`` returned."""
    return [
        SuggestionFacts(
            tenant=c["tenant"],
            kind=c["kind"],
            received_on=date.fromisoformat(c["received_on"]),
            met=c["met_on"] is not None,
            replied=c["replied_on"] is not None,
            rating=c["rating"],
        )
        for c in cards
    ]
