"""A scenario that records every event type, through the application services.

Used by the CloudEvent contract test and by ``docs/gen_integrators.py`` (which takes
one real example of each type from it for docs/integrators.md).
"""

from __future__ import annotations

import contextlib
from dataclasses import replace
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from domain.access import Principal, Role
from domain.cases.personal_data import Applicant
from domain.cases.service_catalogue import DEFAULT_SERVICES
from domain.disclosures.catalogue import catalogue_to_csv
from domain.disclosures.catalogue_defaults import DEFAULT_CATALOGUE
from services.audit.auditor import CheckpointRefusedError
from services.audit.evidence import catch_up, checkpoint_now
from services.platform.runtime import Platform
from services.reporting.annual_reports import publish_report
from tests.integration.scenario_participation import (
    meetings,
    participation,
    questionnaire,
)

TOWN, VILLAGE = "xinhe.tahe", "xinhe.tahe.tuanjie"
PERSON = Applicant(
    "张三丰",
    "13812345678",
    "11010519491231002X",
    "塔河镇团结村3组15号",
    "zhangsanfeng@example.cn",
)


def who(path: str | None, *roles: Role) -> Principal:
    return Principal(f"{'+'.join(roles)}@{path}", path, frozenset(roles))


ADMIN = who(None, Role.ADMIN)


def tree(p: Platform) -> None:
    for code, name, level, kind, parent in (
        ("xinhe", "新和县", "county", None, None),
        ("tahe", "塔河镇", "town", None, "xinhe"),
        ("tuanjie", "团结村", "village", None, TOWN),
        ("xingfu", "幸福村", "village", None, TOWN),
        ("wensu", "温宿县", "county", None, None),
    ):
        p.tenants.register(
            ADMIN, code=code, name=name, level=level, parent=parent, kind=kind
        )
    p.tenants.rename(who("xinhe", Role.ADMIN), "xinhe.tahe.xingfu", "幸福新村", None)


def disclosures(p: Platform) -> None:
    clerk = who(VILLAGE, Role.CLERK)
    published = p.disclosures.publish(
        clerk,
        VILLAGE,
        category="common.finance",
        title="团结村2026年1月财务收支",
        body="一、收入合计12.6万元；二、支出合计9.8万元。",
        channels=["公开栏", "网站"],
        formed_on=date(2026, 2, 10),
    )
    p.disclosures.revise(
        clerk, VILLAGE, published.id, reason="更正支出金额", body="支出合计9.6万元。"
    )
    p.disclosures.withdraw(clerk, VILLAGE, published.id, reason="重复发布")


def cases(p: Platform) -> None:
    app, clerk = p.cases, who(TOWN, Role.CLERK, Role.HANDLER)

    def file(path: str = TOWN, **extra: Any) -> Any:
        fields: dict[str, Any] = {
            "kind": "complaint",
            "channel": "hotline",
            "summary": "村道路灯损坏三个月无人维修",
            "signed": True,
            "applicant": PERSON,
        }
        return app.file(who(path, Role.CLERK), path, **{**fields, **extra}).id

    def handle(path: str, case: Any, days: int = 10) -> None:
        here = who(path, Role.CLERK, Role.HANDLER)
        app.assign(
            here, path, case, department="社会事务服务部", handler="李四",
            promised_working_days=days,
        )  # fmt: skip
        app.resolve(here, path, case, result="已更换路灯")

    case = file()
    app.request_materials(clerk, TOWN, case, items=["现场照片"])
    app.provide_materials(clerk, TOWN, case)
    app.accept(clerk, TOWN, case)
    app.supervise(
        who("xinhe", Role.SUPERVISOR), TOWN, case,
        due_on=date(2026, 3, 20), note="请尽快办理",
    )  # fmt: skip
    handle(TOWN, case)
    app.reply(clerk, TOWN, case, method="电话", content="路灯已修复")
    app.feedback(clerk, TOWN, case, rating="不满意")
    app.reopen(clerk, TOWN, case, reason="路灯仍不亮")
    handle(TOWN, case, days=5)
    app.reply(clerk, TOWN, case, method="电话", content="线路已更换")
    app.feedback(clerk, TOWN, case, rating="满意")
    app.close_case(clerk, TOWN, case, note="满意")
    app.erase(who(TOWN, Role.ADMIN), TOWN, case)

    request = file(
        kind="disclosure_request", channel="web", summary="申请公开路灯采购合同"
    )
    app.accept(clerk, TOWN, request)
    app.assign(clerk, TOWN, request, department="党政综合办公室", handler="王五")
    app.consult(clerk, TOWN, request, party="路灯供应商", third_party=True)
    app.end_consultation(clerk, TOWN, request, note="供应商同意公开")
    app.extend(
        clerk, TOWN, request, working_days=5, reason="需调取档案",
        approver="镇长", applicant_notice="书面告知延期",
    )  # fmt: skip
    app.reject(
        clerk,
        TOWN,
        file(summary="邻里纠纷"),
        reason="不属于本镇职责",
        referral="村调委会",
    )
    app.transfer(
        who(VILLAGE, Role.CLERK),
        VILLAGE,
        file(VILLAGE),
        target=TOWN,
        reason="村级无权处理",
    )
    parent = file()
    app.accept(clerk, TOWN, parent)
    app.split(clerk, TOWN, parent, children=[VILLAGE, "经济发展服务部"])
    child = UUID(app.case(clerk, TOWN, parent).children[0]["case_id"])
    app.accept(who(VILLAGE, Role.CLERK), VILLAGE, child)
    handle(VILLAGE, child)


