# ruff: noqa: E501 (the table of powers reads best one power a line)
"""The scenic area's power list, generated from small tables: 20 powers of
玉佛山风景名胜区管理处 with their processes, 45 廉政风险点 and 119 防范措施 (the
numbers its report gives: "查找廉政风险点45个，制订防范措施119条"). Data only."""

from __future__ import annotations

from typing import Any

from domain.powers.listing import PowerListing

LAW = "《风景名胜区条例》"
OFFICE = "玉佛山风景名胜区管理处"

# (code, name, kind, law, article, post, promised working days, fee, fee item)
# fmt: off
POWERS: tuple[tuple[str, str, str, str, str, str, int | None, str, str], ...] = (
    ("XK-001", "风景名胜区内设置、张贴商业广告审批", "行政许可", LAW, "第二十九条第一项", "规划建设科科长", 15, "不收费", ""),
    ("XK-002", "风景名胜区内举办大型游乐等活动审批", "行政许可", LAW, "第二十九条第二项", "旅游服务科科长", 15, "不收费", ""),
    ("XK-003", "改变水资源、水环境自然状态的活动审批", "行政许可", LAW, "第二十九条第三项", "资源保护科科长", 20, "不收费", ""),
    ("XK-004", "风景名胜区内建设项目选址审核", "行政许可", LAW, "第二十八条", "规划建设科科长", 20, "不收费", ""),
    ("XK-005", "风景名胜区内临时占用场地审批", "行政许可", LAW, "第二十九条", "综合管理科科长", 10, "按临时占用场地收费标准收取", "site"),
    ("CF-001", "对在景物或者设施上刻划、涂污的处罚", "行政处罚", LAW, "第四十五条", "综合执法队队长", 30, "不收费", ""),
    ("CF-002", "对在风景名胜区内乱扔垃圾的处罚", "行政处罚", LAW, "第四十五条", "综合执法队队长", 30, "不收费", ""),
    ("CF-003", "对未经审核设置商业广告的处罚", "行政处罚", LAW, "第四十六条", "综合执法队队长", 30, "不收费", ""),
    ("CF-004", "对未经审核举办大型游乐活动的处罚", "行政处罚", LAW, "第四十六条", "综合执法队队长", 30, "不收费", ""),
    ("CF-005", "对施工中造成景观破坏的处罚", "行政处罚", LAW, "第四十七条", "综合执法队队长", 30, "不收费", ""),
    ("QZ-001", "责令停止违法行为、限期恢复原状", "行政强制", LAW, "第四十条", "综合执法队队长", 15, "不收费", ""),
    ("QZ-002", "查封、扣押违法经营工具", "行政强制", "《中华人民共和国行政强制法》", "第九条", "综合执法队队长", 30, "不收费", ""),
    ("ZS-001", "风景名胜资源有偿使用费征收", "行政征收", LAW, "第三十七条", "财务科科长", 10, "按自治区核定的有偿使用费标准收取", "resource"),
    ("JC-001", "景区安全生产监督检查", "行政检查", "《中华人民共和国安全生产法》", "第六十五条", "安全管理科科长", None, "不收费", ""),
    ("JC-002", "景区经营秩序监督检查", "行政检查", LAW, "第三十六条", "综合管理科科长", None, "不收费", ""),
    ("JC-003", "游客容量监测与检查", "行政检查", "《中华人民共和国旅游法》", "第四十五条", "旅游服务科科长", None, "不收费", ""),
    ("QR-001", "景区内经营户经营资格确认", "行政确认", LAW, "第三十七条", "综合管理科科长", 12, "不收费", ""),
    ("JL-001", "对保护风景名胜资源有突出贡献者的奖励", "行政奖励", LAW, "第十一条", "办公室主任", 20, "不收费", ""),
    ("CJ-001", "景区内经营者之间经营纠纷裁决", "行政裁决", "《新疆维吾尔自治区风景名胜区管理条例》", "第三十条", "综合管理科科长", 20, "不收费", ""),
    ("QT-001", "风景名胜区门票价格执行与公示", "其他行政权力", "《中华人民共和国价格法》", "第十三条", "财务科科长", None, "按核定的门票价格收取", "ticket"),
)
# fmt: on

