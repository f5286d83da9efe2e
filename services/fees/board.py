"""What people read of fees: a notice in JSON, the supervisor's view of a unit's
notices in a period, and the public board (standard, final amounts, reductions and
their approvers; natural persons' names masked). ``platform`` is the running
Platform, typed ``Any``: services/platform sits above this package."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from domain.access import Principal, require_read
from domain.cases.personal_data import ERASED
from domain.fees.levy import LevyNotice, lines_of, masked, total_of, yuan
from domain.fees.review import STATUS_LABELS, approvers
from domain.fees.standard import FeeStandard, standard_id
from services.documents.series import number_of
from services.people.names import actor_text, named_actor


def _who(platform: Any, actor: dict[str, Any]) -> str:
    return actor_text(named_actor(platform, actor))


def _reduction(platform: Any, notice: LevyNotice) -> dict[str, Any] | None:
    r = notice.reduction
    if r is None:
        return None
    return {
        "reduced_to": r["reduced_to"],
        "reduction": yuan(Decimal(notice.amount) - Decimal(r["reduced_to"])),
        "reason": r["reason"],
        "proposed_by": _who(platform, r["by"]),
        "reviews": [
            {
                "approved": v["approved"],
                "post": v["post"],
                "reason": v["reason"],
                "by": _who(platform, v["by"]),
            }
            for v in r["reviews"]
        ],
    }


def _voided(platform: Any, notice: LevyNotice) -> dict[str, Any] | None:
    number = number_of(platform.levies, notice.tenant, "levy", {"levy": str(notice.id)})
    if not number or not number["voided"]:
        return None
    v = number["voided"]
    return {
        "reason": v["reason"],
        "on": v["on"].isoformat(),
        "by": _who(platform, v["by"]),
    }


def notice_out(platform: Any, notice: LevyNotice) -> dict[str, Any]:
    required = platform.levies.required_reviewers
    issued = None
    if notice.issued:
        i = notice.issued
        issued = {
            "on": i["on"].isoformat(),
            "wenhao": i["wenhao"],
            "final_amount": i["final_amount"],
            "reduction_approved": i["reduction_approved"],
            "by": _who(platform, i["by"]),
        }
    status = notice.reduction_status(required)
    return {
        "id": str(notice.id),
        "tenant": notice.tenant,
        "version": notice.version,
        "payer": platform.levies.payer(notice),
        "dated": notice.dated.isoformat(),
        "standard_version": notice.standard_version,
        "lines": notice.lines,
        "amount": notice.amount,
        "reduction": _reduction(platform, notice),
        "reduction_status": STATUS_LABELS[status] if status else None,
        "issued": issued,
        "voided": _voided(platform, notice),
    }


def _off_standard(platform: Any, notice: LevyNotice) -> bool:
    """Recomputed from the standard as stored: an issued amount that is neither the
    standard's nor an approved reduction's (the domain refuses one; this is the
    supervisor's independent check)."""
    assert notice.issued is not None
    standard = platform.levies._get(standard_id(notice.tenant), FeeStandard)
    version = standard.versions[notice.standard_version - 1]
    computed = total_of(lines_of(notice.lines, version))
    final = Decimal(notice.issued["final_amount"])
    if notice.issued["reduction_approved"]:
        return final != Decimal(notice.reduction["reduced_to"])  # type: ignore[index]
    return final != computed


def period_view(
    platform: Any,
    principal: Principal,
    path: str,
    period_from: date | None,
    period_to: date | None,
) -> dict[str, Any]:
    """Per unit and period (by the notice's date): notices issued and voided,
    amounts by standard item, reductions with approvers, off-standard notices."""
    require_read(principal, path)
    platform.levies.read_tenant(path)
    notices = [
        n
        for n in platform.levies.notices(path)
        if (period_from is None or n.dated >= period_from)
        and (period_to is None or n.dated <= period_to)
    ]
    issued = [n for n in notices if n.issued]
    by_item: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"name": "", "quantity": Decimal(0), "amount": Decimal(0)}
    )
    for n in issued:
        for line in n.lines:
            row = by_item[line["code"]]
            row["name"] = line["name"]
            row["quantity"] += Decimal(line["quantity"])
            row["amount"] += Decimal(line["amount"])
    rows = [notice_out(platform, n) for n in notices]
    voided = [r for r in rows if r["voided"]]
    reduced = [r for r in rows if r["issued"] and r["issued"]["reduction_approved"]]
    standard_total = sum((Decimal(n.amount) for n in issued), Decimal("0.00"))
    final_total = sum(
        (Decimal(n.issued["final_amount"]) for n in issued if n.issued), Decimal("0.00")
    )
    return {
        "tenant": path,
        "from": period_from.isoformat() if period_from else None,
        "to": period_to.isoformat() if period_to else None,
        "drafted": len(notices),
        "issued": len(issued),
        "voided": len(voided),
        "standard_total": yuan(standard_total),
        "final_total": yuan(final_total),
        "reduction_total": yuan(standard_total - final_total),
        "by_item": [
            {
                "code": code,
                "name": v["name"],
                "quantity": str(v["quantity"]),
                "amount": yuan(v["amount"]),
            }
            for code, v in sorted(by_item.items())
        ],
        "reductions": [
            {
                "wenhao": r["issued"]["wenhao"],
                **r["reduction"],
                "approvers": [v for v in r["reduction"]["reviews"] if v["approved"]],
            }
            for r in reduced
        ],
        "off_standard": [
            n.issued["wenhao"]
            for n in issued
            if n.issued and _off_standard(platform, n)
        ],
        "notices": rows,
    }


def _public_payer(platform: Any, notice: LevyNotice) -> str:
    """A natural person masked (张**), or 已删除 once the vault key is gone; an
    organisation in full."""
    payer = platform.levies.payer(notice)
    return ERASED if payer["name"] == ERASED else masked(payer)


def board_rows(platform: Any, principal: Principal, path: str) -> dict[str, Any]:
    """The public board: every version of the standard, and each issued notice with
    its 文号, payer (masked if a person), standard and final amounts, the reduction
    and the names and posts of those who approved it."""
    require_read(principal, path)
    standard = platform.levies.standard(principal, path)
    required = platform.levies.required_reviewers
    notices = []
    for n in platform.levies.notices(path):
        if not n.issued:
            continue
        reduction = None
        if n.issued["reduction_approved"] and n.reduction:
            reduction = {
                "reduction": yuan(
                    Decimal(n.amount) - Decimal(n.issued["final_amount"])
                ),
                "reason": n.reduction["reason"],
                "approvers": [
                    {"name": _who(platform, v["by"]), "post": v["post"]}
                    for v in approvers(n.reduction)
                ],
            }
        notices.append(
            {
                "wenhao": n.issued["wenhao"],
                "payer": _public_payer(platform, n),
                "dated": n.dated.isoformat(),
                "amount": n.amount,
                "final_amount": n.issued["final_amount"],
                "reduction": reduction,
                "voided": _voided(platform, n) is not None,
            }
        )
    return {
        "tenant": path,
        "required_reviewers": required,
        "standard": [
            {**v, "effective_from": v["effective_from"].isoformat(), "by": None}
            for v in standard.versions
        ],
        "notices": notices,
    }
