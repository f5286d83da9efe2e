"""Conditional reads: an ETag of (query, scope, view positions), 304 to a matching
If-None-Match before the query runs, and the rendered answer kept by that key.

A route opens a ``Read`` once it has checked the caller's scope and before it reads
anything (``services.platform.reads``: the positions are read first, so what the route
then reads is at least that new). ``Read.found`` answers 304, or the stored bytes,
or None (run the route); ``Read.send`` gives the route's response its ETag and
Cache-Control, and keeps a successful one. A write answers only once its views have
reached it (``Platform.wait``), so its writer's next read sees positions that have
moved: a new key, never the answer from before the write.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import Request, Response
from pydantic import BaseModel

from domain.access import Principal
from domain.timeliness import local_date
from services.api.export import wanted
from services.api.present import ChinaJSONResponse
from services.platform.reads import Key, ReadCache, Stored, etag_of, read_key
from services.platform.runtime import Platform

# Shared caches (a reverse proxy, a CDN) may keep a public page but must ask again
# (If-None-Match) before each use: the answer is exactly as fresh as the views.
PUBLIC = "public, max-age=0, must-revalidate"
# Staff answers: the browser may keep them, revalidated each time; no shared cache.
PRIVATE = "private, no-cache"
HTML = "text/html; charset=utf-8"
JSON = "application/json"
READ_STATE = "gongkai.read"  # the request's Read, in the scope's state
M = TypeVar("M", bound=BaseModel | dict[str, Any])


def principal_scope(principal: Principal) -> tuple[str, ...]:
    """Who reads: the same answer is shared only by the same principal."""
    return (principal.id, principal.tenant, *sorted(r.value for r in principal.roles))


def query_of(request: Request) -> str:
    """The query as asked: path, parameters in order of name, and the format Accept
    chooses (JSON or an export; any other Accept answers the same)."""
    params = sorted(request.query_params.multi_items())
    return f"{request.url.path}?{params}|{wanted(request, None)}"


def matches(if_none_match: str | None, etag: str) -> bool:
    """Weak comparison (RFC 9110 §13.1.2): W/ is ignored on both sides."""
    if not if_none_match:
        return False
    mine = etag.removeprefix("W/")
    for tag in if_none_match.split(","):
        tag = tag.strip()
        if tag == "*" or tag.removeprefix("W/") == mine:
            return True
    return False


@dataclass
class Read:
    """One read's key, and what answers it without running it."""

    key: Key
    etag: str
    cache: ReadCache
    cache_control: str
    media_type: str  # of the answer: a 304 says it too, so it gets the same
    # Content-Security-Policy (services/web/headers.py), which a browser takes
    # from the 304 onto the page it keeps
    serving: bool = True  # False: the route was called by another (a page)
    # what services/api/front.py needs to key the same request again itself
    path: str = ""
    views: tuple[str, ...] = ()
    scope: tuple[Any, ...] = ()
    # the request's answer is this read's, as kept (its own 200, or the stored
    # bytes): services/api/front.py keeps only such answers (never an export)
    answered: bool = False

    def headers(self) -> dict[str, str]:
        return {"ETag": self.etag, "Cache-Control": self.cache_control}

    def found(self, request: Request) -> Response | None:
        """304 if the caller holds this answer, else the stored answer, else None."""
        if not self.serving:
            return None
        if matches(request.headers.get("if-none-match"), self.etag):
            return Response(
                status_code=304, headers=self.headers(), media_type=self.media_type
            )
        stored = self.cache.get(self.key) if self.cache.enabled else None
        if stored is None:
            return None
        self.answered = True
        return Response(
            stored.body, media_type=stored.media_type, headers=self.headers()
        )

    def send(self, response: Response) -> Response:
        """The route's answer with this read's ETag; kept if it is a plain 200."""
        if not self.serving or response.status_code != 200:
            return response
        response.headers.update(self.headers())
        if "set-cookie" not in response.headers:
            self.answered = True
            self.cache.put(
                self.key,
                Stored(bytes(response.body), response.media_type or "", self.etag),
            )
        return response

    def send_model(self, model: M) -> M | Response:
        """``send`` of a JSON answer, serialised as FastAPI would (by alias); the
        model itself to a caller that is not serving the request."""
        if not self.serving:
            return model
        content = (
            model.model_dump(mode="json", by_alias=True)
            if isinstance(model, BaseModel)
            else model
        )
        return self.send(ChinaJSONResponse(content))


def begin(
    request: Request,
    platform: Platform,
    path: str,
    views: Sequence[str],
    scope: Sequence[Any],
    *,
    public: bool = False,
    html: bool = False,
    endpoint: Callable[..., Any] | None = None,
) -> Read:
    """Open the read of ``path`` over ``views`` for ``scope``: positions first.

    ``endpoint``: the route function opening it; when another route calls it as a
    function (a page built from an API answer), nothing is checked or kept."""
    cache = platform.reads.cache
    control = PUBLIC if public else PRIVATE
    media = HTML if html or public else JSON
    if endpoint is not None and request.scope.get("endpoint") is not endpoint:
        return Read((), "", cache, control, media, serving=False)
    positions = platform.reads.positions.read(path)
    day = local_date(platform.disclosures.now()).isoformat()
    key = read_key(query_of(request), scope, positions, views, day)
    read = Read(
        key, etag_of(key), cache, control, media, True, path, tuple(views), tuple(scope)
    )
    request.scope.setdefault("state", {})[READ_STATE] = read
    return read
