"""Staff registry commands: register, update, deactivate, reactivate, new codes.

The registry is events (``Staffer``); the secrets that check a sign-in are not: the
activation-code digest an admin's registration issues goes to the credential store
(infra/credentials.py). Sign-in itself is services/people/signin.py.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from domain.access import Principal, Role, require_read, require_subtree_role
from domain.errors import (
    ConflictError,
    InconsistentInputError,
    InvalidInputError,
    InvalidStaffNumberError,
    StaffExistsError,
    StaffNotFoundError,
)
from domain.people.staff import Staffer, normalise_number, parse_username, staff_id
from infra.credentials import CredentialStore
from infra.passwords import activation_digest, new_activation_code
from infra.settings import Settings
from services.core.base import GongkaiApplication, check_expected_version, recorded


class Staff(GongkaiApplication):
    """Registers staff and keeps their records."""

    credentials: CredentialStore
    settings: Settings

    def configure(self, credentials: CredentialStore, settings: Settings) -> None:
        self.credentials, self.settings = credentials, settings

    # Registry ------------------------------------------------------------------------

    def staffer(self, principal: Principal, path: str, number: str) -> Staffer:
        """The staffer ``number`` of tenant ``path``; others are 404s."""
        require_read(principal, path)
        return self._staffer(path, number)

    def history(
        self, principal: Principal, path: str, number: str
    ) -> tuple[Staffer, list[Any]]:
        """The staffer and every event of theirs, oldest first."""
        staffer = self.staffer(principal, path, number)
        return staffer, list(self.repository.event_store.get(staffer.id))

    def require_sign_in_reader(
        self, principal: Principal, path: str, number: str
    ) -> Staffer:
        """Sign-in records show addresses: the staffer themselves, or an admin,
        supervisor or inspector of the tenant or above."""
        staffer = self.staffer(principal, path, number)
        if principal.id != staffer.username:
            require_subtree_role(
                principal, path, Role.ADMIN, Role.SUPERVISOR, Role.INSPECTOR
            )
        return staffer

    def _staffer(self, path: str, number: str) -> Staffer:
        county = path.split(".", 1)[0]
        found = self._get(staff_id(county, normalise_number(number)), Staffer)
        if found is None or found.tenant != path:
            raise StaffNotFoundError(
                f"no staffer {number!r} at {path!r}", field="number"
            )
        return found

    def register(
        self,
        principal: Principal,
        path: str,
        *,
        number: str,
        name: str,
        post: str,
        roles: list[str],
        partner: str | None = None,
    ) -> tuple[Staffer, str, int]:
        """Register a staffer; returns it, its one-time activation code, position."""
        require_subtree_role(principal, path, Role.ADMIN)
        tenant = self.tenant(path)
        number = normalise_number(number)
        if self._get(staff_id(tenant.county, number), Staffer) is not None:
            raise StaffExistsError(
                f"badge number {number} is already used in {tenant.county}",
                field="number",
            )
        self._check_partner(tenant.county, partner)
        with recorded(self):
            staffer = Staffer.register(
                county=tenant.county,
                tenant=path,
                number=number,
                name=name,
                post=post,
                roles=roles,
                partner=partner,
                actor=principal.actor(),
                effective_at=self.now(),
            )
        try:
            position = self._commit(staffer)
        except ConflictError as e:
            raise StaffExistsError(
                f"badge number {number} is already used in {tenant.county}",
                field="number",
            ) from e
        return staffer, self._issue_code(staffer.username), position

    def update(
        self,
        principal: Principal,
        path: str,
        number: str,
        *,
        name: str | None,
        post: str | None,
        roles: list[str] | None,
        partner: str | None,
        clear_partner: bool,
        expected_version: int | None,
    ) -> tuple[Staffer, int]:
        require_subtree_role(principal, path, Role.ADMIN)
        staffer = self._staffer(path, number)
        check_expected_version(staffer, expected_version)
        if partner:
            self._check_partner(staffer.county, partner)
        with recorded(self):
            staffer.update(
                name=name,
                post=post,
                roles=roles,
                partner=partner,
                clear_partner=clear_partner,
                actor=principal.actor(),
                effective_at=self.now(),
            )
        return staffer, self._commit(staffer)

    def deactivate(
        self,
        principal: Principal,
        path: str,
        number: str,
        reason: str,
        expected_version: int | None,
    ) -> tuple[Staffer, int]:
        """Deactivate: the staffer cannot sign in and their tokens stop at once."""
        require_subtree_role(principal, path, Role.ADMIN)
        staffer = self._staffer(path, number)
        check_expected_version(staffer, expected_version)
        with recorded(self):
            staffer.deactivate(reason, actor=principal.actor(), effective_at=self.now())
        return staffer, self._commit(staffer)

    def reactivate(
        self,
        principal: Principal,
        path: str,
        number: str,
        expected_version: int | None,
    ) -> tuple[Staffer, int]:
        require_subtree_role(principal, path, Role.ADMIN)
        staffer = self._staffer(path, number)
        check_expected_version(staffer, expected_version)
        with recorded(self):
            staffer.reactivate(actor=principal.actor(), effective_at=self.now())
        return staffer, self._commit(staffer)

    def reissue_activation(
        self, principal: Principal, path: str, number: str
    ) -> tuple[Staffer, str, int]:
        """A new activation code (forgotten password): the old password and every
        session end."""
        require_subtree_role(principal, path, Role.ADMIN)
        staffer = self._staffer(path, number)
        with recorded(self):
            staffer.reissue_activation(actor=principal.actor(), effective_at=self.now())
        position = self._commit(staffer)
        return staffer, self._issue_code(staffer.username), position

    def _check_partner(self, county: str, partner: str | None) -> None:
        if partner and partner.strip():
            number = normalise_number(partner)
            if self._get(staff_id(county, number), Staffer) is None:
                raise InconsistentInputError(
                    f"the A/B岗 partner {number} is not registered in {county}",
                    field="partner",
                )

    def _issue_code(self, username: str) -> str:
        code = new_activation_code()
        expires = self.now() + timedelta(hours=self.settings.activation_code_ttl_hours)
        self.credentials.issue_activation(username, activation_digest(code), expires)
        return code


def staff_reference(
    app: GongkaiApplication, tenant: str, text: str | None, field: str
) -> str | None:
    """A case's handler as recorded: the badge number when ``text`` names a staffer
    of the tenant's county (by number or username), else ``text`` as given (someone
    who is not registered staff). Requires a named staffer to be active."""
    if text is None:
        return None
    parsed = parse_username(text) if "@" in text else None
    try:
        number = parsed[1] if parsed else normalise_number(text)
    except InvalidStaffNumberError:
        return text
    county = parsed[0] if parsed else tenant.split(".", 1)[0]
    staffer = app._get(staff_id(county, number), Staffer)
    if staffer is None or staffer.county != tenant.split(".", 1)[0]:
        return text
    if not staffer.active:
        raise InvalidInputError(
            f"staffer {number} ({staffer.name}) is deactivated", field=field
        )
    return staffer.number
