"""Sign-in attempts as events: who tried, when, from where, and how it ended.

Each attempt is its own small aggregate (one event), so concurrent sign-ins never
contend for a staffer's version. The event holds no secret: no password, no hash and
no token, only the token's id (``jti``) on success.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from eventsourcing.domain import event

from domain.base import GongkaiAggregate, stored_as


class Outcome(StrEnum):
    """How a sign-in or activation attempt ended."""

    SUCCEEDED = "succeeded"
    ACTIVATED = "activated"
    WRONG_PASSWORD = "wrong-password"  # noqa: S105 - an outcome, not a secret
    WRONG_ACTIVATION_CODE = "wrong-activation-code"
    UNKNOWN_ACCOUNT = "unknown-account"
    NOT_ACTIVATED = "not-activated"
    INACTIVE = "inactive"
    LOCKED = "locked"  # the hard lock before #21; kept for events recorded then
    THROTTLED = "throttled"

    @property
    def label(self) -> str:
        return _OUTCOME_LABELS[self]

    @property
    def failed(self) -> bool:
        return self not in (Outcome.SUCCEEDED, Outcome.ACTIVATED)


_OUTCOME_LABELS = {
    Outcome.SUCCEEDED: "登录成功",
    Outcome.ACTIVATED: "激活成功",
    Outcome.WRONG_PASSWORD: "密码错误",
    Outcome.WRONG_ACTIVATION_CODE: "激活码错误",
    Outcome.UNKNOWN_ACCOUNT: "账号不存在",
    Outcome.NOT_ACTIVATED: "账号未激活",
    Outcome.INACTIVE: "账号已停用",
    Outcome.LOCKED: "账号已锁定",
    Outcome.THROTTLED: "尝试过多，暂缓受理",
}


@stored_as("domain.signin")  # its stored name (docs/events.md)
class SignIn(GongkaiAggregate):
    """One attempt to sign in (or activate) as a staffer."""

    @classmethod
    def attempt(
        cls,
        *,
        tenant: str,
        username: str,
        outcome: Outcome,
        address: str,
        jti: str | None,
        effective_at: datetime,
    ) -> SignIn:
        return cls(
            tenant=tenant,
            username=username,
            outcome=outcome.value,
            address=address[:100],
            jti=jti,
            actor={"id": username, "tenant": tenant, "roles": ""},
            effective_at=effective_at,
        )

    @event("Attempted")
    def __init__(
        self,
        tenant: str,
        username: str,
        outcome: str,
        address: str,
        jti: str | None,
        actor: dict[str, str],
        effective_at: datetime,
    ) -> None:
        self.tenant = tenant
        self.username = username
        self._outcome = outcome
        self.address = address
        self.jti = jti

    @property
    def outcome(self) -> Outcome:
        return Outcome(self._outcome)
