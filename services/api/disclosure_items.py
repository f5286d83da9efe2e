"""A disclosure as lists and pages show it: the summary a list shows (as a model,
or straight as its JSON) and the whole item.

Every list, the catalogue, the public board and the console show items through
these, so that an item reads the same everywhere; ``summary_json`` is the list's
fast path (tests/unit/services/api/test_summary_json.py holds the two to each
other)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import TypeAdapter

from domain.disclosures.catalogue import Channel
from domain.workdays import WorkingDayCalendar
from services.api.schemas import DisclosurePublic, DisclosureSummary


def public(
    row: dict[str, Any],
    labels: dict[str, str],
    calendar: WorkingDayCalendar,
    *,
    view_pending: bool = False,
) -> DisclosurePublic:
    """One item, whole (its text withheld if withdrawn for personal data)."""
    listed = summary(row, labels, calendar)
    return DisclosurePublic(
        **dict(listed),
        body="" if listed.content_withheld else row["body"],
        view_pending=view_pending,
    )


def summary(
    row: dict[str, Any], labels: dict[str, str], calendar: WorkingDayCalendar
) -> DisclosureSummary:
    """An item as a list shows it: no body (the item's route has it).

    Built without validation (``model_construct``): every value already has its
    field's type, and a board or catalogue builds dozens of these per answer
    (tests/unit/services/api/test_summary_json.py holds it to the validated
    model)."""
    formed_on = date.fromisoformat(row["formed_on"])
    published_on = date.fromisoformat(row["published_on"])
    due_on = date.fromisoformat(row["due_on"])
    warning = calendar.fallback_warning(formed_on, max(due_on, published_on))
    withheld = bool(row.get("content_withheld"))
    return DisclosureSummary.model_construct(
        id=row["id"],
        tenant_name=None,
        tenant=row["tenant"],
        version=row["version"],
        category=row["category"],
        category_label=labels.get(row["category"]),
        title=row["title"],
        channels=list(row["channels"]),
        channel_labels=[Channel(c).label for c in row["channels"]],
        attachments=[] if withheld else list(row["attachments"] or []),
        formed_on=formed_on,
        published_on=published_on,
        due_on=due_on,
        on_time=published_on <= due_on,
        working_days_late=row["working_days_late"],
        withdrawn=row["withdrawn"],
        content_withheld=withheld,
        effective_at=datetime.fromisoformat(row["effective_at"]),
        recorded_at=datetime.fromisoformat(row["recorded_at"]),
        backdated_working_days=row["backdated_working_days"],
        backdating_reason=row["backdating_reason"],
        warnings=[warning] if warning else [],
    )


CHANNEL_LABELS = {c.value: c.label for c in Channel}
_MOMENT: TypeAdapter[datetime] = TypeAdapter(datetime)


def moment_json(text: str) -> str:
    """A stored moment (``iso_moment`` text) as pydantic writes the datetime."""
    out: str = _MOMENT.dump_python(datetime.fromisoformat(text), mode="json")
    return out


def summary_json(
    row: dict[str, Any],
    labels: dict[str, str],
    calendar: WorkingDayCalendar,
    tenant_name: str | None = None,
) -> dict[str, Any]:
    """``summary(row, …)`` with ``tenant_name`` set, as ``model_dump(mode="json")``
    gives it, without building the model: a list of 50 spent more on validating
    and dumping its items than on its queries. The fields, their order and their
    JSON forms are the model's (tests/unit/services/api/test_summary_json.py)."""
    formed_on, published_on = row["formed_on"], row["published_on"]
    due_on = row["due_on"]
    warning = calendar.fallback_warning(
        date.fromisoformat(formed_on),
        date.fromisoformat(max(due_on, published_on)),
    )
    withheld = bool(row.get("content_withheld"))
    channels = row["channels"]
    return {
        "id": row["id"],
        "tenant": row["tenant"],
        "tenant_name": tenant_name,
        "version": row["version"],
        "category": row["category"],
        "category_label": labels.get(row["category"]),
        "title": row["title"],
        "channels": channels,
        "channel_labels": [CHANNEL_LABELS[c] for c in channels],
        "attachments": [] if withheld else row["attachments"] or [],
        "formed_on": formed_on,
        "published_on": published_on,
        "due_on": due_on,
        "on_time": published_on <= due_on,
        "working_days_late": row["working_days_late"],
        "withdrawn": row["withdrawn"],
        "content_withheld": withheld,
        "effective_at": moment_json(row["effective_at"]),
        "recorded_at": moment_json(row["recorded_at"]),
        "backdated_working_days": row["backdated_working_days"],
        "backdating_reason": row["backdating_reason"],
        "warnings": [warning] if warning else [],
    }
