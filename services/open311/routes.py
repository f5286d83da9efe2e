"""Open311 GeoReport v2 at ``/open311/v2/`` (docs/open311.md): discovery, services,
service definitions, requests (post, search, one), tokens; JSON and XML.

Kept out of the OpenAPI document: the specification fixes its own forms (a format
suffix on every path, XML beside JSON, ``attribute[code]`` form members, an error
list instead of problem details), which the document's strict rules cannot state.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response

from domain.access import Principal, Role
from domain.cases.personal_data import Applicant
from domain.error_words import phrase
from domain.errors import GongkaiError
from domain.tenancy import is_within
from projections.case_list import CaseFilter, CaseList
from projections.cases import CaseProjection
from services.api.deps import platform_of
from services.open311.present import answer, error
from services.open311.requests import request_of
from services.platform.runtime import Platform


def tolerated(
    api_key: Annotated[str | None, Query(max_length=300)] = None,
) -> None:
    """Clients such as FixMyStreet send ``api_key`` on every call; reads ignore it
    (the API refuses query parameters a route does not declare)."""


router = APIRouter(
    prefix="/open311/v2", include_in_schema=False, dependencies=[Depends(tolerated)]
)
FORMATS = ("json", "xml")
Jurisdiction = Annotated[str | None, Query(max_length=200)]


def _fmt(fmt: str) -> str | None:
    return fmt if fmt in FORMATS else None


def _tenant(platform: Platform, jurisdiction: str | None) -> str:
    if not jurisdiction:
        raise Open311Error(400, "jurisdiction_id is required: the tenant path")
    if platform.directory.get(jurisdiction) is None:
        raise Open311Error(404, f"jurisdiction_id {jurisdiction!r} not found")
    return jurisdiction


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


MAX_DESCRIPTION = 400
UNNAMED = "未留姓名"


def run(fmt: str, work: Any) -> Response:
    """Answer ``work()`` in ``fmt``; every refusal as the specification's error list."""
    chosen = _fmt(fmt)
    if chosen is None:
        return error("json", 404, f"format {fmt!r}: use .json or .xml")
    try:
        kind, body, status = work()
    except Open311Error as e:
        return error(chosen, e.status, e.description)
    except GongkaiError as e:  # the specification knows 400, not 422
        status = e.status if e.status in (403, 404, 409) else 400
        field = f" ({e.field})" if e.field else ""
        return error(chosen, status, f"{e}{field}: {phrase(e.slug)}")
    return answer(chosen, kind, body, status)


def _services(platform: Platform, path: str) -> list[dict[str, Any]]:
    return [
        {
            "service_code": s.code,
            "service_name": s.name,
            "description": f"{s.name}（{s.department.label}，承诺 "
            f"{s.promised_working_days} 个工作日办结）",
            "metadata": bool(s.materials),
            "type": "realtime",
            "keywords": ",".join([s.kind.label, s.department.label]),
            "group": s.department.label,
        }
        for s in platform.cases.services_for(path)
    ]


@router.get("/discovery.{fmt}")
def discovery(request: Request, fmt: str) -> Response:
    base = str(request.base_url).rstrip("/") + "/open311/v2/"

    def work() -> tuple[str, Any, int]:
        return (
            "discovery",
            {
                "changeset": "2026-03-02T00:00:00+08:00",
                "contact": "政务公开办（见 docs/open311.md）",
                "key_service": "向县级管理员申请对接系统（client_id 与 client_secret）",
                "endpoints": [
                    {
                        "specification": "http://wiki.open311.org/GeoReport_v2",
                        "url": base,
                        "changeset": "2026-03-02T00:00:00+08:00",
                        "type": "production",
                        "formats": ["application/json", "text/xml"],
                    }
                ],
            },
            200,
        )

    return run(fmt, work)


@router.get("/services.{fmt}")
def services(
    request: Request, fmt: str, jurisdiction_id: Jurisdiction = None
) -> Response:
    platform = platform_of(request)
    return run(
        fmt,
        lambda: (
            "services",
            _services(platform, _tenant(platform, jurisdiction_id)),
            200,
        ),
    )


