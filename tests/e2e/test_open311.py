"""Open311 GeoReport v2 driven by a real client (PyPI ``georeport``) over a socket.

The field names below are those of the specification's examples
(wiki.open311.org/GeoReport_v2): GET services, GET service definition, POST
request, GET requests, tokens and errors, in JSON and XML.
"""

from __future__ import annotations

import json
import re
from typing import Any
from xml.etree import ElementTree as ET

import requests
from fastapi.testclient import TestClient
from georeport import GeoReport

from tests.e2e.conftest import TokenFactory
from tests.e2e.test_feed_api import read_all, sse

TOWN, VILLAGE = "xinhe.tahe", "xinhe.tahe.tuanjie"
SERVICE_FIELDS = {
    "service_code", "service_name", "description", "metadata", "type", "keywords",
    "group",
}  # fmt: skip
REQUEST_FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code",
    "description", "agency_responsible", "service_notice", "requested_datetime",
    "updated_datetime", "expected_datetime", "address", "address_id", "zipcode",
    "lat", "long", "media_url",
}  # fmt: skip
ATTRIBUTE_FIELDS = {
    "variable", "code", "datatype", "required", "datatype_description", "order",
    "description",
}  # fmt: skip
W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")
PERSON = {
    "first_name": "三丰",
    "last_name": "张",
    "phone": "13812345678",
    "email": "zhangsanfeng@example.cn",
}


def api_key(client: TestClient, auth: TokenFactory, families: list[str]) -> str:
    made = client.post(
        f"/v1/tenants/{TOWN}/clients",
        json={"name": "12345热线网关", "families": families},
        headers=auth("xinhe", "admin"),
    ).json()
    return f"{made['client_id']}:{made['client_secret']}"


def post(base: str, fmt: str = "json", **form: Any) -> requests.Response:
    return requests.post(f"{base}/requests.{fmt}", data=form, timeout=10)


def no_person(text: str) -> None:
    for value in (*PERSON.values(), "张三丰"):
        assert value not in text, value


