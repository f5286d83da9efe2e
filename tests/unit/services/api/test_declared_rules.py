"""Each rule the OpenAPI document declares is the rule the server enforces.

The patterns and enumerations are written once for the document; these tests hold
each to the parser or check behind it, so the two cannot drift apart.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.access import ROLE_SPELLINGS, parse_role
from domain.cases.personal_data import (
    NAME_PATTERN,
    PHONE_PATTERN,
    RESIDENT_ID_PATTERN,
    Applicant,
)
from domain.cases.rules import (
    AnswerType,
    CaseKind,
    CaseState,
    IntakeChannel,
    Rating,
    parse_labelled,
    spellings,
)
from domain.disclosures.catalogue_entry import CHANNEL_SPELLINGS, parse_channel
from domain.errors import InconsistentInputError, InvalidInputError
from domain.people.staff import NUMBER_AS_TYPED, normalise_number
from domain.reporting.annual import (
    APPLICANT_TYPE_SPELLINGS,
    OUTCOME_SPELLINGS,
    ROUTE_SPELLINGS,
    parse_applicant_type,
    parse_outcome,
    parse_route,
)
from domain.tenancy import (
    LEVEL_SPELLINGS,
    PATH_PATTERN,
    UNIT_KIND_SPELLINGS,
    parse_level,
    parse_unit_kind,
)
from services.api.bodies import NO_NUL, TRIMMED, VISIBLE
from services.api.deps import ETAG_PATTERN, parse_if_match
from services.api.openapi import integer_bounds, storable_text
from services.api.params import DAY_PATTERN, MAX_INT, MOMENT_PATTERN
from services.api.problems import HttpProblemError

NAME = "张三"


def test_the_date_pattern_is_the_calendar_of_2000_to_2099() -> None:
    day, real = date(2000, 1, 1), set()
    while day <= date(2099, 12, 31):
        real.add(day.isoformat())
        day += timedelta(days=1)
    for year in (1999, 2000, 2023, 2024, 2099, 2100):
        for month in range(1, 13):
            for dom in range(1, 32):
                text = f"{year}-{month:02d}-{dom:02d}"
                assert bool(re.fullmatch(DAY_PATTERN, text)) == (text in real), text
    assert re.fullmatch(MOMENT_PATTERN, "2028-02-29T10:00+08:00")
    assert not re.fullmatch(MOMENT_PATTERN, "2026-02-29T10:00+08:00")


def test_visible_and_trimmed_text_follow_str_strip() -> None:
    for code in range(1, 0x3100):
        char = chr(code)
        assert bool(re.fullmatch(VISIBLE, f" {char} ")) == bool(char.strip()), code
        trimmed = bool(re.fullmatch(TRIMMED, char))
        assert trimmed == (char.strip() == char), code
    assert not re.fullmatch(NO_NUL, "a\x00b")
    assert not re.fullmatch(VISIBLE, "\u3000\t ")


@given(st.text(max_size=8))
def test_an_if_match_the_pattern_takes_is_a_version(text: str) -> None:
    try:
        parse_if_match(text)
        accepted = True
    except HttpProblemError:
        accepted = False
    assert accepted == bool(re.fullmatch(ETAG_PATTERN, text.strip())), text


@given(st.text(max_size=35))
def test_a_badge_number_the_pattern_takes_is_one(text: str) -> None:
    try:
        normalise_number(text)
        accepted = True
    except InvalidInputError:
        accepted = False
    if re.fullmatch(NUMBER_AS_TYPED, text):
        assert accepted, text
    if accepted and text == text.strip() and text.isascii():
        assert re.fullmatch(NUMBER_AS_TYPED, text), text


@given(st.text(max_size=52))
def test_a_name_the_pattern_takes_is_accepted(text: str) -> None:
    try:
        Applicant(name=text)
        accepted = True
    except InvalidInputError:
        accepted = False
    if text == text.strip() and len(text) <= 50:
        assert accepted == bool(re.fullmatch(NAME_PATTERN, text)), repr(text)


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("phone", "13812345678", None),
        ("phone", "0997-2234567-12", None),
        ("phone", "1381234567", InvalidInputError),
        ("phone", "138١٢٣٤٥٦٧٨", InvalidInputError),  # Arabic-Indic digits
        ("id_number", "11010519491231002x", None),
        ("id_number", "110101199002301234", InconsistentInputError),  # 30 February
        ("id_number", "110101199003071234", InconsistentInputError),  # check digit
    ],
)
def test_phone_and_id_patterns_match_the_checks(
    field: str, value: str, error: type[Exception] | None
) -> None:
    pattern = PHONE_PATTERN if field == "phone" else RESIDENT_ID_PATTERN
    assert bool(re.fullmatch(pattern, value)) == (error is not InvalidInputError)
    if error is None:
        Applicant(name=NAME, **{field: value})
    else:
        with pytest.raises(error) as refused:
            Applicant(name=NAME, **{field: value})
        assert type(refused.value) is error


@pytest.mark.parametrize(
    ("spelled", "parse"),
    [
        (spellings(CaseKind), lambda t: parse_labelled(CaseKind, t, "kind")),
        (spellings(IntakeChannel), lambda t: parse_labelled(IntakeChannel, t, "c")),
        (spellings(CaseState), lambda t: parse_labelled(CaseState, t, "state")),
        (spellings(Rating), lambda t: parse_labelled(Rating, t, "rating")),
        (spellings(AnswerType), lambda t: parse_labelled(AnswerType, t, "answer")),
        (LEVEL_SPELLINGS, parse_level),
        (UNIT_KIND_SPELLINGS, parse_unit_kind),
        (ROLE_SPELLINGS, parse_role),
        (CHANNEL_SPELLINGS, parse_channel),
        (APPLICANT_TYPE_SPELLINGS, parse_applicant_type),
        (ROUTE_SPELLINGS, parse_route),
        (OUTCOME_SPELLINGS, parse_outcome),
    ],
)
def test_every_spelling_the_document_lists_is_parsed(
    spelled: tuple[str, ...], parse: Any
) -> None:
    assert len(spelled) == len(set(spelled)) > 1
    for text in spelled:
        parse(text)
    with pytest.raises((InvalidInputError, ValueError)):
        parse("no-such-thing")


def test_the_tenant_path_pattern() -> None:
    for path in ("xinhe", "xinhe.tahe", "xinhe.tahe.school-1"):
        assert re.fullmatch(PATH_PATTERN, path)
    for path in ("", "x", "Xinhe", "xinhe.", ".tahe", "xinhe..tahe", "-a.tahe"):
        assert not re.fullmatch(PATH_PATTERN, path), path


def test_the_document_gives_free_request_text_no_nul_and_integers_bounds() -> None:
    document: dict[str, Any] = {
        "paths": {
            "/x": {
                "post": {
                    "parameters": [{"in": "query", "schema": {"type": "string"}}],
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/In"}
                            }
                        }
                    },
                    "responses": {},
                }
            }
        },
        "components": {
            "schemas": {
                "In": {
                    "properties": {
                        "free": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                        "code": {"type": "string", "pattern": "^[a-z]+$"},
                        "kind": {"type": "string", "enum": ["a"]},
                        "count": {"type": "integer", "maximum": float(MAX_INT)},
                        "share": {"type": "number", "maximum": 1.5},
                    }
                },
                "Out": {"properties": {"text": {"type": "string"}}},
            }
        },
    }
    storable_text(document)
    integer_bounds(document)
    schemas = document["components"]["schemas"]
    fields = schemas["In"]["properties"]
    assert fields["free"]["anyOf"][0]["pattern"] == NO_NUL
    assert fields["code"]["pattern"] == "^[a-z]+$"
    assert "pattern" not in fields["kind"]
    assert fields["count"]["maximum"] == MAX_INT
    assert isinstance(fields["count"]["maximum"], int)
    assert fields["share"]["maximum"] == 1.5
    assert "pattern" not in schemas["Out"]["properties"]["text"]  # a response's
    query = document["paths"]["/x"]["post"]["parameters"][0]["schema"]
    assert query["pattern"] == NO_NUL
