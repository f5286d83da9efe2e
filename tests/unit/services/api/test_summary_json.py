"""A list item's JSON built directly is the model's own dump, field for field.

The county list and the catalogue send ``summary_json`` (no pydantic model per
item); the OpenAPI schema and single items still use ``DisclosureSummary``. The
two must give the same JSON: same keys in the same order, same values.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.disclosures.catalogue import Channel
from domain.workdays import WorkingDayCalendar
from projections.sql import iso_day, iso_moment
from services.api.disclosure_items import summary, summary_json
from services.api.schemas import DisclosureSummary

CALENDAR = WorkingDayCalendar()
LABELS = {"common.finance": "财务管理/财务收支"}

days = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))
moments = st.datetimes(
    min_value=datetime(1990, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.just(UTC),
)
texts = st.text(max_size=20)


@st.composite
def rows(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "id": str(draw(st.uuids())),
        "tenant": draw(st.sampled_from(["xinhe", "xinhe.xinhe-zhen.tuanjie"])),
        "version": draw(st.integers(1, 50)),
        "category": draw(st.sampled_from(["common.finance", "local.unknown"])),
        "title": draw(texts),
        "channels": draw(
            st.lists(st.sampled_from([c.value for c in Channel]), max_size=3)
        ),
        "attachments": draw(
            st.one_of(
                st.none(),
                st.lists(
                    st.fixed_dictionaries(
                        {"sha256": texts, "name": texts, "size": st.integers(0, 10**9)}
                    ),
                    max_size=2,
                ),
            )
        ),
        "formed_on": iso_day(draw(days)),
        "published_on": iso_day(draw(days)),
        "due_on": iso_day(draw(days)),
        "working_days_late": draw(st.integers(0, 400)),
        "withdrawn": draw(st.booleans()),
        "content_withheld": draw(st.booleans()),
        "effective_at": iso_moment(draw(moments)),
        "recorded_at": iso_moment(
            draw(moments) + timedelta(microseconds=draw(st.integers(0, 999_999)))
        ),
        "backdated_working_days": draw(st.integers(0, 30)),
        "backdating_reason": draw(st.one_of(st.none(), texts)),
    }


@settings(max_examples=100, deadline=None)
@given(rows(), st.one_of(st.none(), texts))
def test_summary_json_is_the_models_dump(row: dict[str, Any], name: str | None) -> None:
    model = summary(row, LABELS, CALENDAR)
    model.tenant_name = name
    expected = model.model_dump(mode="json", by_alias=True)
    built = summary_json(row, LABELS, CALENDAR, name)
    assert built == expected
    assert list(built) == list(expected)
    assert orjson.dumps(built) == orjson.dumps(expected)


@settings(max_examples=100, deadline=None)
@given(rows())
def test_summary_unvalidated_is_the_validated_model(row: dict[str, Any]) -> None:
    built = summary(row, LABELS, CALENDAR)
    validated = DisclosureSummary.model_validate(built.model_dump())
    assert built == validated
    assert built.model_dump_json() == validated.model_dump_json()
    assert list(built.model_dump()) == list(DisclosureSummary.model_fields)
