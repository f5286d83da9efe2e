"""Pure helpers of the pages: form bodies, error mapping, receipt numbers, diffs."""

from __future__ import annotations

from uuid import UUID

from services.api.assessment_schemas import ObjectionIn, OrderIn, VerifyIn
from services.api.case_schemas import ACTION_BODIES
from services.api.schemas import DisclosureRevision
from services.cases.receipts import RECEIPT, receipt_number
from services.web.forms import FormErrors, body_from_form, describe_fields, parse
from services.web.pages.console import side_by_side


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


def test_common_input_mistakes_are_said_in_chinese() -> None:
    _, blank = parse(OrderIn, {"target": "xinhe.tahe"} | {"working_days": "x"})
    assert blank.for_field("working_days") == "请填写整数"
    _, high = parse(OrderIn, {"target": "xinhe.tahe", "working_days": "251"})
    assert high.for_field("working_days") == "不能大于 250"
    _, missing = parse(ObjectionIn, {"target": "xinhe.tahe"})
    assert missing.for_field("text") == "请填写此项"
    _, long = parse(ObjectionIn, {"target": "xinhe.tahe", "text": "异" * 10_001})
    assert long.for_field("text") == "不能超过 10000 个字"
    _, other = parse(VerifyIn, {"target": "xinhe.tahe", "passed": "maybe", "note": "x"})
    assert other.for_field("passed")  # not listed: pydantic's own words


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
