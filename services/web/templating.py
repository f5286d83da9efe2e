"""The Jinja2 environment, China-time filters and the ``render`` helper."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from domain.cases.rules import CaseKind, IntakeChannel, Rating
from services.api.forwarded import is_https

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


def percent(value: Any) -> str:
    """A fraction 0–1 as a percentage with one decimal; ``—`` when unknown."""
    if value is None:
        return "—"
    return f"{float(value) * 100:.1f}%"


env.filters["china_time"] = china_time
env.filters["percent"] = percent
env.filters["china_day"] = china_day
env.globals["CASE_EVENTS"] = {
    "Filed": "登记",
    "MaterialsRequested": "要求补充材料",
    "MaterialsProvided": "材料已补充",
    "Accepted": "受理",
    "Rejected": "不予受理",
    "Assigned": "交办（承办单）",
    "Transferred": "转办",
    "Split": "分办",
    "ChildResolved": "分办件办结",
    "Supervised": "督办",
    "ConsultationStarted": "征求意见",
    "ConsultationEnded": "征求意见结束",
    "Extended": "延期",
    "Resolved": "办结",
    "Replied": "回复",
    "FeedbackGiven": "评价",
    "Closed": "归档",
    "Reopened": "重新办理",
    "Erased": "删除个人信息",
}
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
}


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
        response.set_cookie(name, value, secure=is_https(request), **COOKIE_FLAGS)
    return response


COOKIE_FLAGS: dict[str, Any] = {
    "httponly": True,
    "samesite": "lax",
    "path": "/",
}
