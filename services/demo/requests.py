"""The demo's 依申请公开 year: requests at the county's towns and departments with
every kind of applicant and answer, reviews and a lawsuit, and the written parts of
the annual report, so that the demo's year yields a complete report (a draft, the
year not being over), and last year's reports of one town published on time and of
one department late, so that the county summary shows who has not and who was late."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from domain.reporting.annual import APPLICANT_TYPES
from services.demo.common import Plan, case_clerk, office_moment
from services.reporting.annual_reports import publish_report

REPORTING = ("xinhe", "xinhe.czj", "xinhe.xinhe-zhen", "xinhe.yqaerk", "xinhe.tmtglk")
PUBLISHED = "xinhe.xinhe-zhen"  # publishes last year's report on time
LATE = "xinhe.czj"  # and this one late
SUMMARIES = (
    "申请公开本镇2026年高标准农田建设项目资金使用情况",
    "申请公开某路段拓宽工程征地补偿标准及批复文件",
    "申请公开本乡低保对象评审会议记录",
    "申请公开辖区内某企业环评批复",
    "申请公开2025年度财政专项资金分配明细",
    "申请公开农村危房改造补助对象名单",
)
# (answer, answer_reason, legal_ground, referral), with weights.
ANSWERS: tuple[tuple[tuple[str, str | None, str | None, str | None], int], ...] = (
    (("disclose", None, None, None), 10),
    (("partial", None, "条例第三十七条，涉及个人隐私部分已作区分处理", None), 4),
    (("refuse", "third_party", "条例第十五条，涉及商业秘密", None), 2),
    (("refuse", "process", "条例第十六条第二款，属于过程性信息", None), 1),
    (("refuse", "internal", "条例第十六条第一款，属于内部事务信息", None), 1),
    (("unable", "not_held", None, None), 3),
    (("unable", "needs_creation", None, None), 1),
    (("not_processed", "duplicate", None, None), 1),
    (("not_processed", "petition", None, None), 1),
    (("other", "no_correction", None, None), 1),
)
SECTIONS = {
    1: "本年度，本机关认真贯彻落实《中华人民共和国政府信息公开条例》，"
    "坚持以公开为常态、不公开为例外，依法做好主动公开和依申请公开工作。",
    5: "存在的主要问题：部分信息公开不够及时，依申请公开答复的规范性有待提高。"
    "改进情况：建立信息公开台账，加强对经办人员的培训。",
    6: "本年度未收取信息处理费。",
}


def plan_disclosure_requests(builder: Plan, seed: int = 49) -> None:
    """Plan the requests, challenges, drafts and one publication."""
    rng = random.Random(seed)  # noqa: S311 - its own stream: the rest stays as it was
    platform = builder.platform
    calendar = platform.disclosures.calendar()
    year = builder.end.year
    types = [t.code for t in APPLICANT_TYPES]
    answers = [a for a, _ in ANSWERS]
    weights = [w for _, w in ANSWERS]
    refused: list[tuple[str, dict[str, Any], date]] = []

    def plan(path: str, day: date, answer: tuple[Any, ...] | None) -> None:
        clerk = case_clerk(path)
        state: dict[str, Any] = {}
        applicant = rng.choices(types, weights=(12, 3, 1, 1, 1, 1))[0]
        summary = rng.choice(SUMMARIES)
        done_day = calendar.add_working_days(day, rng.randint(5, 18))

        def file() -> None:
            cases = platform.cases
            filed = cases.file(
                clerk, path, kind="disclosure_request", channel="letter",
                summary=summary, signed=True, applicant=_person(rng),
                applicant_type=applicant,
            )  # fmt: skip
            state["id"] = filed.id
            cases.accept(clerk, path, filed.id)
            cases.assign(clerk, path, filed.id, department="办公室", handler="王芳")

        def finish() -> None:
            assert answer is not None
            kind, reason, ground, referral = answer
            cases = platform.cases
            cases.resolve(
                clerk, path, state["id"], result="已书面答复申请人", answer=kind,
                answer_reason=reason, legal_ground=ground, referral=referral,
            )  # fmt: skip
            cases.reply(clerk, path, state["id"], method="书面", content="答复书已送达")
            if kind == "refuse":
                refused.append((path, state, done_day))

        builder.add(office_moment(day, rng), file)
        if answer is not None and done_day < builder.end:
            builder.add(office_moment(done_day, rng), finish)

    for path in REPORTING:
        for _ in range(rng.randint(4, 7)):
            day = builder.start + timedelta(days=rng.randrange(320))
            plan(path, day, rng.choices(answers, weights=weights)[0])
        plan(path, builder.end - timedelta(days=3), None)  # still open at the end
    # Every refusal so far is planned; challenge two of them after the fact.
    first = date(year, 6, 1)

    def challenges() -> None:
        reports = platform.annual_reports
        for n, (path, state, decided) in enumerate(refused[:2]):
            clerk = case_clerk(path)
            filed_on = max(decided + timedelta(days=20), first)
            if filed_on >= builder.end:
                continue
            route = "review" if n == 0 else "lawsuit_direct"
            challenge = reports.file_challenge(
                clerk, path, state["id"], route=route, filed_on=filed_on
            )
            if n == 0 and filed_on + timedelta(days=40) < builder.end:
                reports.decide_challenge(
                    clerk, path, challenge.id, outcome="upheld",
                    decided_on=filed_on + timedelta(days=40),
                )  # fmt: skip

    def drafts(report_year: int) -> Any:
        def write() -> None:
            for path in REPORTING:
                clerk = case_clerk(path)
                reports = platform.annual_reports
                for n, text in SECTIONS.items():
                    reports.write_section(
                        clerk, path, report_year, n, text=text, inputs={}
                    )
                seeded = random.Random(f"{path}:{report_year}")  # noqa: S311 - demo
                figures = _inputs(seeded)
                reports.write_section(
                    clerk, path, report_year, 2, text=None, inputs=figures
                )

        return write

    def publish(path: str, report_year: int) -> Any:
        return lambda: publish_report(
            platform.annual_reports,
            platform.disclosures,
            case_clerk(path),
            path,
            report_year,
        )

    last = builder.end - timedelta(days=1)
    builder.add(office_moment(last, rng), challenges)
    builder.add(office_moment(last, rng) + timedelta(minutes=1), drafts(year))
    # The year before: drafted in January, published by 新和镇 on time (by 31
    # January, 条例第四十九条) and by the finance bureau late (in February).
    for day, run in (
        (date(year, 1, 12), drafts(year - 1)),
        (date(year, 1, 20), publish(PUBLISHED, year - 1)),
        (date(year, 2, 10), publish(LATE, year - 1)),
    ):
        if builder.start < day < builder.end:
            builder.add(office_moment(day, rng), run)


def _inputs(rng: random.Random) -> dict[str, float]:
    """Table 二's figures a body records (its own: no two bodies alike)."""
    return {
        "normative.repealed": rng.randint(0, 3),
        "normative.in_force": rng.randint(5, 30),
        "licensing.decisions": rng.randint(20, 200),
        "punishment.decisions": rng.randint(0, 40),
        "coercion.decisions": rng.randint(0, 5),
        "fees.amount": round(rng.uniform(0, 5), 2),
    }


def _person(rng: random.Random) -> Any:
    from domain.cases.personal_data import Applicant

    phone = "139" + "".join(str(rng.randrange(10)) for _ in range(8))
    return Applicant(
        name=rng.choice("赵钱孙李周吴郑王") + rng.choice("伟芳娜敏静"), phone=phone
    )
