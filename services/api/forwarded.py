"""Who the client is and how it came: forwarded headers, believed only from proxies.

``X-Forwarded-For`` and ``X-Forwarded-Proto`` are ordinary request headers that any
client can send. They say something only when a reverse proxy of ours set them, so
they are read only when the TCP peer is one of ``GONGKAI_TRUSTED_PROXIES`` (default:
none). The client is then the right-most address in ``X-Forwarded-For`` that is not
itself a trusted proxy: what the outermost proxy of ours saw; addresses to its left
were written by the client and may be anything. ``gongkai serve`` gives uvicorn the
same list (``uvicorn_options``), so uvicorn's own proxy handling and its access log
agree with this module; behind uvicorn, whose rewrite already made the peer the
client, reading again changes nothing.

The client address is the key of the sign-in and receipt-lookup throttles and what
their logs and ``SignIn.Attempted`` events record.
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address, ip_address
from typing import Any

from fastapi import Request

from infra.settings import Settings

MAX_ADDRESS = 100


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _parse(text: str) -> IPv4Address | IPv6Address | None:
    """An address as a proxy writes it: bare, ``v4:port`` or ``[v6]:port``."""
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        return ip_address(text)
    except ValueError:
        return None


def trusted(settings: Settings, host: str) -> bool:
    """Whether ``host`` is one of the reverse proxies named in the settings."""
    networks = settings.trusted_proxy_networks
    if not networks:
        return False
    address = _parse(host)
    return address is not None and any(address in n for n in networks)


def _peer(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def client_address(request: Request) -> str:
    """The client's address: the TCP peer, or what a trusted proxy says it saw."""
    settings, peer = _settings(request), _peer(request)
    if not trusted(settings, peer):
        return peer[:MAX_ADDRESS]
    hops = [
        hop.strip()
        for header in request.headers.getlist("x-forwarded-for")
        for hop in header.split(",")
        if hop.strip()
    ]
    for hop in reversed(hops):
        if not trusted(settings, hop):
            address = _parse(hop)
            return (str(address) if address else hop)[:MAX_ADDRESS]
    return (hops[0] if hops else peer)[:MAX_ADDRESS]


def is_https(request: Request) -> bool:
    """Whether the client came over HTTPS: to us, or to a trusted proxy that says so
    in ``X-Forwarded-Proto``."""
    if request.url.scheme == "https":
        return True
    if not trusted(_settings(request), _peer(request)):
        return False
    proto = request.headers.getlist("x-forwarded-proto")  # set, not appended, by it
    return bool(proto) and proto[-1].strip().lower() == "https"


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's proxy handling, from the same setting: off unless proxies are named
    (uvicorn would otherwise believe any client on 127.0.0.1)."""
    return {
        "proxy_headers": bool(settings.trusted_proxies),
        "forwarded_allow_ips": settings.trusted_proxies,
    }
