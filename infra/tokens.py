"""Bearer tokens: HS256 JWTs carrying a principal's tenant path and roles."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import jwt

from infra.settings import Settings

ISSUER = "gongkai"
VERIFIED_CACHE = 4096  # tokens whose signature was checked, kept with their claims
SECRET_FILE = "token-secret"  # noqa: S105 - a file name


@dataclass(frozen=True)
class Claims:
    """What a verified token says: who, which tenant (None = installation), roles."""

    subject: str
    tenant: str | None
    roles: tuple[str, ...]
    jti: str | None = None
    generation: int | None = None  # set on staff tokens: the staffer's generation
    expires_at: datetime | None = None

    @property
    def is_staff(self) -> bool:
        return self.generation is not None


class TokenError(Exception):
    """The token is missing, malformed, expired or forged."""


def load_secret(settings: Settings) -> bytes:
    """The configured secret, else one generated once into ``$GONGKAI_HOME``."""
    if settings.token_secret is not None:
        return settings.token_secret.get_secret_value().encode()
    path = settings.home / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
    return path.read_text().strip().encode()


class TokenSigner:
    """Mints and verifies tokens with one secret."""

    def __init__(self, secret: bytes, ttl: timedelta = timedelta(days=30)) -> None:
        self._secret = secret
        self._ttl = ttl
        self._verified: dict[str, Claims] = {}

    def mint(
        self,
        *,
        subject: str,
        tenant: str | None,
        roles: Iterable[str],
        now: datetime | None = None,
        jti: str | None = None,
        generation: int | None = None,
        ttl: timedelta | None = None,
    ) -> str:
        """A signed token; every token carries an id (``jti``) that can be revoked."""
        issued = now or datetime.now(UTC)
        claims: dict[str, object] = {
            "iss": ISSUER,
            "sub": subject,
            "tenant": tenant,
            "roles": sorted(roles),
            "iat": int(issued.timestamp()),
            "exp": int((issued + (ttl or self._ttl)).timestamp()),
            "jti": jti or uuid4().hex,
        }
        if generation is not None:
            claims["gen"] = generation
        return jwt.encode(claims, self._secret, algorithm="HS256")

    def verify(self, token: str) -> Claims:
        """The token's claims; a token verified before is taken from a small cache
        (a signature check per request is most of an authenticated read's own
        cost), its expiry checked again on every use."""
        found = self._verified.get(token)
        if found is not None:
            if found.expires_at <= datetime.now(UTC):
                self._verified.pop(token, None)
                raise TokenError("Signature has expired")
            return found
        claims = self._verify(token)
        if len(self._verified) >= VERIFIED_CACHE:
            self._verified.clear()
        self._verified[token] = claims
        return claims

    def _verify(self, token: str) -> Claims:
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=["HS256"],
                issuer=ISSUER,
                options={"require": ["exp", "sub", "iss"]},
            )
            roles = claims.get("roles", [])
            if not isinstance(roles, list) or not all(
                isinstance(r, str) for r in roles
            ):
                raise TokenError("roles claim must be a list of strings")
        except (jwt.PyJWTError, ValueError, TypeError) as e:
            raise TokenError(str(e)) from None
        tenant = claims.get("tenant")
        if tenant is not None and not isinstance(tenant, str):
            raise TokenError("tenant claim must be a string")
        generation = claims.get("gen")
        if generation is not None and not isinstance(generation, int):
            raise TokenError("gen claim must be an integer")
        jti = claims.get("jti")
        return Claims(
            subject=str(claims["sub"]),
            tenant=tenant,
            roles=tuple(roles),
            jti=jti if isinstance(jti, str) else None,
            generation=generation,
            expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
        )