def test_a_georeport_client_lists_posts_reads_and_sees_staff_act(
    client: TestClient, auth: TokenFactory, tree: None, served: str
) -> None:
    base = f"{served}/open311/v2"
    key = api_key(client, auth, ["case"])
    geo = GeoReport(base, jurisdiction=VILLAGE, api_key=key)

    services = geo.get_service_list()
    assert len(services) == 15
    assert all(set(s) == SERVICE_FIELDS for s in services)
    assert {s["type"] for s in services} == {"realtime"}
    code = next(s["service_code"] for s in services if s["metadata"])
    definition = geo.get_service_definition(code)
    assert definition["service_code"] == code
    assert all(set(a) == ATTRIBUTE_FIELDS for a in definition["attributes"])

    filed = post(
        base,
        api_key=key,
        jurisdiction_id=VILLAGE,
        service_code=code,
        lat="41.551200",
        long="82.610300",
        address_string="团结村村委会东侧路口",
        description="路灯损坏，夜间无照明",
        media_url="https://example.cn/photos/1.jpg",
        **PERSON,
    )
    assert filed.status_code == 201, filed.text
    [answer] = filed.json()
    assert set(answer) == {"service_request_id", "service_notice", "account_id"}
    request_id = answer["service_request_id"]

    read = geo.get_service_request(request_id)
    assert set(read) == REQUEST_FIELDS
    assert read["status"] == "open"
    assert read["address"] == "团结村村委会东侧路口"
    assert (read["lat"], read["long"]) == (41.5512, 82.6103)
    assert read["media_url"] == "https://example.cn/photos/1.jpg"
    for moment in ("requested_datetime", "updated_datetime"):
        assert W3C.match(read[moment]), read[moment]
    assert read["requested_datetime"].endswith("+08:00")
    assert read["expected_datetime"] is None  # due from acceptance (受理)

    # An ordinary case: staff see the applicant (sealed in the vault) and act on it.
    clerk = auth(VILLAGE, "clerk")
    cases = f"/v1/tenants/{VILLAGE}/cases/{request_id}"
    card = client.get(cases, headers=clerk).json()
    assert card["applicant"]["name"] == "张三丰"
    assert card["applicant"]["email"] == PERSON["email"]  # from the vault, in clear
    # Where and what: the case's own data, not lines of its summary.
    assert card["summary"] == "路灯损坏，夜间无照明"
    assert card["location"] == {
        "lat": 41.5512, "long": 82.6103, "address": "团结村村委会东侧路口",
        "address_id": None,
    }  # fmt: skip
    assert card["attachments"] == ["https://example.cn/photos/1.jpg"]
    assert card["kind"] == "service_request"
    accepted = client.post(f"{cases}/accept", json={}, headers=clerk)
    assert accepted.status_code == 200, accepted.text
    assigned = client.post(
        f"{cases}/assign",
        json={"department": "社会事务服务部", "handler": "李明",
              "promised_working_days": 5},
        headers=clerk,
    )  # fmt: skip
    assert assigned.status_code == 200, assigned.text
    now = geo.get_service_request(request_id)
    assert now["expected_datetime"] == f"{assigned.json()['due_on']}T23:59:59+08:00"
    assert W3C.match(now["expected_datetime"])
    assert now["agency_responsible"] == "社会事务服务部"
    assert now["status"] == "open"
    done = client.post(
        f"{cases}/resolve", json={"result": "已更换灯泡，恢复照明"}, headers=clerk
    )
    assert done.status_code == 200, done.text
    after = geo.get_service_request(request_id)
    assert after["status"] == "closed"
    assert after["status_notes"] == "已更换灯泡，恢复照明"

    # A case filed through /v1 is readable here too; filters work.
    other = client.post(
        f"/v1/tenants/{VILLAGE}/cases",
        json={"kind": "complaint", "channel": "hotline", "signed": True,
              "summary": "垃圾清运不及时",
              "applicant": {"name": "李四", "email": "lisi@example.cn",
                            "address": "团结村3组15号"},
              "location": {"address": "团结村文化广场", "address_id": "TJ-0012"},
              "attachments": ["https://example.cn/photos/2.jpg"]},
        headers=clerk,
    ).json()  # fmt: skip
    assert other["location"]["address"] == "团结村文化广场"
    via_311 = geo.get_service_request(other["id"])
    assert (via_311["address"], via_311["address_id"]) == ("团结村文化广场", "TJ-0012")
    assert (via_311["lat"], via_311["long"]) == (None, None)
    assert via_311["media_url"] == "https://example.cn/photos/2.jpg"
    listed = geo.get_service_requests()
    assert {r["service_request_id"] for r in listed} >= {request_id, other["id"]}
    closed = geo.get_service_requests(status="closed")
    assert [r["service_request_id"] for r in closed] == [request_id]
    both = geo.get_service_requests(service_request_id=f"{request_id},{other['id']}")
    assert len(both) == 2
    by_code = geo.get_service_requests(service_code=code)
    assert [r["service_request_id"] for r in by_code] == [request_id]

    # XML, as the specification's examples give it.
    xml_geo = GeoReport(base, jurisdiction=VILLAGE, output_format="xml")
    xml_services = xml_geo.get_service_list()
    assert len(xml_services) == 15
    assert set(xml_services[0]) == SERVICE_FIELDS
    xml_read = xml_geo.get_service_request(request_id)
    assert set(xml_read) == REQUEST_FIELDS
    assert xml_read["status"] == "closed"
    raw = requests.get(
        f"{base}/requests/{request_id}.xml", params={"jurisdiction_id": VILLAGE},
        timeout=10,
    )  # fmt: skip
    assert raw.text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    assert raw.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(raw.content)
    assert root.tag == "service_requests"
    assert root[0].tag == "request"
    token = requests.get(
        f"{base}/tokens/{request_id}.json", params={"jurisdiction_id": VILLAGE},
        timeout=10,
    ).json()  # fmt: skip
    assert token == [{"service_request_id": request_id, "token": request_id}]
    with_key = requests.get(
        f"{base}/requests.json",
        params={"jurisdiction_id": VILLAGE, "api_key": key},
        timeout=10,
    )
    assert with_key.status_code == 200  # FixMyStreet sends it on reads too
    discovery = requests.get(f"{base}/discovery.json", timeout=10).json()
    assert discovery["endpoints"][0]["specification"].endswith("GeoReport_v2")

    # No GET answer carries the applicant's personal data.
    for fmt in ("json", "xml"):
        for url in (f"requests.{fmt}", f"requests/{request_id}.{fmt}"):
            got = requests.get(
                f"{base}/{url}", params={"jurisdiction_id": VILLAGE}, timeout=10
            )
            assert got.status_code == 200
            no_person(got.text)
            for clear in ("李四", "lisi@example.cn", "团结村3组15号"):
                assert clear not in got.text

    # Nor does the feed or its SSE form: the email goes out masked at most.
    integrator = auth("xinhe", "integrator")
    for events in (read_all(client, integrator), sse(client, integrator)):
        text = json.dumps(events, ensure_ascii=False)
        assert '"z***@example.cn"' in text
        assert '"张**"' in text  # the surname stays in the masked name, by design
        for clear in ("张三丰", PERSON["first_name"], PERSON["phone"], PERSON["email"]):
            assert clear not in text
        assert "lisi@example.cn" not in text


