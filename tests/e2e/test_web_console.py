"""The console over HTTP: sign-in, CSRF, scope, forms (browser tests walk it too)."""

from __future__ import annotations

import csv
import html
import io
import re
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import MutableClock
from tests.web_seed import CLERK_USER, COUNTY_USER, TUANJIE, seed


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert found, html[:500]
    return found.group(1)


def sign_in(client: TestClient, user: tuple[str, str]) -> None:
    page = client.get("/console/sign-in")
    token = csrf(page.text)
    done = client.post(
        "/console/sign-in",
        data={"username": user[0], "password": user[1], "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    cookie = done.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie


def test_signed_out_pages_redirect_and_forms_need_their_csrf_token(
    client: TestClient, platform: Any
) -> None:
    seed(platform)
    page = client.get(f"/console/t/{TUANJIE}", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/console/sign-in?next=")
    refused = client.post(
        "/console/sign-in",
        data={"username": COUNTY_USER[0], "password": COUNTY_USER[1]},
    )
    assert refused.status_code == 403
    assert "防伪令牌" in refused.text
    wrong = client.post(
        "/console/sign-in",
        data={
            "username": COUNTY_USER[0],
            "password": "nope",
            "csrf_token": csrf(client.get("/console/sign-in").text),
        },
    )
    assert wrong.status_code == 401
    assert "<title>错误：" in wrong.text


def test_a_supervisor_sees_the_subtree_but_not_a_sibling_county(
    client: TestClient, platform: Any
) -> None:
    ids = seed(platform)
    sign_in(client, COUNTY_USER)
    home = client.get("/console/")
    assert home.status_code == 200, home.text
    assert "塔河镇" in home.text
    ahead = client.get("/console/?as_of=2027-01-01").text
    assert "所选日期晚于现在（2026-03-02 10:00），下表是目前所知的情况。" in ahead
    assert "is in the future" not in ahead  # the API's English stays in the API
    town = client.get("/console/t/xinhe.tahe")
    assert "团结村" in town.text
    village = client.get(f"/console/t/{TUANJIE}?as_of=2026-12-31").text
    assert "误发的通知" in village  # withdrawn items are listed, with the reason
    item = client.get(f"/console/t/{TUANJIE}/items/{ids['item']}")
    assert item.status_code == 200, item.text
    assert "<del>8</del>" in item.text
    assert "<ins>6</ins>" in item.text
    assert client.get("/console/t/wensu").status_code == 404
    assert client.get("/console/t/wensu.jiamu/cases").status_code == 404
    audit = client.get(f"/console/t/{TUANJIE}/audit")
    assert audit.status_code == 200, audit.text
    assert "/xinhe.tahe</span>" in audit.text  # the parent town cosigned
    bundle = client.get(f"/console/t/{TUANJIE}/evidence/disclosures/{ids['item']}")
    assert bundle.status_code == 200, bundle.text
    assert bundle.headers["content-disposition"].startswith("attachment")


def test_a_clerk_publishes_files_a_case_and_sees_refusals_beside_the_field(
    client: TestClient, platform: Any
) -> None:
    seed(platform)
    sign_in(client, CLERK_USER)
    form = client.get(f"/console/t/{TUANJIE}/publish")
    token = csrf(form.text)
    refused = client.post(
        f"/console/t/{TUANJIE}/publish",
        data={"category": "common.finance", "title": "", "body": "x",
              "channels": ["notice_board"], "formed_on": "2026-02-30",
              "csrf_token": token},
    )  # fmt: skip
    assert refused.status_code == 422
    assert 'href="#f-title"' in refused.text
    assert 'href="#f-formed_on"' in refused.text
    case = {"kind": "complaint", "channel": "visit", "summary": "路灯不亮",
            "signed": "on", "applicant_name": "张三丰",
            "applicant_phone": "13812345678", "csrf_token": token}  # fmt: skip
    bad_email = client.post(
        f"/console/t/{TUANJIE}/cases/new",
        data={**case, "applicant_email": "zhang@example"},
    )
    assert bad_email.status_code == 422, bad_email.text
    assert 'href="#f-applicant_email"' in bad_email.text
    assert "电子邮箱地址格式不正确" in bad_email.text
    filed = client.post(
        f"/console/t/{TUANJIE}/cases/new",
        data={**case, "applicant_email": "zhangsf@example.cn",
              "location_address": "团结村村委会东侧路口",
              "attachments": "https://img.example.cn/lamp.jpg"},
        follow_redirects=False,
    )  # fmt: skip
    assert filed.status_code == 303, filed.text
    card = client.get(filed.headers["location"])
    assert "张三丰" in card.text
    assert "zhangsf@example.cn" in card.text  # the handling clerk sees it in clear
    assert "团结村村委会东侧路口" in card.text
    assert 'href="https://img.example.cn/lamp.jpg"' in card.text
    assert "/act/accept" in card.text


def file_with_receipt(client: TestClient, platform: Any) -> str:
    """A clerk files a case in the console; the receipt number it prints."""
    seed(platform)
    sign_in(client, CLERK_USER)
    token = csrf(client.get(f"/console/t/{TUANJIE}/cases/new").text)
    filed = client.post(
        f"/console/t/{TUANJIE}/cases/new",
        data={"kind": "complaint", "channel": "visit", "summary": "路灯不亮",
              "applicant_name": "张三丰", "applicant_phone": "13812345678",
              "csrf_token": token},
    )  # fmt: skip
    found = re.search(r"<strong>(\d{8}-[0-9A-F]{8})</strong>", filed.text)
    assert found, filed.text[:2000]
    return found.group(1)


def test_the_receipt_number_looks_up_a_case_without_personal_data(
    client: TestClient, platform: Any
) -> None:
    receipt = file_with_receipt(client, platform)
    public = TestClient(client.app)
    token = csrf(public.get("/gongkai/_receipt").text)
    wrong = public.post(
        "/gongkai/_receipt",
        data={"receipt": receipt, "phone_last4": "0000", "csrf_token": token},
    )
    assert wrong.status_code == 404
    right = public.post(
        "/gongkai/_receipt",
        data={"receipt": receipt, "phone_last4": "5678", "csrf_token": token},
    )
    assert right.status_code == 200
    assert "团结村" in right.text
    assert "待受理" in right.text or "已登记" in right.text or "登记" in right.text
    for private in ("张三丰", "5678", "路灯不亮"):
        assert private not in right.text


def test_failed_receipt_lookups_lock_the_receipt_then_the_address_for_a_while(
    client: TestClient, platform: Any, clock: MutableClock
) -> None:
    """Someone holding a receipt cannot try all 10,000 phone endings."""
    receipt = file_with_receipt(client, platform)
    public = TestClient(client.app)
    token = csrf(public.get("/gongkai/_receipt").text)

    def ask(last4: str, number: str = receipt) -> Any:
        return public.post(
            "/gongkai/_receipt",
            data={"receipt": number, "phone_last4": last4, "csrf_token": token},
        )

    for _ in range(5):  # GONGKAI_RECEIPT_MAX_FAILURES
        assert ask("0000").status_code == 404
    locked = ask("5678")  # the right digits, but the receipt is locked
    assert locked.status_code == 429
    assert 0 < int(locked.headers["Retry-After"]) <= 15 * 60
    assert "查询未成功的次数过多，请 15 分钟后再试" in locked.text
    assert "团结村" not in locked.text
    clock.advance(minutes=16)
    assert ask("5678").status_code == 200

    for n in range(20):  # GONGKAI_RECEIPT_ADDRESS_MAX_FAILURES, other receipts
        assert ask("0000", f"20260101-{n:08X}").status_code == 404
    assert ask("5678").status_code == 429  # this address is locked now
    clock.advance(minutes=16)
    assert ask("5678").status_code == 200


def test_staff_read_names_labels_and_chinese_and_the_json_twin_opens(
    client: TestClient, platform: Any
) -> None:
    """#23 §3: a staffer by name, a state by its label, every refusal in Chinese
    naming its field, the case list and its export with 受理回执号 and the
    handler's name, and the page's JSON twin answered for the session."""
    seed(platform)
    token = csrf(client.get("/console/sign-in").text)
    wrong = client.post(
        "/console/sign-in",
        data={"username": CLERK_USER[0], "password": "x" * 12, "csrf_token": token},
    )
    assert "用户名或密码不正确" in wrong.text
    assert "wrong username" not in wrong.text
    sign_in(client, CLERK_USER)
    village = client.get(f"/console/t/{TUANJIE}").text
    assert '<span class="who">古丽娜（XH-0201）</span>' in village
    assert "XH-0201@xinhe" not in village

    token = csrf(village)
    refused = client.post(
        f"/console/t/{TUANJIE}/publish",
        data={"category": "common.finance", "title": "", "body": "x",
              "channels": ["notice_board"], "formed_on": "2026-03-01",
              "published_on": "2026-02-27", "late_reason": "补录", "csrf_token": token},
    )  # fmt: skip
    assert "请填写标题" in refused.text  # the summary names the field
    assert "请填写此项" not in refused.text
    dated = client.post(
        f"/console/t/{TUANJIE}/publish",
        data={"category": "common.finance", "title": "二月财务", "body": "x",
              "channels": ["notice_board"], "formed_on": "2026-03-01",
              "published_on": "2026-02-27", "late_reason": "补录", "csrf_token": token},
    )  # fmt: skip
    assert dated.status_code == 422
    assert "信息形成日期：须在 2000-01-01 之后，且不晚于公开日期" in dated.text
    assert "is after" not in dated.text

    filed = client.post(
        f"/console/t/{TUANJIE}/cases/new",
        data={"kind": "complaint", "channel": "visit", "summary": "路灯不亮",
              "csrf_token": token},
        follow_redirects=False,
    )  # fmt: skip
    card_url = filed.headers["location"]
    assign = {"department": "村委会", "handler": "XH-0201"}
    for action, fields in (("accept", {}), ("assign", assign)):
        page = client.get(card_url).text
        version = re.search(r'name="version" value="(\d+)"', page)
        assert version, page[:500]
        done = client.post(
            f"{card_url}/act/{action}",
            data={**fields, "version": version.group(1), "csrf_token": csrf(page)},
            follow_redirects=False,
        )
        assert done.status_code == 303, done.text
    card = client.get(card_url).text
    assert "<dd>古丽娜（XH-0201）</dd>" in card  # 全程承办人
    assert "— 古丽娜（XH-0201）" in card  # who acted, in the timeline
    assert "承办人：古丽娜（XH-0201）" in card  # the assignment's details
    listed = client.get(f"/console/t/{TUANJIE}/cases").text
    assert '<td data-label="承办人">古丽娜（XH-0201）</td>' in listed
    exported = client.get(f"/console/t/{TUANJIE}/cases.csv")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert [r["承办人"] for r in rows] == ["古丽娜（XH-0201）"]
    assert re.fullmatch(r"\d{8}-[0-9A-F]{8}", rows[0]["受理回执号"])
    assert rows[0]["受理回执号"] in card
    audit = client.get(f"/console/t/{TUANJIE}/audit").text
    assert '<td data-label="状态">办理中</td>' in audit
    assert ">assigned<" not in audit

    # The "JSON" twin of a console page opens in the signed-in browser; the
    # session serves reads only, never a command.
    twin = client.get(f"/v1/tenants/{TUANJIE}/cases")
    assert twin.status_code == 200, twin.text
    assert twin.json()["items"][0]["handler_name"] == "古丽娜"
    command = client.post(f"/v1/tenants/{TUANJIE}/disclosures", json={})
    assert command.status_code == 401
    client.cookies.clear()
    assert client.get(f"/v1/tenants/{TUANJIE}/cases").status_code == 401


def test_a_page_refuses_a_bad_filter_in_chinese_naming_it(
    client: TestClient, platform: Any
) -> None:
    seed(platform)
    sign_in(client, CLERK_USER)
    page = client.get(f"/console/t/{TUANJIE}/cases?open=maybe")
    assert page.status_code == 400
    assert "仅未结请选择是或否" in page.text
    assert "Input should be" not in page.text


def test_home_reaches_every_corrected_and_withdrawn_item_by_its_numbers(
    client: TestClient, platform: Any, clock: MutableClock
) -> None:
    ids = seed(platform)
    sign_in(client, COUNTY_USER)
    clock.advance(days=1)
    home = client.get("/console/", params={"known_at": "2026-03-02T12:00"})
    assert home.status_code == 200, home.text
    assert 'name="known_at" value="2026-03-02T12:00"' in home.text
    links = [
        html.unescape(h)
        for h in re.findall(r'href="(/console/t/[^"]+/disclosures\?[^"]+)"', home.text)
    ]
    mine = [h for h in links if h.startswith(f"/console/t/{TUANJIE}/")]
    published = next(h for h in mine if "status=" not in h and "late=" not in h)
    withdrawn = next(
        h for h in mine if "status=withdrawn" in h and "backdated" not in h
    )
    for href in (published, withdrawn):  # the moments of 首页 go with the link
        assert "known_at=2026-03-02T12%3A00%3A00" in href, href
    listed = client.get(published)
    assert listed.status_code == 200, listed.text
    assert ids["item"] in listed.text
    assert "更正" in listed.text  # the corrected item, marked
    assert "共 1 项" in listed.text
    gone = client.get(withdrawn)
    assert ids["withdrawn"] in gone.text
    assert "误发" in gone.text  # with its reason
    # The list's own filters: the corrected items alone, and its export.
    revised = client.get(
        f"/console/t/{TUANJIE}/disclosures", params={"status": "revised"}
    )
    assert ids["item"] in revised.text
    assert ids["withdrawn"] not in revised.text
    exported = client.get(
        f"/console/t/{TUANJIE}/disclosures.csv",
        params={"status": "withdrawn", "known_at": "2026-03-02T12:00"},
    )
    assert exported.status_code == 200
    assert "known-at-20260302-1200" in exported.headers["content-disposition"]
    lines = exported.content.decode("utf-8-sig").splitlines()
    assert lines[1].startswith("按当时所知（known_at）,2026-03-02 12:00")
    assert "误发的通知" in lines[-1]
    # Known before anything was published, the village had no public item.
    early = client.get(f"/console/t/{TUANJIE}", params={"known_at": "2026-03-01"})
    assert "逾期公开的事项：共 0 项" in early.text
    assert "误发的通知" not in early.text
    cases = client.get(f"/console/t/{TUANJIE}/cases", params={"as_of": "2026-03-01"})
    assert cases.status_code == 200, cases.text
    assert "共 0 件" in cases.text
    assert 'name="as_of" value="2026-03-01"' in cases.text
    coverage = client.get(
        f"/console/t/{TUANJIE}/coverage", params={"status": "missing"}
    )
    assert coverage.status_code == 200, coverage.text
    assert "必公开类别：共" in coverage.text
    for url, params in (
        ("/console/", {"known_at": "2026-13-01"}),
        (f"/console/t/{TUANJIE}/disclosures", {"as_of": "yesterday"}),
        (f"/console/t/{TUANJIE}/cases", {"known_at": "2026-02-30"}),
    ):
        refused = client.get(url, params=params)
        assert refused.status_code == 400, (url, refused.text[:300])
        assert "<title>" in refused.text  # a page that says why, not a 500
    unknown = client.get(f"/console/t/{TUANJIE}/disclosures", params={"status": "x"})
    assert unknown.status_code == 422
