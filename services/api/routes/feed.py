"""Streams over HTTP: the CloudEvent feed, its live SSE form, and event JSON Schemas."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool

from domain.access import Principal, Role
from services.api.deps import PlatformDep, PrincipalDep
from services.api.params import MAX_INT
from services.api.problems import HttpProblemError
from services.streams import live as live_stream
from services.streams.asyncapi import asyncapi_json
from services.streams.cloudevents import CHECKPOINT_TYPE, by_ce_type
from services.streams.feed import MAX_LIMIT, Feed, FeedPage, UnknownTypeError
from services.streams.schemas import all_types, retired_types, schema_of

router = APIRouter(tags=["streams"])
POLL_SECONDS = 0.5


class FeedOut(BaseModel):
    """A page of CloudEvents in log order; ask again with ``after=next_after``."""

    model_config = ConfigDict(extra="forbid")
    events: list[dict[str, Any]]
    next_after: int


class SchemaList(BaseModel):
    """The types sent now, and earlier versions still served (no longer sent)."""

    model_config = ConfigDict(extra="forbid")
    types: list[str]
    retired: list[str]


# Roles that may hold the signed checkpoints (and only them) without streaming events.
CHECKPOINT_READERS = frozenset({Role.INSPECTOR, Role.SUPERVISOR})


def stream_scope(principal: Principal, types: list[str]) -> str | None:
    """The subtree a caller may stream: an integrator's own, an inspector's or a
    supervisor's own checkpoints (``types`` names only them), or all for the
    installation admin."""
    if principal.is_installation_admin:
        return None
    if principal.tenant is not None:
        if Role.INTEGRATOR in principal.roles:
            return principal.tenant
        if principal.roles & CHECKPOINT_READERS and set(types) == {CHECKPOINT_TYPE}:
            return principal.tenant
    raise HttpProblemError(
        403,
        "forbidden",
        "Forbidden",
        "streams need the role integrator (or the installation admin); an inspector"
        f" or supervisor may read the checkpoints: type={CHECKPOINT_TYPE}",
        field="type",
    )


def family_types(principal: Principal, types: list[str]) -> list[str]:
    """The types an integrator client may stream: those of its families (all of
    them when it names none); a type outside them is a 403."""
    if principal.families is None:
        return types
    allowed = {t for t, et in by_ce_type().items() if et.family in principal.families}
    if "audit" in principal.families:
        allowed.add(CHECKPOINT_TYPE)
    outside = [t for t in types if t not in allowed and t in known_types()]
    if outside:
        raise HttpProblemError(
            403,
            "forbidden",
            "Forbidden",
            f"this client may read the families {sorted(principal.families)} only;"
            f" not {outside}",
            field="type",
        )
    return types or sorted(allowed)


def known_types() -> set[str]:
    return {*by_ce_type(), CHECKPOINT_TYPE}


def _types(values: list[str] | None) -> list[str]:
    return [t.strip() for v in values or [] for t in v.split(",") if t.strip()]


def _read(
    feed: Feed, scope: str | None, after: int, limit: int, types: list[str]
) -> FeedPage:
    try:
        return feed.page(scope, after, limit, types)
    except UnknownTypeError as e:
        raise HttpProblemError(
            400,
            "unknown-event-type",
            "Unknown event type",
            f"no event type {e.args[0]!r}; see GET /v1/schemas",
            field="type",
        ) from None


AfterQ = Annotated[
    int, Query(ge=0, le=MAX_INT, description="the last position you have seen")
]
TypeQ = Annotated[
    list[str] | None,
    Query(
        alias="type",
        description="CloudEvent types to keep (repeat or comma-separate)",
        examples=["cn.gongkai.case.CaseFiled.v2"],
    ),
]


@router.get(
    "/feed",
    response_model=FeedOut,
    response_class=JSONResponse,  # CloudEvents as on Kafka and SSE, times untouched
    summary="CloudEvents of your subtree after a log position",
)
def feed(
    principal: PrincipalDep,
    platform: PlatformDep,
    after: AfterQ = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    type_: TypeQ = None,
) -> FeedOut:
    types = family_types(principal, _types(type_))
    scope = stream_scope(principal, types)
    page = _read(Feed(platform), scope, after, limit, types)
    return FeedOut(events=page.events, next_after=page.next_after)


@router.get(
    "/feed/live",
    summary="The feed as Server-Sent Events (resume with Last-Event-ID)",
    description=(
        "One CloudEvent per frame: events in log order and signed checkpoints, also"
        " those signed after the stream passed their events. A frame's `id` is its"
        " cursor, `<log position>-<checkpoint number>`: unique and increasing, so a"
        " client reconnecting with `Last-Event-ID` gets every later message exactly"
        " once."
    ),
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def live(
    request: Request,
    principal: PrincipalDep,
    platform: PlatformDep,
    after: AfterQ = 0,
    type_: TypeQ = None,
    keepalive: Annotated[float, Query(gt=0, le=300)] = 15.0,
    duration: Annotated[
        float, Query(gt=0, le=3600, description="seconds before the server closes")
    ] = 300.0,
    last_event_id: Annotated[
        str | None,
        Header(description="the `id` of the last frame you received", max_length=60),
    ] = None,
) -> StreamingResponse:
    types = family_types(principal, _types(type_))
    scope = stream_scope(principal, types)
    feed = Feed(platform)
    _read(feed, scope, after, 1, types)  # refuse unknown types before streaming
    try:
        cursor = live_stream.start(feed, after, last_event_id)
    except live_stream.CursorError:
        raise HttpProblemError(
            400,
            "invalid-last-event-id",
            "Invalid Last-Event-ID",
            "Last-Event-ID 应为本流某一帧的 id（<日志位置>-<检查点序号>）",
            field="Last-Event-ID",
        ) from None

    def frame(item: live_stream.Frame) -> str:
        data = json.dumps(item.event, ensure_ascii=False, separators=(",", ":"))
        return f"id: {item.cursor}\nevent: cloudevent\ndata: {data}\n\n"

    async def events() -> AsyncIterator[str]:
        nonlocal cursor
        started = last_sent = time.monotonic()
        yield f"retry: 1000\n: following after {cursor}\n\n"
        while time.monotonic() - started < duration:
            if await request.is_disconnected():
                return
            page = await run_in_threadpool(live_stream.page, feed, scope, cursor, types)
            for item in page.frames:
                yield frame(item)
                last_sent = time.monotonic()
            if page.cursor == cursor:
                if time.monotonic() - last_sent >= keepalive:
                    yield ": keep-alive\n\n"
                    last_sent = time.monotonic()
                await asyncio.sleep(POLL_SECONDS)
            cursor = page.cursor

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/schemas", response_model=SchemaList, summary="Streamed event types")
def schemas() -> SchemaList:
    return SchemaList(types=all_types(), retired=list(retired_types()))


@router.get(
    "/schemas/{ce_type}",
    summary="JSON Schema (2020-12) of one CloudEvent type",
    description=(
        "`<type>` or `<type>.json` (the CloudEvents' `dataschema`); also an earlier"
        " version no longer sent (`retired` in `GET /v1/schemas`)."
    ),
    responses={200: {"content": {"application/schema+json": {}}}},
)
def schema(ce_type: str, platform: PlatformDep) -> JSONResponse:
    try:
        body = schema_of(
            ce_type.removesuffix(".json"), platform.settings.public_base_url
        )
    except KeyError:
        raise HttpProblemError(
            404,
            "not-found",
            "Not found",
            f"no event type {ce_type!r}; see GET /v1/schemas",
            field="type",
        ) from None
    return JSONResponse(body, media_type="application/schema+json")


@router.get(
    "/asyncapi.json",
    summary="AsyncAPI 3.0 document of the streams (Kafka topics and the feed)",
    description=(
        "Generated from the same JSON Schemas as `GET /v1/schemas/<type>.json`: one"
        " channel per family's topic (per subtree with GONGKAI_KAFKA_TOPIC_DEPTH),"
        " one for `GET /v1/feed/live`, one message per type sent now."
    ),
    responses={200: {"content": {"application/json": {}}}},
)
def asyncapi(platform: PlatformDep) -> Response:
    return Response(asyncapi_json(platform.settings), media_type="application/json")
