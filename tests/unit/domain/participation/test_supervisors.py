"""社会监督员: appointment, dismissal and who is in office on a day."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.errors import ConflictError, InvalidInputError, NotFoundError
from domain.participation.supervisors import SupervisorRegister, parse_category

ACTOR = {"id": "clerk-1", "tenant": "xinhe.ysfjq", "roles": "clerk"}
NOW = datetime(2026, 3, 2, 2, tzinfo=UTC)
STAMP = {"actor": ACTOR, "effective_at": NOW}


def register() -> SupervisorRegister:
    found = SupervisorRegister(tenant="xinhe.ysfjq", **STAMP)
    found.appoint(
        number="YFS-001",
        name="孙建华",
        category="人大代表",
        term_from=date(2026, 1, 1),
        term_to=date(2027, 12, 31),
        **STAMP,
    )
    return found


def test_an_appointment_is_in_office_for_its_term() -> None:
    found = register()
    (only,) = found.supervisors()
    assert only.category == "deputy"
    assert [s.number for s in found.current(date(2026, 6, 1))] == ["YFS-001"]
    assert found.current(date(2025, 12, 31)) == []
    assert found.current(date(2028, 1, 1)) == []


def test_a_number_is_never_given_twice() -> None:
    found = register()
    with pytest.raises(ConflictError):
        found.appoint(
            number="YFS-001",
            name="马秀英",
            category="resident",
            term_from=date(2026, 1, 1),
            term_to=date(2026, 12, 31),
            **STAMP,
        )


def test_a_term_ends_after_it_starts_within_five_years() -> None:
    found = register()
    for end in (date(2025, 12, 1), date(2032, 1, 1)):
        with pytest.raises(InvalidInputError):
            found.appoint(
                number="YFS-002",
                name="马秀英",
                category="居民代表",
                term_from=date(2026, 1, 1),
                term_to=end,
                **STAMP,
            )


def test_a_dismissal_ends_the_office_once() -> None:
    found = register()
    found.dismiss(
        number="YFS-001", reason="迁居外地", dismissed_on=date(2026, 5, 1), **STAMP
    )
    assert found.current(date(2026, 4, 30))
    assert found.current(date(2026, 5, 1)) == []
    assert found.supervisors()[0].dismissal_reason == "迁居外地"
    with pytest.raises(ConflictError):
        found.dismiss(
            number="YFS-001", reason="再次", dismissed_on=date(2026, 5, 2), **STAMP
        )
    with pytest.raises(NotFoundError):
        found.dismiss(
            number="YFS-009", reason="无此人", dismissed_on=date(2026, 5, 2), **STAMP
        )


def test_categories_by_code_or_label_and_nothing_else() -> None:
    assert parse_category("企业负责人") == "business"
    assert parse_category("member") == "member"
    with pytest.raises(InvalidInputError):
        parse_category("村民")
