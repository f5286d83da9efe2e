"""Strict queries: a query parameter the route does not declare is a 400 problem.

A typo such as ``?categroy=…`` would otherwise be ignored and answer as if no filter
had been asked for; one app-wide dependency compares the query against the parameters
the matched route declares (its own and its dependencies').
"""

from __future__ import annotations

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from services.api.problems import HttpProblemError

_declared: dict[int, frozenset[str]] = {}


def declared_query(route: APIRoute) -> frozenset[str]:
    """The query parameter names ``route`` accepts (aliases as sent on the wire)."""
    found = _declared.get(id(route))
    if found is None:
        names: set[str] = set()
        stack: list[Dependant] = [route.dependant]
        while stack:
            dependant = stack.pop()
            names.update(p.alias or p.name for p in dependant.query_params)
            stack.extend(dependant.dependencies)
        found = frozenset(names)
        _declared[id(route)] = found
    return found


def reject_unknown_query(request: Request) -> None:
    """Requires every query parameter to be one the route declares."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    allowed = declared_query(route)
    for name in request.query_params:
        if name not in allowed:
            accepted = ", ".join(sorted(allowed)) or "none"
            raise HttpProblemError(
                400,
                "unknown-parameter",
                "Unknown query parameter",
                f"{name!r} is not a query parameter of this route; accepted: "
                f"{accepted}",
                field=name,
            )
