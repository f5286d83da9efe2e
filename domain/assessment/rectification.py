"""Rectification (整改) of a finalized target: which items need it, and the state of
an order as it moves ordered → reported → closed, or ordered again.

The state is a plain dict per target, kept by ``Campaign``: ``items``, ``due_on``,
``status`` and ``rounds`` (each with who ordered it, its deadline, then the report
and the verification). The functions that change it are called from the aggregate's
``@event`` bodies, so they only assign; the checks are the ``require_*`` ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from domain.assessment.grading import Grade
from domain.errors import CampaignStageError

ORDERED, REPORTED, CLOSED = "ordered", "reported", "closed"
STATUS_LABELS = {
    ORDERED: "已下达整改通知",
    REPORTED: "已报送整改情况",
    CLOSED: "整改已验收",
}


def items_to_rectify(
    result: dict[str, Any] | None, criteria_rows: Sequence[dict[str, Any]]
) -> list[str]:
    """The failed items of a final result (every item's code if it failed outright
    without failed items); none without a result."""
    if result is None:
        return []
    failed = list(result["failed_items"])
    if result["grade"] == Grade.FAIL.value and not failed:
        return [c["code"] for c in criteria_rows]
    return failed


def require_orderable(target: str, current: dict[str, Any] | None) -> None:
    """Requires no order for ``target`` yet (open or closed)."""
    if current is not None and current["status"] != CLOSED:
        raise CampaignStageError(f"{target} already has an open order")
    if current is not None:
        raise CampaignStageError(f"{target}'s rectification is closed")


def require_status(
    target: str, current: dict[str, Any] | None, status: str, missing: str
) -> None:
    """Requires an order for ``target`` at ``status`` (else ``missing`` as a 409)."""
    if current is None:
        raise CampaignStageError(f"no rectification ordered for {target}")
    if current["status"] != status:
        raise CampaignStageError(missing)


def ordered(items: list[str], due_on: date, actor: dict[str, str]) -> dict[str, Any]:
    """A new order's state."""
    return {
        "items": items,
        "due_on": due_on,
        "status": ORDERED,
        "rounds": [{"ordered_by": actor, "due_on": due_on}],
    }


def reported(
    state: dict[str, Any], report: str, on: date, actor: dict[str, str]
) -> None:
    state["status"] = REPORTED
    state["rounds"][-1]["report"] = {"text": report, "on": on, "by": actor}


def verified(
    state: dict[str, Any],
    passed: bool,
    note: str,
    due_on: date | None,
    actor: dict[str, str],
) -> None:
    """Closed when passed, else ordered again (a new round due ``due_on``)."""
    state["rounds"][-1]["verification"] = {"passed": passed, "note": note, "by": actor}
    if passed:
        state["status"] = CLOSED
    else:
        state["status"] = ORDERED
        state["due_on"] = due_on
        state["rounds"].append({"ordered_by": actor, "due_on": due_on})
