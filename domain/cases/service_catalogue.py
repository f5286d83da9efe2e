"""The service catalogue of a town's 政务服务中心: what it handles, where, how fast.

``DEFAULT_SERVICES`` are the 15 items of the 镇政务服务中心建设工作实施方案 (三、1–15),
each handled by one of its 四部一室 (四、1). The plan sends every request through the
咨询受理服务部 and on to 政务服务部, 社会事务服务部 or 经济发展服务部 by subject
(四、4); it names only the offices staff are drawn from (七、3: 党政办, 财政, 林业,
土管, 农经, 计生, 劳保, 民政), so the department of each item is our reading:

- 经济发展服务部: money and the rural economy — taxes and fees, subsidies, statistics,
  business registration, land contracts and 农民负担 (财政所, 农经站), investment.
- 政务服务部: permits handled by proxy for county bodies — planning and building,
  homestead land (国土所), forestry (林业站), aquaculture waters.
- 社会事务服务部: people — household registration, civil affairs and relief (民政),
  family planning (计生办), pensions and employment (劳保).
- 咨询受理服务部: letters and visits (四、2 and 五、2 give it the visitors).

A tenant edits the list by overlay (``merge_services``): an entry with the same code
replaces the default, a new code is added.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from domain.cases.rules import (
    MAX_PROMISED_WORKING_DAYS,
    CaseKind,
    LabelledEnum,
    parse_case_kind,
    parse_labelled,
)
from domain.errors import (
    InconsistentInputError,
    InvalidInputError,
    UnknownServiceError,
)

SERVICE_CODE = re.compile(r"^svc\.[a-z0-9]+(-[a-z0-9]+)*$")
MAX_SERVICE_NAME = 100
MAX_MATERIAL = 100
MAX_MATERIALS = 20


class Department(LabelledEnum):
    """The 四部一室 of a town's 政务服务中心 (四、1)."""

    INTAKE = "intake"
    GOVERNMENT = "government"
    SOCIAL = "social"
    ECONOMIC = "economic"
    OFFICE = "office"

    @property
    def label(self) -> str:
        """Chinese name of the department."""
        return DEPARTMENT_LABELS[self]


DEPARTMENT_LABELS: Mapping[Department, str] = MappingProxyType(
    {
        Department.INTAKE: "咨询受理服务部",
        Department.GOVERNMENT: "政务服务部",
        Department.SOCIAL: "社会事务服务部",
        Department.ECONOMIC: "经济发展服务部",
        Department.OFFICE: "中心办公室",
    }
)


def parse_department(text: str, field: str = "department") -> Department:
    return parse_labelled(Department, text, field)


