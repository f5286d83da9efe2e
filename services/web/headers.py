"""Security headers on every answer: what a browser may run, frame, sniff and keep.

- Every response: ``X-Content-Type-Options: nosniff``, ``Referrer-Policy:
  same-origin``, ``X-Frame-Options: DENY``, and a ``Content-Security-Policy``: for an
  HTML page ``PAGE_POLICY`` (scripts, styles, images and fetches from this origin
  only, no inline script, no framing), for anything else ``default-src 'none'``.
  ReDoc (``/redoc``) is allowed inline *styles*, which its bundle writes as it
  renders, and a worker from a ``blob:`` URL (its search); no page runs inline
  script.
- Console answers (``/console``: signed-in pages, their forms and exports):
  ``Cache-Control: no-store``, so a shared or back-buttoned browser keeps nothing.
- Over HTTPS (to us, or to a trusted proxy that says so, ``services.api.forwarded``):
  ``Strict-Transport-Security``.

A pure ASGI middleware, so streamed exports and server-sent events pass untouched.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.api.forwarded import is_https

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# ReDoc's bundle writes its styles into <style> elements as it renders, and runs its
# search index in a worker it makes from a blob: URL.
REDOC_POLICY = (
    PAGE_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
    + "; worker-src blob:"
)
OTHER_POLICY = "default-src 'none'; frame-ancestors 'none'"
NO_STORE_PREFIX = "/console"
HSTS = "max-age=31536000"


def _policy(path: str, content_type: str) -> str:
    if not content_type.startswith("text/html"):
        return OTHER_POLICY
    return REDOC_POLICY if path == "/redoc" else PAGE_POLICY


class SecurityHeaders:
    """Adds the headers above to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        https = is_https(Request(scope))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                content_type = headers.get("content-type", "")
                headers["Content-Security-Policy"] = _policy(path, content_type)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                headers["Referrer-Policy"] = "same-origin"
                if path.startswith(NO_STORE_PREFIX):
                    headers["Cache-Control"] = "no-store"
                if https:
                    headers["Strict-Transport-Security"] = HSTS
            await send(message)

        await self.app(scope, receive, with_headers)