@router.get("/services/{service_code}.{fmt}")
def service_definition(
    request: Request, service_code: str, fmt: str, jurisdiction_id: Jurisdiction = None
) -> Response:
    platform = platform_of(request)

    def work() -> tuple[str, Any, int]:
        path = _tenant(platform, jurisdiction_id)
        found = [s for s in platform.cases.services_for(path) if s.code == service_code]
        if not found:
            raise Open311Error(404, f"service_code {service_code!r} not found")
        attributes = [
            {
                "variable": False,
                "code": f"material-{i}",
                "datatype": "text",
                "required": False,
                "datatype_description": "所需材料（请到窗口提交原件）",
                "order": i,
                "description": m,
            }
            for i, m in enumerate(found[0].materials, start=1)
        ]
        return (
            "service_definition",
            {"service_code": service_code, "attributes": attributes},
            200,
        )

    return run(fmt, work)


def _client(platform: Platform, api_key: str | None, path: str) -> Principal:
    """The api_key is an integrator client's ``client_id:client_secret``; the client's
    scope must hold the jurisdiction and its families the case family. It files as
    a clerk of the jurisdiction, recorded under the client's id."""
    client_id, _, secret = (api_key or "").partition(":")
    grant = platform.clients.grant(client_id, secret) if secret else None
    if grant is None:
        raise Open311Error(403, "api_key is missing or invalid")
    if not is_within(path, grant.tenant) or "case" not in grant.families:
        raise Open311Error(403, "this api_key may not file requests here")
    return Principal(
        id=f"client:{grant.client_id}", tenant=path, roles=frozenset({Role.CLERK})
    )


def _float(text: str | None, name: str) -> float | None:
    if text in (None, ""):
        return None
    try:
        return float(text)
    except ValueError:
        raise Open311Error(400, f"{name} must be a number") from None


def _applicant(
    first_name: str | None,
    last_name: str | None,
    phone: str | None,
    email: str | None,
) -> Applicant | None:
    """The applicant a request names (to the vault, like every applicant), or None.
    A request giving only a phone or email still names someone to answer."""
    name = f"{last_name or ''}{first_name or ''}".strip()
    if not (name or phone or email):
        return None
    return Applicant(
        name=name or UNNAMED, phone=phone or None, email=(email or "").strip() or None
    )


@router.post("/requests.{fmt}")
def post_request(
    request: Request,
    fmt: str,
    jurisdiction_id: Annotated[str | None, Form()] = None,
    api_key: Annotated[str | None, Form()] = None,
    service_code: Annotated[str | None, Form()] = None,
    lat: Annotated[str | None, Form()] = None,
    long: Annotated[str | None, Form()] = None,
    address_string: Annotated[str | None, Form()] = None,
    address_id: Annotated[str | None, Form()] = None,
    email: Annotated[str | None, Form()] = None,
    first_name: Annotated[str | None, Form()] = None,
    last_name: Annotated[str | None, Form()] = None,
    phone: Annotated[str | None, Form()] = None,
    description: Annotated[str | None, Form()] = None,
    media_url: Annotated[str | None, Form()] = None,
) -> Response:
    platform = platform_of(request)

    def work() -> tuple[str, Any, int]:
        path = _tenant(platform, jurisdiction_id)
        principal = _client(platform, api_key, path)
        if not service_code:
            raise Open311Error(400, "service_code is required")
        entries = {s.code: s for s in platform.cases.services_for(path)}
        if service_code not in entries:
            raise Open311Error(404, f"service_code {service_code!r} not found")
        y, x = _float(lat, "lat"), _float(long, "long")
        if (y is None or x is None) and not address_string and not address_id:
            raise Open311Error(400, "a location is required: lat and long, "
                               "address_string or address_id")  # fmt: skip
        applicant = _applicant(first_name, last_name, phone, email)
        filed = platform.cases.file(
            principal,
            path,
            kind=entries[service_code].kind.value,  # 办事 mostly; 信访 for visits
            channel="web",
            summary=(description or "（未填写说明）").strip()[:MAX_DESCRIPTION],
            signed=applicant is not None,
            location={
                "lat": y,
                "long": x,
                "address": address_string,
                "address_id": address_id,
            },
            attachments=[media_url] if media_url and media_url.strip() else [],
            category=service_code,
            applicant=applicant,
        )
        platform.wait(CaseProjection.name, filed.position)  # readable at once
        case_id = str(filed.id)
        body = [
            {
                "service_request_id": case_id,
                "service_notice": "已受理登记，可凭编号查询办理进度",
                "account_id": None,
            }
        ]
        return "requests", body, 201

    return run(fmt, work)


