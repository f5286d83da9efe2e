"""GeoReport v2 answers in its two forms: JSON arrays and XML documents.

The element and member names are the specification's (wiki.open311.org/GeoReport_v2):
``services/service``, ``service_requests/request``, ``errors/error``; datetimes are
W3C (ISO 8601) with China's offset, as the specification's examples carry one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from xml.etree import ElementTree as ET

from fastapi.responses import JSONResponse, Response

ROOTS = {
    "services": ("services", "service"),
    "service_definition": ("service_definition", None),
    "requests": ("service_requests", "request"),
    "errors": ("errors", "error"),
    "discovery": ("discovery", None),
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _element(parent: ET.Element, name: str, value: Any) -> None:
    if isinstance(value, Mapping):
        child = ET.SubElement(parent, name)
        for k, v in value.items():
            _element(child, k, v)
    elif isinstance(value, list):
        holder = ET.SubElement(parent, name)
        singular = name[:-1] if name.endswith("s") else name
        for item in value:
            _element(holder, singular, item)
    else:
        ET.SubElement(parent, name).text = _text(value)


def to_xml(kind: str, body: Sequence[Mapping[str, Any]] | Mapping[str, Any]) -> str:
    root_name, item_name = ROOTS[kind]
    root = ET.Element(root_name)
    if item_name is None and isinstance(body, Mapping):
        for k, v in body.items():
            _element(root, k, v)
    else:
        for item in body:
            _element(root, item_name or root_name, item)
    return '<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(
        root, encoding="unicode"
    )


def answer(
    fmt: str,
    kind: str,
    body: Sequence[Mapping[str, Any]] | Mapping[str, Any],
    status: int = 200,
) -> Response:
    if fmt == "xml":
        return Response(
            to_xml(kind, body),
            status_code=status,
            media_type="text/xml; charset=utf-8",
        )
    return JSONResponse(body, status_code=status)


def error(fmt: str, status: int, description: str) -> Response:
    """The specification's error list: ``[{"code": 400, "description": …}]``."""
    return answer(fmt, "errors", [{"code": status, "description": description}], status)
