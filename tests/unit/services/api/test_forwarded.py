"""The client's address and scheme: forwarded headers only from trusted proxies."""

from __future__ import annotations

from types import SimpleNamespace

from fastapi import Request

from infra.settings import Settings
from services.api.forwarded import client_address, is_https, uvicorn_options


def request(
    peer: str, proxies: str = "", scheme: str = "http", **headers: str
) -> Request:
    app = SimpleNamespace(
        state=SimpleNamespace(settings=Settings(trusted_proxies=proxies))
    )
    raw = [
        (name.replace("_", "-").encode(), value.encode())
        for name, value in headers.items()
    ]
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "headers": raw,
        "client": (peer, 50000),
        "scheme": scheme,
        "server": ("127.0.0.1", 8000),
        "app": app,
    }
    return Request(scope)


def test_by_default_no_forwarded_header_is_believed() -> None:
    spoofed = request(
        "127.0.0.1", x_forwarded_for="10.9.8.7", x_forwarded_proto="https"
    )
    assert client_address(spoofed) == "127.0.0.1"
    assert not is_https(spoofed)
    assert uvicorn_options(Settings()) == {
        "proxy_headers": False,
        "forwarded_allow_ips": "",
    }


def test_a_trusted_proxy_names_the_client_it_saw() -> None:
    proxies = "127.0.0.1,10.1.0.0/16"
    # The client wrote 6.6.6.6 itself; the proxy appended the address it saw.
    forwarded = request(
        "127.0.0.1", proxies, x_forwarded_for="6.6.6.6, 203.0.113.9, 10.1.2.3"
    )
    assert client_address(forwarded) == "203.0.113.9"
    assert (
        client_address(
            request("10.1.0.7", proxies, x_forwarded_for="[2001:db8::1]:443")
        )
        == "2001:db8::1"
    )
    assert is_https(request("10.1.0.7", proxies, x_forwarded_proto="https"))
    assert uvicorn_options(Settings(trusted_proxies=proxies)) == {
        "proxy_headers": True,
        "forwarded_allow_ips": proxies,
    }


def test_a_peer_that_is_not_a_trusted_proxy_is_the_client() -> None:
    stranger = request(
        "198.51.100.4",
        "127.0.0.1",
        x_forwarded_for="10.9.8.7",
        x_forwarded_proto="https",
    )
    assert client_address(stranger) == "198.51.100.4"
    assert not is_https(stranger)
    assert is_https(request("198.51.100.4", scheme="https"))  # TLS to us directly
    assert client_address(request("127.0.0.1", "127.0.0.1")) == "127.0.0.1"
