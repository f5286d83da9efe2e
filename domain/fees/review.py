"""集中会审 of a reduction or exemption (减免): who may review and when it holds.

The seed's environment bureau reviews its fee notices jointly "to keep out favour
fees, connection fees and unauthorised reductions". A reduction takes effect only
when at least ``required`` reviewers (a setting, default 3) approved it, each with a
reason, each holding a different post (岗位), none of them its proposer, and none
rejected it; a rejection ends it (the notice is then issued at the standard amount).
"""

from __future__ import annotations

from typing import Any

from domain.errors import ConflictError, InvalidInputError

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
STATUS_LABELS = {PENDING: "会审中", APPROVED: "会审通过", REJECTED: "会审未通过"}


class ReviewRuleError(ConflictError):
    """A review the 集中会审 rules do not admit."""

    slug = "review-rule"


def check_reason(reason: str, field: str = "reason") -> str:
    reason = reason.strip()
    if not reason:
        raise InvalidInputError("a reason is required", field=field)
    return reason


def require_reviewable(
    reduction: dict[str, Any] | None, reviewer: dict[str, str], post: str
) -> None:
    """Requires a pending reduction, a reviewer who is not its proposer and has not
    reviewed it, and a post no other reviewer of it holds."""
    if reduction is None:
        raise ReviewRuleError("no reduction has been proposed")
    if status_of(reduction, required=None) != PENDING:
        raise ReviewRuleError("the reduction's 会审 is over")
    if reviewer["id"] == reduction["by"]["id"]:
        raise ReviewRuleError("the proposer may not review the reduction")
    for review in reduction["reviews"]:
        if review["by"]["id"] == reviewer["id"]:
            raise ReviewRuleError("each reviewer reviews once")
        if review["post"] == post:
            raise ReviewRuleError(
                f"the post {post} has reviewed already: reviewers hold different posts"
            )


def status_of(reduction: dict[str, Any], required: int | None) -> str:
    """Rejected by any reviewer; approved by ``required`` (None: not decided yet
    while no one rejected)."""
    reviews = reduction["reviews"]
    if any(not r["approved"] for r in reviews):
        return REJECTED
    if required is not None and len(reviews) >= required:
        return APPROVED
    return PENDING


def approvers(reduction: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in reduction["reviews"] if r["approved"]]