# kind → the steps of its process: (name, performer, days, branches)
PROCESSES: dict[str, list[tuple[str, str, int, list[tuple[str, str | None]]]]] = {
    "行政许可": [
        ("受理", "窗口受理岗", 1, [("补正", "受理"), ("不予受理", None)]),
        ("审查", "业务科室承办人", 5, [("不予许可", None)]),
        ("决定", "分管负责人", 3, []),
        ("送达", "窗口受理岗", 1, []),
    ],
    "行政处罚": [
        ("立案", "综合执法队", 2, [("不予立案", None)]),
        ("调查取证", "执法人员（两人以上）", 10, []),
        ("审核", "法制审核岗", 5, [("退回补充调查", "调查取证")]),
        ("告知", "综合执法队", 3, [("陈述申辩成立", None)]),
        ("决定", "主要负责人", 5, []),
        ("送达", "综合执法队", 2, []),
    ],
    "行政强制": [
        ("报批", "综合执法队", 1, [("不予批准", None)]),
        ("实施", "执法人员（两人以上）", 3, []),
        ("决定", "主要负责人", 5, [("解除强制措施", None)]),
        ("送达", "综合执法队", 2, []),
    ],
    "行政征收": [
        ("核定", "财务科", 3, [("补正资料", "核定")]),
        ("通知", "财务科", 2, []),
        ("征收", "财务科", 3, []),
        ("入库", "财务科", 2, []),
    ],
    "行政检查": [
        ("制定计划", "业务科室", 2, []),
        ("实施检查", "检查人员（两人以上）", 3, []),
        ("处理", "分管负责人", 5, [("移交执法", None)]),
        ("归档", "业务科室", 2, []),
    ],
}
DEFAULT_PROCESS = [
    ("受理", "办公室", 1, [("补正", "受理"), ("不予受理", None)]),
    ("审核", "业务科室", 5, []),
    ("决定", "分管负责人", 3, []),
    ("公示送达", "办公室", 2, []),
]

RISKS = (
    "未按规定时限受理或故意刁难申请人",
    "审查中降低标准、违规放宽条件",
    "利用职权索取、收受申请人财物",
    "选择性执法、随意确定处罚幅度",
    "调查取证不全面、程序不规范",
    "泄露举报人信息或案件秘密",
    "违规收取、截留、挪用费用",
    "检查走过场，发现问题不处理",
    "优亲厚友，违规认定资格",
)
MEASURES = (
    ("制度", "严格执行一次性告知和限时办结制度"),
    ("技术", "全程网上办理，留痕可查"),
    ("监督", "办理结果在景区公开栏和网站公示"),
    ("制度", "执行自由裁量基准，集体研究重大事项"),
    ("监督", "纪检监察员不定期抽查案卷"),
    ("技术", "执法记录仪全程记录"),
    ("制度", "收支两条线，票据统一管理"),
)
MEASURE_POSTS = {"制度": "分管负责人", "技术": "信息管理员", "监督": "纪检监察员"}


def scenic_power_listing() -> PowerListing:
    """The scenic area's list: 20 powers, 45 risk points, 119 measures."""
    powers: list[dict[str, Any]] = []
    for code, name, kind, law, article, post, days, fee, fee_item in POWERS:
        steps = PROCESSES.get(kind, DEFAULT_PROCESS)
        powers.append(
            {
                "code": code,
                "name": name,
                "kind": kind,
                "basis_law": law,
                "basis_article": article,
                "office": OFFICE,
                "post": post,
                "time_limit_days": days,
                "fee": fee,
                "fee_item": fee_item,
                "process": [
                    {
                        "name": step,
                        "performer": who,
                        "days": step_days,
                        "branches": [
                            {"label": label, "returns_to": to} for label, to in branches
                        ],
                    }
                    for step, who, step_days, branches in steps
                ],
            }
        )
    return PowerListing.from_dicts(powers, _risks(powers))


def _risks(powers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """45 risks: three on each of the first five powers, two on the others; the
    first 29 risks have three measures, the other 16 two (29×3 + 16×2 = 119)."""
    risks: list[dict[str, Any]] = []
    for i, power in enumerate(powers):
        steps = [s["name"] for s in power["process"]]
        for j in range(3 if i < 5 else 2):
            n = len(risks)
            level = (
                "高"
                if power["kind"] in ("行政处罚", "行政许可") and j == 0
                else ("中" if j == 1 else "低")
            )
            count = 3 if n < 29 else 2
            measures = [MEASURES[(n + k) % len(MEASURES)] for k in range(count)]
            risks.append(
                {
                    "code": f"FX-{n + 1:03d}",
                    "power": power["code"],
                    "step": steps[j % len(steps)],
                    "description": RISKS[(i + j) % len(RISKS)],
                    "level": level,
                    "measures": [
                        {"kind": kind, "text": text, "post": MEASURE_POSTS[kind]}
                        for kind, text in measures
                    ],
                }
            )
    return risks