def reference(p: Platform) -> None:
    county = who("xinhe", Role.ADMIN, Role.SUPERVISOR)
    entries = [e for e in DEFAULT_CATALOGUE if e.code.startswith("common.")][:3]
    p.reference.load_catalogue(
        county, "xinhe", catalogue_to_csv(entries), "新和县目录.csv"
    )
    p.reference.upload_holidays(
        county, "xinhe", year=2027,
        holidays=["2027-01-01", "2027-10-01"], workdays=["2027-09-26"],
        source="国务院办公厅关于2027年部分节假日安排的通知",
    )  # fmt: skip
    service = replace(DEFAULT_SERVICES[0], promised_working_days=3).to_dict()
    p.reference.load_services(county, "xinhe", [service])
    p.reference.set_case_rules(
        county, "xinhe", max_extensions=1, basically_satisfied_counts=False
    )


LICENCE = {
    "code": "XK-001",
    "name": "农村村民宅基地审批",
    "kind": "行政许可",
    "basis_law": "《中华人民共和国土地管理法》",
    "basis_article": "第六十二条",
    "office": "塔河镇人民政府",
    "post": "自然资源所所长",
    "time_limit_days": 20,
    "fee": "不收费",
    "process": [
        {
            "name": "受理",
            "performer": "便民服务中心窗口",
            "days": 1,
            "branches": [
                {"label": "补正", "returns_to": "受理"},
                {"label": "不予受理", "returns_to": None},
            ],
        },
        {"name": "审查", "performer": "自然资源所", "days": 10},
        {"name": "决定", "performer": "分管副镇长", "days": 5},
    ],
}
LICENCE_RISK = {
    "code": "FX-001",
    "power": "XK-001",
    "step": "审查",
    "description": "审查中优亲厚友、违规放宽条件",
    "level": "高",
    "measures": [
        {"kind": "制度", "text": "集体研究审批", "post": "分管副镇长"},
        {"kind": "监督", "text": "审批结果在村务公开栏公示", "post": "纪检委员"},
    ],
}


def powers(p: Platform) -> None:
    """A town's power list: a draft returned, a second draft approved (清权确权),
    and a case naming one of its powers."""
    clerk, county = who(TOWN, Role.CLERK), who("xinhe", Role.SUPERVISOR)
    first = p.powers.draft(clerk, TOWN, powers=[LICENCE], risks=[], source="初稿")
    p.powers.send_back(county, TOWN, first.version, "未查找廉政风险点")
    second = p.powers.draft(
        clerk, TOWN, powers=[LICENCE], risks=[LICENCE_RISK], source="修改稿"
    )
    p.powers.approve(county, TOWN, second.version, "经清权确权，同意")
    p.cases.file(  # Case.PowerNamed: its limit is the power's 20 working days
        who(TOWN, Role.CLERK, Role.HANDLER),
        TOWN,
        kind="service_request",
        channel="visit",
        summary="申请审批宅基地建房",
        signed=False,
        power="XK-001",
    )