@dataclass(frozen=True)
class ServiceEntry:
    """One service the centre handles.

    Requires a code like ``svc.deed-tax``, a name of 1–100 characters, distinct
    materials of 1–100 characters (at most 20, none for walk-in items), and a promise
    of 1–60 working days.
    """

    code: str
    name: str
    department: Department
    materials: tuple[str, ...]
    promised_working_days: int
    kind: CaseKind = CaseKind.SERVICE_REQUEST
    item: int | None = None  # 三、n of the plan, for the defaults

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not SERVICE_CODE.fullmatch(self.code):
            raise InvalidInputError(
                f"service code {self.code!r} must look like 'svc.deed-tax'",
                field="code",
            )
        name = self.name.strip() if isinstance(self.name, str) else ""
        if not name or name != self.name or len(name) > MAX_SERVICE_NAME:
            raise InvalidInputError(
                f"name must have 1 to {MAX_SERVICE_NAME} characters, trimmed",
                field="name",
            )
        if not isinstance(self.department, Department):
            raise InvalidInputError("unknown department", field="department")
        if not isinstance(self.kind, CaseKind):
            raise InvalidInputError("unknown case kind", field="kind")
        self._check_materials()
        days = self.promised_working_days
        if isinstance(days, bool) or not isinstance(days, int):
            days = 0
        if not 1 <= days <= MAX_PROMISED_WORKING_DAYS:
            raise InvalidInputError(
                f"promised_working_days must be 1 to {MAX_PROMISED_WORKING_DAYS}",
                field="promised_working_days",
            )

    def _check_materials(self) -> None:
        if not isinstance(self.materials, tuple) or len(self.materials) > MAX_MATERIALS:
            raise InvalidInputError(
                f"materials is a tuple of at most {MAX_MATERIALS}", field="materials"
            )
        for i, material in enumerate(self.materials):
            text = material.strip() if isinstance(material, str) else ""
            if not text or text != material or len(text) > MAX_MATERIAL:
                raise InvalidInputError(
                    f"each material has 1 to {MAX_MATERIAL} characters, trimmed",
                    field=f"materials[{i}]",
                )
            if material in self.materials[:i]:
                raise InvalidInputError(
                    f"{material!r} is listed twice", field=f"materials[{i}]"
                )

    def to_dict(self) -> dict[str, Any]:
        """Plain data (codes, lists) for an event payload or JSON."""
        return {
            "code": self.code,
            "name": self.name,
            "department": self.department.value,
            "materials": list(self.materials),
            "promised_working_days": self.promised_working_days,
            "kind": self.kind.value,
            "item": self.item,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ServiceEntry:
        """Inverse of ``to_dict``; departments and kinds by code or Chinese label."""
        materials = data.get("materials", ())
        if isinstance(materials, str) or not isinstance(materials, Iterable):
            raise InvalidInputError("materials is a list", field="materials")
        days = data.get("promised_working_days")
        if isinstance(days, bool) or not isinstance(days, int):
            raise InvalidInputError(
                "promised_working_days is a number", field="promised_working_days"
            )
        item = data.get("item")
        if item is not None and (isinstance(item, bool) or not isinstance(item, int)):
            raise InvalidInputError("item is a number", field="item")
        return cls(
            code=_text(data, "code"),
            name=_text(data, "name"),
            department=parse_department(_text(data, "department")),
            materials=tuple(materials),
            promised_working_days=days,
            kind=parse_case_kind(str(data.get("kind", CaseKind.SERVICE_REQUEST))),
            item=item,
        )


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise InvalidInputError(f"{key} is required text", field=key)
    return value


def find_service(code: str, entries: Iterable[ServiceEntry]) -> ServiceEntry:
    """The entry with ``code``; UnknownServiceError (on field category) if none."""
    for entry in entries:
        if entry.code == code:
            return entry
    raise UnknownServiceError(f"no service {code!r} in the catalogue", field="category")


def merge_services(
    base: Iterable[ServiceEntry], overlay: Iterable[ServiceEntry]
) -> tuple[ServiceEntry, ...]:
    """``base`` with the tenant's edits: same code replaces in place, new appended.

    Requires distinct codes within ``overlay``.
    """
    edits: dict[str, ServiceEntry] = {}
    for entry in overlay:
        if entry.code in edits:
            raise InconsistentInputError(
                f"service {entry.code} is edited twice", field="code"
            )
        edits[entry.code] = entry
    merged = [edits.pop(e.code, e) for e in base]
    return (*merged, *edits.values())


_S, _E, _G, _I = (
    Department.SOCIAL,
    Department.ECONOMIC,
    Department.GOVERNMENT,
    Department.INTAKE,
)
_ID = "身份证"
_HOUSEHOLD = "户口簿"
_FORM = "申请表"
_VILLAGE = "村委会意见"

DEFAULT_SERVICES: tuple[ServiceEntry, ...] = (
    ServiceEntry(
        "svc.deed-tax",
        "代理契税、耕地占用税、非税收入征缴",
        _E,  # 财政所 staff
        (_ID, "房屋或土地权属转移合同", "不动产权属证明", "耕地占用批准文件"),
        5,
        item=1,
    ),
    ServiceEntry(
        "svc.farm-subsidy",
        "办理财政补贴农民资金发放",
        _E,  # 财政所: the "一卡式" payment
        (_ID, _HOUSEHOLD, "惠农补贴“一卡通”存折", "补贴面积或数量核实表"),
        10,
        item=2,
    ),
    ServiceEntry(
        "svc.statistics",
        "提供统计信息咨询和服务",
        _E,
        ("查询申请（说明用途）", "单位介绍信或身份证"),
        3,
        item=3,
    ),
    ServiceEntry(
        "svc.construction-permits",
        "代理建设项目选址意见书、建设用地规划许可证、建设工程规划许可证、施工许可证",
        _G,
        (_FORM, "项目批准或核准文件", "用地权属证明", "建设工程设计方案"),
        20,
        item=4,
    ),
    ServiceEntry(
        "svc.homestead-land",
        "代理农宅用地报批、集体土地变更登记",
        _G,  # 国土资源管理所
        (_FORM, _HOUSEHOLD, _VILLAGE, "宅基地位置四至图"),
        20,
        item=5,
    ),
    ServiceEntry(
        "svc.forestry-permits",
        "代理林木采伐许可证、林权证、占用林地审核及木材加工许可证",
        _G,  # 林业技术工作站
        (_FORM, "林权证", "伐区调查设计或用材说明", _VILLAGE),
        15,
        item=6,
    ),
    ServiceEntry(
        "svc.household-registration",
        "代理户口登记、迁移、变更及暂住证、居民身份证等证件",
        _S,  # 派出所 business by proxy
        (_HOUSEHOLD, _ID, "出生医学证明或死亡证明", "准予迁入证明"),
        10,
        item=7,
    ),
    ServiceEntry(
        "svc.civil-affairs",
        "代理优抚、残疾人、社团、五保、老年证件，办理低保及特困、大病救助申报",
        _S,  # 民政
        (_FORM, _ID, _HOUSEHOLD, "家庭收入或残疾、病情证明", "村委会评议意见"),
        20,
        item=8,
    ),
    ServiceEntry(
        "svc.business-registration",
        "代理个体工商户登记、企业注册、商标注册、合同管理及投诉受理",
        _E,
        ("登记申请书", "经营者身份证", "经营场所使用证明", "名称预先核准通知书"),
        15,
        item=9,
    ),
    ServiceEntry(
        "svc.family-planning",
        "办理生殖保健服务证、流动人口婚育证明，代理生育证、独生子女父母光荣证",
        _S,  # 计划生育办公室
        ("夫妻双方身份证", _HOUSEHOLD, "结婚证", "婚育情况证明"),
        10,
        item=10,
    ),
    ServiceEntry(
        "svc.land-contract",
        "农村土地承包合同鉴证、纠纷调解仲裁、新农合慢性病及意外伤害申报、一事一议筹劳报批",
        _E,  # 农经站; the 新农合 parts go along rather than split the item
        (_FORM, "土地承包合同或经营权证", _ID, "相关证明（病历、事故证明等）"),
        15,
        item=11,
    ),
    ServiceEntry(
        "svc.aquaculture-permit",
        "代理水面养殖使用证",
        _G,  # a permit by proxy, like 6
        (_FORM, _ID, "水域承包合同或使用权证明", "养殖水域位置图"),
        20,
        item=12,
    ),
    ServiceEntry(
        "svc.pension-employment",
        "办理农村社会养老保险申报缴费，提供劳务信息、求职和培训需求登记",
        _S,  # 劳动保障
        (_ID, _HOUSEHOLD, "参保登记表或求职登记表"),
        5,
        item=13,
    ),
    ServiceEntry(
        "svc.investment",
        "提供招商引资政策咨询和相关服务",
        _E,
        ("投资意向说明", "企业营业执照或投资人身份证明"),
        5,
        item=14,
    ),
    ServiceEntry(
        "svc.letters-visits",
        "接待群众来信来访",
        _I,  # 四、2: visitors are received by 咨询受理服务部
        (),  # a visitor brings nothing; a letter is its own material
        15,  # 信访工作条例: 15 days to say whether it is accepted
        kind=CaseKind.VISIT,
        item=15,
    ),
)
