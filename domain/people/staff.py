"""The staff registry: people who work at a tenant, with badge number, post and roles.

A staffer (工作人员) carries a badge number (编号, 持证上岗/挂牌服务) unique within the
county, so the aggregate id is derived from (county, number) and registering a number
twice fails at save. The staffer signs in as ``NUMBER@county``. Credentials (password
and activation hashes) never enter these events; they live in the credential store.
``generation`` counts the events that end every session at once (deactivation, a new
password, a new activation code); tokens carry the generation they were issued under.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.access import Role, parse_role
from domain.base import GongkaiAggregate, stored_as
from domain.errors import (
    InconsistentInputError,
    InvalidInputError,
    InvalidStaffNumberError,
    StaffStateError,
    WeakPasswordError,
)

NUMBER_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,31}$")
NUMBER_AS_TYPED = r"^[A-Za-z0-9][A-Za-z0-9-]{0,31}$"
"""A badge number as ``normalise_number`` takes it (any case), for documents."""
MAX_TEXT = 100


def normalise_number(number: str) -> str:
    """Requires 1–32 letters, digits and dashes; returns it upper-cased."""
    text = number.strip().upper()
    if not NUMBER_PATTERN.fullmatch(text):
        raise InvalidStaffNumberError(
            f"badge number {number!r} must be 1–32 letters, digits and dashes",
            field="number",
        )
    return text


def staff_id(county: str, number: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"gongkai:staff:{county}:{number}")


def username_of(county: str, number: str) -> str:
    """The name a staffer signs in with: ``NUMBER@county``."""
    return f"{number}@{county}"


def parse_username(username: str) -> tuple[str, str] | None:
    """``"xh-001@xinhe"`` → ``("xinhe", "XH-001")``; None when it cannot be one."""
    number, at, county = username.strip().rpartition("@")
    if not at or not county:
        return None
    try:
        return county.lower(), normalise_number(number)
    except InvalidStaffNumberError:
        return None


def parse_roles(values: Iterable[str]) -> tuple[Role, ...]:
    """Codes or Chinese labels → sorted distinct roles; requires at least one."""
    try:
        roles = sorted({parse_role(v) for v in values}, key=lambda r: r.value)
    except ValueError as e:
        raise InvalidInputError(str(e), field="roles") from None
    if not roles:
        raise InvalidInputError("a staffer needs at least one role", field="roles")
    return tuple(roles)


def check_text(value: str, field: str) -> str:
    """Return the trimmed text; requires 1–100 characters."""
    trimmed = value.strip()
    if not trimmed or len(trimmed) > MAX_TEXT:
        raise InvalidInputError(
            f"{field} must have 1 to {MAX_TEXT} characters", field=field
        )
    return trimmed


@stored_as("domain.staff")  # its stored name (docs/events.md)
class Staffer(GongkaiAggregate):
    """A person working at a tenant, known by a badge number unique in the county."""

    @staticmethod
    def create_id(county: str, number: str, **_: Any) -> UUID:
        return staff_id(county, number)

    @classmethod
    def register(
        cls,
        *,
        county: str,
        tenant: str,
        number: str,
        name: str,
        post: str,
        roles: Iterable[str],
        partner: str | None,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> Staffer:
        """Check the number, name, post, roles and partner, then register."""
        number = normalise_number(number)
        partner = _check_partner(number, partner)
        return cls(
            county=county,
            number=number,
            username=username_of(county, number),
            tenant=tenant,
            name=check_text(name, "name"),
            post=check_text(post, "post"),
            roles=[r.value for r in parse_roles(roles)],
            partner=partner,
            actor=actor,
            effective_at=effective_at,
        )

    @event("Registered")
    def __init__(
        self,
        county: str,
        number: str,
        username: str,
        tenant: str,
        name: str,
        post: str,
        roles: list[str],
        partner: str | None,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        self.county = county
        self.number = number
        self.username = username
        self.tenant = tenant
        self.name = name
        self.post = post
        self._roles = roles
        self.partner = partner
        self.active = True
        self.activated = False
        self.generation = 0
        self.revoked: dict[str, datetime] = {}

    @property
    def roles(self) -> tuple[Role, ...]:
        return tuple(Role(r) for r in self._roles)

    def update(
        self,
        *,
        name: str | None = None,
        post: str | None = None,
        roles: Iterable[str] | None = None,
        partner: str | None = None,
        clear_partner: bool = False,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> bool:
        """Change name, post, roles or partner; False when nothing changes."""
        new_name = self.name if name is None else check_text(name, "name")
        new_post = self.post if post is None else check_text(post, "post")
        new_roles = (
            self._roles if roles is None else [r.value for r in parse_roles(roles)]
        )
        if clear_partner:
            new_partner = None
        elif partner is None:
            new_partner = self.partner
        else:
            new_partner = _check_partner(self.number, partner)
        if (new_name, new_post, new_roles, new_partner) == (
            self.name,
            self.post,
            self._roles,
            self.partner,
        ):
            return False
        self._updated(
            name=new_name,
            post=new_post,
            roles=new_roles,
            partner=new_partner,
            tenant=self.tenant,
            actor=actor,
            effective_at=effective_at,
        )
        return True

    @event("Updated")
    def _updated(
        self,
        name: str,
        post: str,
        roles: list[str],
        partner: str | None,
        tenant: str,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        self.name, self.post, self._roles, self.partner = name, post, roles, partner

    def deactivate(
        self, reason: str, *, actor: dict[str, str], effective_at: datetime
    ) -> None:
        """Stop the staffer signing in; every token of theirs stops working."""
        if not self.active:
            raise StaffStateError(f"{self.username} is already inactive")
        self._deactivated(
            reason=check_text(reason, "reason"),
            tenant=self.tenant,
            actor=actor,
            effective_at=effective_at,
        )

    @event("Deactivated")
    def _deactivated(
        self, reason: str, tenant: str, actor: dict[str, str], effective_at: datetime
    ) -> None:
        self.active = False
        self.generation += 1

    def reactivate(self, *, actor: dict[str, str], effective_at: datetime) -> None:
        """Let the staffer sign in again (tokens from before stay refused)."""
        if self.active:
            raise StaffStateError(f"{self.username} is already active")
        self._reactivated(tenant=self.tenant, actor=actor, effective_at=effective_at)

    @event("Reactivated")
    def _reactivated(
        self, tenant: str, actor: dict[str, str], effective_at: datetime
    ) -> None:
        self.active = True

    def record_activation(self, *, effective_at: datetime) -> None:
        """The staffer set a password with their activation code (no secret here)."""
        self._activated(
            tenant=self.tenant, actor=self.self_actor(), effective_at=effective_at
        )

    @event("Activated")
    def _activated(
        self, tenant: str, actor: dict[str, str], effective_at: datetime
    ) -> None:
        self.activated = True
        self.generation += 1

    def reissue_activation(
        self, *, actor: dict[str, str], effective_at: datetime
    ) -> None:
        """A new activation code: the old password and every session end."""
        self._activation_issued(
            tenant=self.tenant, actor=actor, effective_at=effective_at
        )

    @event("ActivationIssued")
    def _activation_issued(
        self, tenant: str, actor: dict[str, str], effective_at: datetime
    ) -> None:
        self.activated = False
        self.generation += 1

    def revoke_token(
        self,
        jti: str,
        expires_at: datetime,
        *,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        """Refuse one token from now on (signing out)."""
        if jti in self.revoked:
            return
        self._token_revoked(
            jti=jti,
            expires_at=expires_at,
            tenant=self.tenant,
            actor=actor,
            effective_at=effective_at,
        )

    @event("TokenRevoked")
    def _token_revoked(
        self,
        jti: str,
        expires_at: datetime,
        tenant: str,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        # Expired tokens are refused anyway: forget them, so the set stays small.
        self.revoked = {j: e for j, e in self.revoked.items() if e > effective_at}
        self.revoked[jti] = expires_at

    def accepts(self, jti: str | None, generation: int | None) -> bool:
        """Whether a token of this staffer is still good."""
        return (
            self.active
            and self.activated
            and generation == self.generation
            and jti is not None
            and jti not in self.revoked
        )

    def self_actor(self) -> dict[str, str]:
        """The staffer acting for themselves (activation, sign-in)."""
        return {
            "id": self.username,
            "tenant": self.tenant,
            "roles": ",".join(self._roles),
        }


EVENT_LABELS = {
    "Registered": "登记",
    "Updated": "变更",
    "Deactivated": "停用",
    "Reactivated": "恢复",
    "Activated": "激活",
    "ActivationIssued": "重发激活码",
    "TokenRevoked": "退出登录",
}


def _check_partner(number: str, partner: str | None) -> str | None:
    if partner is None or not partner.strip():
        return None
    try:
        other = normalise_number(partner)
    except InvalidStaffNumberError as e:
        raise InvalidStaffNumberError(e.detail, field="partner") from None
    if other == number:
        raise InconsistentInputError(
            "a staffer cannot be their own A/B岗 partner", field="partner"
        )
    return other


MIN_PASSWORD, MAX_PASSWORD = 10, 128
COMMON_PASSWORDS = frozenset(
    {"password123", "1234567890", "12345678910", "qwertyuiop", "gongkai123"}
)


def check_password(password: str, number: str) -> None:
    """Requires 10–128 characters, not a common one, not containing the badge
    number (length over composition rules, as NIST SP 800-63B advises)."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise WeakPasswordError(
            f"a password has {MIN_PASSWORD} to {MAX_PASSWORD} characters",
            field="password",
        )
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(password)) < 4:
        raise WeakPasswordError("this password is too easy to guess", field="password")
    if number.lower() in lowered:
        raise WeakPasswordError(
            "a password must not contain the badge number", field="password"
        )
