"""Every number that links to a list is that list's total (#23 §1).

One store per backend holds two histories: the demo (新和县, a simulated year to
Friday 20 November 2026) and a seeded generated one (温宿县, August to November, with
back-dated, revised, withdrawn and moved items and cases received before they were
filed). For each county's supervisor and a month's end as known then or as known
later, the test opens 首页 in the console, follows every link whose text is a number
— on 首页, on every tenant page it links to, and on every list those open — and
checks that the page opened says 共 N (项/件/个) with the same N; now, 首页's own
links. The overview's CSV and XLSX must carry
首页's numbers and the moments they were taken at, and each row's ``lists`` in the
JSON must answer a ``total`` equal to the count.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from infra.settings import Settings
from infra.tokens import TokenSigner, load_secret
from services.api.routes.overview import OVERVIEW_COLUMNS
from services.server import create_app
from tests.demo_store import demo_platform, store_url
from tests.exports import csv_rows, records, split, xlsx_rows
from tests.histories import SUPERVISOR, generate_history

END = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 10:00 in China
DEMO = ("XH-0001@xinhe", "demo-county-2026")
COUNTS = {  # overview key → its column in the export
    key: header
    for key, header in OVERVIEW_COLUMNS
    if key
    in (
        "required",
        "missing",
        "overdue",
        "published",
        "late_items",
        "backdated_items",
        "withdrawals",
        "cases",
        "open_cases",
        "overdue_cases",
    )
}


@dataclass
class Store:
    app: Any
    settings: Settings
    clients: dict[str, TestClient] = field(default_factory=dict)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """The demo and a generated county in one store, views rebuilt, clock at NOW."""
    home = tmp_path_factory.mktemp(f"counts-{request.param}")
    with (
        store_url(request.param, home) as url,
        demo_platform(url, home, end=END, now=NOW) as (settings, clock, platform),
    ):
        generate_history(platform, clock, seed=23, start=date(2026, 8, 1), end=END)
        platform.rebuild()
        clock.moment = NOW
        with TestClient(create_app(settings, platform=platform)) as client:
            yield Store(client.app, settings)


class Links(HTMLParser):
    """The links of a page (href, text) and the text of its captions."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.captions: list[str] = []
        self._href: str | None = None
        self._text: list[str] = []
        self._caption: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href, self._text = dict(attrs).get("href"), []
        elif tag == "caption":
            self._caption = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._text).strip()))
            self._href = None
        elif tag == "caption" and self._caption is not None:
            self.captions.append("".join(self._caption))
            self._caption = None

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)
        if self._caption is not None:
            self._caption.append(data)


TOTAL = re.compile(r"共 (\d+) [项件个]")


def total_of(html: str) -> int:
    """The N of the first caption that says 共 N 项 (件, 个): the page's total."""
    for caption in Links(html).captions:
        found = TOTAL.search(caption)
        if found:
            return int(found.group(1))
    raise AssertionError(f"no 共 N in the captions of {html[:300]}")


