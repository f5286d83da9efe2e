"""Staff sign-in: activate with the one-time code, then the OAuth2 password flow."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response, status
from pydantic import BaseModel, Field, WithJsonSchema

from infra.tokens import Claims, TokenSigner
from projections.staff import StaffProjection
from services.api.deps import PlatformDep, PrincipalDep, current_claims
from services.api.forwarded import client_address
from services.api.staff_schemas import Activated, ActivateIn, TokenOut
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
    """The OAuth2 password grant's form (RFC 6749 §4.3.2); other fields ignored."""

    grant_type: Annotated[
        str | None, WithJsonSchema({"type": "string", "enum": ["password"]})
    ] = Field(default=None, pattern="^password$")
    username: str = Field(min_length=1, description="NUMBER@county")
    password: str = Field(min_length=1)


@router.post(
    "/token",
    response_model=TokenOut,
    summary="Sign in (OAuth2 password flow, form-encoded username and password)",
    responses={
        401: {"description": "Wrong username or password, or an inactive account"},
        429: {"description": THROTTLED},
    },
)
def token(
    form: Annotated[SignInForm, Form()],
    request: Request,
    response: Response,
    platform: PlatformDep,
) -> TokenOut:
    response.headers["Cache-Control"] = "no-store"
    return sign_in(request, platform, form.username, form.password)


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
