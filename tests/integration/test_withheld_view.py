"""The disclosures view names the items withdrawn for personal data: as each
withdrawal arrives (its cached set grows with it), after a rebuild in batches, and
never an item withdrawn on other grounds."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.access import Role
from tests.conftest import build_tree, principal

VILLAGE = "xinhe.tahe.tuanjie"


def test_the_view_names_the_items_withdrawn_for_personal_data(platform: Any) -> None:
    build_tree(platform)
    clerk = principal(VILLAGE, Role.CLERK)
    items = [
        platform.disclosures.publish(
            clerk,
            VILLAGE,
            category="common.finance",
            title=f"团结村2026年{month}月财务收支",
            body="一、收入合计12.6万元。",
            channels=["公开栏"],
            formed_on=date(2026, 2, 10),
        ).id
        for month in (1, 2, 3)
    ]
    ids = [str(i) for i in items]
    view = platform.disclosure_view

    def withdraw(item: Any, personal_data: bool) -> None:
        done = platform.disclosures.withdraw(
            clerk, VILLAGE, item, reason="误发", personal_data=personal_data
        )
        assert platform.wait("disclosures", done.position)

    assert view.withheld(ids) == set()
    withdraw(items[0], personal_data=True)
    assert view.withheld(ids) == {ids[0]}
    withdraw(items[1], personal_data=False)
    withdraw(items[2], personal_data=True)
    assert view.withheld(ids) == {ids[0], ids[2]}  # read after the last one seen
    assert view.withheld([ids[1]]) == set()

    platform.rebuild(batch=2)  # the rows written inside batches
    assert view._query("SELECT id FROM disclosure_withheld ORDER BY position") == [
        {"id": ids[0]},
        {"id": ids[2]},
    ]
    view.__dict__.pop("_withheld_seen", None)  # as a fresh process reads it
    assert view.withheld(ids) == {ids[0], ids[2]}
