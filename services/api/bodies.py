"""The one place where request input is checked before any route sees it.

- bodies over the limit: 413, whether announced or streamed (chunked);
- a ``charset`` other than UTF-8, or JSON that is not UTF-8 (UTF-16 or UTF-32, with
  or without a byte order mark, or bytes that do not decode): 415;
- JSON objects with duplicate member names: 400 (I-JSON, RFC 7493 §2.3);
- text the store cannot hold (NUL, unpaired surrogates) in the path, the query or a
  JSON or text body: 422 naming the field.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.api.problems import problem, too_large

UTF8 = {"utf-8", "utf8"}
NO_NUL = r"^[^\x00]*$"
"""The pattern the OpenAPI document gives free text: the store cannot hold a NUL."""
SPACE = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
VISIBLE = rf"^[^\x00]*[^\x00{SPACE}][^\x00]*$"
"""Text that is not blank once trimmed (str.strip's white space: ``SPACE``)."""
TRIMMED = rf"^[^\x00{SPACE}](?:[^\x00]*[^\x00{SPACE}])?$"
"""Text already trimmed, and not empty."""
UTF8_JSON = {"utf-8", "utf-8-sig"}  # what json.detect_encoding says of UTF-8


class DuplicateMemberError(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise DuplicateMemberError(key)
        result[key] = value
    return result


def bad_text(value: str) -> bool:
    """True if the store cannot hold ``value``: a NUL or an unpaired surrogate."""
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def bad_member(document: Any, where: str = "") -> str | None:
    """The dotted path of the first string in ``document`` the store cannot hold."""
    if isinstance(document, str):
        return (where or "body") if bad_text(document) else None
    if isinstance(document, dict):
        for key, value in document.items():
            path = f"{where}.{key}" if where else str(key)
            if bad_text(str(key)):
                return path
            found = bad_member(value, path)
            if found:
                return found
    if isinstance(document, list):
        for i, value in enumerate(document):
            found = bad_member(value, f"{where}.{i}" if where else str(i))
            if found:
                return found
    return None


def media_type(scope: Scope) -> tuple[str, dict[str, str]]:
    raw = dict(scope["headers"]).get(b"content-type", b"").decode("latin-1")
    kind, *params = raw.split(";")
    parsed = {}
    for param in params:
        name, _, value = param.partition("=")
        parsed[name.strip().lower()] = value.strip().strip('"').lower()
    return kind.strip().lower(), parsed


def is_json(kind: str) -> bool:
    return kind == "application/json" or (
        kind.startswith("application/") and kind.endswith("+json")
    )


def invalid_text(field: str, path: str) -> Response:
    return problem(
        422,
        "invalid-text",
        "Invalid text",
        f"{field}: contains a NUL character or an unpaired surrogate",
        instance=path,
        field=field,
    )


class RequestGuard:
    """ASGI middleware: refuse input no route should have to think about."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self.check_target(scope)
        if refusal is None:
            refusal, receive = await self.check_body(scope, receive)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def check_target(self, scope: Scope) -> Response | None:
        path = scope["path"]
        if bad_text(path):
            return invalid_text("path", path)
        query = scope.get("query_string", b"").decode("latin-1")
        for name, value in parse_qsl(query, keep_blank_values=True):
            if bad_text(name) or bad_text(value):
                return invalid_text(name if not bad_text(name) else "query", path)
        return None

    async def check_body(
        self, scope: Scope, receive: Receive
    ) -> tuple[Response | None, Receive]:
        path = scope["path"]
        length = dict(scope["headers"]).get(b"content-length", b"")
        if length.isdigit() and int(length) > self.limit:
            return too_large(int(length), self.limit, path), receive
        kind, params = media_type(scope)
        charset = params.get("charset")
        wrong_charset = charset is not None and charset not in UTF8
        if not (wrong_charset or is_json(kind) or kind.startswith("text/")):
            return None, self.limited(receive)
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if len(body) > self.limit:
                return too_large(None, self.limit, path), receive
            more = message.get("more_body", False)
        if wrong_charset:  # read first, so that the connection can be kept
            detail = f"charset={charset}: bodies must be UTF-8"
            return unsupported(detail, path), receive
        refusal = self.check_text(bytes(body), json_body=is_json(kind), path=path)
        return refusal, replay(bytes(body), receive)

    def check_text(self, body: bytes, *, json_body: bool, path: str) -> Response | None:
        if not body:
            return None
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            if not json_body:
                return None  # the route says what it makes of a non-UTF-8 file
            return unsupported("JSON bodies must be UTF-8 (RFC 8259 §8.1)", path)
        if not json_body:
            return invalid_text("body", path) if "\x00" in text else None
        # The route parses the bytes, and json.loads guesses UTF-16 and UTF-32 from
        # the NUL bytes of an ASCII text that is also valid UTF-8: refuse what it
        # would not read as UTF-8. A UTF-8 byte order mark it skips (RFC 8259 §8.1
        # allows that), so the checks below skip it too.
        if json.detect_encoding(body) not in UTF8_JSON:
            return unsupported("JSON bodies must be UTF-8 (RFC 8259 §8.1)", path)
        text = text.removeprefix("\ufeff")
        try:
            document = json.loads(text, object_pairs_hook=_no_duplicates)
        except DuplicateMemberError as e:
            return problem(
                400,
                "duplicate-member",
                "Duplicate member name",
                f"the JSON object has {e.name!r} more than once (RFC 7493 §2.3)",
                instance=path,
                field=e.name,
            )
        except (ValueError, RecursionError):
            return None  # not JSON: the route's validation answers 422
        field = bad_member(document)
        return invalid_text(field, path) if field else None

    def limited(self, receive: Receive) -> Receive:
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise StarletteHTTPException(413, "request too large")
            return message

        return limited


def unsupported(detail: str, path: str) -> Response:
    return problem(
        415,
        "unsupported-media-type",
        "Unsupported media type",
        detail,
        instance=path,
        field="Content-Type",
    )


def replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the buffered body over once, then waits as before."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again
