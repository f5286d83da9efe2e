"""Tenant commands: register counties, towns, villages and units; rename them."""

from __future__ import annotations

from domain.access import Principal, Role, require_subtree_role
from domain.errors import (
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    TenantExistsError,
    TenantNotFoundError,
)
from domain.tenancy import (
    Tenant,
    UnitKind,
    check_code,
    child_path,
    parse_level,
    parse_unit_kind,
    tenant_id,
)
from services.core.base import GongkaiApplication, check_expected_version, recorded


class Tenants(GongkaiApplication):
    """Registers and renames tenants."""

    def register(
        self,
        principal: Principal,
        *,
        code: str,
        name: str,
        level: str,
        parent: str | None,
        kind: str | None = None,
    ) -> tuple[str, int]:
        """Register a tenant under ``parent``; returns its path and the position."""
        parsed_level = parse_level(level)
        parsed_kind: UnitKind | None = parse_unit_kind(kind) if kind else None
        parent_tenant = self._authorised_parent(principal, parent)
        check_code(code)
        path = child_path(parent, code)
        if self._get(tenant_id(path), Tenant) is not None:
            raise TenantExistsError(f"tenant {path!r} already exists", field="code")
        with recorded(self):
            tenant = Tenant.register(
                code=code,
                name=name,
                level=parsed_level,
                kind=parsed_kind,
                parent=parent_tenant,
                actor=principal.actor(),
                effective_at=self.now(),
            )
        try:
            position = self._commit(tenant)
        except ConflictError as e:  # registered by someone else meanwhile
            raise TenantExistsError(
                f"tenant {path!r} already exists", field="code"
            ) from e
        return tenant.path, position

    def rename(
        self, principal: Principal, path: str, name: str, expected_version: int | None
    ) -> tuple[Tenant, int]:
        require_subtree_role(principal, path, Role.ADMIN)
        tenant = self.tenant(path)
        check_expected_version(tenant, expected_version)
        with recorded(self):
            tenant.rename(name, actor=principal.actor(), effective_at=self.now())
        return tenant, self._commit(tenant)

    def _authorised_parent(
        self, principal: Principal, parent: str | None
    ) -> Tenant | None:
        """Only the installation admin registers counties; admins register below
        their own node."""
        if parent is None:
            if not principal.is_installation_admin:
                raise ForbiddenError(
                    "only the installation admin registers counties; name a parent"
                )
            return None
        if not parent.strip():
            raise InvalidInputError("parent must be a tenant path", field="parent")
        require_subtree_role(principal, parent, Role.ADMIN)
        try:
            return self.tenant(parent)
        except TenantNotFoundError:
            raise TenantNotFoundError(
                f"parent tenant {parent!r} not found", field="parent"
            ) from None
