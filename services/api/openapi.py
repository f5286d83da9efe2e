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
it is not what the API sends.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

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
    return document


def install(app: FastAPI) -> None:
    """Serve the completed document at /openapi.json (built once, on first use)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(FastAPI.openapi(app))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
