"""Pure helpers of the pages: form bodies, error mapping, receipt numbers, diffs."""

from __future__ import annotations

import re
from uuid import UUID

from domain.errors import (
    CatalogueFormatError,
    InvalidCredentialsError,
    InvalidDateError,
    TooManyAttemptsError,
)
from services.api.assessment_schemas import ObjectionIn, OrderIn, VerifyIn
from services.api.case_schemas import ACTION_BODIES, ApplicantIn, CaseCreate
from services.api.routes.campaigns import STEPS
from services.api.schemas import DisclosureCreate, DisclosureRevision, Withdrawal
from services.cases.receipts import RECEIPT, receipt_number
from services.web.forms import (
    FormErrors,
    body_from_form,
    describe_fields,
    label_of,
    parse,
    problem_words,
    short_label,
)
from services.web.pages.console import side_by_side

FORM_MODELS = (
    DisclosureCreate,
    DisclosureRevision,
    Withdrawal,
    CaseCreate,
    ApplicantIn,
    *ACTION_BODIES.values(),
    *(model for model, _ in STEPS.values()),
)


def test_a_form_becomes_the_apis_body_lines_to_lists_blanks_omitted() -> None:
    model = ACTION_BODIES["request-materials"]
    assert body_from_form(model, {"items": "身份证复印件\n\n  授权委托书 "}) == {
        "items": ["身份证复印件", "授权委托书"]
    }
    consult = ACTION_BODIES["consult"]
    assert body_from_form(consult, {"party": "县自然资源局"}) == {
        "party": "县自然资源局",
        "third_party": False,  # an unticked checkbox is sent as nothing
    }


def test_a_refused_form_names_each_field_with_the_apis_message() -> None:
    body, errors = parse(DisclosureRevision, {"reason": "x", "title": ""})
    assert body is None
    assert errors.for_field("title")
    assert errors.for_field("reason") is None
    assert not FormErrors()


def test_common_input_mistakes_are_said_in_chinese_naming_the_field() -> None:
    _, blank = parse(OrderIn, {"target": "xinhe.tahe"} | {"working_days": "x"})
    assert blank.for_field("working_days") == "整改期限请填写整数"
    _, high = parse(OrderIn, {"target": "xinhe.tahe", "working_days": "251"})
    assert high.for_field("working_days") == "整改期限不能大于 250"
    _, missing = parse(ObjectionIn, {"target": "xinhe.tahe"})
    assert missing.for_field("text") == "请填写对考核结果的异议"
    _, long = parse(ObjectionIn, {"target": "xinhe.tahe", "text": "异" * 10_001})
    assert long.for_field("text") == "对考核结果的异议不能超过 10000 个字"
    _, other = parse(VerifyIn, {"target": "xinhe.tahe", "passed": "maybe", "note": "x"})
    assert other.for_field("passed") == "整改到位，验收通过请选择是或否"
    _, title = parse(DisclosureRevision, {"reason": "x", "title": ""})
    assert title.for_field("title") == "请填写标题"  # not 请填写此项 (#23)


def test_every_message_of_every_console_form_is_chinese_and_names_its_field() -> None:
    """Each body a console form posts, refused for each of its fields: the words
    say which field, in Chinese, never pydantic's English or the field's code."""
    for model in FORM_MODELS:
        _, errors = parse(model, dict.fromkeys(model.model_fields, "\x00" * 20000))
        _, blank = parse(model, {})
        for name, message in [*errors.items, *blank.items]:
            assert not re.search(r"[A-Za-z]{3,}", message), (model.__name__, message)
            assert short_label(name, model.__name__) in message, (name, message)
        for name in model.model_fields:
            assert label_of(name, model.__name__) != name, (model.__name__, name)


def test_a_refusal_of_the_domain_is_said_in_chinese_with_the_fields_label() -> None:
    refused = InvalidDateError(
        "formed_on 2027-01-05 is after published_on 2026-12-06", field="formed_on"
    )
    errors = FormErrors.from_problem(refused, "title", "DisclosureCreate")
    assert errors.items == [
        ("formed_on", "信息形成日期：须在 2000-01-01 之后，且不晚于公开日期")
    ]
    wrong = problem_words(InvalidCredentialsError("wrong username or password"))
    assert wrong == "用户名或密码不正确"
    wait = problem_words(TooManyAttemptsError("wait", retry_after=601))
    assert wait == "失败的尝试过多，请 601 秒后再试"
    line = problem_words(CatalogueFormatError("bad", line=7, column="code"))
    assert line == "代码：目录文件第 7 行有误"


def test_action_forms_describe_their_fields() -> None:
    fields = {f["name"]: f for f in describe_fields(ACTION_BODIES["supervise"])}
    assert fields["due_on"]["kind"] == "date"
    assert fields["note"]["required"] is True
    assert fields["note"]["label"] == "说明"


def test_the_receipt_number_is_the_day_and_the_ids_prefix() -> None:
    case = UUID("cfc8a37c-1df4-4ff4-9360-63620e502434")
    receipt = receipt_number(case, "2026-11-28")
    assert receipt == "20261128-CFC8A37C"
    assert RECEIPT.match(receipt)
    assert receipt_number(case, None) is None


def test_the_diff_marks_characters_and_escapes_html() -> None:
    old, new = side_by_side("支出9.8万元<b>", "支出9.6万元<b>")
    assert str(old) == "支出9.<del>8</del>万元&lt;b&gt;"
    assert str(new) == "支出9.<ins>6</ins>万元&lt;b&gt;"
