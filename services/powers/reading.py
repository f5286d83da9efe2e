"""The power list as readers see it: Chinese labels beside the codes, the figures
of a version, and every unit's coverage for the county (from the versions view)."""

from __future__ import annotations

from typing import Any

from domain.powers.listing import PowerListing, coverage
from domain.powers.power import Power
from domain.powers.power_list import PowerList
from domain.powers.risks import RiskPoint


def power_dict(power: Power) -> dict[str, Any]:
    """The power as JSON with the labels of its kind and state."""
    return power.to_dict() | {
        "kind_label": power.kind.label,
        "state_label": power.state.label,
    }


def risk_dict(risk: RiskPoint) -> dict[str, Any]:
    data = risk.to_dict()
    data["level_label"] = risk.level.label
    for measure, raw in zip(risk.measures, data["measures"], strict=True):
        raw["kind_label"] = measure.kind.label
    return data


def list_dict(plist: PowerList, version: int | None = None) -> dict[str, Any]:
    """Version ``version`` of the list (default: in force) with its figures."""
    listing: PowerListing = plist.listing(version)
    return {
        "tenant": plist.tenant,
        "version": plist.in_force if version is None else version,
        "in_force": plist.in_force,
        "pending": plist.pending,
        "powers": [power_dict(p) for p in listing.powers],
        "risks": [risk_dict(r) for r in listing.risks],
        "figures": coverage(listing).to_dict(),
    }


def unit_coverage(
    path: str, tenants: list[dict[str, Any]], rows: list[dict[str, Any]]
) -> dict[str, Any]:
    """Each tenant's version in force and pending draft (``rows`` of the versions
    view), named; ``without_list`` the tenants (``tenants``, directory rows) with
    no version in force."""
    names = {t["path"]: t["name"] for t in tenants}
    approved = {r["tenant"] for r in rows if r["state"] == "approved"}
    return {
        "tenant": path,
        "units": [
            r | {"tenant_name": names.get(r["tenant"], r["tenant"])} for r in rows
        ],
        "without_list": [t["path"] for t in tenants if t["path"] not in approved],
    }


def power_case_figures(
    listing: PowerListing, cards: list[dict[str, Any]], year: int, today: str
) -> list[dict[str, Any]]:
    """Per power and year (received in ``year``), from the case cards naming it
    (``power`` set on each): cases handled, on time, late and still open, and the
    complaints about it, beside its risk points, so a risk can be judged against
    what happened. A case is late when it was completed after its due date (which
    the power's promised limit shortens) or is still owed past it on ``today``."""
    out: list[dict[str, Any]] = []
    prefix = f"{year}-"
    for power in listing.powers:
        mine = [
            c
            for c in cards
            if c["power"] == power.code and (c["received_on"] or "").startswith(prefix)
        ]
        complaints = [c for c in mine if c["kind"] == "complaint"]
        handled = [c for c in mine if c["kind"] != "complaint"]
        late = [c for c in handled if _late(c, today)]
        open_ = [c for c in handled if c["completed_on"] is None]
        risks = listing.risks_of(power.code)
        out.append(
            {
                "code": power.code,
                "name": power.name,
                "time_limit_days": power.time_limit_days,
                "handled": len(handled),
                "on_time": sum(
                    1 for c in handled if c["completed_on"] and not _late(c, today)
                ),
                "late": len(late),
                "open": len(open_),
                "complaints": len(complaints),
                "risks": len(risks),
                "high_risks": sum(1 for r in risks if r.level.value == "high"),
                "late_cases": [c["id"] for c in late],
            }
        )
    return out


def _late(card: dict[str, Any], today: str) -> bool:
    due, done = card["due_on"], card["completed_on"]
    if due is None:
        return False
    return bool(done > due) if done else today > due
