"""The pages' browser protections: headers, HTTPS through a trusted proxy, and CSRF
tokens bound to the session (OWASP ASVS V3.4, V4.2, V14.4)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from infra.settings import Settings
from services.server import create_app
from tests.e2e.test_web_console import csrf, sign_in
from tests.web_seed import CLERK_USER, TUANJIE, seed

HTTPS = {"X-Forwarded-Proto": "https"}
INLINE = re.compile(r"<script(?![^>]*\ssrc=)|<style|\sstyle=|\son[a-z]+=|javascript:")
PUBLISH = {
    "category": "common.finance",
    "title": "团结村2月财务收支",
    "body": "收入合计3.2万元。",
    "channels": ["notice_board"],
    "formed_on": "2026-02-27",
}


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'gongkai.db'}"  # one store is enough here


def policy(response: Any) -> dict[str, list[str]]:
    directives = response.headers["content-security-policy"].split(";")
    return {d.split()[0]: d.split()[1:] for d in directives if d.strip()}


def test_every_page_answers_with_the_browser_protections(
    client: TestClient, platform: Any
) -> None:
    seed(platform)
    pages = ["/gongkai/", f"/gongkai/{TUANJIE}", "/gongkai/_receipt",
             "/gongkai/nowhere", "/console/sign-in", "/docs", "/redoc"]  # fmt: skip
    for url in pages:
        page = client.get(url)
        assert page.headers["content-type"].startswith("text/html"), url
        csp = policy(page)
        assert csp["default-src"] == csp["script-src"] == ["'self'"], url
        assert csp["frame-ancestors"] == ["'none'"], url
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["referrer-policy"] == "same-origin"
        assert "strict-transport-security" not in page.headers  # plain HTTP
        if url != "/redoc":  # ReDoc writes its styles at run time
            assert csp["style-src"] == ["'self'"], url
        assert INLINE.findall(page.text) == [], url
    assert "no-store" not in client.get("/gongkai/").headers.get("cache-control", "")

    api = client.get("/v1/health")
    assert policy(api)["default-src"] == ["'none'"]
    assert api.headers["x-content-type-options"] == "nosniff"

    sign_in(client, CLERK_USER)
    for url in (f"/console/t/{TUANJIE}", f"/console/t/{TUANJIE}/cases/new"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert page.headers["cache-control"] == "no-store"
        assert INLINE.findall(page.text) == [], url


def test_https_through_a_trusted_proxy_means_hsts_and_secure_cookies(
    settings: Settings, platform: Any, client: TestClient
) -> None:
    seed(platform)
    direct = client.get("/console/sign-in", headers=HTTPS)  # a client's own claim
    assert "strict-transport-security" not in direct.headers
    assert "Secure" not in direct.headers["set-cookie"]

    behind = settings.model_copy(update={"trusted_proxies": "127.0.0.1"})
    app = create_app(behind, platform=platform)
    with TestClient(app, client=("127.0.0.1", 50000)) as proxied:
        page = proxied.get("/console/sign-in", headers=HTTPS)
        assert page.headers["strict-transport-security"].startswith("max-age=")
        nonce = re.search(r"gongkai_csrf=([^;]+)", page.headers["set-cookie"])
        assert nonce
        assert "Secure" in page.headers["set-cookie"]
        done = proxied.post(
            "/console/sign-in",
            data={"username": CLERK_USER[0], "password": CLERK_USER[1],
                  "csrf_token": csrf(page.text)},
            headers=HTTPS | {"Cookie": f"gongkai_csrf={nonce.group(1)}"},
            follow_redirects=False,
        )  # fmt: skip
        assert done.status_code == 303, done.text
        cookies = done.headers.get_list("set-cookie")
        assert {c.split("=")[0] for c in cookies} == {"gongkai_session", "gongkai_csrf"}
        assert all("Secure" in c for c in cookies)


def test_a_planted_cookie_and_token_from_an_anonymous_visit_are_refused(
    client: TestClient, platform: Any
) -> None:
    seed(platform)
    attacker = TestClient(client.app)
    planted_token = csrf(attacker.get("/console/sign-in").text)
    planted_nonce = attacker.cookies["gongkai_csrf"]

    before = csrf(client.get("/console/sign-in").text)
    own_nonce = client.cookies["gongkai_csrf"]
    done = client.post(
        "/console/sign-in",
        data={"username": CLERK_USER[0], "password": CLERK_USER[1],
              "csrf_token": before},
        follow_redirects=False,
    )  # fmt: skip
    assert done.status_code == 303

    client.cookies.delete("gongkai_csrf")
    client.cookies.set("gongkai_csrf", planted_nonce)  # planted in the clerk's browser
    planted = client.post(
        f"/console/t/{TUANJIE}/publish", data=PUBLISH | {"csrf_token": planted_token}
    )
    assert planted.status_code == 403
    assert "防伪令牌" in planted.text
    assert "团结村2月财务收支" not in client.get(f"/console/t/{TUANJIE}").text

    # The clerk's own token from before signing in stopped working at sign-in too,
    # which handed out a new nonce.
    assert "gongkai_csrf=" in done.headers["set-cookie"]
    client.cookies.delete("gongkai_csrf")
    client.cookies.set("gongkai_csrf", own_nonce)
    stale = client.post(
        f"/console/t/{TUANJIE}/publish", data=PUBLISH | {"csrf_token": before}
    )
    assert stale.status_code == 403

    client.cookies.delete("gongkai_csrf")
    own = csrf(client.get(f"/console/t/{TUANJIE}/publish").text)
    published = client.post(
        f"/console/t/{TUANJIE}/publish",
        data=PUBLISH | {"csrf_token": own},
        follow_redirects=False,
    )
    assert published.status_code == 303, published.text


def test_a_guesser_is_held_back_at_the_console_while_the_owner_signs_in(
    client: TestClient, platform: Any
) -> None:
    seed(platform)

    def attempt(browser: TestClient, password: str) -> Any:
        token = csrf(browser.get("/console/sign-in").text)
        return browser.post(
            "/console/sign-in",
            data={"username": CLERK_USER[0], "password": password,
                  "csrf_token": token},
            follow_redirects=False,
        )  # fmt: skip

    for _ in range(5):  # GONGKAI_SIGNIN_ACCOUNT_MAX_FAILURES from this address
        assert attempt(client, "guess-guess-guess").status_code == 401
    held = attempt(client, CLERK_USER[1])
    assert held.status_code == 429
    assert 0 < int(held.headers["Retry-After"]) <= 15 * 60
    assert "秒后再试" in held.text
    owner = TestClient(client.app, client=("192.0.2.7", 50000))  # another address
    assert attempt(owner, CLERK_USER[1]).status_code == 303
