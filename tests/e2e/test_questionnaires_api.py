"""问卷调查 over HTTP: designed, given codes, opened, answered by the public without
an account (one answer per code; a spent code 409 in Chinese), closed; the results
for staff (free text) and on the public board (no free text); the satisfaction
figure for assessment. The clock is pinned at Monday 2 March 2026 (tests/conftest.py).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from fastapi.testclient import TestClient

from services.assessment.metrics import target_metrics
from tests.e2e.conftest import TokenFactory

TOWN = "/v1/tenants/xinhe.tahe"
ANSWER = "/v1/questionnaires/xinhe.tahe/1/answers"  # no token
DESIGN = {
    "title": "镇政务公开满意度调查",
    "purpose": "征求群众对镇政务公开工作的意见",
    "minimum_sample": 3,
    "questions": [
        {"kind": "单选", "text": "您是否看过镇公开栏？", "options": ["看过", "没看过"]},
        {
            "kind": "multiple",
            "text": "您从哪里了解镇里的信息？",
            "options": ["公开栏", "网站", "微信群"],
        },
        {"kind": "scale", "text": "您对镇政务公开工作的总体评价"},
        {"kind": "text", "text": "您的意见和建议"},
    ],
}


def test_a_questionnaire_is_answered_once_per_code_and_published(
    client: TestClient, auth: TokenFactory, tree: None, platform: Any
) -> None:
    clerk = auth("xinhe.tahe", "clerk")
    made = client.post(f"{TOWN}/questionnaires", json=DESIGN, headers=clerk)
    assert made.status_code == 201, made.text
    assert made.json()["number"] == 1
    assert made.json()["state_label"] == "设计中"
    codes = client.post(
        f"{TOWN}/questionnaires/1/codes", json={"count": 5}, headers=clerk
    ).json()["codes"]
    assert len(set(codes)) == 5
    early = client.post(
        ANSWER,
        json={"code": codes[0], "answers": [0, [0], 5, None]},
    )
    assert early.status_code == 409  # not open yet
    opened = client.post(
        f"{TOWN}/questionnaires/1/open",
        json={"closes_on": "2026-03-31"},
        headers=clerk,
    )
    assert opened.status_code == 200, opened.text
    answers = [
        [0, [0, 2], 5, "公开栏应增加低保公示"],
        [0, [1], 4, None],
        [1, [], 2, "看不懂"],
        [0, [0], 4, None],
    ]
    for code, answer in zip(codes, answers, strict=False):
        sent = client.post(ANSWER, json={"code": code, "answers": answer})
        assert sent.status_code == 201, sent.text
    again = client.post(
        ANSWER,
        json={"code": codes[0], "answers": [1, [], 1, None]},
    )
    assert again.status_code == 409
    assert again.json()["title_zh"].startswith("此问卷码已使用过")
    unknown = client.post(
        ANSWER,
        json={"code": "AAAAA-BBBBB", "answers": [1, [], 1, None]},
    )
    assert unknown.status_code == 404
    bad = client.post(ANSWER, json={"code": codes[4], "answers": [7]})
    assert bad.status_code == 422
    page = client.get("/gongkai/xinhe.tahe/participation").text
    assert "/gongkai/xinhe.tahe/questionnaires/1" in page  # open: a link to answer
    closed = client.post(f"{TOWN}/questionnaires/1/close", headers=clerk)
    assert closed.status_code == 200, closed.text
    late = client.post(
        ANSWER,
        json={"code": codes[4], "answers": [0, [], 5, None]},
    )
    assert late.status_code == 409
    staff = client.get(
        f"{TOWN}/questionnaires/1", headers=auth("xinhe", "supervisor")
    ).json()
    assert staff["answers"] == 4
    assert staff["codes_spent"] == 4
    assert staff["results"][3]["texts"] == ["公开栏应增加低保公示", "看不懂"]
    sat = staff["satisfaction"]
    assert (sat["numerator"], sat["denominator"], sat["value"]) == (3, 4, 0.75)
    figure = client.get(
        f"{TOWN}/questionnaire-satisfaction", headers=auth("xinhe", "supervisor")
    ).json()
    assert figure["questionnaires"][0]["satisfaction"]["value"] == 0.75
    metrics = target_metrics(
        platform, "xinhe.tahe", date(2026, 1, 1), date(2026, 3, 31)
    )
    pooled = metrics["questionnaire_satisfaction"]
    assert (pooled["numerator"], pooled["denominator"]) == (3, 4)
    assert pooled["insufficient"]  # under 30 answers
    assert pooled["questionnaires"] == [1]
    earlier = target_metrics(
        platform, "xinhe.tahe", date(2026, 1, 1), date(2026, 2, 28)
    )
    assert earlier["questionnaire_satisfaction"]["denominator"] == 0
    board = client.get("/gongkai/xinhe.tahe/participation").text
    assert "镇政务公开满意度调查" in board
    assert "75.0%" in board
    assert "看不懂" not in board  # free text is staff's
    feed = client.get("/v1/feed", headers=auth("xinhe", "supervisor")).text
    assert not any(c in feed for c in codes)
    assert "code_hash" not in feed
    assert "看不懂" not in feed


def test_the_public_form_answers_with_its_csrf_token(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    clerk = auth("xinhe.tahe", "clerk")
    assert client.post(f"{TOWN}/questionnaires", json=DESIGN, headers=clerk).is_success
    codes = client.post(
        f"{TOWN}/questionnaires/1/codes", json={"count": 2}, headers=clerk
    ).json()["codes"]
    client.post(
        f"{TOWN}/questionnaires/1/open", json={"closes_on": "2026-03-31"}, headers=clerk
    )
    url = "/gongkai/xinhe.tahe/questionnaires/1"
    form = client.get(url)
    assert form.status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    body = {
        "csrf_token": token.group(1),
        "code": codes[0].lower(),
        "q0": "0",
        "q1_2": "1",
        "q2": "5",
        "q3": "很好",
    }
    sent = client.post(url, data=body)
    assert sent.status_code == 201, sent.text
    assert "提交成功" in sent.text
    twice = client.post(url, data=body)
    assert twice.status_code == 409
    assert "此问卷码已使用过" in twice.text
    forged = client.post(url, data={**body, "csrf_token": "x", "code": codes[1]})
    assert forged.status_code in (400, 403)
    assert client.get("/gongkai/xinhe.tahe/questionnaires/9").status_code == 404
    odd = client.get("/gongkai/xinhe.tahe/questionnaires/abc")
    assert odd.status_code == 400  # a malformed address, not a 500


def test_guessing_codes_locks_the_address(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    clerk = auth("xinhe.tahe", "clerk")
    assert client.post(f"{TOWN}/questionnaires", json=DESIGN, headers=clerk).is_success
    (code,) = client.post(
        f"{TOWN}/questionnaires/1/codes", json={"count": 1}, headers=clerk
    ).json()["codes"]
    client.post(
        f"{TOWN}/questionnaires/1/open", json={"closes_on": "2026-03-31"}, headers=clerk
    )
    answer = [0, [], 5, None]
    for n in range(20):  # GONGKAI_RECEIPT_ADDRESS_MAX_FAILURES
        guess = client.post(ANSWER, json={"code": f"GUESS-{n:05d}", "answers": answer})
        assert guess.status_code == 404
    locked = client.post(ANSWER, json={"code": code, "answers": answer})
    assert locked.status_code == 429
    assert "Retry-After" in locked.headers
