"""Reads keyed by the views' positions (issue 25): ETags, 304s and the read cache,
through the app on both stores. docs/performance.md, "Reads keyed by the log"."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.e2e.conftest import FINANCE, TokenFactory

TUANJIE = "/v1/tenants/xinhe.tahe.tuanjie"
BOARD = "/gongkai/xinhe.tahe.tuanjie"
CASE = {
    "kind": "complaint",
    "channel": "mailbox",
    "signed": True,
    "summary": "路灯不亮",
    "applicant": {"name": "张三丰", "phone": "13812345678"},
}


def revalidate(client: TestClient, url: str, etag: str, **headers: str) -> int:
    """Ask again with the ETag held; a 304 must carry it and no body."""
    answer = client.get(url, headers={**headers, "If-None-Match": etag})
    if answer.status_code == 304:
        assert answer.headers["etag"] == etag
        assert answer.content == b""
        # The page's own policy: a browser puts the 304's headers on its copy.
        fresh = client.get(url, headers=headers)
        policy = "content-security-policy"
        assert answer.headers[policy] == fresh.headers[policy]
    return answer.status_code


def test_a_write_is_read_back_at_once_by_its_writer(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    clerk = auth("xinhe.tahe.tuanjie", "clerk")
    url = f"{TUANJIE}/disclosures"
    first = client.get(url, headers=clerk)
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "private, no-cache"
    assert client.get(url, headers=clerk).json()["items"] == []  # kept
    assert revalidate(client, url, etag, **clerk) == 304
    # Whatever Accept a client sends (a browser's, curl's, none) short of an export.
    assert revalidate(client, url, etag, **clerk, Accept="application/json") == 304
    board = client.get(BOARD)
    assert board.headers["cache-control"] == "public, max-age=0, must-revalidate"
    assert FINANCE["title"] not in board.text

    made = client.post(url, json=FINANCE, headers=clerk)
    assert made.status_code == 201, made.text

    after = client.get(url, headers=clerk)
    assert [i["title"] for i in after.json()["items"]] == [FINANCE["title"]]
    assert after.headers["etag"] != etag
    assert revalidate(client, url, etag, **clerk) == 200
    assert FINANCE["title"] in client.get(BOARD).text
    assert revalidate(client, BOARD, board.headers["etag"]) == 200


def test_an_etag_moves_exactly_when_the_views_it_reads_move(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    clerk = auth("xinhe.tahe.tuanjie", "clerk")
    supervisor = auth("xinhe", "supervisor")
    board = client.get(BOARD).headers["etag"]
    cases = client.get(
        "/v1/tenants/xinhe/case-board?include_descendants=true", headers=supervisor
    )
    assert cases.status_code == 200
    assert client.get(BOARD).headers["etag"] == board  # nothing moved

    filed = client.post(f"{TUANJIE}/cases", json=CASE, headers=clerk)
    assert filed.status_code == 201, filed.text
    # A case moves the case view only: the board's views stand, so does its ETag;
    # the case board reads the case view, so its ETag moves (and shows the case).
    assert revalidate(client, BOARD, board) == 304
    moved = client.get(
        "/v1/tenants/xinhe/case-board?include_descendants=true", headers=supervisor
    )
    assert moved.headers["etag"] != cases.headers["etag"]
    assert moved.json() != cases.json()

    # A disclosure anywhere moves the disclosure view, which the board reads.
    sibling = auth("xinhe.tahe.xingfu", "clerk")
    made = client.post(
        "/v1/tenants/xinhe.tahe.xingfu/disclosures", json=FINANCE, headers=sibling
    )
    assert made.status_code == 201, made.text
    assert revalidate(client, BOARD, board) == 200


def test_scope_is_part_of_the_key(
    client: TestClient, auth: TokenFactory, tree: None
) -> None:
    clerk = auth("xinhe.tahe.tuanjie", "clerk")
    client.post(f"{TUANJIE}/disclosures", json=FINANCE, headers=clerk)
    county = auth("xinhe", "supervisor")
    url = "/v1/tenants/xinhe/disclosures?include_descendants=true"
    mine = client.get(url, headers=county)
    assert [i["title"] for i in mine.json()["items"]] == [FINANCE["title"]]

    # A sibling county's supervisor asks for the same URL, the list now kept: it
    # gets neither the list nor a 304 for its ETag.
    other = auth("wensu", "supervisor")
    assert client.get(url, headers=other).status_code in (403, 404)
    assert revalidate(client, url, mine.headers["etag"], **other) in (403, 404)
    # A sibling village's clerk, on the village's own list.
    sibling = auth("xinhe.tahe.xingfu", "clerk")
    refused = client.get(f"{TUANJIE}/disclosures", headers=sibling)
    assert refused.status_code in (403, 404)

    # Two readers allowed to see the same list do not share its entry or ETag.
    theirs = client.get(f"{TUANJIE}/disclosures", headers=county)
    own = client.get(f"{TUANJIE}/disclosures", headers=clerk)
    assert theirs.headers["etag"] != own.headers["etag"]
    assert (
        revalidate(client, f"{TUANJIE}/disclosures", own.headers["etag"], **county)
        == 200
    )

    # The public boards of two sibling villages: each its own page.
    xingfu = client.get("/gongkai/xinhe.tahe.xingfu")
    assert xingfu.headers["etag"] != client.get(BOARD).headers["etag"]
    assert FINANCE["title"] not in xingfu.text
    assert FINANCE["title"] in client.get(BOARD).text
