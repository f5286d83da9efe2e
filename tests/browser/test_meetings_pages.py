"""座谈会, 项目审查会 and 限期治理 at phone width: the public board shows the review's
opinions and answers and the plan's acceptance; the console shows the overdue
opinion."""

from __future__ import annotations

from datetime import timedelta

from selenium import webdriver
from selenium.webdriver.common.by import By

from domain.access import Role
from domain.timeliness import local_date
from tests.browser.conftest import Live
from tests.browser.test_pages import PHONE, phone_shot, sign_in
from tests.conftest import principal
from tests.web_seed import COUNTY_USER, TUANJIE


def test_the_reviews_and_plans_reflow_at_phone_width(
    browser: webdriver.Chrome, live: Live
) -> None:
    clerk = principal(TUANJIE, Role.CLERK)
    p = live.platform
    today = local_date(p.cases.now())
    p.meetings.hold(
        clerk,
        TUANJIE,
        number="TJ-SC-01",
        kind="项目审查会",
        held_on=today - timedelta(days=60),
        subject="团结村养殖小区建设项目环境影响报告表",
        attendees=[
            {"category": "项目所在地单位", "invited": 1, "present": 1},
            {"category": "人大代表", "invited": 1, "present": 1},
            {"category": "政协委员", "invited": 1, "present": 1},
            {"category": "居民代表", "invited": 9, "present": 8},
        ],
        opinions=["养殖粪污应全部资源化利用，不得直排渠道", "小区应远离饮用水井"],
    )
    p.meetings.answer(
        clerk, TUANJIE, "TJ-SC-01", 1, verdict="采纳", reason="建设沼气池和堆肥场"
    )
    p.remediation.plan(
        clerk,
        TUANJIE,
        number="TJ-XQ-01",
        unit="团结村某养殖场",
        tasks=["粪污储存池防渗改造"],
        deadline=today - timedelta(days=1),
        planned_on=today - timedelta(days=30),
    )
    browser.delete_all_cookies()
    browser.set_window_size(PHONE, 844)
    try:
        browser.get(f"{live.url}/gongkai/{TUANJIE}/participation")
        text = browser.find_element(By.TAG_NAME, "main").text
        assert "采纳：建设沼气池和堆肥场" in text
        assert "团结村某养殖场" in text
        assert "（逾期）" in text
        phone_shot(browser, live, "public-reviews")
        sign_in(browser, live, COUNTY_USER)
        browser.get(f"{live.url}/console/t/{TUANJIE}/meetings")
        text = browser.find_element(By.TAG_NAME, "main").text
        assert "逾期未答复" in text
        phone_shot(browser, live, "console-meetings")
    finally:
        browser.set_window_size(1280, 900)
