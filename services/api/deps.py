"""Typed dependencies: the caller's principal and the platform."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import WithJsonSchema

from domain.access import Principal, Role
from infra.storestate import StoreDownError, StoreState
from infra.tokens import Claims, TokenError, TokenSigner
from services.api.problems import HttpProblemError
from services.people.clients import CLIENT_PREFIX
from services.platform.runtime import Platform


# Dependencies that do no I/O are ``async``: FastAPI runs a sync one on the thread
# pool, a hop per dependency per request that costs more than the work itself.
async def get_platform(request: Request) -> Platform:
    return platform_of(request)


def platform_of(request: Request) -> Platform:
    """The process's platform; StoreDownError (503 at once) while the store is
    known down or the process has not connected yet (services/platform/starter.py)."""
    store: StoreState = request.app.state.store
    down = store.down
    platform: Platform | None = request.app.state.starter.platform
    if down or platform is None:
        raise StoreDownError(down or store.reason or "not connected to the store yet")
    return platform


# The OpenAPI security scheme; we answer a missing token ourselves (401 problem).
bearer = HTTPBearer(
    scheme_name="bearer",
    bearerFormat="JWT",
    description="a token from `POST /v1/auth/token` (staff sign-in) or "
    "`gongkai token --tenant PATH --role ROLE` (installation admin, integrators)",
    auto_error=False,
)


async def current_claims(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Claims:
    """The verified claims of the caller's bearer token."""
    return claims_of(request, credentials)


def claims_of(
    request: Request, credentials: HTTPAuthorizationCredentials | None
) -> Claims:
    """``current_claims`` for callers outside FastAPI's dependency injection."""
    signer: TokenSigner = request.app.state.signer
    if credentials is None:
        raise HttpProblemError(
            401,
            "unauthenticated",
            "Authentication required",
            "send Authorization: Bearer <token> (sign in with POST /v1/auth/token)",
        )
    try:
        return signer.verify(credentials.credentials.strip())
    except TokenError as e:
        raise HttpProblemError(401, "invalid-token", "Invalid token", str(e)) from None


def get_principal(
    request: Request, claims: Annotated[Claims, Depends(current_claims)]
) -> Principal:
    """The caller, as ``principal_of`` finds it, noted on the request."""
    return noted(request, principal_of(claims, lambda: platform_of(request)))


def principal_of(claims: Claims, platform: Callable[[], Platform]) -> Principal:
    """Who a verified token stands for now: a staffer's token is checked against
    the registry every time (deactivated, signed out or re-activated → refused) and
    takes its roles there; an integrator client's likewise against its registration
    (rotated, revoked). Both are one version query (the reference cache). Asked by
    the route's dependency and by ``services.api.front`` before it answers a read
    from what it kept: one check, so both refuse the same tokens."""
    if claims.subject.startswith(CLIENT_PREFIX) and claims.is_staff:
        client = platform().clients.current(
            claims.subject.removeprefix(CLIENT_PREFIX), claims.generation
        )
        if client is None:
            raise HttpProblemError(
                401,
                "token-revoked",
                "Token revoked",
                "this client's secret was rotated or the client revoked; ask for a"
                " new token with the current secret",
            )
        return client
    if claims.is_staff:
        principal = platform().sign_ins.current(
            claims.subject, claims.jti, claims.generation
        )
        if principal is None:
            raise HttpProblemError(
                401,
                "token-revoked",
                "Token revoked",
                "this token no longer works (signed out, or the account was "
                "deactivated or reset); sign in again",
            )
        return principal
    try:
        roles = frozenset(Role(r) for r in claims.roles)
    except ValueError as e:
        raise HttpProblemError(401, "invalid-token", "Invalid token", str(e)) from None
    return Principal(id=claims.subject, tenant=claims.tenant, roles=roles)


def noted(request: Request, principal: Principal) -> Principal:
    """The caller, noted on the request for its access record
    (services/operations/observe.py)."""
    request.state.principal = principal.id
    request.state.tenant = principal.tenant
    return principal


# An entity tag of a version ("3", W/"3", or bare 3), or * for "any version".
ETAG_PATTERN = r'^(?:\*|(?:W/)?"[0-9]{1,18}"|[0-9]{1,18})$'
_ETAG = re.compile(ETAG_PATTERN)


def parse_if_match(if_match: str | None) -> int | None:
    """``If-Match: "3"`` (or W/"3", or 3) → 3; ``*`` or none → None."""
    text = None if if_match is None else if_match.strip()
    if text is None or text == "*":
        return None
    if not _ETAG.fullmatch(text):
        raise HttpProblemError(
            400,
            "invalid-if-match",
            "Invalid If-Match",
            f'If-Match must be an ETag such as "3", got {if_match!r}',
            field="If-Match",
        )
    return int(text.removeprefix("W/").strip('"'))


def get_expected_version(
    if_match: Annotated[
        str | None,
        WithJsonSchema({"type": "string", "pattern": ETAG_PATTERN}),
        Header(description='ETag of the version you saw, e.g. "2"; * for any'),
    ] = None,
) -> int | None:
    return parse_if_match(if_match)


PlatformDep = Annotated[Platform, Depends(get_platform)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
ExpectedVersionDep = Annotated[int | None, Depends(get_expected_version)]
