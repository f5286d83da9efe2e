"""Staff sign-in: activate with the one-time code, then the OAuth2 password flow."""

from __future__ import annotations

import base64
import binascii
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import unquote_plus

from fastapi import APIRouter, Depends, Form, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, WithJsonSchema

from domain.access import Role
from domain.error_words import phrase
from infra.tokens import Claims, TokenSigner
from projections.staff import StaffProjection
from services.api.deps import PlatformDep, PrincipalDep, current_claims
from services.api.forwarded import client_address
from services.api.problems import MEDIA_TYPE, PROBLEM_BASE
from services.api.staff_schemas import (
    Activated,
    ActivateIn,
    ClientTokenOut,
    TokenOut,
)
from services.people.clients import CLIENT_PREFIX
from services.platform.runtime import Platform

router = APIRouter(prefix="/auth", tags=["auth"])
THROTTLED = (
    "Too many failed attempts from this address, or at this account from it: "
    "wait Retry-After seconds (docs/auth.md, Throttling)"
)


@router.post(
    "/activate",
    response_model=Activated,
    summary="Set your password with the one-time activation code",
    responses={
        401: {"description": "The activation code is wrong, expired or used"},
        429: {"description": THROTTLED},
    },
)
def activate(body: ActivateIn, request: Request, platform: PlatformDep) -> Activated:
    platform.sign_ins.activate(
        body.username, body.activation_code, body.password, client_address(request)
    )
    return Activated(username=body.username.strip())


class SignInForm(BaseModel):
    """The OAuth2 token request's form: the password grant (RFC 6749 §4.3.2) for
    staff, the client-credentials grant (§4.4.2) for integrator clients, whose
    id and secret may come in the form or as HTTP Basic (§2.3.1). Other fields are
    ignored; which fields a grant needs is checked in the route (400
    ``invalid_request``)."""

    grant_type: Annotated[
        str | None,
        WithJsonSchema({"type": "string", "enum": list(GRANT_TYPES)}),
    ] = None
    username: str | None = Field(default=None, description="NUMBER@county")
    password: str | None = None
    client_id: str | None = Field(default=None, description="an integrator client")
    client_secret: str | None = None


GRANT_TYPES = ("password", "client_credentials")
OAUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {
        "description": "RFC 6749 §5.2: invalid_request (a field the grant needs is "
        "missing), unsupported_grant_type",
    },
    401: {
        "description": "Wrong username or password, or an inactive account "
        "(problem); invalid_client: unknown, rotated or revoked client credentials "
        "(RFC 6749 §5.2, with WWW-Authenticate: Basic)",
    },
}


def oauth_error(status: int, error: str, description: str) -> JSONResponse:
    """An RFC 6749 §5.2 error that is also an RFC 9457 problem: both sets of
    members, as ``application/problem+json`` like every refusal of this API (a JSON
    media type; OAuth2 clients read ``error`` from the JSON body)."""
    slug = error.replace("_", "-")
    body = {
        "error": error,
        "error_description": description,
        "type": PROBLEM_BASE + slug,
        "title": "Token request refused",
        "title_zh": phrase(slug),
        "status": status,
        "detail": description,
    }
    headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="gongkai"'
    return JSONResponse(
        body, status_code=status, headers=headers, media_type=MEDIA_TYPE
    )


@router.post(
    "/token",
    response_model=TokenOut | ClientTokenOut,
    summary="Sign in (OAuth2 password flow) or get an integrator client's token "
    "(client-credentials grant); form-encoded",
    responses={**OAUTH_ERRORS, 429: {"description": THROTTLED}},
)
def token(
    form: Annotated[SignInForm, Form()],
    request: Request,
    response: Response,
    platform: PlatformDep,
) -> TokenOut | ClientTokenOut | JSONResponse:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    if form.grant_type == "client_credentials":
        return client_token(request, platform, form)
    if form.grant_type not in (None, "password"):
        return oauth_error(
            400,
            "unsupported_grant_type",
            f"grant_type {form.grant_type!r} is not one of {', '.join(GRANT_TYPES)}",
        )
    if not form.username or not form.password:
        return oauth_error(
            400, "invalid_request", "the password grant needs username and password"
        )
    return sign_in(request, platform, form.username, form.password)


def client_token(
    request: Request, platform: Platform, form: SignInForm
) -> ClientTokenOut | JSONResponse:
    """RFC 6749 §4.4: the client's id and secret (form or Basic) for a token."""
    client_id, secret = basic_credentials(request) or (
        form.client_id,
        form.client_secret,
    )
    grant = platform.clients.grant(client_id, secret) if client_id and secret else None
    if grant is None:
        return oauth_error(
            401,
            "invalid_client",
            "unknown client, wrong secret, or a rotated or revoked client",
        )
    signer: TokenSigner = request.app.state.signer
    ttl = timedelta(minutes=platform.settings.client_token_ttl_minutes)
    access = signer.mint(
        subject=CLIENT_PREFIX + grant.client_id,
        tenant=grant.tenant,
        roles=[Role.INTEGRATOR.value],
        generation=grant.generation,
        ttl=ttl,
    )
    return ClientTokenOut(
        access_token=access,
        expires_in=int(ttl.total_seconds()),
        scope=" ".join(grant.families),
        tenant=grant.tenant,
    )


def basic_credentials(request: Request) -> tuple[str, str] | None:
    """RFC 6749 §2.3.1: ``Authorization: Basic`` of the form-urlencoded id and
    secret, when sent."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, colon, secret = decoded.partition(":")
    return (unquote_plus(client_id), unquote_plus(secret)) if colon else None


def sign_in(
    request: Request, platform: Platform, username: str, password: str
) -> TokenOut:
    """Check the password and mint the staff token (the API's and the console's)."""
    signed = platform.sign_ins.sign_in(username, password, client_address(request))
    platform.wait(StaffProjection.name, signed.position)  # last sign-in shown
    signer: TokenSigner = request.app.state.signer
    ttl = timedelta(minutes=platform.settings.staff_token_ttl_minutes)
    access = signer.mint(
        subject=signed.username,
        tenant=signed.tenant,
        roles=signed.roles,
        jti=signed.jti,
        generation=signed.generation,
        ttl=ttl,
    )
    return TokenOut(
        access_token=access,
        expires_in=int(ttl.total_seconds()),
        username=signed.username,
        tenant=signed.tenant,
        roles=list(signed.roles),
    )


@router.post(
    "/revoke",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Sign out: the token you send stops working",
)
def revoke(
    principal: PrincipalDep,
    claims: Annotated[Claims, Depends(current_claims)],
    platform: PlatformDep,
) -> Response:
    if claims.is_staff and claims.jti and claims.expires_at:
        platform.sign_ins.sign_out(claims.subject, claims.jti, claims.expires_at)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