def _present(platform: Platform, path: str, rows: list[dict[str, Any]]) -> list[Any]:
    names = {s.code: s.name for s in platform.cases.services_for(path)}
    out = []
    for row in rows:
        tenant = platform.directory.get(row["tenant"])
        agency = row["department"] or (tenant["name"] if tenant else None)
        events = platform.case_view.events(row["id"])
        out.append(request_of(row, events, names, agency))
    return out


@router.get("/requests.{fmt}")
def get_requests(
    request: Request,
    fmt: str,
    jurisdiction_id: Jurisdiction = None,
    service_request_id: Annotated[str | None, Query(max_length=4000)] = None,
    service_code: Annotated[str | None, Query(max_length=1000)] = None,
    start_date: Annotated[str | None, Query(max_length=40)] = None,
    end_date: Annotated[str | None, Query(max_length=40)] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    platform = platform_of(request)

    def work() -> tuple[str, Any, int]:
        path = _tenant(platform, jurisdiction_id)
        if service_request_id:
            rows = [
                r
                for i in service_request_id.split(",")
                if (r := _row(platform, path, i.strip())) is not None
            ]
        else:
            start, end = (
                _moment(start_date, "start_date"),
                _moment(end_date, "end_date"),
            )
            f = CaseFilter(
                tenant=path,
                today=platform.cases.now().date(),
                include_descendants=True,
                received_from=start.date() if start else None,
                received_to=end.date() if end else None,
            )
            rows = list(CaseList(platform.case_view).iterate(f))[:1000]
            codes = set(service_code.split(",")) if service_code else None
            rows = [r for r in rows if codes is None or r["category"] in codes]
        found = _present(platform, path, rows)
        if status:
            wanted = {s.strip() for s in status.split(",")}
            if not wanted <= {"open", "closed"}:
                raise Open311Error(400, "status is open or closed")
            found = [r for r in found if r["status"] in wanted]
        return "requests", found, 200

    return run(fmt, work)


def _moment(text: str | None, name: str) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise Open311Error(400, f"{name} must be a W3C datetime") from None
        return datetime(day.year, day.month, day.day)


def _row(platform: Platform, path: str, case_id: str) -> dict[str, Any] | None:
    try:
        UUID(case_id)
    except ValueError:
        return None
    row = platform.case_view.card(case_id)
    if row is None or not is_within(row["tenant"], path):
        return None
    return dict(row)


@router.get("/requests/{service_request_id}.{fmt}")
def get_request(
    request: Request,
    service_request_id: str,
    fmt: str,
    jurisdiction_id: Jurisdiction = None,
) -> Response:
    platform = platform_of(request)

    def work() -> tuple[str, Any, int]:
        path = _tenant(platform, jurisdiction_id)
        row = _row(platform, path, service_request_id)
        if row is None:
            raise Open311Error(
                404, f"service_request_id {service_request_id!r} not found"
            )
        return "requests", _present(platform, path, [row]), 200

    return run(fmt, work)


@router.get("/tokens/{token}.{fmt}")
def get_token(
    request: Request, token: str, fmt: str, jurisdiction_id: Jurisdiction = None
) -> Response:
    """Requests are filed at once, so a token is the service_request_id itself."""
    platform = platform_of(request)

    def work() -> tuple[str, Any, int]:
        path = _tenant(platform, jurisdiction_id)
        if _row(platform, path, token) is None:
            raise Open311Error(404, f"token {token!r} not found")
        return "requests", [{"service_request_id": token, "token": token}], 200

    return run(fmt, work)
