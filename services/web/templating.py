"""The Jinja2 environment, China-time filters and the ``render`` helper."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from domain.assessment.rectification import STATUS_LABELS as RECTIFICATION_LABELS
from domain.cases.rules import CaseKind, IntakeChannel, Rating
from services.api.forwarded import is_https
from services.api.present import EVENT_LABELS
from services.core.display import china_day, china_minute, percent
from services.people.names import actor_text, staff_text
from services.web.forms import label_of

HERE = Path(__file__).parent

env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


env.filters["china_time"] = china_minute
env.filters["percent"] = percent
env.filters["china_day"] = china_day
env.filters["actor"] = actor_text
env.globals["staff_text"] = staff_text
env.globals["label"] = label_of  # form labels: services/web/forms.py
env.globals["CASE_EVENTS"] = EVENT_LABELS  # of cases and of disclosures
env.globals["RECTIFICATION_LABELS"] = RECTIFICATION_LABELS
env.globals["VALUE_LABELS"] = {
    "kind": {k.value: k.label for k in CaseKind},
    "channel": {c.value: c.label for c in IntakeChannel},
    "rating": {r.value: r.label for r in Rating},
}
env.globals["DETAIL_LABELS"] = {
    "channel": "渠道",
    "kind": "类型",
    "received_on": "收到日期",
    "signed": "署名",
    "summary": "事由",
    "accepted_on": "受理日期",
    "department": "承办科室",
    "handler": "承办人",
    "backup_handler": "B岗",
    "promised_working_days": "承诺工作日",
    "reason": "原因",
    "result": "结果",
    "method": "方式",
    "content": "内容",
    "rating": "评价",
    "working_days": "工作日",
    "due_on": "期限",
    "note": "说明",
    "met_on": "见面日期",
}


def render(
    request: Request,
    template: str,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """Render ``template`` with the request, the signed-in staffer (and how the
    masthead names them) and a CSRF token."""
    context.setdefault("request", request)
    context.setdefault("staff", getattr(request.state, "staff", None))
    context.setdefault("who", getattr(request.state, "who", ""))
    context.setdefault("csrf", getattr(request.state, "csrf", ""))
    html = env.get_template(template).render(**context)
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    for name, value in getattr(request.state, "set_cookies", {}).items():
        response.set_cookie(name, value, secure=is_https(request), **COOKIE_FLAGS)
    return response


COOKIE_FLAGS: dict[str, Any] = {
    "httponly": True,
    "samesite": "lax",
    "path": "/",
}
