"""Every assessment view of a generated history answers (issue #23 §5).

The demo (新和县, a simulated year, seeded) is the generated history: loaded once per
store, it is read back through every scorecard of every campaign and every month's
ranking of every level, as known now and as known at each month's end. A view built
from the record must show it: none may answer 4xx or 5xx.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from domain.assessment.criteria import TEMPLATE
from services.demo.assessment import TOWNS, supervisor
from services.demo.builder import TENANTS
from services.server import create_app
from tests.demo_store import county_supervisor, demo_platform, store_url

# The day the issue was found: the demo's history runs 6 Dec 2025 – 6 Dec 2026.
END = date(2026, 12, 6)
NOW = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)  # 10:00 in China
PATHS = [f"{parent}.{code}" if parent else code for code, *_, parent in TENANTS]
PARENTS = sorted({path.rsplit(".", 1)[0] for path in PATHS if "." in path})
Reader = tuple[TestClient, dict[str, str]]


def months(first: date, last: date) -> list[str]:
    out, day = [], first.replace(day=1)
    while day <= last:
        out.append(day.strftime("%Y-%m"))
        day = (day + timedelta(days=32)).replace(day=1)
    return out


def month_end(month: str) -> str:
    first = date.fromisoformat(f"{month}-01")
    return ((first + timedelta(days=32)).replace(day=1) - timedelta(days=1)).isoformat()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def reader(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Reader]:
    """The county supervisor over the demo, with one more campaign: the county's
    2026 first half over its towns, as an assessor would plan it."""
    home: Path = tmp_path_factory.mktemp("assessment-views")
    with (
        store_url(request.param, home) as url,
        demo_platform(url, home, end=END, now=NOW) as (settings, clock, platform),
    ):
        clock.moment = NOW
        platform.campaigns.plan(
            supervisor("xinhe", "XH-0001"),
            "xinhe",
            title="2026年上半年乡镇政务公开考核",
            period_from=date(2026, 1, 1),
            period_to=date(2026, 6, 30),
            targets=list(TOWNS),
            criteria=[c.to_dict() for c in TEMPLATE],
            methods=["online"],
        )
        platform.rebuild()
        with TestClient(create_app(settings, platform=platform)) as client:
            yield client, county_supervisor(client)


def test_every_scorecard_of_every_campaign_answers(reader: Reader) -> None:
    client, staff = reader
    campaigns: dict[str, str] = {}
    for path in PATHS:
        history = client.get(f"/v1/tenants/{path}/assessment-history", headers=staff)
        assert history.status_code == 200, (path, history.text)
        for row in history.json()["campaigns"]:
            campaigns[row["campaign_id"]] = row["owner"]
    assert len(campaigns) == 3  # the demo's two and the one planned above
    read = 0
    for campaign_id, owner in campaigns.items():
        base = f"/v1/tenants/{owner}/campaigns/{campaign_id}"
        campaign = client.get(base, headers=staff)
        assert campaign.status_code == 200, campaign.text
        table = client.get(f"{base}/league-table", headers=staff)
        assert table.status_code == 200, table.text
        for target in campaign.json()["targets"]:
            card = client.get(f"{base}/scorecards/{target}", headers=staff)
            assert card.status_code == 200, (campaign_id, target, card.text)
            assert card.json()["metrics"]["target"] == target
            read += 1
    assert read == 9


def test_every_month_ranks_at_every_level_as_known_now_and_then(
    reader: Reader,
) -> None:
    client, staff = reader
    every = months(END - timedelta(days=365), END)
    assert len(every) == 13
    with_cases = 0
    for parent in PARENTS:
        for month in every:
            for known in ({}, {"as_of": f"{month_end(month)}T23:59:59+08:00"}):
                ranking = client.get(
                    f"/v1/tenants/{parent}/rankings",
                    params={"month": month, **known},
                    headers=staff,
                )
                assert ranking.status_code == 200, (parent, month, ranking.text)
                rows = ranking.json()["rows"]
                with_cases += any(r["received"] for r in rows)
    assert with_cases > 0
