"""Password sign-in for staff: activation, sign-in, token checks, sign-out, throttles.

Password hashes live in the credential store (infra/credentials.py), never in the log.
Every sign-in and activation attempt is recorded as a ``SignIn`` event (who, when, from
where, how it ended) in the log of the staffer's tenant; the throttle that refuses
attempts is ``services/people/throttle.py``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from uuid import uuid4

from domain.access import Principal
from domain.errors import (
    AccountInactiveError,
    InvalidActivationCodeError,
    InvalidCredentialsError,
)
from domain.people.signin import Outcome, SignIn
from domain.people.staff import (
    MAX_PASSWORD,
    Staffer,
    check_password,
    parse_username,
    staff_id,
)
from domain.tenancy import Tenant, tenant_id
from infra.credentials import CredentialStore
from infra.passwords import Passwords, activation_digest, same_digest
from infra.settings import Settings
from services.core.base import GongkaiApplication, recorded
from services.people.throttle import SignInThrottle

log = logging.getLogger("gongkai.signin")

MAX_USERNAME = 100


@dataclass(frozen=True)
class SignedIn:
    """A successful sign-in: what the token will say."""

    username: str
    tenant: str
    roles: tuple[str, ...]
    generation: int
    jti: str
    position: int


class SignIns(GongkaiApplication):
    """Sets staff passwords with activation codes and signs staff in."""

    credentials: CredentialStore
    passwords: Passwords
    settings: Settings
    throttle: SignInThrottle

    def configure(
        self, credentials: CredentialStore, passwords: Passwords, settings: Settings
    ) -> None:
        self.credentials, self.passwords, self.settings = (
            credentials,
            passwords,
            settings,
        )
        self.throttle = SignInThrottle(credentials, settings)

    def activate(self, username: str, code: str, password: str, address: str) -> int:
        """Set the password with the one-time activation code; returns the position."""
        now = self.now()
        staffer = self._by_username(username)
        name = staffer.username if staffer else username.strip()
        self._refuse_if_throttled(name, address, staffer)
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
        check_password(password, staffer.number)  # the code stays usable if weak
        if not self.credentials.redeem_activation(
            name, digest, self.passwords.hash(password)
        ):  # used by a concurrent request a moment ago
            raise InvalidActivationCodeError(
                "the activation code was just used", field="activation_code"
            )
        self.throttle.succeeded(name, address)
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
        staffer = self._by_username(username[:MAX_USERNAME])
        name = staffer.username if staffer else username.strip()[:MAX_USERNAME]
        self._refuse_if_throttled(name, address, staffer)
        credential = self.credentials.get(name) if staffer else None
        stored = credential.password_hash if credential else None
        too_long = len(password) > MAX_PASSWORD  # never valid: spare the hashing
        if too_long or not self.passwords.verify(stored, password) or staffer is None:
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
        self.throttle.succeeded(name, address)
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
        (deactivated, signed out, password changed). Roles come from the registry.

        Asked on every staff request: the staffer is kept by its version in the
        reference cache (refcache.py), so a request asks the store one version query
        instead of replaying the staffer's events; a sign-out, deactivation or
        reset moves the version, and the very next request reads it afresh."""
        parsed = parse_username(username)
        if parsed is None:
            return None
        ident = staff_id(*parsed)
        staffer = self.references.get(
            ("staffer", ident), [ident], lambda: self._get(ident, Staffer)
        )
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

    def _refuse_if_throttled(
        self, name: str, address: str, staffer: Staffer | None
    ) -> None:
        """Raise 429 if the throttle holds this attempt back; recorded in the
        staffer's log (an unknown account's only logged, so a flood of made-up
        names cannot grow the log)."""
        refused = self.throttle.refusal(name, address, self.now())
        if refused is None:
            return
        log.warning("sign-in as %r from %s refused: %s", name, address, refused)
        if staffer is not None:
            self._record_attempt(staffer.tenant, name, Outcome.THROTTLED, address)
        raise refused

    def _failure(
        self, name: str, address: str, staffer: Staffer | None, outcome: Outcome
    ) -> None:
        self.throttle.missed(name, address, self.now())
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
