"""Reads answered in front of the application: kept answers and 304s.

A cached 公开栏 page still cost ~800 µs of server CPU per request against a bare
FastAPI app's ~280 µs (docs/performance.md): not the page but every request's way
through the app (security headers, the session, the body guard, the last-resort
handler, routing, the query check, the dependencies, the threadpool hop). This
layer sits inside the request id, metrics and drain middlewares (``Observe``,
``DrainMiddleware``: they still see, count, log and drain every request) and in
front of all the others. It answers a ``GET`` of a public page (``/gongkai``), or
of the API for a bearer token's principal, that it has seen answered before
without any of them:

- The first time a read is answered (a 200 of the read's own: its route opened a
  ``Read``, ``services.api.revalidate``, and sent it through ``Read.send``), the
  layer notes how to key that request again (its
  ``Recipe``: the tenant path whose positions it reads, the views, the scope, the
  route for the metrics) and keeps the answer with **the headers the middlewares
  inside it added** (security headers, Content-Security-Policy for its content
  type, Cache-Control, ETag), under the read's own key.
- A later request of the same query reads the positions (one query, as the route
  would), computes the same key and ETag, and answers ``304`` to a matching
  ``If-None-Match`` or the kept answer, byte for byte what the route path sends
  (tested: ``tests/e2e/test_front_reads.py``). Anything else (no recipe, no kept
  answer, a body, the store down) goes through the application as before.

The API's reads (``/v1/…`` with ``Authorization: Bearer``) too: their scope is
the principal, so the layer first learns it the way the route's dependency does
(``services.api.deps.principal_of``: the token's signature from the signer's cache,
its expiry, and the staffer's or client's registration by one version query: a
signed-out, deactivated or rotated token, or a staffer whose roles or tenant
changed, is never answered from what an earlier token was sent). The recipes are
kept per query AND scope: a principal is answered here only for a query the route
has answered it (so its checks, ``require_read`` among them, passed for that
scope), and the key holds the scope, so a sibling tenant never gets another's
answer, nor a 304 for its ETag. Requests without ``Authorization`` (the console's
session, ``services.web.session.SessionReads``) take the route's path.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Literal

from anyio import to_thread
from fastapi.security.utils import get_authorization_scheme_param
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.access import Principal
from domain.timeliness import local_date
from infra.tokens import TokenSigner
from services.api.deps import noted, principal_of
from services.api.forwarded import is_https
from services.api.revalidate import (
    READ_STATE,
    Read,
    matches,
    principal_scope,
    query_of,
)
from services.platform.reads import Stored, etag_of, read_key
from services.platform.runtime import Platform

PREFIX = "/gongkai"
API_PREFIX = "/v1/"
PUBLIC = ("public",)  # the public pages' scope
MAX_RECIPES = 10_000  # queries
MAX_SCOPES = 1_000  # scopes of one query
DROPPED = frozenset({b"etag", b"content-length"})  # what a 304 does not repeat

Kind = Literal["public", "api"]
Query = tuple[str, bool]  # the query as keyed, and whether over HTTPS


@dataclass(frozen=True)
class Recipe:
    """How to key a request of one query again: what its route's ``begin`` took."""

    path: str
    views: tuple[str, ...]
    scope: tuple[Any, ...]
    route: Any  # for Observe's route label
    headers: tuple[tuple[bytes, bytes], ...]  # of its 200, without ETag and length


@dataclass(frozen=True)
class Found:
    """A request this layer may answer: its recipe, the positions, the caller."""

    recipe: Recipe
    positions: dict[str, int]
    principal: Principal | None  # None: a public page


def front_key(https: bool, key: tuple[Any, ...]) -> tuple[Any, ...]:
    """The kept whole answer's key: the read's, and whether it came over HTTPS
    (Strict-Transport-Security is sent only then)."""
    return ("front", https, *key)


