"""受理回执号: the receipt number printed for an applicant when a case is filed.

The number is derived from the case itself, so no event carries it: the day received
(China time) and the first eight hex digits of the case id, e.g. ``20261128-CFC8A37C``.
With the last four digits of the applicant's phone it looks up the case's status, and
the answer holds no personal data and no summary (which may name people).

Someone holding a receipt could otherwise try all 10,000 phone endings: failed
lookups are counted per receipt number and per address, in the sign-in throttle's
store, and a locked one is refused until its lock ends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from domain.cases.rules import CaseKind, CaseState
from services.core.ports import Running
from services.people.throttle import too_many

RECEIPT = re.compile(r"^(\d{8})-?([0-9A-Fa-f]{8})$")


def receipt_number(case_id: str | UUID, received_on: str | date | None) -> str | None:
    if received_on is None:
        return None
    day = str(received_on).replace("-", "")
    return f"{day}-{str(case_id).replace('-', '')[:8].upper()}"


@dataclass(frozen=True)
class ReceiptStatus:
    receipt: str
    tenant_name: str
    kind_label: str
    state_label: str
    received_on: str | None
    due_on: str | None
    replied_on: str | None
    completed_on: str | None


def look_up(platform: Running, receipt: str, last4: str) -> ReceiptStatus | None:
    """The case's public status, or None (unknown receipt or phone digits differ:
    the two answers are the same, so a guess learns nothing)."""
    found = RECEIPT.match(receipt.strip())
    if not found or not (len(last4) == 4 and last4.isascii() and last4.isdigit()):
        return None
    day, prefix = found.group(1), found.group(2).lower()
    try:
        received_on = date(int(day[:4]), int(day[4:6]), int(day[6:])).isoformat()
    except ValueError:
        return None
    for card in platform.case_view.by_receipt(prefix, received_on):
        if not platform.cases.phone_ends_with(card["tenant"], UUID(card["id"]), last4):
            continue
        row = platform.directory.get(card["tenant"])
        return ReceiptStatus(
            receipt=receipt_number(card["id"], card["received_on"]) or receipt,
            tenant_name=row["name"] if row else card["tenant"],
            kind_label=CaseKind(card["kind"]).label,
            state_label=CaseState(card["state"]).label,
            received_on=card["received_on"],
            due_on=card["due_on"],
            replied_on=card["replied_on"],
            completed_on=card["completed_on"],
        )
    return None


def look_up_throttled(
    platform: Running, receipt: str, last4: str, address: str
) -> ReceiptStatus | None:
    """``look_up``, refused while the receipt number or the address is locked;
    a lookup that finds nothing counts as a failure of both."""
    settings, store = platform.settings, platform.credentials
    now = platform.sign_ins.now()
    found = RECEIPT.match(receipt.strip())
    keys = {f"receipt-address:{address[:100]}": settings.receipt_address_max_failures}
    if found:
        number = f"{found.group(1)}-{found.group(2).upper()}"
        keys[f"receipt:{number}"] = settings.receipt_max_failures
    for key in keys:
        until = store.locked_until(key, now)
        if until is not None:
            raise too_many(
                "此回执号" if key.startswith("receipt:") else "此地址", until, now
            )
    status = look_up(platform, receipt, last4)
    if status is None:
        window = timedelta(minutes=settings.receipt_lockout_minutes)
        for key, limit in keys.items():
            store.fail(key, now, limit, window)
    return status
