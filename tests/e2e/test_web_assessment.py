"""The console's 考核 pages over HTTP: campaigns, league table, scorecard, rankings."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.testclient import TestClient

from domain.access import Role
from tests.conftest import MutableClock, principal
from tests.e2e.conftest import TokenFactory
from tests.e2e.test_rankings_api import handle
from tests.e2e.test_web_console import csrf, sign_in
from tests.web_seed import CLERK_USER, COUNTY_USER, TUANJIE, seed

TOWN = "xinhe.tahe"
CRITERIA = [
    {"code": "org", "title": "组织领导", "points": 20, "veto": True},
    {"code": "content", "title": "公开内容", "points": 80},
]


def points(org: float, content: float, evidence: list[str]) -> list[dict[str, Any]]:
    return [
        {"code": "org", "points": org, "evidence": evidence},
        {"code": "content", "points": content},
    ]


def plan_and_review(platform: Any, tuanjie_evidence: list[str]) -> Any:
    """The county's campaign over the town (92, 优秀) and 团结村 (55, 不合格, with
    ``tuanjie_evidence``), self-assessed and reviewed on site."""
    county = principal("xinhe", Role.SUPERVISOR)
    campaign, _ = platform.campaigns.plan(
        county,
        "xinhe",
        title="2026年一季度政务公开考核",
        period_from=date(2026, 1, 1),
        period_to=date(2026, 2, 28),
        targets=[TOWN, TUANJIE],
        criteria=CRITERIA,
        methods=["online", "on_site"],
    )
    for target, org, content in ((TOWN, 19, 73), (TUANJIE, 10, 45)):
        clerk = principal(target, Role.CLERK)
        platform.campaigns.self_assess(
            clerk, "xinhe", campaign.id, target, points(20, 76, []), "自查报告"
        )
        evidence = tuanjie_evidence if target == TUANJIE else []
        platform.campaigns.review(
            county,
            "xinhe",
            campaign.id,
            target,
            points(org, content, evidence),
            "on_site",
        )
    return campaign


def test_a_supervisor_opens_the_league_table_a_scorecard_and_the_rankings(
    client: TestClient, platform: Any, auth: TokenFactory
) -> None:
    ids = seed(platform)
    campaign = plan_and_review(platform, [f"disclosure:{ids['item']}"])
    # One satisfied case in each of two villages: equal rates, overlapping intervals.
    town_sup = principal(TOWN, Role.SUPERVISOR)
    platform.rankings.set_scheme(town_sup, TOWN, {"response": 30, "resolution": 35,
                                                  "satisfaction": 35}, 1)  # fmt: skip
    for village in (TUANJIE, "xinhe.tahe.xingfu"):
        handle(client, village, auth(village, "clerk"))
    sign_in(client, COUNTY_USER)
    assert 'href="/console/t/xinhe/assessment"' in client.get("/console/").text
    home = client.get("/console/t/xinhe/assessment")
    assert home.status_code == 200, home.text
    assert "2026年一季度政务公开考核" in home.text
    base = f"/console/t/xinhe/campaigns/{campaign.id}"
    table = client.get(base)
    assert table.status_code == 200, table.text
    assert "排名" in table.text
    assert "塔河镇" in table.text
    assert "团结村" in table.text
    assert "优秀" in table.text
    assert "不合格" in table.text
    assert table.text.index("塔河镇") < table.text.index("团结村")  # 92 above 55
    assert f'href="{base}/league-table.csv"' in table.text
    csv_export = client.get(f"{base}/league-table.csv")
    assert csv_export.status_code == 200, csv_export.text
    assert "团结村" in csv_export.content.decode("utf-8-sig")
    card = client.get(f"{base}/scorecards/{TUANJIE}")
    assert card.status_code == 200, card.text
    assert "团结村 评分表" in card.text
    assert "组织领导" in card.text
    assert "一票否决" in card.text
    assert "实地考核" in card.text  # the method in Chinese
    assert "一票否决：组织领导" in table.text
    assert "按时公开率" in card.text  # the objective figures beside the points
    link = f"/console/t/xinhe/ref/disclosure/{ids['item']}"
    assert f'href="{link}"' in card.text
    opened = client.get(link, follow_redirects=False)
    assert opened.status_code == 303
    assert opened.headers["location"] == f"/console/t/{TUANJIE}/items/{ids['item']}"
    ranking = client.get("/console/t/xinhe/rankings?month=2026-02")
    assert ranking.status_code == 200, ranking.text
    assert 'type="month"' in ranking.text
    assert "2026-02" in ranking.text
    assert "样本不足" in ranking.text
    assert "塔河镇" in ranking.text
    county = principal("xinhe", Role.SUPERVISOR)
    platform.campaigns.publish_notice(county, "xinhe", campaign.id)
    noticed = client.get(base).text
    assert "公示中" in noticed
    assert "公示期" in noticed
    ties = client.get(f"/console/t/{TOWN}/rankings?month=2026-03")
    assert ties.status_code == 200, ties.text
    assert ties.text.count("并列</span>") == 2
    assert "塔河镇中心小学" in ties.text  # no cases: 样本不足, not ranked
    assert client.get(f"/console/t/{TOWN}/rankings?month=2026-13").status_code == 400
    assert client.get(f"/console/t/wensu/campaigns/{campaign.id}").status_code == 404
    # The target's own clerk reads its scorecard in its assessor's campaign.
    sign_in(client, CLERK_USER)
    own = client.get("/console/t/xinhe.tahe.tuanjie/assessment")
    assert f'href="{base}/scorecards/{TUANJIE}"' in own.text
    mine = client.get(f"{base}/scorecards/{TUANJIE}")
    assert mine.status_code == 200, mine.text
    assert "团结村 评分表" in mine.text
    assert client.get(link, follow_redirects=False).status_code == 303


def test_a_campaign_runs_from_notice_to_closed_rectification_in_the_console(
    client: TestClient, platform: Any, clock: MutableClock
) -> None:
    seed(platform)
    campaign = plan_and_review(platform, [])
    base = f"/console/t/xinhe/campaigns/{campaign.id}"
    card_url = f"{base}/scorecards/{TUANJIE}"

    def step(name: str, page: str, **fields: str) -> Any:
        token = csrf(client.get(page).text)
        return client.post(
            f"{base}/act/{name}",
            data={**fields, "csrf_token": token},
            follow_redirects=False,
        )

    sign_in(client, COUNTY_USER)
    page = client.get(base).text
    assert f'action="{base}/act/publish-notice"' in page
    published = step("publish-notice", base)
    assert published.status_code == 303, published.text
    assert published.headers["location"] == base
    assert "公示中" in client.get(base).text

    sign_in(client, CLERK_USER)  # the target's clerk objects on its scorecard
    assert f'action="{base}/act/object"' in client.get(card_url).text
    empty = step("object", card_url, target=TUANJIE, text=" ")
    assert empty.status_code == 422
    assert "请填写对考核结果的异议" in empty.text  # the message names its field
    assert "请填写此项" not in empty.text
    assert "存在问题" in empty.text
    lodged = step("object", card_url, target=TUANJIE, text="实地考核漏看了纸质公开栏")
    assert lodged.status_code == 303, lodged.text
    assert lodged.headers["location"] == card_url
    assert "待答复" in client.get(card_url).text

    sign_in(client, COUNTY_USER)
    early = step("finalize", base)  # an objection is open and the notice runs on
    assert early.status_code == 409
    assert "错误：" in early.text
    assert "确定等次未办理：考核当前所处的阶段不能办理此步骤" in early.text
    assert "public notice runs" not in early.text  # English stays in the API
    assert "异议1（团结村）：实地考核漏看了纸质公开栏" in early.text
    answered = step(
        "answer-objection", base, objection="1", answer="经复核，维持原评分"
    )
    assert answered.status_code == 303, answered.text
    assert "经复核，维持原评分" in client.get(card_url).text
    clock.advance(days=14)  # past the 7 working days of the notice
    stale = step("finalize", base, version="1")
    assert stale.status_code == 409  # drawn before later steps
    finalized = step("finalize", base)
    assert finalized.status_code == 303, finalized.text
    assert "已确定等次" in client.get(base).text

    town_card = client.get(f"{base}/scorecards/{TOWN}").text
    assert "/act/order-rectification" not in town_card  # 优秀: nothing to rectify
    bad_days = step("order-rectification", card_url, target=TUANJIE, working_days="x")
    assert bad_days.status_code == 422
    assert "请填写整数" in bad_days.text
    ordered = step("order-rectification", card_url, target=TUANJIE, working_days="15")
    assert ordered.status_code == 303, ordered.text
    assert "已下达整改通知" in client.get(card_url).text
    league = client.get(base).text  # the order as a 公文, linked by the unit's name
    assert f"/rectifications/{TUANJIE}/order\">限期整改通知（团结村）</a>" in league

    sign_in(client, CLERK_USER)
    reported = step(
        "report-rectification", card_url, target=TUANJIE, report="已补充公开低保名单"
    )
    assert reported.status_code == 303, reported.text
    assert "/act/" not in client.get(card_url).text  # the owner verifies next

    sign_in(client, COUNTY_USER)
    verified = step(
        "verify-rectification", card_url, target=TUANJIE, passed="on", note="整改到位"
    )
    assert verified.status_code == 303, verified.text
    assert "整改已验收" in client.get(card_url).text
    unknown = step("rename", base)
    assert unknown.status_code == 404