def signed_in(store: Store, user: tuple[str, str]) -> TestClient:
    """A client with the console session of ``user`` (one per store and user)."""
    if user[0] in store.clients:
        return store.clients[user[0]]
    client = TestClient(store.app)
    page = client.get("/console/sign-in")
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
    assert token, page.text[:300]
    done = client.post(
        "/console/sign-in",
        data={"username": user[0], "password": user[1], "csrf_token": token[1]},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    store.clients[user[0]] = client
    return client


class Walk:
    """Opens pages and follows their numeric links, each list once (``deep``: and
    the numeric links of the lists they open)."""

    def __init__(self, client: TestClient, *, deep: bool) -> None:
        self.client, self.deep = client, deep
        self.totals: dict[str, int] = {}
        self.checked = 0

    def page(self, url: str) -> str:
        response = self.client.get(url)
        assert response.status_code == 200, (url, response.text[:500])
        return response.text

    def numbers(self, url: str, html: str) -> dict[str, int]:
        """Check every numeric link of ``html`` (and, once, of the lists it opens);
        answer each linked number by its href."""
        found = {}
        for href, text in Links(html).links:
            if not text.isdigit():
                continue
            if href not in self.totals:
                opened = self.page(href)
                self.totals[href] = total_of(opened)
                if self.deep:
                    self.numbers(href, opened)
            assert int(text) == self.totals[href], (url, href, text)
            self.checked += 1
            found[href] = int(text)
        return found


MOMENTS = {  # now; a month's end as known then; a month's end as known later
    "now": {},
    "month-end-as-known-then": {"as_of": "2026-10-31", "known_at": "2026-10-31"},
    "september-as-known-mid-october": {
        "as_of": "2026-09-30",
        "known_at": "2026-10-15T12:00",
    },
}
WALKS = [  # (county, its supervisor, when, also every tenant page and list)
    ("xinhe", DEMO, "month-end-as-known-then", True),
    ("wensu", SUPERVISOR, "september-as-known-mid-october", True),
    ("wensu", SUPERVISOR, "now", False),
]


def overview_numbers(html: str) -> dict[tuple[str, str], dict[str, int]]:
    """首页's table: (row class, tenant) → {column header: number shown}."""
    table = html.split('<table class="overview">', 1)[1].split("</table>", 1)[0]
    headers = re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', table)
    out = {}
    for row_type, body in re.findall(r'<tr class="row-(\w+)">(.*?)</tr>', table, re.S):
        path = re.search(r'href="/console/t/([^?"]+)', body)
        cells = re.findall(r'<td class="num[^"]*">(.*?)</td>', body, re.S)
        values = [re.sub(r"<[^>]+>", "", c) for c in cells]
        row = dict(zip(headers[1:], values, strict=True))
        out[(row_type, path[1] if path else "")] = {
            k: int(v) for k, v in row.items() if v.isdigit()
        }
    return out


HOME_HEADERS = {  # overview key → 首页's column header
    "required": "应公开类别",
    "missing": "缺项",
    "overdue": "逾期未更新",
    "published": "已公开",
    "late_items": "逾期公开",
    "backdated_items": "超期补录",
    "withdrawals": "撤回",
    "cases": "受理",
    "open_cases": "未结",
    "overdue_cases": "超期未办结",
}
ROW_TYPES = {"单位": "tenant", "小计": "subtotal", "合计": "total"}


@pytest.mark.parametrize(("county", "user", "when", "deep"), WALKS)
def test_every_number_on_home_and_the_tenant_pages_is_the_total_it_opens(
    store: Store, county: str, user: tuple[str, str], when: str, deep: bool
) -> None:
    client = signed_in(store, user)
    walk = Walk(client, deep=deep)
    params = MOMENTS[when]
    query = "&".join(f"{k}={v}" for k, v in params.items())
    home = walk.page(f"/console/?{query}")
    linked = walk.numbers("/console/", home)
    assert len(linked) > 20, linked  # the table links its counts
    tenant_pages = sorted(
        {h for h, _ in Links(home).links if re.fullmatch(r"/console/t/[^/?]+\?.*", h)}
    )
    assert len(tenant_pages) >= 8
    for url in tenant_pages if deep else ():
        walk.numbers(url, walk.page(url))

    # The export carries 首页's numbers, taken at the same moments.
    shown = overview_numbers(home)
    for fmt, read in (("csv", csv_rows), ("xlsx", xlsx_rows)):
        href = next(h for h, _ in Links(home).links if f"/overview.{fmt}?" in h)
        exported = client.get(href)
        assert exported.status_code == 200, exported.text[:300]
        heading, rows = split(read(exported.content))
        as_of = re.search(r"as_of=([^&]+)", href)
        assert as_of
        assert heading["截至（as_of）"][1] == f"as_of={unquote(as_of[1])}"
        assert heading["导出时间"][0] == "2026-11-20 10:00"
        assert "taken-20261120-1000" in exported.headers["content-disposition"]
        table = records(rows)
        assert len(table) == len(shown)
        for row in table:
            key = (ROW_TYPES[row["行"]], row["单位路径"])
            for name, header in COUNTS.items():
                number = shown[key].get(HOME_HEADERS[name], 0)
                assert int(row[header]) == number, (fmt, key, name)
    print(f"{county} {when}: {walk.checked} numbers, {len(walk.totals)} lists")


def test_each_count_in_the_overview_json_names_its_list_and_equals_its_total(
    store: Store,
) -> None:
    signer = TokenSigner(load_secret(store.settings))
    token = signer.mint(subject="WS-0001", tenant="wensu", roles=["supervisor"])
    client = TestClient(store.app, headers={"Authorization": f"Bearer {token}"})
    params = MOMENTS["september-as-known-mid-october"]
    answer = client.get("/v1/tenants/wensu/overview", params=params)
    assert answer.status_code == 200, answer.text
    rows = answer.json()["rows"]
    for row in rows:
        assert set(row["lists"]) == set(COUNTS)
        for key, url in row["lists"].items():
            assert "as_of=2026-09-30&known_at=2026-10-15T12%3A00%3A00" in url, url
            opened = client.get(url)
            assert opened.status_code == 200, (url, opened.text[:300])
            body = opened.json()
            if "total" in body:
                total = body["total"]
            else:  # the catalogue: one block per tenant with its subtree
                blocks = body.get("blocks") or [body]
                total = sum(len(b["categories"]) for b in blocks)
            assert total == row[key], (row["row_type"], row["tenant"], key, url)
