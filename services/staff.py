"""Staff commands and password sign-in.

The registry is events (``Staffer``); the secrets that check a sign-in are not: password
hashes and activation-code digests live in the credential store (infra/credentials.py).
Every sign-in and activation attempt is recorded as a ``SignIn`` event (who, when, from
where, how it ended) in the log of the staffer's tenant.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil
from uuid import uuid4

from domain.access import Principal, Role, require_read, require_subtree_role
from domain.errors import (
    AccountInactiveError,
    ConflictError,
    InvalidActivationCodeError,
    InvalidCredentialsError,
    InvalidInputError,
    InvalidStaffNumberError,
    StaffExistsError,
    StaffNotFoundError,
    TooManyAttemptsError,
)
from domain.signin import Outcome, SignIn
from domain.staff import (
    Staffer,
    check_password,
    normalise_number,
    parse_username,
    staff_id,
)
from domain.tenancy import Tenant, tenant_id
from infra.credentials import CredentialStore
from infra.passwords import (
    Passwords,
    activation_digest,
    new_activation_code,
    same_digest,
)
from infra.settings import Settings
from services.base import GongkaiApplication, check_expected_version, recorded

log = logging.getLogger("gongkai.staff")


@dataclass(frozen=True)
class SignedIn:
    """A successful sign-in: what the token will say."""

    username: str
    tenant: str
    roles: tuple[str, ...]
    generation: int
    jti: str
    position: int


class Staff(GongkaiApplication):
    """Registers staff, sets their passwords and signs them in."""

    credentials: CredentialStore
    passwords: Passwords
    settings: Settings

    def configure(
        self, credentials: CredentialStore, passwords: Passwords, settings: Settings
    ) -> None:
        self.credentials, self.passwords, self.settings = (
            credentials,
            passwords,
            settings,
        )

    # Registry ------------------------------------------------------------------------

    def staffer(self, principal: Principal, path: str, number: str) -> Staffer:
        """The staffer ``number`` of tenant ``path``; others are 404s."""
        require_read(principal, path)
        return self._staffer(path, number)

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
                raise InvalidInputError(
                    f"the A/B岗 partner {number} is not registered in {county}",
                    field="partner",
                )

    def _issue_code(self, username: str) -> str:
        code = new_activation_code()
        expires = self.now() + timedelta(hours=self.settings.activation_code_ttl_hours)
        self.credentials.issue_activation(username, activation_digest(code), expires)
        return code

    # Activation and sign-in ----------------------------------------------------------

    def activate(self, username: str, code: str, password: str, address: str) -> int:
        """Set the password with the one-time activation code; returns the position."""
        now = self.now()
        staffer = self._by_username(username)
        name = staffer.username if staffer else username.strip()
        self._refuse_if_locked(name, address, staffer)
        if staffer is not None:
            check_password(password, staffer.number)
        credential = self.credentials.get(name) if staffer else None
        digest = activation_digest(code)
        good = (
            staffer is not None
            and credential is not None
            and same_digest(credential.activation_digest, digest)
            and credential.activation_expires is not None
            and credential.activation_expires > now
        )
        if not good or staffer is None:
            self._failure(name, address, staffer, Outcome.WRONG_ACTIVATION_CODE)
            raise InvalidActivationCodeError(
                "the activation code is wrong, expired or already used; "
                "ask your administrator for a new one",
                field="activation_code",
            )
        if not staffer.active:
            self._record_attempt(staffer.tenant, name, Outcome.INACTIVE, address)
            raise AccountInactiveError(f"{name} is deactivated")
        if not self.credentials.redeem_activation(
            name, digest, self.passwords.hash(password)
        ):  # used by a concurrent request a moment ago
            raise InvalidActivationCodeError(
                "the activation code was just used", field="activation_code"
            )
        self.credentials.clear(_account_key(name))
        with recorded(self):
            staffer.record_activation(effective_at=now)
            attempt = SignIn.attempt(
                tenant=staffer.tenant,
                username=name,
                outcome=Outcome.ACTIVATED,
                address=address,
                jti=None,
                effective_at=now,
            )
        return self._commit(staffer, attempt)

    def sign_in(self, username: str, password: str, address: str) -> SignedIn:
        """Check the password (Argon2id); every attempt is recorded."""
        staffer = self._by_username(username)
        name = staffer.username if staffer else username.strip()
        self._refuse_if_locked(name, address, staffer)
        credential = self.credentials.get(name) if staffer else None
        stored = credential.password_hash if credential else None
        if not self.passwords.verify(stored, password) or staffer is None:
            outcome = (
                Outcome.UNKNOWN_ACCOUNT
                if staffer is None
                else Outcome.WRONG_PASSWORD
                if stored
                else Outcome.NOT_ACTIVATED
            )
            self._failure(name, address, staffer, outcome)
            raise InvalidCredentialsError("wrong username or password")
        if not staffer.active:
            self._record_attempt(staffer.tenant, name, Outcome.INACTIVE, address)
            raise AccountInactiveError(f"{name} is deactivated")
        assert stored is not None
        if self.passwords.needs_rehash(stored):
            self.credentials.set_password_hash(
                name, stored, self.passwords.hash(password)
            )
        self.credentials.clear(_account_key(name))
        jti = uuid4().hex
        position = self._record_attempt(
            staffer.tenant, name, Outcome.SUCCEEDED, address, jti
        )
        return SignedIn(
            username=name,
            tenant=staffer.tenant,
            roles=tuple(r.value for r in staffer.roles),
            generation=staffer.generation,
            jti=jti,
            position=position,
        )

    def current(
        self, username: str, jti: str | None, generation: int | None
    ) -> Principal | None:
        """The principal a staff token stands for now, or None if it is refused
        (deactivated, signed out, password changed). Roles come from the registry."""
        staffer = self._by_username(username)
        if staffer is None or not staffer.accepts(jti, generation):
            return None
        return Principal(
            id=staffer.username, tenant=staffer.tenant, roles=frozenset(staffer.roles)
        )

    def sign_out(self, username: str, jti: str, expires_at: datetime) -> int:
        """Revoke one token of a staffer."""
        staffer = self._by_username(username)
        if staffer is None:
            return 0
        with recorded(self):
            staffer.revoke_token(
                jti,
                expires_at,
                actor=staffer.self_actor(),
                effective_at=self.now(),
            )
        return self._commit(staffer)

    def _by_username(self, username: str) -> Staffer | None:
        parsed = parse_username(username)
        if parsed is None:
            return None
        return self._get(staff_id(*parsed), Staffer)

    def _refuse_if_locked(
        self, name: str, address: str, staffer: Staffer | None
    ) -> None:
        now = self.now()
        by_address = self.credentials.locked_until(_address_key(address), now)
        if by_address is not None:
            log.warning("sign-in from %s refused: address locked", address)
            raise _too_many("this address", by_address, now)
        by_account = self.credentials.locked_until(_account_key(name), now)
        if by_account is not None:
            self._record_attempt(
                staffer.tenant if staffer else None, name, Outcome.LOCKED, address
            )
            raise _too_many("this account", by_account, now)

    def _failure(
        self, name: str, address: str, staffer: Staffer | None, outcome: Outcome
    ) -> None:
        now = self.now()
        window = timedelta(minutes=self.settings.signin_lockout_minutes)
        self.credentials.fail(
            _account_key(name), now, self.settings.signin_account_max_failures, window
        )
        self.credentials.fail(
            _address_key(address),
            now,
            self.settings.signin_address_max_failures,
            window,
        )
        self._record_attempt(
            staffer.tenant if staffer else None, name, outcome, address
        )

    def _record_attempt(
        self,
        tenant: str | None,
        username: str,
        outcome: Outcome,
        address: str,
        jti: str | None = None,
    ) -> int:
        """Record an attempt in its tenant's log: the staffer's, else the county the
        username names (attempts naming no county are only logged)."""
        if tenant is None:
            parsed = parse_username(username)
            county = parsed[0] if parsed else None
            if county is None or self._get(tenant_id(county), Tenant) is None:
                log.info("sign-in as %r from %s: %s", username, address, outcome)
                return 0
            tenant = county
        with recorded(self):
            attempt = SignIn.attempt(
                tenant=tenant,
                username=username[:100],
                outcome=outcome,
                address=address,
                jti=jti,
                effective_at=self.now(),
            )
        return self._commit(attempt)


def _account_key(username: str) -> str:
    return f"account:{username.lower()[:100]}"


def _address_key(address: str) -> str:
    return f"address:{address[:100]}"


def _too_many(what: str, until: datetime, now: datetime) -> TooManyAttemptsError:
    seconds = max(1, ceil((until - now).total_seconds()))
    return TooManyAttemptsError(
        f"too many failed attempts for {what}; try again in {seconds} seconds",
        retry_after=seconds,
    )


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
