"""A case's location and attachments: validation, the Filed v2 fields, the upcaster."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

import pytest

from domain.cases.case import Case
from domain.cases.location import (
    MAX_ATTACHMENTS,
    check_attachments,
    check_location,
)
from domain.errors import (
    InvalidAttachmentError,
    InvalidInputError,
    InvalidLocationError,
)

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
ACTOR = {"id": "clerk@xinhe.tahe", "tenant": "xinhe.tahe", "roles": "clerk"}


def file(**extra: Any) -> Case:
    return Case.file(
        tenant="xinhe.tahe",
        kind="report",
        channel="web",
        category=None,
        summary="路灯损坏",
        signed=False,
        applicant_ref=None,
        received_on=date(2026, 3, 2),
        actor=ACTOR,
        effective_at=NOW,
        **extra,
    )


def test_nothing_given_is_no_location() -> None:
    assert check_location() is None
    assert check_location(address="   ") is None


def test_coordinates_and_an_address_are_kept_as_data() -> None:
    assert check_location(
        43.82561234567, 87.6168, " 人民路  与解放路路口 ", "A-17"
    ) == {
        "lat": 43.8256123,
        "long": 87.6168,
        "address": "人民路 与解放路路口",
        "address_id": "A-17",
    }
    assert check_location(address_id="110105-001") == {
        "lat": None,
        "long": None,
        "address": None,
        "address_id": "110105-001",
    }


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"lat": 91.0, "long": 0.0}, "location.lat"),
        ({"lat": -90.5, "long": 0.0}, "location.lat"),
        ({"lat": 0.0, "long": 180.01}, "location.long"),
        ({"lat": math.nan, "long": 0.0}, "location.lat"),
        ({"lat": 0.0, "long": math.inf}, "location.long"),
        ({"lat": 43.8}, "location.long"),
        ({"long": 87.6}, "location.lat"),
        ({"lat": True, "long": 1.0}, "location.lat"),
        ({"lat": "43.8", "long": 1.0}, "location.lat"),
        ({"address": "路" * 201}, "location.address"),
        ({"address_id": "x" * 101}, "location.address_id"),
    ],
)
def test_a_bad_location_is_refused_naming_the_field(
    given: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidLocationError) as refused:
        check_location(**given)
    assert refused.value.field == field
    assert isinstance(refused.value, InvalidInputError)  # a 422


def test_attachments_are_distinct_http_urls() -> None:
    urls = [
        " https://img.example.cn/a.jpg",
        "http://x.cn/b",
        "https://img.example.cn/a.jpg",
    ]
    assert check_attachments(urls) == ["https://img.example.cn/a.jpg", "http://x.cn/b"]


@pytest.mark.parametrize(
    "urls",
    [
        ["javascript:alert(1)"],
        ["ftp://x.cn/a"],
        ["https://x.cn/a b"],
        ["https://x.cn/" + "a" * 500],
        ['https://x.cn/"onmouseover=1'],
        [f"https://x.cn/{i}" for i in range(MAX_ATTACHMENTS + 1)],
    ],
)
def test_bad_attachments_are_refused(urls: list[str]) -> None:
    with pytest.raises(InvalidAttachmentError) as refused:
        check_attachments(urls)
    assert refused.value.field == "attachments"


def test_a_filed_case_records_its_location_and_attachments() -> None:
    case = file(
        location={
            "lat": 43.8256,
            "long": 87.6168,
            "address": "人民路",
            "address_id": None,
        },
        attachments=["https://img.example.cn/lamp.jpg"],
    )
    (filed,) = case.collect_events()
    assert type(filed).class_version == 2
    assert filed.location == {
        "lat": 43.8256,
        "long": 87.6168,
        "address": "人民路",
        "address_id": None,
    }
    assert case.location == filed.location
    assert case.attachments == ["https://img.example.cn/lamp.jpg"]


def test_a_filing_with_a_bad_location_records_nothing() -> None:
    with pytest.raises(InvalidLocationError):
        file(location={"lat": 100.0, "long": 0.0, "address": None, "address_id": None})


def test_a_v1_filed_event_reads_as_filed_without_location() -> None:
    state: dict[str, Any] = {"summary": "旧办件", "applicant_ref": str(uuid4())}
    getattr(Case, "Filed").upcast_v1_v2(state)  # noqa: B009
    assert state["location"] is None
    assert state["attachments"] == []
