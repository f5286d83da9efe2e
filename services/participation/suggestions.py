"""建议提案 figures (见面率, 答复率, 满意率) per handling unit and year, as the desk,
the exports, the public board and the annual report quote them."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.participation.suggestions import figures_by_unit, suggestion_figures
from projections.cases import CaseView
from projections.suggestions import suggestion_cards, suggestion_facts

RATE_NAMES = {
    "meeting_rate": "见面率",
    "reply_rate": "答复率",
    "satisfaction_rate": "满意率",
}


def suggestion_report(
    view: CaseView,
    tenant: str,
    *,
    year: int,
    include_descendants: bool,
    basically_counts_as_satisfied: bool = True,
) -> dict[str, Any]:
    """The year's 建议提案 of ``tenant`` (and its subtree): the figures of all of them
    (``total``), of each handling unit (``units``), and the cases themselves."""
    cards = suggestion_cards(
        view,
        tenant,
        include_descendants=include_descendants,
        date_from=date(year, 1, 1),
        date_to=date(year, 12, 31),
    )
    facts = suggestion_facts(cards)
    rule = {"basically_counts_as_satisfied": basically_counts_as_satisfied}
    units = figures_by_unit(facts, **rule)
    return {
        "tenant": tenant,
        "year": year,
        "include_descendants": include_descendants,
        "total": suggestion_figures(facts, **rule).to_dict(),
        "units": [{"tenant": u, **f.to_dict()} for u, f in units.items()],
        "suggestions": cards,
    }