def audit(p: Platform) -> None:
    for path in (VILLAGE, TOWN, "xinhe"):
        checkpoint_now(p, path)
    p.auditor.rotate_key(who(VILLAGE, Role.ADMIN), VILLAGE, "年度密钥轮换")
    p.auditor.keys.rotate(VILLAGE)  # a key the log never registered: refused
    p.cases.file(
        who(VILLAGE, Role.CLERK), VILLAGE, kind="inquiry", channel="visit",
        summary="咨询低保申请条件", signed=False, applicant=None,
    )  # fmt: skip
    catch_up(p)
    with contextlib.suppress(CheckpointRefusedError):
        p.auditor.issue(VILLAGE)
    catch_up(p)


def annual_report(p: Platform) -> None:
    """A request with its applicant type, answered, reviewed; a report drafted and
    published."""
    clerk = who(TOWN, Role.CLERK, Role.HANDLER)
    request = p.cases.file(
        clerk, TOWN, kind="disclosure_request", channel="letter", signed=True,
        summary="申请公开征地补偿标准", applicant=PERSON, applicant_type="commercial",
    ).id  # fmt: skip
    p.cases.accept(clerk, TOWN, request)
    p.cases.assign(clerk, TOWN, request, department="党政综合办公室", handler="王五")
    p.cases.resolve(
        clerk, TOWN, request, result="不予公开", answer="refuse",
        answer_reason="state_secret", legal_ground="条例第十四条",
    )  # fmt: skip
    today = p.cases.now().date()
    reports = p.annual_reports
    challenge = reports.file_challenge(
        clerk, TOWN, request, route="review", filed_on=today
    ).id
    reports.decide_challenge(clerk, TOWN, challenge, outcome="upheld", decided_on=today)
    reports.write_section(clerk, TOWN, today.year, 1, text="总体情况", inputs={})
    reports.write_section(clerk, TOWN, today.year - 1, 1, text="总体情况", inputs={})
    publish_report(reports, p.disclosures, clerk, TOWN, today.year - 1)


def assessment(p: Platform) -> None:
    """A campaign through every step, a ranking scheme, a staffer's violations."""
    sup = who(TOWN, Role.SUPERVISOR)
    clerk = who(VILLAGE, Role.CLERK)
    app = p.campaigns
    campaign, _ = app.plan(
        sup,
        TOWN,
        title="2026年一季度村务公开考核",
        period_from=date(2026, 1, 1),
        period_to=date(2026, 2, 28),
        targets=[VILLAGE],
        criteria=[{"code": "org", "title": "组织领导", "points": 100, "veto": True}],
        methods=["online"],
    )
    cid = campaign.id
    app.self_assess(clerk, TOWN, cid, VILLAGE, [{"code": "org", "points": 90}], "自查")
    app.review(sup, TOWN, cid, VILLAGE, [{"code": "org", "points": 50}], "online")
    app.publish_notice(sup, TOWN, cid)
    app.object(clerk, TOWN, cid, VILLAGE, "评分偏低")
    app.answer_objection(sup, TOWN, cid, 1, "维持原评分")
    clock, start = app.clock, app.now()
    app.clock = lambda: start + timedelta(days=14)
    try:
        app.finalize(sup, TOWN, cid)
        app.order_rectification(sup, TOWN, cid, VILLAGE, 10)
        app.report_rectification(clerk, TOWN, cid, VILLAGE, "已整改")
        app.verify_rectification(sup, TOWN, cid, VILLAGE, True, "整改到位", 10)
    finally:
        app.clock = clock
    weights = {"response": 30, "resolution": 35, "satisfaction": 35}
    p.rankings.set_scheme(sup, TOWN, weights, 5)
    p.rankings.set_scheme(sup, TOWN, weights, 3)
    p.staff.register(
        who(TOWN, Role.ADMIN), VILLAGE, number="XH-0301", name="王芳",
        post="村文书", roles=["clerk"],
    )  # fmt: skip
    judge = who("xinhe", Role.INSPECTOR)
    p.conduct.confirm(judge, VILLAGE, "XH-0301", "未按期公示", ["case:1"])
    p.conduct.appeal(who(TOWN, Role.ADMIN), VILLAGE, "XH-0301", 0, "系统故障")
    p.conduct.decide(judge, VILLAGE, "XH-0301", 0, True, "属实")
    statement, _ = p.statements.issue(
        sup, TOWN, year=2025, unit=VILLAGE, number="XH-0301",
        targets=[{"code": "t1", "title": "满意率不低于90%", "metric": "satisfaction",
                  "threshold": 0.9}],
    )  # fmt: skip
    head = Principal("XH-0301@xinhe", VILLAGE, frozenset({Role.CLERK}))
    p.statements.sign(head, TOWN, statement.id)
    p.statements.assess(sup, TOWN, statement.id, {"satisfaction": 0.95}, {})


