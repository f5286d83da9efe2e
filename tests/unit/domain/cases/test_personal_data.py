"""An applicant's personal data: validation and the redacted forms."""

from __future__ import annotations

import pytest

from domain.cases.personal_data import (
    ERASED,
    Applicant,
    erased_view,
    id_check_digit,
    redact_address,
    redact_email,
    redact_id,
    redact_name,
    redact_phone,
)
from domain.errors import InvalidEmailError, InvalidInputError

# The worked examples of GB 11643-1999 (check digits X and 4).
ID_WITH_X = "11010519491231002X"
ID_WITH_4 = "440524188001010014"
ID_OF_1990 = "110101199003074258"


def applicant(**changes: str | None) -> Applicant:
    values: dict[str, str | None] = {
        "name": "张三",
        "phone": "13812345678",
        "id_number": ID_OF_1990,
        "address": "新和县塔河镇团结村3组15号",
    }
    values.update(changes)
    name = values.pop("name")
    assert name is not None
    return Applicant(name, **values)


# Redaction ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "redacted"),
    [
        ("张三", "张*"),
        ("欧阳娜娜", "欧***"),
        ("李小明", "李**"),
        ("买买提·艾力", "买*****"),
        ("王", "*"),  # keeping the only character would show it all
    ],
)
def test_a_name_keeps_only_its_first_character(name: str, redacted: str) -> None:
    assert redact_name(name) == redacted


@pytest.mark.parametrize(
    ("phone", "redacted"),
    [
        ("13812345678", "138****5678"),
        ("19900001111", "199****1111"),
        ("0997-4621234", "0997-***1234"),
        ("010-62345678", "010-****5678"),
        ("0997-4621234-801", "0997-***1234-***"),
        ("09974621234", "0997***1234"),
        ("4621234", "***1234"),
    ],
)
def test_a_phone_keeps_its_prefix_and_last_four_digits(
    phone: str, redacted: str
) -> None:
    assert redact_phone(phone) == redacted


def test_an_id_keeps_its_region_and_last_four() -> None:
    assert redact_id("110101199003071234") == "110101********1234"
    assert redact_id(ID_WITH_X) == "110105********002X"
    assert redact_id("123") == "***"


@pytest.mark.parametrize(
    ("address", "redacted"),
    [
        ("新和县塔河镇团结村3组15号", "新和县塔河镇***"),
        ("新和县依其艾日克乡阿克艾日克村", "新和县依其艾日克乡***"),
        ("北京市朝阳区建外街道永安里社区5号楼", "北京市朝阳区建外街道***"),
        ("塔河镇", "塔河镇***"),
        ("北京市朝阳区建国路88号", "北京市朝阳区***"),  # no town: 6 characters
        ("北京市建国路88号乡味餐厅", "北京市建国路***"),  # a 乡 after digits: no town
        ("团结村3组15号", "团结村3***"),  # short: at most half is kept
    ],
)
def test_an_address_keeps_the_town_level_or_six_characters(
    address: str, redacted: str
) -> None:
    assert redact_address(address) == redacted


def test_an_applicant_redacts_every_field() -> None:
    assert applicant().redacted() == {
        "name": "张*",
        "phone": "138****5678",
        "id_number": "110101********4258",
        "address": "新和县塔河镇***",
        "email": None,
    }


def test_absent_fields_stay_absent_when_redacted() -> None:
    person = Applicant("张三")
    assert person.redacted() == {
        "name": "张*",
        "phone": None,
        "id_number": None,
        "address": None,
        "email": None,
    }


def test_an_erased_applicant_shows_the_marker_in_every_field() -> None:
    assert erased_view() == {
        "name": ERASED,
        "phone": ERASED,
        "id_number": ERASED,
        "address": ERASED,
        "email": ERASED,
    }
    assert ERASED == "已删除"


def test_the_repr_shows_only_the_redacted_form() -> None:
    text = repr(applicant())
    for secret in ("张三", "13812345678", ID_OF_1990, "团结村"):
        assert secret not in text


# Validation --------------------------------------------------------------------------


def test_the_check_digit_follows_gb_11643() -> None:
    assert id_check_digit(ID_WITH_X[:17]) == "X"
    assert id_check_digit(ID_WITH_4[:17]) == "4"
    assert id_check_digit(ID_OF_1990[:17]) == "8"


