"""Console sessions and CSRF tokens.

The session cookie holds the staff token that ``POST /v1/auth/token`` would answer
(HttpOnly, SameSite=Lax), checked against the registry on every request exactly like a
bearer token, so signing out or deactivating an account ends the session too.

The session also serves the API's reads, so a page's "JSON" twin and the printable
公示/通报 open in the signed-in browser: a ``GET``/``HEAD`` under ``/v1/`` with no
``Authorization`` header is read as if it carried the session's token
(``SessionReads``). Only reads: a command to the API still needs its bearer token,
so a form on another site cannot act in the staffer's name (and SameSite=Lax keeps
the cookie off other sites' subrequests).

CSRF: a random nonce lives in its own HttpOnly cookie; every form carries
HMAC(secret, nonce, session) in a hidden field, where the session is the session
cookie's value (empty when signed out), and a POST whose field does not match is
refused (403) before anything else happens. Bound to the session, a token is good only
for the session it was drawn in: a cookie and token pair planted from an anonymous
visit (or another session) is refused for a signed-in staffer, and signing in or out
starts a new nonce as well.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.security import HTTPAuthorizationCredentials
from starlette.types import ASGIApp, Receive, Scope, Send

from domain.access import Principal
from infra.tokens import Claims
from services.api.deps import claims_of, get_principal, platform_of
from services.api.forwarded import is_https
from services.api.problems import HttpProblemError
from services.people.names import actor_text, named_actor
from services.web.templating import COOKIE_FLAGS

SESSION_COOKIE = "gongkai_session"
CSRF_COOKIE = "gongkai_csrf"
CSRF_FIELD = "csrf_token"


class SignInRequiredError(Exception):
    """A console page was asked for without a valid session."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


class CsrfRefusedError(Exception):
    """A console form was posted without its CSRF token."""


def _secret(request: Request) -> bytes:
    secret: bytes = request.app.state.web_secret
    return secret


def csrf_for(request: Request, nonce: str) -> str:
    """The token of ``nonce`` in the request's session (none when signed out)."""
    session = request.cookies.get(SESSION_COOKIE, "")
    message = b"csrf:" + nonce.encode() + b"\x00" + session.encode()
    return hmac.new(_secret(request), message, hashlib.sha256).hexdigest()


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


def prepare(request: Request) -> None:
    """Give the request a CSRF token for its forms (a new nonce cookie if none)."""
    nonce = request.cookies.get(CSRF_COOKIE)
    if not nonce or len(nonce) > 100:
        nonce = new_nonce()
        request.state.set_cookies = {CSRF_COOKIE: nonce}
    request.state.csrf = csrf_for(request, nonce)


def start_session(request: Request, response: Response, token: str, ttl: int) -> None:
    """Signed in: the session cookie, and a new CSRF nonce beside it."""
    secure = is_https(request)
    response.set_cookie(
        SESSION_COOKIE, token, max_age=ttl, secure=secure, **COOKIE_FLAGS
    )
    response.set_cookie(CSRF_COOKIE, new_nonce(), secure=secure, **COOKIE_FLAGS)


def end_session(request: Request, response: Response) -> None:
    """Signed out: no session cookie, and a new CSRF nonce."""
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.set_cookie(
        CSRF_COOKIE, new_nonce(), secure=is_https(request), **COOKIE_FLAGS
    )


async def check_csrf(request: Request) -> dict[str, Any]:
    """The posted form, once its CSRF token has been checked."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    nonce = request.cookies.get(CSRF_COOKIE)
    if not isinstance(sent, str) or not nonce:
        raise CsrfRefusedError
    if not hmac.compare_digest(sent, csrf_for(request, nonce)):
        raise CsrfRefusedError
    return {k: v for k, v in form.multi_items() if k != CSRF_FIELD}


def session_claims(request: Request) -> Claims | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > 4096:
        return None
    creds = HTTPAuthorizationCredentials(scheme="Bearer", credentials=token)
    try:
        return claims_of(request, creds)
    except HttpProblemError:
        return None


def session_principal(request: Request) -> Principal | None:
    """The signed-in staffer, checked against the registry like a bearer token."""
    claims = session_claims(request)
    if claims is None:
        return None
    try:
        principal = get_principal(request, claims)
    except HttpProblemError:
        return None
    request.state.staff = principal
    request.state.who = actor_text(named_actor(platform_of(request), principal.actor()))
    return principal


def require_staff(request: Request) -> Principal:
    """The signed-in staffer, or a redirect to the sign-in page."""
    prepare(request)
    principal = session_principal(request)
    if principal is None:
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        raise SignInRequiredError(quote(target, safe="/?=&"))
    return principal


READS = ("GET", "HEAD")
API_PREFIX = "/v1/"


class SessionReads:
    """The API's reads answer a signed-in browser: a ``GET``/``HEAD`` under ``/v1/``
    without ``Authorization`` takes the session cookie's token as its bearer token
    (checked exactly like one). Commands are left alone."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] in READS
            and scope["path"].startswith(API_PREFIX)
        ):
            headers = scope["headers"]
            if not any(name == b"authorization" for name, _ in headers):
                token = Request(scope).cookies.get(SESSION_COOKIE)
                if token and len(token) <= 4096 and token.isascii():
                    bearer = (b"authorization", b"Bearer " + token.encode())
                    scope = {**scope, "headers": [*headers, bearer]}
        await self.app(scope, receive, send)
