"""Form handling for console pages: the API's body models, Chinese words for errors.

A refused form shows each problem twice, GOV.UK style: in an error summary that links
to the field, and again above the field. Every message is Chinese and names its
field by the label the form shows (``FIELD_LABELS``, ``FORM_LABELS``; templates draw
their labels from here too): an input mistake pydantic found (a blank, a number out
of range, too long) is said as ``INPUT_MISTAKES`` says it, a refusal of the domain
as its slug's phrase (``domain/error_words.py``) after the field's label. The API
answers the same refusal with its English ``detail`` and the phrase as ``title_zh``.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from domain.error_words import facts_of, phrase
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
    def from_validation(cls, error: ValidationError, form: str = "") -> FormErrors:
        """Each input mistake, said in Chinese with the field's label."""
        out = cls()
        for e in error.errors():
            loc = [str(p) for p in e.get("loc", ()) if not isinstance(p, int)]
            name = ".".join(loc) or "form"
            said = input_mistake(e.get("type", ""), e.get("ctx") or {}, name, form)
            out.items.append((name, said))
        return out

    @classmethod
    def from_problem(
        cls, error: GongkaiError, default: str = "form", form: str = ""
    ) -> FormErrors:
        """A refusal, beside its field (else ``default``), in Chinese."""
        return cls([(error.field or default, problem_words(error, form))])


INPUT_MISTAKES = {
    "missing": "请填写{label}",
    "string_too_short": "请填写{label}",
    "too_short": "请填写{label}",
    "string_too_long": "{label}不能超过 {max_length} 个字",
    "too_long": "{label}不能超过 {max_length} 项",
    "int_parsing": "{label}请填写整数",
    "int_from_float": "{label}请填写整数",
    "int_type": "{label}请填写整数",
    "float_parsing": "{label}请填写数字",
    "float_type": "{label}请填写数字",
    "greater_than_equal": "{label}不能小于 {ge}",
    "greater_than": "{label}须大于 {gt}",
    "less_than_equal": "{label}不能大于 {le}",
    "less_than": "{label}须小于 {lt}",
    "date_from_datetime_parsing": "{label}请按 2026-03-02 的格式填写日期",
    "date_from_datetime_inexact": "{label}请按 2026-03-02 的格式填写日期",
    "date_parsing": "{label}请按 2026-03-02 的格式填写日期",
    "date_type": "{label}请按 2026-03-02 的格式填写日期",
    "datetime_parsing": "{label}请按 2026-03-02 10:00 的格式填写时间",
    "datetime_from_date_parsing": "{label}请按 2026-03-02 10:00 的格式填写时间",
    "datetime_type": "{label}请按 2026-03-02 10:00 的格式填写时间",
    "timezone_aware": "{label}请写明时区，例如 2026-03-02T10:00+08:00",
    "bool_parsing": "{label}请选择是或否",
    "bool_type": "{label}请选择是或否",
    "literal_error": "{label}请从给出的选项中选择",
    "enum": "{label}请从给出的选项中选择",
    "string_pattern_mismatch": "{label}的格式不对",
    "uuid_parsing": "{label}的格式不对",
    "string_type": "{label}请填写文字",
    "list_type": "{label}请逐行填写",
    "extra_forbidden": "{label}不是此表单的项目",
}
SOMETHING_WRONG = "{label}填写有误"


def input_mistake(kind: str, ctx: dict[str, Any], name: str, form: str = "") -> str:
    """A pydantic error type said in Chinese, naming the field by its label."""
    words = INPUT_MISTAKES.get(kind, SOMETHING_WRONG)
    label = short_label(name, form)
    try:
        return words.format(label=label, **ctx)
    except (KeyError, IndexError, ValueError):
        return SOMETHING_WRONG.format(label=label)


def problem_words(error: GongkaiError, form: str = "") -> str:
    """A refusal in Chinese: the field's label, then the slug's phrase (with the
    error's facts it names, e.g. ``{line}``, ``{retry_after}``)."""
    words = phrase(error.slug, error.field, **facts_of(error))
    if error.field:
        return f"{short_label(error.field, form)}：{words}"
    return words


def label_of(name: str, form: str = "") -> str:
    """The label a form shows for field ``name`` (``form``: the body model's
    name, for the fields whose label differs there); the name if none."""
    for key in (name, name.replace(".", "_")):  # applicant.name → applicant_name
        found = FORM_LABELS.get(form, {}).get(key) or FIELD_LABELS.get(key)
        if found:
            return found
    return name