def staff(p: Platform) -> None:
    """Every Staffer event (sign-ins are recorded too, but never streamed)."""
    admin = who("xinhe", Role.ADMIN)
    _, code, _ = p.staff.register(
        admin, TOWN, number="XH-0102", name="王芳", post="党政办干事", roles=["clerk"]
    )
    p.staff.update(
        admin, TOWN, "XH-0102", name=None, post="党政办主任", roles=None,
        partner=None, clear_partner=False, expected_version=None,
    )  # fmt: skip
    p.sign_ins.activate("XH-0102@xinhe", code, "塔河镇-2026-密码", "127.0.0.1")
    signed = p.sign_ins.sign_in("XH-0102@xinhe", "塔河镇-2026-密码", "127.0.0.1")
    p.sign_ins.sign_out("XH-0102@xinhe", signed.jti, p.staff.now() + timedelta(hours=8))
    p.staff.deactivate(admin, TOWN, "XH-0102", "调离", None)
    p.staff.reactivate(admin, TOWN, "XH-0102", None)
    p.staff.reissue_activation(admin, TOWN, "XH-0102")


def clients(p: Platform) -> None:
    """Every IntegratorClient event (no secret or digest in any of them)."""
    admin = who("xinhe", Role.ADMIN)
    client, _, _ = p.clients.register(
        admin, TOWN, name="地区数据共享平台", families=["case", "disclosure"]
    )
    p.clients.rotate(admin, TOWN, client.client_id)
    p.clients.revoke(admin, TOWN, client.client_id, "对接合同到期")


def documents(p: Platform) -> None:
    """编号管理: the assessment's 整改通知 number voided with a reason."""
    sup = who(TOWN, Role.SUPERVISOR)
    issued = p.series.series(sup, TOWN, "rectification").numbers[0]
    p.series.void(sup, TOWN, "rectification", issued["year"], 1, "文号错用")


FEE_ITEMS = [
    {"code": "cod", "name": "化学需氧量排污费", "unit": "污染当量", "rate": "1.4",
     "basis": "《排污费征收标准管理办法》"},
]  # fmt: skip


def fees(p: Platform) -> None:
    """A fee standard and its revision; a 征收通知书 drafted, reduced after 集中会审
    by three reviewers of different posts, and issued under its 文号."""
    clerk = who(TOWN, Role.CLERK)
    app = p.levies
    today = app.today()
    app.publish_standard(clerk, TOWN, date(2020, 1, 1), FEE_ITEMS)
    revised = [{**FEE_ITEMS[0], "rate": "2.8"}]
    app.publish_standard(clerk, TOWN, today + timedelta(days=30), revised)
    notice, _ = app.draft(
        clerk, TOWN, payer_name="新和县永兴化工有限公司", payer_kind="organisation",
        items=[{"code": "cod", "quantity": "1000"}], dated=today, amount="1400.00",
    )  # fmt: skip
    app.propose_reduction(clerk, TOWN, notice.id, "1000.00", "企业受灾停产三个月")
    for i, post in enumerate(("法制审核岗", "财务岗", "分管领导")):
        reviewer = Principal(f"r{i}@{TOWN}", TOWN, frozenset({Role.SUPERVISOR}))
        app.review_reduction(reviewer, TOWN, notice.id, True, post, "符合减缴条件")
    app.issue(clerk, TOWN, notice.id)


def person_levy(p: Platform) -> None:
    """A 征收通知书 to a natural person (the name sealed in the vault), issued."""
    clerk = who(TOWN, Role.CLERK)
    notice, _ = p.levies.draft(
        clerk, TOWN, payer_name="张三丰", payer_kind="person",
        items=[{"code": "cod", "quantity": "10"}], dated=p.levies.today(),
        amount="14.00",
    )  # fmt: skip
    p.levies.issue(clerk, TOWN, notice.id)


def every_event_type(p: Platform) -> None:
    tree(p)
    disclosures(p)
    cases(p)
    annual_report(p)
    reference(p)
    staff(p)
    clients(p)
    assessment(p)
    documents(p)
    fees(p)
    person_levy(p)
    powers(p)
    participation(p)
    questionnaire(p)
    meetings(p)
    audit(p)
