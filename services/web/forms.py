"""Form handling for console pages: the API's body models, the API's error words.

A refused form shows each problem twice, GOV.UK style: in an error summary that links
to the field, and again above the field. The messages are the RFC 9457 ``detail`` that
the same request to the API would answer; the common input mistakes (a blank, a number
out of range, too long) are said in Chinese, others in pydantic's words.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from domain.errors import GongkaiError


@dataclass
class FormErrors:
    items: list[tuple[str, str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.items)

    def for_field(self, name: str) -> str | None:
        for f, message in self.items:
            if f == name:
                return message
        return None

    @classmethod
    def from_validation(cls, error: ValidationError) -> FormErrors:
        out = cls()
        for e in error.errors():
            loc = [str(p) for p in e.get("loc", ()) if not isinstance(p, int)]
            message = input_mistake(e.get("type", ""), e.get("ctx") or {})
            out.items.append((".".join(loc) or "form", message or e.get("msg", "")))
        return out

    @classmethod
    def from_problem(cls, error: GongkaiError, default: str = "form") -> FormErrors:
        return cls([(error.field or default, error.detail)])


INPUT_MISTAKES = {
    "missing": "请填写此项",
    "string_too_short": "请填写此项",
    "string_too_long": "不能超过 {max_length} 个字",
    "int_parsing": "请填写整数",
    "int_from_float": "请填写整数",
    "float_parsing": "请填写数字",
    "greater_than_equal": "不能小于 {ge}",
    "less_than_equal": "不能大于 {le}",
    "date_from_datetime_parsing": "请按 2026-03-02 的格式填写日期",
    "date_parsing": "请按 2026-03-02 的格式填写日期",
}


def input_mistake(kind: str, ctx: dict[str, Any]) -> str | None:
    """A pydantic error type said in Chinese, or None for one not listed."""
    words = INPUT_MISTAKES.get(kind)
    if words is None:
        return None
    try:
        return words.format(**ctx)
    except (KeyError, IndexError):
        return None


def _is_list(annotation: Any) -> bool:
    return typing.get_origin(annotation) is list or any(
        typing.get_origin(a) is list for a in typing.get_args(annotation)
    )


def _is_bool(annotation: Any) -> bool:
    return annotation is bool or bool in typing.get_args(annotation)


def body_from_form(model: type[BaseModel], form: dict[str, Any]) -> dict[str, Any]:
    """Form fields → the API body: lists one per line, checkboxes, blanks omitted."""
    data: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        raw = form.get(name)
        if _is_bool(info.annotation):
            data[name] = raw in ("on", "true", "1")
            continue
        if raw is None or (isinstance(raw, str) and raw.strip() == ""):
            continue
        if _is_list(info.annotation):
            data[name] = [x.strip() for x in str(raw).splitlines() if x.strip()]
        else:
            data[name] = str(raw).strip()
    return data


def parse(
    model: type[BaseModel], data: dict[str, Any]
) -> tuple[BaseModel | None, FormErrors]:
    try:  # form fields are text, converted as a query string is (not JSON: lax)
        return model.model_validate(data, strict=False), FormErrors()
    except ValidationError as e:
        return None, FormErrors.from_validation(e)


def describe_fields(model: type[BaseModel]) -> list[dict[str, Any]]:
    """What a generic action form needs to draw each field of ``model``."""
    out = []
    for name, info in model.model_fields.items():
        kind = "text"
        if _is_bool(info.annotation):
            kind = "checkbox"
        elif _is_list(info.annotation):
            kind = "lines"
        elif "date" in str(info.annotation).lower() or name.endswith("_on"):
            kind = "date"
        out.append(
            {
                "name": name,
                "label": FIELD_LABELS.get(name, name),
                "kind": kind,
                "required": info.is_required(),
            }
        )
    return out


FIELD_LABELS = {
    "items": "需补充的材料（每行一项）",
    "reason": "原因",
    "referral": "告知去向（应向何处反映）",
    "department": "承办科室",
    "handler": "全程承办人（编号或姓名）",
    "backup_handler": "B岗承办人",
    "promised_working_days": "承诺办结（工作日）",
    "target": "转办单位（路径）",
    "children": "分办单位（每行一个路径）",
    "due_on": "督办期限",
    "note": "说明",
    "party": "征求意见对象",
    "third_party": "第三方",
    "working_days": "延长工作日数",
    "approver": "批准人",
    "applicant_notice": "告知申请人内容",
    "result": "办理结果",
    "answer": "答复类型",
    "legal_ground": "法律依据",
    "disclosure_id": "关联公开事项编号",
    "method": "回复方式",
    "content": "回复内容",
    "rating": "评价（满意/基本满意/不满意）",
}
