"""Integrator clients: families checked, rotation and revocation end old tokens."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.errors import ClientStateError, InvalidInputError
from domain.people.clients import IntegratorClient, check_families

KNOWN = ("audit", "case", "disclosure")
ACTOR = {"id": "admin@xinhe", "tenant": "xinhe", "roles": "admin"}
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def client() -> IntegratorClient:
    return IntegratorClient.register(
        tenant="xinhe.tahe",
        name=" 地区数据共享平台 ",
        families=["disclosure", "case", "case"],
        known_families=KNOWN,
        actor=ACTOR,
        effective_at=NOW,
    )


def test_a_client_keeps_sorted_distinct_families_and_a_trimmed_name() -> None:
    made = client()
    assert made.families == ["case", "disclosure"]
    assert made.name == "地区数据共享平台"
    assert len(made.client_id) == 32
    assert made.accepts(0)


@pytest.mark.parametrize("families", [[], [" "], ["case", "nothing"]])
def test_families_must_be_known_and_at_least_one(families: list[str]) -> None:
    with pytest.raises(InvalidInputError):
        check_families(families, KNOWN)


def test_rotation_ends_the_old_generation_and_revocation_ends_all() -> None:
    made = client()
    made.rotate(actor=ACTOR, effective_at=NOW)
    assert not made.accepts(0)
    assert made.accepts(1)
    made.revoke("对接合同到期", actor=ACTOR, effective_at=NOW)
    assert not made.accepts(made.generation)
    with pytest.raises(ClientStateError):
        made.rotate(actor=ACTOR, effective_at=NOW)
    with pytest.raises(ClientStateError):
        made.revoke("再次吊销", actor=ACTOR, effective_at=NOW)
    names = [type(e).__name__ for e in made.collect_events()]
    assert names == ["Registered", "SecretRotated", "Revoked"]


def test_no_event_carries_a_secret_field() -> None:
    made = client()
    made.rotate(actor=ACTOR, effective_at=NOW)
    for e in made.collect_events():
        assert not {"secret", "digest", "secret_digest"} & set(vars(e))
