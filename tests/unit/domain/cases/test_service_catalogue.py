"""The 15 services of a town's 政务服务中心 and per-tenant edits of the list."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from domain.cases.rules import CaseKind
from domain.cases.service_catalogue import (
    DEFAULT_SERVICES,
    SERVICE_CODE,
    Department,
    ServiceEntry,
    find_service,
    merge_services,
    parse_department,
)
from domain.errors import InvalidInputError, UnknownServiceError

FOUR_DEPARTMENTS_AND_AN_OFFICE = {
    "咨询受理服务部",
    "政务服务部",
    "社会事务服务部",
    "经济发展服务部",
    "中心办公室",
}


def entry(**overrides: Any) -> ServiceEntry:
    values: dict[str, Any] = {
        "code": "svc.dog-licence",
        "name": "犬只登记",
        "department": Department.GOVERNMENT,
        "materials": ("身份证", "免疫证明"),
        "promised_working_days": 5,
    }
    values.update(overrides)
    return ServiceEntry(**values)


def test_the_fifteen_items_of_the_plan_are_there_in_order() -> None:
    assert [s.item for s in DEFAULT_SERVICES] == list(range(1, 16))
    codes = [s.code for s in DEFAULT_SERVICES]
    assert len(set(codes)) == 15
    assert all(SERVICE_CODE.fullmatch(c) for c in codes)
    assert codes[0] == "svc.deed-tax"


def test_every_item_is_handled_by_one_of_the_four_departments_and_office() -> None:
    assert {d.label for d in Department} == FOUR_DEPARTMENTS_AND_AN_OFFICE
    assert {s.department.label for s in DEFAULT_SERVICES} <= (
        FOUR_DEPARTMENTS_AND_AN_OFFICE
    )


@pytest.mark.parametrize(
    ("code", "department"),
    [
        ("svc.deed-tax", Department.ECONOMIC),
        ("svc.business-registration", Department.ECONOMIC),
        ("svc.investment", Department.ECONOMIC),
        ("svc.household-registration", Department.SOCIAL),
        ("svc.civil-affairs", Department.SOCIAL),
        ("svc.construction-permits", Department.GOVERNMENT),
        ("svc.letters-visits", Department.INTAKE),
    ],
)
def test_items_go_to_the_plausible_department(
    code: str, department: Department
) -> None:
    assert find_service(code, DEFAULT_SERVICES).department is department


def test_letters_and_visits_are_visits_and_the_rest_service_requests() -> None:
    kinds = {s.code: s.kind for s in DEFAULT_SERVICES}
    assert kinds.pop("svc.letters-visits") is CaseKind.VISIT
    assert set(kinds.values()) == {CaseKind.SERVICE_REQUEST}


def test_promises_are_realistic_and_requests_list_their_materials() -> None:
    for s in DEFAULT_SERVICES:
        assert 1 <= s.promised_working_days <= 20, s.code
        if s.kind is CaseKind.SERVICE_REQUEST:
            assert len(s.materials) >= 2, s.code


def test_names_follow_the_plan() -> None:
    names = {s.item: s.name for s in DEFAULT_SERVICES}
    assert "契税" in names[1]
    assert "户口" in names[7]
    assert "低保" in names[8]
    assert "个体工商户" in names[9]
    assert names[12] == "代理水面养殖使用证"
    assert names[15] == "接待群众来信来访"


@pytest.mark.parametrize("service", DEFAULT_SERVICES, ids=lambda s: s.code)
def test_entries_round_trip_through_plain_data(service: ServiceEntry) -> None:
    data = service.to_dict()
    assert isinstance(data["materials"], list)
    assert ServiceEntry.from_dict(data) == service


def test_from_dict_reads_chinese_labels() -> None:
    service = ServiceEntry.from_dict(
        {
            "code": "svc.dog-licence",
            "name": "犬只登记",
            "department": "社会事务服务部",
            "materials": ["身份证"],
            "promised_working_days": 3,
            "kind": "办事申请",
        }
    )
    assert service.department is Department.SOCIAL
    assert service.kind is CaseKind.SERVICE_REQUEST
    assert service.item is None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"code": None}, "code"),
        ({"department": "财政所"}, "department"),
        ({"materials": "身份证"}, "materials"),
        ({"promised_working_days": "5"}, "promised_working_days"),
        ({"kind": "petition"}, "kind"),
        ({"item": "三"}, "item"),
    ],
)
def test_from_dict_refuses_bad_data_on_its_field(
    data: dict[str, Any], field: str
) -> None:
    good = entry().to_dict()
    with pytest.raises(InvalidInputError) as caught:
        ServiceEntry.from_dict({**good, **data})
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"code": "deed-tax"}, "code"),
        ({"code": "svc.Deed"}, "code"),
        ({"name": " "}, "name"),
        ({"name": " 犬只登记"}, "name"),
        ({"name": "名" * 101}, "name"),
        ({"materials": ("身份证", "身份证")}, "materials[1]"),
        ({"materials": ("",)}, "materials[0]"),
        ({"materials": ["身份证"]}, "materials"),
        ({"promised_working_days": 0}, "promised_working_days"),
        ({"promised_working_days": 61}, "promised_working_days"),
        ({"promised_working_days": True}, "promised_working_days"),
        ({"department": "government"}, "department"),
    ],
)
def test_an_entry_checks_itself(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        entry(**overrides)
    assert caught.value.field == field


def test_find_service_names_the_category_field_when_unknown() -> None:
    assert find_service("svc.statistics", DEFAULT_SERVICES).item == 3
    with pytest.raises(UnknownServiceError) as caught:
        find_service("svc.nothing", DEFAULT_SERVICES)
    assert caught.value.field == "category"


def test_a_tenant_overlay_replaces_by_code_in_place_and_appends_new_ones() -> None:
    faster = replace(find_service("svc.deed-tax", DEFAULT_SERVICES), name="代征契税")
    faster = replace(faster, promised_working_days=2)
    extra = entry()
    merged = merge_services(DEFAULT_SERVICES, [extra, faster])
    assert len(merged) == 16
    assert merged[0] == faster
    assert merged[1:15] == DEFAULT_SERVICES[1:]
    assert merged[15] == extra
    assert DEFAULT_SERVICES[0].promised_working_days == 5  # defaults untouched


def test_an_overlay_edits_a_code_once() -> None:
    with pytest.raises(InvalidInputError) as caught:
        merge_services(DEFAULT_SERVICES, [entry(), entry(name="犬只年检")])
    assert caught.value.field == "code"


def test_departments_parse_by_code_or_label() -> None:
    assert parse_department("intake") is Department.INTAKE
    assert parse_department("中心办公室") is Department.OFFICE
    with pytest.raises(InvalidInputError) as caught:
        parse_department("财政所")
    assert caught.value.field == "department"
