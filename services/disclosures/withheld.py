"""Content withheld: items withdrawn on the grounds of personal data (涉及个人隐私).

Their body and attachments stay in the record (the item's history for staff and
inspectors, the audit leaves, evidence bundles) and leave every list of items, its
CSV/XLSX export and the streams from the moment the disclosures view knows of the
withdrawal (docs/api.md, "Withdrawn means withdrawn"). The public board shows no
content of any withdrawn item, whatever the grounds (services/web/pages/public.py).
"""

from __future__ import annotations

from typing import Any

from domain.access import Principal, Role

# Who reads a withheld item's content in its history: staff and inspectors in
# scope; not the public board's reader (no role) nor an integrator's token.
RECORD_READERS = frozenset(Role) - {Role.INTEGRATOR}


def reads_the_record(principal: Principal) -> bool:
    """Whether ``principal`` sees a withheld item's content in its history."""
    return bool(principal.roles & RECORD_READERS)


def mark_withheld(view: Any, rows: list[dict[str, Any]]) -> None:
    """Set ``content_withheld`` on disclosure view rows (one query for all); the
    API's ``public`` then leaves their body and attachments out. A row already
    marked (the aggregate's own state, when the view lags) stays marked."""
    withheld = view.withheld(r["id"] for r in rows)
    for row in rows:
        row["content_withheld"] = bool(row.get("content_withheld")) or (
            row["id"] in withheld
        )