def short_label(name: str, form: str = "") -> str:
    """The label without its hint in brackets: 承诺办结（工作日） → 承诺办结."""
    return label_of(name, form).split("（", 1)[0]


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
        return None, FormErrors.from_validation(e, model.__name__)


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
                "label": label_of(name, model.__name__),
                "kind": kind,
                "required": info.is_required(),
            }
        )
    return out


# The label of each field a console form shows or a refusal names; a hint in
# brackets (（…）) is left out when a message names the field.
FIELD_LABELS = {
    # sign-in
    "username": "用户名",
    "password": "密码",
    "activation_code": "激活码",
    # 公开事项
    "category": "公开目录类别",
    "title": "标题",
    "body": "公开内容",
    "channels": "公开载体",
    "formed_on": "信息形成日期",
    "published_on": "公开日期",
    "late_reason": "逾期或补录原因",
    "effective_at": "生效时间",
    "attachments": "附件",
    "withdraw_reason": "撤回原因",
    "personal_data": "因涉及个人隐私撤回",
    "version": "版本",
    "If-Match": "版本",
    # 办件
    "kind": "类型",
    "channel": "受理渠道",
    "summary": "事由",
    "signed": "署名（须回复申请人）",
    "received_on": "收到日期",
    "applicant": "申请人",
    "applicant_name": "申请人姓名",
    "applicant_phone": "联系电话",
    "applicant_id_number": "身份证号码",
    "applicant_address": "地址",
    "applicant_email": "电子邮箱",
    "email": "电子邮箱",
    "location": "地点",
    "location_address": "问题地点",
    "location_lat": "纬度",
    "location_long": "经度",
    "location_address_id": "地址编号",
    "lat": "纬度",
    "long": "经度",
    "address_id": "地址编号",
    "phone": "联系电话",
    "id_number": "身份证号码",
    "address": "地址",
    "applicant_type": "申请人类型",
    "power": "权责清单事项",
    "filed_by_agent": "村代理员",
    "agent_village": "代理员所在村",
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
    "met_on": "见面日期",
    "party": "征求意见对象",
    "third_party": "第三方",
    "working_days": "延长工作日数",
    "approver": "批准人",
    "applicant_notice": "告知申请人内容",
    "result": "办理结果",
    "answer": "答复类型",
    "answer_reason": "答复理由",
    "legal_ground": "法律依据",
    "disclosure_id": "关联公开事项编号",
    "method": "回复方式",
    "content": "回复内容",
    "rating": "评价（满意/基本满意/不满意）",
    "action": "操作",
    "id": "编号",
    # 考核
    "step": "考核步骤",
    "objection": "待答复的异议",
    "text": "对考核结果的异议",
    "report": "整改情况",
    "passed": "整改到位，验收通过",
    "criteria": "考核指标",
    "targets": "考核对象",
    "methods": "考核方式",
    "evidence": "证据",
    "period_to": "考核期止",
    # 单位、工作人员
    "path": "单位",
    "tenant": "单位",
    "code": "代码",
    "name": "姓名",
    "post": "岗位",
    "number": "编号",
    "roles": "角色",
    "partner": "A/B岗搭档",
    "parent": "上级单位",
    "level": "层级",
    "year": "年度",
    "section": "报告部分",
    "inputs": "填报数字",
    "cursor": "翻页位置",
    # the lists' filters (a query a page refuses names its filter)
    "as_of": "截至日期",
    "known_at": "按当时所知",
    "state": "状态",
    "open": "仅未结",
    "late": "仅超期",
    "include_descendants": "含下级单位",
    "q": "事由包含",
    "month": "月份",
    "a": "旧版本",
    "b": "新版本",
    "format": "导出格式",
    # 公开栏 receipt look-up
    "receipt": "受理回执号",
    "phone_last4": "手机号码后四位",
}
# Where a form labels a field otherwise (the body model's name → field → label).
FORM_LABELS = {
    "DisclosureRevision": {"reason": "更正原因", "body": "正文"},
    "Withdrawal": {"reason": "撤回原因"},
    "ClientCreate": {"name": "系统名称", "families": "可读取的数据流"},
    "ClientRevoke": {"reason": "吊销原因"},
    "AnswerIn": {"answer": "答复意见"},
    "OrderIn": {"working_days": "整改期限（工作日）"},
    "VerifyIn": {
        "note": "验收意见",
        "working_days": "未通过时重新整改的期限（工作日）",
    },
}
