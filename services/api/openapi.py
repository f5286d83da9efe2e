"""The OpenAPI document as the contract: every operation declares every problem.

FastAPI documents the successful answer of each route. ``install`` wraps the
generated document once, for every route, present or added later, so that each
operation also lists the problem answers it can give, each as
``application/problem+json`` with the ``Problem`` schema:

- 400 (bad request) always, 422 (invalid input) when it takes parameters or a body;
- 401, 403 when it needs a bearer token (its ``security``);
- 404 when it has path parameters or is a command;
- 409 on commands, 413 and 415 on operations with a body;
- 405 (with ``Allow``), 500 and 503 (with ``Retry-After``) on every operation.

An operation that needs no token says ``security: []``; every other one names the
``bearer`` scheme (FastAPI adds it from the token dependency).

Each route may still declare its own answer for a status (``responses=``); only
FastAPI's 422 is always replaced. A route that declares an extra problem status with
just a description (``responses={401: {"description": "…"}}``, as sign-in does)
gets the problem body and headers filled in.

FastAPI's own 422 schema (``detail`` as a list, ``application/json``) is replaced:
it is not what the API sends. Free text a request takes gets the pattern ``NO_NUL``
(``storable_text``).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from services.api.bodies import NO_NUL
from services.api.params import MAX_INT
from services.api.problems import MEDIA_TYPE, Problem

COMMANDS = {"post", "put", "patch", "delete"}
REF = "#/components/schemas/{model}"
PROBLEM_REF = {"$ref": REF.format(model="Problem")}

DESCRIPTIONS = {
    "400": "Bad request: a malformed parameter, cursor or header, or a JSON object "
    "with a duplicate member name",
    "401": "No token, or a token that does not verify",
    "403": "The token's principal may not do this here (scope or role)",
    "404": "Unknown, or outside the caller's scope",
    "405": "Method not allowed on this path; `Allow` lists those that are",
    "409": "Conflict: a stale If-Match (version-mismatch), an action the state "
    "does not allow (illegal-transition), or a duplicate",
    "413": "The body is larger than the server accepts",
    "415": "The body is not UTF-8 (another charset, or JSON in another encoding)",
    "422": "Invalid input: every offending field is in `errors`",
    "429": "Too many attempts; retry after `Retry-After` seconds",
    "500": "The server failed; the body says no more than that",
    "503": "The store is unavailable for now; retry after `Retry-After` seconds",
}
HEADERS: dict[str, dict[str, Any]] = {
    "401": {"WWW-Authenticate": {"schema": {"type": "string"}, "required": True}},
    "405": {
        "Allow": {
            "schema": {"type": "string"},
            "required": True,
            "description": "the methods this path answers",
        }
    },
    "429": {"Retry-After": {"schema": {"type": "string"}, "required": True}},
    "503": {"Retry-After": {"schema": {"type": "string"}}},
}


def problem_statuses(method: str, operation: dict[str, Any]) -> list[str]:
    """The problem statuses an operation can answer, from its shape."""
    params = operation.get("parameters", [])
    has_body = "requestBody" in operation
    command = method in COMMANDS
    statuses = {"400", "405", "500", "503"}  # 400: e.g. an unknown query parameter
    if params or has_body:
        statuses.add("422")
    if operation.get("security"):
        statuses |= {"401", "403"}
    if command or any(p.get("in") == "path" for p in params):
        statuses.add("404")
    if command:
        statuses.add("409")
    if has_body:
        statuses |= {"413", "415"}
    return sorted(statuses)


def problem_response(status: str) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": DESCRIPTIONS[status],
        "content": {MEDIA_TYPE: {"schema": PROBLEM_REF}},
    }
    if status in HEADERS:
        response["headers"] = HEADERS[status]
    return response


# Members whose value is one schema, or a list or a map of schemas.
_ONE = ("items", "additionalProperties", "not", "propertyNames", "contains")
_MANY = ("anyOf", "oneOf", "allOf", "prefixItems")
_MAP = ("properties", "patternProperties")
_CLOSED = {"pattern", "enum", "const", "format"}


_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")


def _each_schema(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Every schema object in ``document``, nested ones too."""
    found: list[dict[str, Any]] = []
    stack: list[Any] = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("type"), str):
                found.append(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def integer_bounds(document: dict[str, Any]) -> None:
    """Write an integer schema's bounds as integers.

    FastAPI's document model holds bounds as floats, so ``maximum: 5`` reads 5.0
    and 2^63−1 becomes 2^63, which the route refuses: a bound at or past 2^63 is
    the route's 2^63−1.
    """
    for schema in _each_schema(document):
        if schema.get("type") != "integer":
            continue
        for key in _BOUNDS:
            value = schema.get(key)
            if isinstance(value, float) and value.is_integer():
                schema[key] = MAX_INT if value >= MAX_INT else int(value)


def storable_text(document: dict[str, Any]) -> None:
    """Give every free-text string a request takes the pattern ``NO_NUL``.

    The request guard refuses a NUL anywhere in the path, the query or a body (422
    ``invalid-text``); the document says so. A string with a pattern, a format or an
    enumeration is left as it is: those already exclude a NUL.
    """
    schemas = document.get("components", {}).get("schemas", {})
    visited: set[str] = set()

    def walk(schema: Any) -> None:
        if not isinstance(schema, dict):
            return
        ref = schema.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            if name not in visited and name in schemas:
                visited.add(name)
                walk(schemas[name])
            return
        if schema.get("type") == "string" and not _CLOSED & schema.keys():
            schema["pattern"] = NO_NUL
        for key in _ONE:
            walk(schema.get(key))
        for key in _MANY:
            for item in schema.get(key) or []:
                walk(item)
        for key in _MAP:
            for item in (schema.get(key) or {}).values():
                walk(item)

    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                walk(parameter.get("schema"))
            for content in operation.get("requestBody", {}).get("content", {}).values():
                walk(content.get("schema"))


def complete(document: dict[str, Any]) -> dict[str, Any]:
    """Add the problem answers and the Problem schema to a generated document."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    problem_schema = Problem.model_json_schema(ref_template=REF)
    schemas.update(problem_schema.pop("$defs", {}))
    schemas["Problem"] = problem_schema
    for operations in document.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            # An open operation says so (no global default stands in for it).
            operation.setdefault("security", [])
            responses = operation["responses"]
            for status in problem_statuses(method, operation):
                if status == "422" or status not in responses:
                    responses[status] = problem_response(status)
            for status, response in responses.items():
                if status[0] in "45" and "content" not in response:
                    declared = response.get("description")
                    response.update(problem_response(status))
                    if declared and declared != "Successful Response":
                        response["description"] = declared
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    storable_text(document)
    integer_bounds(document)
    return document


def install(app: FastAPI) -> None:
    """Serve the completed document at /openapi.json (built once, on first use)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(FastAPI.openapi(app))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
