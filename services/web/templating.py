"""The Jinja2 environment, China-time filters and the ``render`` helper."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

HERE = Path(__file__).parent
CHINA = ZoneInfo("Asia/Shanghai")

env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def china_time(value: Any, with_time: bool = True) -> str:
    """An ISO moment (or datetime) as China time: 2026-03-02 10:00."""
    if value in (None, ""):
        return "—"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        local = value.astimezone(CHINA) if value.tzinfo else value
        return local.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def china_day(value: Any) -> str:
    return china_time(value, with_time=False)


env.filters["china_time"] = china_time
env.filters["china_day"] = china_day


def render(
    request: Request,
    template: str,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """Render ``template`` with the request, the signed-in staffer and a CSRF token."""
    context.setdefault("request", request)
    context.setdefault("staff", getattr(request.state, "staff", None))
    context.setdefault("csrf", getattr(request.state, "csrf", ""))
    html = env.get_template(template).render(**context)
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    for name, value in getattr(request.state, "set_cookies", {}).items():
        response.set_cookie(name, value, **COOKIE_FLAGS)
    return response


COOKIE_FLAGS: dict[str, Any] = {
    "httponly": True,
    "samesite": "lax",
    "path": "/",
}