def test_errors_are_the_specifications_error_list(
    client: TestClient, auth: TokenFactory, tree: None, served: str
) -> None:
    base = f"{served}/open311/v2"
    key = api_key(client, auth, ["case"])
    streams_only = api_key(client, auth, ["disclosure"])
    code = requests.get(
        f"{base}/services.json", params={"jurisdiction_id": VILLAGE}, timeout=10
    ).json()[0]["service_code"]
    good = {"jurisdiction_id": VILLAGE, "service_code": code,
            "address_string": "团结村"}  # fmt: skip
    cases = [
        (post(base, **good), 403),
        (post(base, **good, api_key="0" * 32 + ":nope"), 403),
        (post(base, **good, api_key=streams_only), 403),
        (post(base, **{**good, "service_code": "svc.nothing"}, api_key=key), 404),
        (post(base, **{**good, "address_string": ""}, api_key=key), 400),
        (post(base, **{**good, "jurisdiction_id": "wensu"}, api_key=key), 403),
        (post(base, **good, api_key=key, last_name="张", phone="12345"), 400),
        (post(base, **good, api_key=key, lat="北纬", long="82"), 400),
        (post(base, **good, api_key=key, last_name="张", email="zhang@"), 400),
        (post(base, **good, api_key=key, lat="95", long="82"), 400),
        (requests.get(f"{base}/services.json", timeout=10), 400),
        (requests.get(f"{base}/requests/x.json",
                      params={"jurisdiction_id": VILLAGE}, timeout=10), 404),
    ]  # fmt: skip
    for response, status in cases:
        assert response.status_code == status, response.text
        [error] = response.json()
        assert set(error) == {"code", "description"}
        assert error["code"] == status
    xml = post(base, "xml", **good)
    assert xml.status_code == 403
    root = ET.fromstring(xml.content)
    assert (root.tag, root[0].tag, root[0][0].tag) == ("errors", "error", "code")

    malformed = post(base, **good, api_key=key, last_name="张", email="zhang@")
    assert "电子邮箱地址格式不正确" in malformed.json()[0]["description"]


def test_the_case_api_refuses_a_malformed_email_or_location_in_chinese(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    clerk = auth(VILLAGE, "clerk")
    case = {"kind": "complaint", "channel": "hotline", "signed": True,
            "summary": "路灯不亮", "applicant": {"name": "张三"}}  # fmt: skip
    refusals = [
        ({**case, "applicant": {"name": "张三", "email": "zhang@example"}},
         "invalid-email", "applicant.email", "电子邮箱地址格式不正确"),
        ({**case, "location": {"lat": 41.5}},
         "invalid-location", "location.long", "须成对填写"),
        ({**case, "attachments": ["javascript:alert(1)"]},
         "invalid-attachment", "attachments", "附件须为网页链接"),
    ]  # fmt: skip
    for body, slug, field, words in refusals:
        r = client.post(f"/v1/tenants/{VILLAGE}/cases", json=body, headers=clerk)
        assert r.status_code == 422, r.text
        problem = r.json()
        assert problem["type"].endswith(f"/{slug}"), problem
        assert problem["field"] == field
        assert words in problem["title_zh"]
    listed = client.get(f"/v1/tenants/{VILLAGE}/cases", headers=clerk).json()
    assert listed["total"] == 0  # nothing half-written
