"""A 征收通知书: payer, items × quantities, the amount computed from the fee standard
in force on its date (Decimal, exact to the 分), a reduction only after 集中会审,
numbered in the tenant's 征收通知书 series when issued.

The domain refuses a notice whose stated amount is not the standard's, and issues
the standard amount unless a reduction passed 集中会审 (domain/fees/review.py).

A payer who is a natural person is personal data: the notice holds only the vault
subject that seals the name (``payer["ref"]``, sealed like a case applicant's
contact: domain/cases/applicant.py, infra/vault.py); an organisation's name is
public and kept in clear (``payer["name"]``). ``Drafted`` version 2; a version 1
event, written before, carried every payer's name and still loads with it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.base import GongkaiAggregate
from domain.errors import ConflictError, InconsistentInputError, InvalidInputError
from domain.fees import review as rv
from domain.fees.standard import FeeStandard, decimal_of

CENT = Decimal("0.01")
PAYER_KINDS = {"person": "自然人", "organisation": "法人或其他组织"}
MAX_PERSON_NAME = 50  # as an applicant's (domain/cases/personal_data.py)


class OffStandardError(ConflictError):
    """The amount is not what the fee standard in force gives."""

    slug = "off-standard"


class LevyStateError(ConflictError):
    slug = "levy-state"


def yuan(amount: Decimal) -> str:
    """``1234.50`` (two decimals: 元 to the 分)."""
    return str(amount.quantize(CENT))


def lines_of(
    items: Sequence[Mapping[str, Any]], version: dict[str, Any]
) -> list[dict[str, str]]:
    """Each item × quantity at the version's rate, rounded half up to the 分.
    Requires known items, each once, with a positive quantity."""
    if not items:
        raise InvalidInputError("a notice needs at least one item", field="items")
    rates = {i["code"]: i for i in version["items"]}
    lines: list[dict[str, str]] = []
    for row in items:
        code = str(row.get("code") or "")
        if code not in rates:
            raise InconsistentInputError(
                f"{code!r} is not an item of the fee standard", field="items"
            )
        if any(line["code"] == code for line in lines):
            raise InconsistentInputError(f"item {code} given twice", field="items")
        quantity = decimal_of(row.get("quantity"), "quantity")
        if quantity == 0:
            raise InvalidInputError("a quantity must be > 0", field="quantity")
        item = rates[code]
        amount = (Decimal(item["rate"]) * quantity).quantize(CENT, ROUND_HALF_UP)
        lines.append(
            {
                "code": code,
                "name": item["name"],
                "unit": item["unit"],
                "rate": item["rate"],
                "basis": item["basis"],
                "quantity": str(quantity),
                "amount": yuan(amount),
            }
        )
    return lines


def total_of(lines: Sequence[Mapping[str, str]]) -> Decimal:
    return sum((Decimal(line["amount"]) for line in lines), Decimal("0.00"))


def check_payer(name: str, kind: str) -> str:
    """The payer's name, trimmed. Requires a known kind and 1 to 100 characters
    (50 for a natural person, the vault's limit for a name)."""
    name = name.strip()
    if kind not in PAYER_KINDS:
        raise InvalidInputError(
            f"payer kind: one of {', '.join(PAYER_KINDS)}", field="payer_kind"
        )
    limit = MAX_PERSON_NAME if kind == "person" else 100
    if not name or len(name) > limit:
        raise InvalidInputError(f"payer: 1 to {limit} characters", field="payer_name")
    return name


def _vault_subject(ref: str | None) -> str:
    """A canonical UUID (the vault subject sealing a person's name), never the name."""
    try:
        canonical = str(UUID(ref)) if ref is not None else None
    except (ValueError, TypeError, AttributeError):
        canonical = None
    if canonical is None or canonical != ref:
        raise InvalidInputError(
            "a natural person's name is sealed: give the vault subject, never the name",
            field="payer_ref",
        )
    return canonical


def masked(payer: Mapping[str, str]) -> str:
    """The payer as the public board shows it: a natural person's name masked to
    its first character and two stars whatever its length (张**, 阿**: the length
    would say too much), an organisation's in full."""
    name = payer["name"]
    return name[:1] + "**" if payer["kind"] == "person" else name


class LevyNotice(GongkaiAggregate):
    """One 征收通知书, from draft to issue."""

    @classmethod
    def draft(
        cls,
        *,
        tenant: str,
        payer_name: str,
        payer_kind: str,
        items: Sequence[Mapping[str, Any]],
        dated: date,
        stated_amount: object,
        standard: FeeStandard,
        actor: dict[str, str],
        payer_ref: str | None = None,
    ) -> LevyNotice:
        """Requires a payer (a natural person's sealed as ``payer_ref``, the vault
        subject; an organisation's without one), items of the standard in force on
        ``dated``, and a stated amount equal to what that standard gives (else 409
        off-standard)."""
        name = check_payer(payer_name, payer_kind)
        if payer_kind == "person":
            ref = _vault_subject(payer_ref)
            payer: dict[str, str | None] = {"kind": "person", "name": None, "ref": ref}
        elif payer_ref is not None:
            raise InvalidInputError(
                "an organisation's name is public: it is not sealed", field="payer_ref"
            )
        else:
            payer = {"kind": payer_kind, "name": name, "ref": None}
        version = standard.in_force(dated)
        lines = lines_of(items, version)
        total = total_of(lines)
        stated = decimal_of(stated_amount, "amount", places=2)
        if stated != total:
            raise OffStandardError(
                f"the standard in force on {dated} (version {version['version']}) "
                f"gives {yuan(total)}, not {yuan(stated)}; a different amount needs "
                "a reduction that passed 集中会审",
                field="amount",
            )
        return cls(
            tenant=tenant,
            payer=payer,
            dated=dated,
            standard_version=int(version["version"]),
            lines=lines,
            amount=yuan(total),
            actor=actor,
        )

    @event("Drafted")
    def __init__(
        self,
        tenant: str,
        payer: dict[str, str | None],
        dated: date,
        standard_version: int,
        lines: list[dict[str, str]],
        amount: str,
        actor: dict[str, str],
    ) -> None:
        self.tenant, self.payer, self.dated = tenant, payer, dated
        self.standard_version, self.lines, self.amount = standard_version, lines, amount
        self.drafted_by = actor
        self.reduction: dict[str, Any] | None = None
        self.issued: dict[str, Any] | None = None

    # Reading -------------------------------------------------------------------------

    def reduction_status(self, required: int) -> str | None:
        return (
            None if self.reduction is None else rv.status_of(self.reduction, required)
        )

    def final_amount(self, required: int) -> Decimal:
        """The standard amount, or the reduced one once 集中会审 approved it."""
        if self.reduction and rv.status_of(self.reduction, required) == rv.APPROVED:
            return Decimal(self.reduction["reduced_to"])
        return Decimal(self.amount)

    # Commands ------------------------------------------------------------------------

    def _require_draft(self) -> None:
        if self.issued is not None:
            raise LevyStateError("the notice is issued")

    def propose_reduction(
        self, reduced_to: object, reason: str, actor: dict[str, str]
    ) -> None:
        """减免: requires a draft without a reduction, 0 ≤ reduced_to < amount, and a
        reason. It takes effect only after 集中会审."""
        self._require_draft()
        if self.reduction is not None:
            raise LevyStateError("a reduction was proposed already")
        to = decimal_of(reduced_to, "reduced_to", places=2)
        if to >= Decimal(self.amount):
            raise InconsistentInputError(
                f"a reduction lowers the amount {self.amount}", field="reduced_to"
            )
        self._reduction_proposed(
            tenant=self.tenant,
            reduced_to=yuan(to),
            reason=rv.check_reason(reason),
            actor=actor,
        )

    @event("ReductionProposed")
    def _reduction_proposed(
        self, tenant: str, reduced_to: str, reason: str, actor: dict[str, str]
    ) -> None:
        self.reduction = {
            "reduced_to": reduced_to,
            "reason": reason,
            "by": actor,
            "reviews": [],
        }

    def review_reduction(
        self, approved: bool, post: str, reason: str, actor: dict[str, str]
    ) -> None:
        """One reviewer of the 集中会审 (rules in domain/fees/review.py)."""
        self._require_draft()
        post = rv.check_reason(post, "post")
        rv.require_reviewable(self.reduction, actor, post)
        self._reduction_reviewed(
            tenant=self.tenant,
            approved=approved,
            post=post,
            reason=rv.check_reason(reason),
            actor=actor,
        )

    @event("ReductionReviewed")
    def _reduction_reviewed(
        self,
        tenant: str,
        approved: bool,
        post: str,
        reason: str,
        actor: dict[str, str],
    ) -> None:
        assert self.reduction is not None
        self.reduction["reviews"].append(
            {"approved": approved, "post": post, "reason": reason, "by": actor}
        )

    def issue(
        self, issued_on: date, wenhao: str, required: int, actor: dict[str, str]
    ) -> None:
        """签发 under ``wenhao``: requires a draft and no reduction still under
        review; the final amount is the standard's unless the reduction passed."""
        self._require_draft()
        if issued_on < self.dated:
            raise LevyStateError(f"the notice is dated {self.dated}, after today")
        if self.reduction and rv.status_of(self.reduction, required) == rv.PENDING:
            raise LevyStateError(
                f"the reduction is under 集中会审: {required} approvals needed, "
                f"{len(self.reduction['reviews'])} given"
            )
        approved = bool(
            self.reduction and rv.status_of(self.reduction, required) == rv.APPROVED
        )
        self._issued(
            tenant=self.tenant,
            issued_on=issued_on,
            wenhao=wenhao,
            final_amount=yuan(self.final_amount(required)),
            reduction_approved=approved,
            actor=actor,
        )

    @event("Issued")
    def _issued(
        self,
        tenant: str,
        issued_on: date,
        wenhao: str,
        final_amount: str,
        reduction_approved: bool,
        actor: dict[str, str],
    ) -> None:
        self.issued = {
            "on": issued_on,
            "wenhao": wenhao,
            "final_amount": final_amount,
            "reduction_approved": reduction_approved,
            "by": actor,
        }


def _upcast_drafted_v1_v2(state: dict[str, Any]) -> None:
    """v1 kept every payer's name in clear and had no vault subject: it loads as
    it was written (a person's name there stays readable to staff)."""
    state["payer"] = {**state["payer"], "ref": None}


# Drafted v2 seals a natural person's name (``payer["ref"]``, ``payer["name"]`` null).
_DRAFTED: Any = getattr(LevyNotice, "Drafted")  # noqa: B009 - made by @event
_DRAFTED.class_version = 2
_DRAFTED.upcast_v1_v2 = staticmethod(_upcast_drafted_v1_v2)
