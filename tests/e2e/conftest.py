"""HTTP fixtures: a TestClient over a running platform, and tokens per principal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from domain.access import Role
from infra.settings import Settings
from infra.tokens import TokenSigner, load_secret
from services.server import create_app

Headers = dict[str, str]
TokenFactory = Callable[..., Headers]


@pytest.fixture
def client(settings: Settings, platform: Any) -> Iterator[TestClient]:
    with TestClient(create_app(settings, platform=platform)) as c:
        yield c


@pytest.fixture
def served(settings: Settings, platform: Any) -> Iterator[str]:
    """The app behind uvicorn on 127.0.0.1 (a real socket: streams, disconnects)."""
    import threading
    import time

    import uvicorn

    from tests.integration.streams import free_port

    port = free_port()
    config = uvicorn.Config(
        create_app(settings, platform=platform),
        host="127.0.0.1",
        port=port,
        log_level="warning",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def auth(settings: Settings) -> TokenFactory:
    """``auth("xinhe", "clerk")`` → headers with a bearer token for that principal."""
    signer = TokenSigner(load_secret(settings))

    def headers(tenant: str | None, *roles: str) -> Headers:
        token = signer.mint(
            subject=f"{'+'.join(roles)}@{tenant}",
            tenant=tenant,
            roles=[Role(r).value for r in roles],
        )
        return {"Authorization": f"Bearer {token}"}

    return headers


@pytest.fixture
def tree(client: TestClient, auth: TokenFactory) -> None:
    """新和县 ⊃ 塔河镇 ⊃ 团结村, 幸福村, 中心小学; 温宿县 ⊃ 佳木镇 — over HTTP."""
    admin = auth(None, "admin")
    for body in (
        {"code": "xinhe", "name": "新和县", "level": "county"},
        {"code": "tahe", "name": "塔河镇", "level": "town", "parent": "xinhe"},
        {
            "code": "tuanjie",
            "name": "团结村",
            "level": "village",
            "parent": "xinhe.tahe",
        },
        {
            "code": "xingfu",
            "name": "幸福村",
            "level": "village",
            "parent": "xinhe.tahe",
        },
        {
            "code": "school-1",
            "name": "塔河镇中心小学",
            "level": "unit",
            "kind": "school",
            "parent": "xinhe.tahe",
        },
        {"code": "wensu", "name": "温宿县", "level": "county"},
        {"code": "jiamu", "name": "佳木镇", "level": "town", "parent": "wensu"},
    ):
        response = client.post("/v1/tenants", json=body, headers=admin)
        assert response.status_code == 201, response.text


FINANCE = {
    "category": "common.finance",
    "title": "团结村2026年1月财务收支",
    "body": "一、收入合计12.6万元；二、支出合计9.8万元。",
    "channels": ["公开栏", "网站"],
    "formed_on": "2026-02-10",
}
