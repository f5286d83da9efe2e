"""The staff registry: badge numbers, roles, partners, states and token acceptance."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.access import Role, parse_role
from domain.errors import (
    InvalidInputError,
    InvalidStaffNumberError,
    StaffStateError,
    WeakPasswordError,
)
from domain.people.signin import Outcome, SignIn
from domain.people.staff import (
    Staffer,
    check_password,
    normalise_number,
    parse_roles,
    parse_username,
    staff_id,
)

ACTOR = {"id": "admin@xinhe", "tenant": "xinhe", "roles": "admin"}
WHEN = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def staffer(**extra: object) -> Staffer:
    fields: dict[str, object] = {
        "county": "xinhe",
        "tenant": "xinhe.tahe.tuanjie",
        "number": " xh-0107 ",
        "name": "古丽娜",
        "post": "村文书",
        "roles": ["clerk", "承办人", "clerk"],
        "partner": None,
        "actor": ACTOR,
        "effective_at": WHEN,
        **extra,
    }
    return Staffer.register(**fields)  # type: ignore[arg-type]


def names(s: Staffer) -> list[str]:
    return [type(e).__qualname__ for e in s.collect_events()]


def test_registering_normalises_the_number_and_derives_id_and_username() -> None:
    s = staffer()
    assert s.number == "XH-0107"
    assert s.username == "XH-0107@xinhe"
    assert s.id == staff_id("xinhe", "XH-0107")
    assert s.roles == (Role.CLERK, Role.HANDLER)
    assert s.active
    assert not s.activated
    assert names(s) == ["Staffer.Registered"]


@pytest.mark.parametrize("number", ["", "编号1", "a b", "-12", "X" * 33])
def test_bad_badge_numbers_are_refused(number: str) -> None:
    with pytest.raises(InvalidStaffNumberError):
        normalise_number(number)


def test_usernames_parse_back_to_county_and_number() -> None:
    assert parse_username("xh-0107@XINHE") == ("xinhe", "XH-0107")
    assert parse_username("no-at-sign") is None
    assert parse_username("编号@xinhe") is None


def test_roles_take_codes_or_chinese_labels_and_need_one() -> None:
    assert parse_roles(["监督员", "admin"]) == (Role.ADMIN, Role.SUPERVISOR)
    assert parse_role("纪检监察员") is Role.INSPECTOR
    with pytest.raises(InvalidInputError):
        parse_roles([])
    with pytest.raises(InvalidInputError):
        parse_roles(["mayor"])


def test_a_staffer_cannot_be_their_own_partner() -> None:
    with pytest.raises(InvalidInputError):
        staffer(partner="xh-0107")


def test_update_records_only_real_changes() -> None:
    s = staffer(partner="XH-0108")
    s.collect_events()
    assert not s.update(name="古丽娜", actor=ACTOR, effective_at=WHEN)
    assert s.update(
        roles=["supervisor"], clear_partner=True, actor=ACTOR, effective_at=WHEN
    )
    assert s.roles == (Role.SUPERVISOR,)
    assert s.partner is None
    assert names(s) == ["Staffer.Updated"]


def test_deactivation_ends_every_token_and_reactivation_does_not_revive_them() -> None:
    s = staffer()
    s.record_activation(effective_at=WHEN)
    generation = s.generation
    assert s.accepts("jti-1", generation)
    s.deactivate("调离本单位", actor=ACTOR, effective_at=WHEN)
    assert not s.accepts("jti-1", generation)
    with pytest.raises(StaffStateError):
        s.deactivate("再次", actor=ACTOR, effective_at=WHEN)
    s.reactivate(actor=ACTOR, effective_at=WHEN)
    assert not s.accepts("jti-1", generation)
    assert s.accepts("jti-2", s.generation)
    with pytest.raises(StaffStateError):
        s.reactivate(actor=ACTOR, effective_at=WHEN)


def test_a_revoked_token_is_refused_and_expired_revocations_are_forgotten() -> None:
    s = staffer()
    s.record_activation(effective_at=WHEN)
    s.revoke_token("old", WHEN + timedelta(hours=1), actor=ACTOR, effective_at=WHEN)
    assert not s.accepts("old", s.generation)
    later = WHEN + timedelta(hours=2)
    s.revoke_token("new", later + timedelta(hours=1), actor=ACTOR, effective_at=later)
    assert set(s.revoked) == {"new"}


def test_a_new_activation_code_ends_the_password_and_sessions() -> None:
    s = staffer()
    s.record_activation(effective_at=WHEN)
    generation = s.generation
    s.reissue_activation(actor=ACTOR, effective_at=WHEN)
    assert not s.activated
    assert not s.accepts("jti", generation)


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("团结村便民服务2026", True),
        ("short", False),
        ("aaaaaaaaaaaa", False),
        ("password123", False),
        ("my-XH-0107-secret", False),
        ("x" * 129, False),
    ],
)
def test_password_rules(password: str, ok: bool) -> None:
    if ok:
        check_password(password, "XH-0107")
    else:
        with pytest.raises(WeakPasswordError):
            check_password(password, "XH-0107")


def test_a_sign_in_attempt_is_one_event_without_secrets() -> None:
    attempt = SignIn.attempt(
        tenant="xinhe.tahe.tuanjie",
        username="XH-0107@xinhe",
        outcome=Outcome.WRONG_PASSWORD,
        address="10.0.0.7",
        jti=None,
        effective_at=WHEN,
    )
    (event,) = attempt.collect_events()
    assert type(event).__qualname__ == "SignIn.Attempted"
    assert attempt.outcome.failed
    assert attempt.outcome.label == "密码错误"
    assert set(vars(event)) >= {"tenant", "username", "outcome", "address", "jti"}
