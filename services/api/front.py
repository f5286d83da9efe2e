"""Public reads answered in front of the application: cache hits and 304s.

A cached 公开栏 page still cost ~800 µs of server CPU per request against a bare
FastAPI app's ~280 µs (docs/performance.md): not the page but every request's way
through the app (security headers, the session, the body guard, the last-resort
handler, routing, the query check, the dependencies, the threadpool hop). This
layer sits inside the request id, metrics and drain middlewares (``Observe``,
``DrainMiddleware``: they still see, count, log and drain every request) and in
front of all the others. It answers a ``GET`` of a public page (``/gongkai``) it
has seen answered before without any of them:

- The first time a page is answered (a 200 whose route opened a public ``Read``,
  ``services.api.revalidate``), the layer notes how to key that request again (its
  ``Recipe``: the tenant path whose positions it reads, the views, the scope, the
  route for the metrics) and keeps the answer with **the headers the middlewares
  inside it added** (security headers, Content-Security-Policy for its content
  type, Cache-Control, ETag), under the read's own key.
- A later request of the same query reads the positions (one query, as the route
  would), computes the same key and ETag, and answers ``304`` to a matching
  ``If-None-Match`` or the kept answer, byte for byte what the route path sends
  (tested: ``tests/e2e/test_front_reads.py``). Anything else (no recipe, no kept
  answer, a body, the store down) goes through the application as before.

Only public pages: their scope is the same for everyone, so the request alone
keys them. An API read's scope is its principal, known only once its token has
been checked, which is the work this layer exists to skip.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from anyio import to_thread
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.timeliness import local_date
from services.api.forwarded import is_https
from services.api.revalidate import READ_STATE, Read, matches, query_of
from services.platform.reads import Stored, etag_of, read_key
from services.platform.runtime import Platform

PREFIX = "/gongkai"
MAX_RECIPES = 10_000
DROPPED = frozenset({b"etag", b"content-length"})  # what a 304 does not repeat


@dataclass(frozen=True)
class Recipe:
    """How to key a request of one query again: what its route's ``begin`` took."""

    path: str
    views: tuple[str, ...]
    scope: tuple[Any, ...]
    route: Any  # for Observe's route label
    headers: tuple[tuple[bytes, bytes], ...]  # of its 200, without ETag and length


def front_key(https: bool, key: tuple[Any, ...]) -> tuple[Any, ...]:
    """The kept whole answer's key: the read's, and whether it came over HTTPS
    (Strict-Transport-Security is sent only then)."""
    return ("front", https, *key)


class FrontReads:
    """ASGI middleware: cached public pages and their 304s, before the app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._recipes: OrderedDict[tuple[str, bool], Recipe] = OrderedDict()
        self.answered = 0  # requests answered here (tests, bench)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _candidate(scope):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        https = is_https(request)
        query = query_of(request)
        recipe = self._recipes.get((query, https))
        platform = _platform(scope)
        if (
            recipe is not None
            and platform is not None
            and await self._answer(request, platform, recipe, query, https, send)
        ):
            self.answered += 1
            return
        await self._through(scope, receive, send, query, https, platform)

    async def _answer(
        self,
        request: Request,
        platform: Platform,
        recipe: Recipe,
        query: str,
        https: bool,
        send: Send,
    ) -> bool:
        """Send the 304 or the kept answer; False if neither can be sent here."""
        try:
            positions = await _positions(platform, recipe.path)
        except Exception:  # the route will meet it again and answer it properly
            return False
        day = local_date(platform.disclosures.now()).isoformat()
        key = read_key(query, recipe.scope, positions, recipe.views, day)
        etag = etag_of(key)
        if matches(request.headers.get("if-none-match"), etag):
            status, body = 304, b""
            headers = [(b"etag", etag.encode()), *recipe.headers]
        else:
            cache = platform.reads.cache
            stored = cache.get(front_key(https, key)) if cache.enabled else None
            if stored is None:
                return False
            status, body, headers = 200, stored.body, list(stored.headers)
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
        query: str,
        https: bool,
        platform: Platform | None,
    ) -> None:
        """Through the application; a public 200 is kept with its headers."""
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
        if not (isinstance(read, Read) and read.serving and whole and start):
            return
        if start["status"] != 200 or platform is None or read.scope != ("public",):
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
        self._remember((query, https), recipe)
        media = next((v for k, v in headers if k.lower() == b"content-type"), b"")
        platform.reads.cache.put(
            front_key(https, read.key),
            Stored(body, media.decode("latin-1"), read.etag, headers),
        )

    def _remember(self, query: tuple[str, bool], recipe: Recipe) -> None:
        self._recipes[query] = recipe
        self._recipes.move_to_end(query)
        while len(self._recipes) > MAX_RECIPES:
            self._recipes.popitem(last=False)


def _candidate(scope: Scope) -> bool:
    """A GET of a public page without a body."""
    if scope["type"] != "http" or scope["method"] != "GET":
        return False
    if not scope["path"].startswith(PREFIX):
        return False
    for name, value in scope.get("headers", []):
        if name == b"transfer-encoding" or (
            name == b"content-length" and value != b"0"
        ):
            return False
    return True


def _platform(scope: Scope) -> Platform | None:
    """The process's platform, or None while the store is down or not yet there."""
    state = scope["app"].state
    store = getattr(state, "store", None)
    starter = getattr(state, "starter", None)
    if store is None or starter is None or store.down:
        return None
    platform: Platform | None = starter.platform
    return platform


async def _positions(platform: Platform, path: str) -> dict[str, int]:
    """The positions, as the route reads them: on SQLite inline (tens of µs, no
    round trip), on PostgreSQL in the threadpool (a round trip would hold the
    event loop)."""
    positions = platform.reads.positions
    if positions.postgres:
        return await to_thread.run_sync(positions.read, path)
    return positions.read(path)
