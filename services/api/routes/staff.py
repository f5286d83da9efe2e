"""The staff registry of a tenant: register, list, update, deactivate, reactivate."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from fastapi.encoders import jsonable_encoder

from domain.access import Role, require_read
from domain.people.signin import Outcome
from domain.people.staff import EVENT_LABELS, Staffer
from domain.timeliness import SHANGHAI
from projections.staff import StaffProjection
from services.api.deps import ExpectedVersionDep, PlatformDep, PrincipalDep
from services.api.params import StaffNumberPath
from services.api.staff_schemas import (
    SignInList,
    SignInRecord,
    StaffCreate,
    StaffCreated,
    StaffDeactivate,
    StaffEvent,
    StaffHistory,
    StaffList,
    StaffPublic,
    StaffUpdate,
)
from services.people.names import named_actor
from services.platform.runtime import Platform

router = APIRouter(prefix="/tenants/{path}/staff", tags=["staff"])

ACTIVE_LABELS = {True: "在岗", False: "已停用"}


def public(platform: Platform, row: dict[str, Any], names: dict[str, str]) -> Any:
    """One staffer's answer from a view row (or an aggregate's fields)."""
    tenant = platform.directory.get(row["tenant"])
    roles = [Role(r) for r in row["roles"]]
    partner = row["partner"]
    return {
        "username": row["username"],
        "number": row["number"],
        "name": row["name"],
        "post": row["post"],
        "tenant": row["tenant"],
        "tenant_name": tenant["name"] if tenant else None,
        "roles": [r.value for r in roles],
        "role_labels": [r.label for r in roles],
        "partner": partner,
        "partner_name": names.get(partner) if partner else None,
        "active": row["active"],
        "active_label": ACTIVE_LABELS[bool(row["active"])],
        "activated": row["activated"],
        "version": row.get("version"),
        "last_sign_in_at": china(row.get("last_sign_in_at")),
    }


def from_aggregate(platform: Platform, staffer: Staffer) -> StaffPublic:
    names = platform.staff_view.names(
        staffer.county, [staffer.partner] if staffer.partner else []
    )
    row = {
        "username": staffer.username,
        "number": staffer.number,
        "name": staffer.name,
        "post": staffer.post,
        "tenant": staffer.tenant,
        "roles": [r.value for r in staffer.roles],
        "partner": staffer.partner,
        "active": staffer.active,
        "activated": staffer.activated,
        "version": staffer.version,
    }
    return StaffPublic(**public(platform, row, names))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=StaffCreated,
    summary="Register a staffer (admin of the tenant or above); answers the "
    "one-time activation code",
)
def register(
    path: str,
    body: StaffCreate,
    principal: PrincipalDep,
    platform: PlatformDep,
    response: Response,
) -> StaffCreated:
    staffer, code, position = platform.staff.register(
        principal,
        path,
        number=body.number,
        name=body.name,
        post=body.post,
        roles=body.roles,
        partner=body.partner,
    )
    platform.wait(StaffProjection.name, position)
    response.headers["Location"] = f"/v1/tenants/{path}/staff/{staffer.number}"
    response.headers["ETag"] = f'"{staffer.version}"'
    response.headers["Cache-Control"] = "no-store"
    out = from_aggregate(platform, staffer)
    return StaffCreated(**out.model_dump(), activation_code=code)


@router.get("", response_model=StaffList, summary="The staff of a tenant")
def staff_list(
    path: str,
    principal: PrincipalDep,
    platform: PlatformDep,
    include_descendants: Annotated[
        bool, Query(description="also the staff of every tenant below")
    ] = False,
    active: Annotated[bool | None, Query(description="only active or inactive")] = (
        None
    ),
) -> StaffList:
    require_read(principal, path)
    platform.staff.tenant(path)
    rows = platform.staff_view.list(
        path, descendants=include_descendants, active=active
    )
    county = path.split(".", 1)[0]
    names = platform.staff_view.names(
        county, sorted({r["partner"] for r in rows if r["partner"]})
    )
    items = [StaffPublic(**public(platform, r, names)) for r in rows]
    return StaffList(items=items, total=len(items))


@router.get("/{number}", response_model=StaffPublic, summary="One staffer")
def get_staffer(
    path: str,
    number: StaffNumberPath,
    principal: PrincipalDep,
    platform: PlatformDep,
    response: Response,
) -> StaffPublic:
    staffer = platform.staff.staffer(principal, path, number)
    response.headers["ETag"] = f'"{staffer.version}"'
    return from_aggregate(platform, staffer)


@router.post(
    "/{number}/update",
    response_model=StaffPublic,
    summary="Change a staffer's name, post, roles or A/B岗 partner",
)
def update(
    path: str,
    number: StaffNumberPath,
    body: StaffUpdate,
    principal: PrincipalDep,
    platform: PlatformDep,
    expected: ExpectedVersionDep,
    response: Response,
) -> StaffPublic:
    staffer, position = platform.staff.update(
        principal,
        path,
        number,
        name=body.name,
        post=body.post,
        roles=body.roles,
        partner=body.partner or None,
        clear_partner=body.partner == "",
        expected_version=expected,
    )
    platform.wait(StaffProjection.name, position)
    response.headers["ETag"] = f'"{staffer.version}"'
    return from_aggregate(platform, staffer)


@router.post(
    "/{number}/deactivate",
    response_model=StaffPublic,
    summary="Deactivate a staffer: sign-in refused, their tokens stop at once",
)
def deactivate(
    path: str,
    number: StaffNumberPath,
    body: StaffDeactivate,
    principal: PrincipalDep,
    platform: PlatformDep,
    expected: ExpectedVersionDep,
    response: Response,
) -> StaffPublic:
    staffer, position = platform.staff.deactivate(
        principal, path, number, body.reason, expected
    )
    platform.wait(StaffProjection.name, position)
    response.headers["ETag"] = f'"{staffer.version}"'
    return from_aggregate(platform, staffer)


@router.post(
    "/{number}/reactivate",
    response_model=StaffPublic,
    summary="Reactivate a staffer (tokens from before stay refused)",
)
def reactivate(
    path: str,
    number: StaffNumberPath,
    principal: PrincipalDep,
    platform: PlatformDep,
    expected: ExpectedVersionDep,
    response: Response,
) -> StaffPublic:
    staffer, position = platform.staff.reactivate(principal, path, number, expected)
    platform.wait(StaffProjection.name, position)
    response.headers["ETag"] = f'"{staffer.version}"'
    return from_aggregate(platform, staffer)


@router.post(
    "/{number}/activation-code",
    response_model=StaffCreated,
    summary="Issue a new one-time activation code (forgotten password); the old "
    "password and every session end",
)
def reissue(
    path: str,
    number: StaffNumberPath,
    principal: PrincipalDep,
    platform: PlatformDep,
    response: Response,
) -> StaffCreated:
    staffer, code, position = platform.staff.reissue_activation(principal, path, number)
    platform.wait(StaffProjection.name, position)
    response.headers["Cache-Control"] = "no-store"
    out = from_aggregate(platform, staffer)
    return StaffCreated(**out.model_dump(), activation_code=code)


STANDARD_FIELDS = {"originator_id", "originator_version", "timestamp", "actor"}


def china(moment: datetime | str | None) -> str | None:
    """RFC 3339 in China time (+08:00)."""
    if moment is None:
        return None
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return value.astimezone(SHANGHAI).isoformat()


@router.get(
    "/{number}/history",
    response_model=StaffHistory,
    summary="Every change to a staffer's record, oldest first",
)
def history(
    path: str, number: StaffNumberPath, principal: PrincipalDep, platform: PlatformDep
) -> StaffHistory:
    staffer, events = platform.staff.history(principal, path, number)
    items = []
    for e in events:
        name = type(e).__name__
        fields = {
            k: v
            for k, v in vars(e).items()
            if k not in STANDARD_FIELDS and k not in ("tenant", "effective_at")
        }
        items.append(
            StaffEvent(
                version=e.originator_version,
                event=name,
                event_label=EVENT_LABELS.get(name, name),
                actor=named_actor(platform, e.actor),
                effective_at=china(getattr(e, "effective_at", None)),
                recorded_at=china(e.timestamp) or "",
                details=jsonable_encoder(fields),
            )
        )
    return StaffHistory(username=staffer.username, events=items)


@router.get(
    "/{number}/sign-ins",
    response_model=SignInList,
    summary="A staffer's sign-in attempts, newest first (who, when, from where)",
)
def sign_ins(
    path: str,
    number: StaffNumberPath,
    principal: PrincipalDep,
    platform: PlatformDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> SignInList:
    staffer = platform.staff.require_sign_in_reader(principal, path, number)
    rows = platform.staff_view.sign_ins(staffer.username, limit)
    return SignInList(
        username=staffer.username,
        items=[
            SignInRecord(
                at=china(r["at"]) or "",
                outcome=r["outcome"],
                outcome_label=Outcome(r["outcome"]).label,
                address=r["address"],
            )
            for r in rows
        ],
    )
