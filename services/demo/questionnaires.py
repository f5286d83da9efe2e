"""The demo's 问卷调查 (issue #27 §2): the scenic area printed 80 one-time codes,
opened a satisfaction questionnaire for a month, took 60 answers and closed it, so
the public board's 公众参与 page shows its results. The answers are recorded in
one append (one load of the aggregate, not sixty) to keep the demo quick."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from domain.timeliness import local_date
from services.core.base import recorded
from services.demo.common import Plan, case_clerk, office_moment

SCENIC = "xinhe.ysfjq"
QUESTIONS = [
    {
        "kind": "single",
        "text": "您本次来景区的身份",
        "options": ["游客", "周边居民", "商户"],
    },
    {
        "kind": "multiple",
        "text": "您通过哪些渠道了解景区公开的信息？",
        "options": ["景区公告栏", "县政府网站", "微信公众号", "售票处告示"],
    },
    {"kind": "scale", "text": "您对景区政务公开和服务工作的总体评价"},
    {"kind": "text", "text": "您的意见和建议"},
]
TEXTS = ("停车场收费标准应在入口处公示", "希望增加无障碍设施", "讲解员服务很好")


def plan_questionnaire(builder: Plan, rng: random.Random) -> None:
    """Designed and opened in spring, answered 60 times, closed a month on."""
    platform = builder.platform
    who = case_clerk(SCENIC)
    day = builder.start + timedelta(days=70)
    state: dict[str, Any] = {}

    def design_and_open() -> None:
        number = platform.questionnaires.design(
            who,
            SCENIC,
            title="2026年景区政务公开满意度问卷调查",
            purpose="听取游客、周边居民和商户对景区政务公开和服务工作的意见",
            questions=QUESTIONS,
            minimum_sample=30,
        )
        state["number"] = number
        state["codes"] = platform.questionnaires.issue_codes(who, SCENIC, number, 80)
        platform.questionnaires.open(
            who, SCENIC, number, opens_on=None, closes_on=day + timedelta(days=30)
        )

    def answer() -> None:
        app = platform.questionnaires.app
        q = platform.questionnaires.get(SCENIC, state["number"])
        now = app.now()
        codes: list[str] = state["codes"]
        with recorded(app):
            for i, code in enumerate(codes[:60]):
                channels = [j for j in range(4) if rng.random() < 0.4] or [0]
                score = rng.choices((5, 4, 3, 2), weights=(50, 35, 10, 5))[0]
                text = TEXTS[i % len(TEXTS)] if i % 7 == 0 else None
                q.answer(
                    code=code,
                    answers=[rng.randrange(3), channels, score, text],
                    today=local_date(now),
                    effective_at=now,
                )
        app._commit(q)

    def close() -> None:
        platform.questionnaires.close(who, SCENIC, state["number"])

    builder.add(office_moment(day, rng), design_and_open)
    builder.add(office_moment(day + timedelta(days=12), rng), answer)
    builder.add(office_moment(day + timedelta(days=31), rng), close)