class FrontReads:
    """ASGI middleware: kept reads and their 304s, before the app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # per query, per scope: public pages have one scope, API reads one per
        # principal that the route has answered that query
        self._recipes: OrderedDict[Query, dict[tuple[Any, ...], Recipe]] = OrderedDict()
        self.answered = 0  # requests answered here (tests, bench)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = _candidate(scope)
        if kind is None:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        https = is_https(request)
        query = (query_of(request), https)
        recipes = self._recipes.get(query)
        platform = _platform(scope)
        if (
            recipes is not None
            and platform is not None
            and await self._answer(request, platform, kind, recipes, https, send)
        ):
            self.answered += 1
            return
        await self._through(scope, receive, send, kind, query, platform)

    async def _answer(
        self,
        request: Request,
        platform: Platform,
        kind: Kind,
        recipes: dict[tuple[Any, ...], Recipe],
        https: bool,
        send: Send,
    ) -> bool:
        """Send the 304 or the kept answer; False if neither can be sent here."""
        held = request.headers.get("if-none-match")
        if not (held or platform.reads.cache.enabled):
            return False  # nothing kept to send, no 304 asked for
        token = _bearer(request) if kind == "api" else None
        if kind == "api" and token is None:
            return False
        signer: TokenSigner = request.app.state.signer
        try:  # as the route reads them: inline on SQLite, in a thread on PostgreSQL
            if platform.reads.positions.postgres:
                found = await to_thread.run_sync(
                    _find, platform, signer, token, recipes
                )
            else:
                found = _find(platform, signer, token, recipes)
        except Exception:  # the route will meet it again and answer it properly
            return False
        if found is None:
            return False
        recipe = found.recipe
        day = local_date(platform.disclosures.now()).isoformat()
        key = read_key(
            query_of(request), recipe.scope, found.positions, recipe.views, day
        )
        etag = etag_of(key)
        if matches(held, etag):
            status, body = 304, b""
            headers = [(b"etag", etag.encode()), *recipe.headers]
        else:
            cache = platform.reads.cache
            stored = cache.get(front_key(https, key)) if cache.enabled else None
            if stored is None:
                return False
            status, body, headers = 200, stored.body, list(stored.headers)
        if found.principal is not None:
            noted(request, found.principal)  # for its access record
        request.scope["route"] = recipe.route
        start = {"type": "http.response.start", "status": status, "headers": headers}
        await send(start)
        await send({"type": "http.response.body", "body": body})
        return True

    async def _through(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        kind: Kind,
        query: Query,
        platform: Platform | None,
    ) -> None:
        """Through the application; a read's own 200 is kept with its headers."""
        state = scope.setdefault("state", {})
        start: Message | None = None
        chunks: list[bytes] = []
        whole = True

        async def capturing(message: Message) -> None:
            nonlocal start, whole
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                whole = whole and not message.get("more_body", False)
            await send(message)

        await self.app(scope, receive, capturing)
        read = state.get(READ_STATE)
        if not (isinstance(read, Read) and read.serving and read.answered):
            return
        if not whole or start is None or start["status"] != 200 or platform is None:
            return
        if (read.scope == PUBLIC) != (kind == "public"):
            return
        headers = tuple((bytes(k), bytes(v)) for k, v in start.get("headers", []))
        if any(k.lower() == b"set-cookie" for k, _ in headers):
            return
        body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        fastapi = scope.get("fastapi")
        chosen = isinstance(fastapi, dict) and fastapi.get("effective_route_context")
        route = chosen or scope.get("route")
        recipe = Recipe(
            read.path,
            read.views,
            read.scope,
            route,
            tuple((k, v) for k, v in headers if k.lower() not in DROPPED),
        )
        self._remember(query, recipe)
        media = next((v for k, v in headers if k.lower() == b"content-type"), b"")
        platform.reads.cache.put(
            front_key(query[1], read.key),
            Stored(body, media.decode("latin-1"), read.etag, headers),
        )

    def _remember(self, query: Query, recipe: Recipe) -> None:
        recipes = self._recipes.get(query)
        if recipes is None:
            recipes = self._recipes[query] = {}
        elif len(recipes) >= MAX_SCOPES and recipe.scope not in recipes:
            del recipes[next(iter(recipes))]
        recipes[recipe.scope] = recipe
        self._recipes.move_to_end(query)
        while len(self._recipes) > MAX_RECIPES:
            self._recipes.popitem(last=False)


def _find(
    platform: Platform,
    signer: TokenSigner,
    token: str | None,
    recipes: dict[tuple[Any, ...], Recipe],
) -> Found | None:
    """The caller (from ``token``; none for a public page), its recipe of this
    query, and the positions it reads; None if the route has not answered this
    caller's scope. Raises what the route's checks would refuse."""
    principal = None
    if token is None:
        recipe = recipes.get(PUBLIC)
    else:
        claims = signer.verify(token)
        principal = principal_of(claims, lambda: platform)
        recipe = recipes.get(principal_scope(principal))
    if recipe is None:
        return None
    return Found(recipe, platform.reads.positions.read(recipe.path), principal)


def _candidate(scope: Scope) -> Kind | None:
    """A GET without a body of a public page, or of the API with a bearer token."""
    if scope["type"] != "http" or scope["method"] != "GET":
        return None
    path: str = scope["path"]
    authorized = False
    for name, value in scope.get("headers", []):
        if name == b"transfer-encoding" or (
            name == b"content-length" and value != b"0"
        ):
            return None
        authorized = authorized or name == b"authorization"
    if path.startswith(PREFIX):
        return "public"
    if path.startswith(API_PREFIX) and authorized:
        return "api"
    return None


def _bearer(request: Request) -> str | None:
    """The bearer token, read as ``HTTPBearer`` reads it (``deps.bearer``)."""
    scheme, credentials = get_authorization_scheme_param(
        request.headers.get("authorization")
    )
    if scheme.lower() != "bearer" or not credentials:
        return None
    return credentials.strip()


def _platform(scope: Scope) -> Platform | None:
    """The process's platform, or None while the store is down or not yet there."""
    state = scope["app"].state
    store = getattr(state, "store", None)
    starter = getattr(state, "starter", None)
    if store is None or starter is None or store.down:
        return None
    platform: Platform | None = starter.platform
    return platform