@pytest.mark.parametrize("id_number", [ID_WITH_X, ID_WITH_4, ID_OF_1990])
def test_valid_ids_are_accepted(id_number: str) -> None:
    assert applicant(id_number=id_number).id_number == id_number


def test_a_lower_case_x_and_surrounding_spaces_are_normalised() -> None:
    person = applicant(name=" 张三 ", id_number=ID_WITH_X.lower())
    assert person.id_number == ID_WITH_X
    assert person.name == "张三"


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"name": ""}, "applicant.name", "1–50"),
        ({"name": "   "}, "applicant.name", "1–50"),
        ({"name": "张" * 51}, "applicant.name", "1–50"),
        ({"name": "张\n三"}, "applicant.name", "printable"),
        ({"phone": "12812345678"}, "applicant.phone", "mobile"),
        ({"phone": "1381234567"}, "applicant.phone", "mobile"),
        ({"phone": "+8613812345678"}, "applicant.phone", "mobile"),
        ({"phone": "0997-123"}, "applicant.phone", "landline"),
        ({"id_number": "110101199003071234"}, "applicant.id_number", "check digit"),
        ({"id_number": "110105194912310021"}, "applicant.id_number", "check digit"),
        ({"id_number": "110101199002301234"}, "applicant.id_number", "birth date"),
        ({"id_number": "110101900307123"}, "applicant.id_number", "15-digit"),
        ({"id_number": "11010119900307123Y"}, "applicant.id_number", "17 digits"),
        ({"address": ""}, "applicant.address", "1–200"),
        ({"address": "村" * 201}, "applicant.address", "1–200"),
    ],
)
def test_invalid_personal_data_is_refused_with_its_field(
    changes: dict[str, str], field: str, words: str
) -> None:
    with pytest.raises(InvalidInputError) as raised:
        applicant(**changes)
    assert raised.value.field == field
    assert words in raised.value.detail


def test_a_landline_and_a_long_address_within_limits_are_accepted() -> None:
    person = applicant(phone="0997-4621234", address="村" * 200)
    assert person.phone == "0997-4621234"


def test_the_clear_form_round_trips() -> None:
    person = applicant(phone=None)
    assert Applicant.from_dict(person.to_dict()) == person


def test_a_clear_form_without_a_name_is_refused() -> None:
    with pytest.raises(InvalidInputError) as raised:
        Applicant.from_dict({"phone": "13812345678"})
    assert raised.value.field == "applicant.name"


# Email -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "email",
    [
        "zhang@example.cn",
        "zhang.san+12345@mail.gov.cn",
        "a_b-c@x-y.example.com.cn",
        "wang'wu@qq.com",
    ],
)
def test_an_email_address_as_people_type_it_is_kept(email: str) -> None:
    person = Applicant("张三", email=f"  {email} ")
    assert person.email == email
    assert Applicant.from_dict(person.to_dict()) == person


@pytest.mark.parametrize(
    "email",
    [
        "zhang",
        "zhang@",
        "@example.cn",
        "zhang@example",
        "zhang@@example.cn",
        "zhang san@example.cn",
        "张三@example.cn",
        "zhang@exa_mple.cn",
        "zhang@-example.cn",
        "zhang..san@example.cn",
        ".zhang@example.cn",
        "zhang@exam\nple.cn",
        "a" * 250 + "@example.cn",
        "",
    ],
)
def test_a_malformed_email_is_refused_naming_the_field(email: str) -> None:
    with pytest.raises(InvalidEmailError) as refused:
        Applicant("张三", email=email)
    assert refused.value.field == "applicant.email"
    assert refused.value.slug == "invalid-email"
    assert isinstance(refused.value, InvalidInputError)  # a 422


def test_an_email_is_sealed_whole_and_shown_masked() -> None:
    person = Applicant("张三", email="zhangsan@example.cn")
    assert person.to_dict()["email"] == "zhangsan@example.cn"
    assert person.redacted()["email"] == "z***@example.cn"
    assert "zhangsan" not in repr(person)
    assert redact_email("x@qq.com") == "x***@qq.com"


def test_a_sealed_form_without_email_still_opens() -> None:
    """Applicants sealed before the email field have no ``email`` key."""
    old = {"name": "张三", "phone": "13812345678", "id_number": None, "address": None}
    assert Applicant.from_dict(old).email is None
