"""Principals and the scope rule: read your subtree, write your own tenant."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.errors import ForbiddenError, NotFoundError
from domain.tenancy import is_within


class Role(StrEnum):
    CLERK = "clerk"
    HANDLER = "handler"
    SUPERVISOR = "supervisor"
    INSPECTOR = "inspector"
    INTEGRATOR = "integrator"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return _ROLE_LABELS[self]


_ROLE_LABELS = {
    Role.CLERK: "信息公开员",
    Role.HANDLER: "承办人",
    Role.SUPERVISOR: "监督员",
    Role.INSPECTOR: "纪检监察员",
    Role.INTEGRATOR: "系统对接",
    Role.ADMIN: "管理员",
}

HANDLING = (Role.CLERK, Role.HANDLER)
"""The roles that handle a tenant's cases and reports (受理, 办理, 回复)."""


ROLE_SPELLINGS = tuple([r.value for r in Role] + [r.label for r in Role])
"""Every text ``parse_role`` takes."""


def parse_role(value: str) -> Role:
    """Accept a role code or its Chinese label."""
    text = value.strip()
    for role in Role:
        if text in (role.value, role.label):
            return role
    allowed = ", ".join(r.value for r in Role)
    raise ValueError(f"unknown role {value!r}; use one of {allowed}")


@dataclass(frozen=True)
class Principal:
    """Who is acting: an id, a home tenant (None = installation admin) and roles;
    an integrator client also the stream families it may read (None = all)."""

    id: str
    tenant: str | None
    roles: frozenset[Role]
    families: frozenset[str] | None = None

    @property
    def is_installation_admin(self) -> bool:
        return self.tenant is None and Role.ADMIN in self.roles

    def actor(self) -> dict[str, str]:
        """The form recorded in every event's ``actor`` field."""
        return {
            "id": self.id,
            "tenant": self.tenant or "",
            "roles": ",".join(sorted(r.value for r in self.roles)),
        }

    def can_read(self, path: str) -> bool:
        if self.tenant is None:
            return self.is_installation_admin
        return is_within(path, self.tenant)


def require_read(principal: Principal, path: str) -> None:
    """Out-of-scope tenants answer as if they did not exist."""
    if not principal.can_read(path):
        raise NotFoundError(f"tenant {path!r} not found", field="path")


def require_role(principal: Principal, path: str, *roles: Role) -> None:
    """Requires one of ``roles`` on the caller's own tenant ``path`` (write scope)."""
    require_read(principal, path)
    if principal.tenant != path:
        raise ForbiddenError(
            f"only {path!r} itself may do this; your tenant is {principal.tenant!r}"
        )
    if not principal.roles.intersection(roles):
        needed = " or ".join(r.value for r in roles)
        raise ForbiddenError(f"this needs the role {needed}")


def require_subtree_role(principal: Principal, path: str, *roles: Role) -> None:
    """Requires one of ``roles`` on ``path`` or an ancestor of it."""
    if Role.ADMIN in roles and principal.is_installation_admin:
        return
    require_read(principal, path)
    if not principal.roles.intersection(roles):
        needed = " or ".join(r.value for r in roles)
        raise ForbiddenError(f"this needs the role {needed}")
