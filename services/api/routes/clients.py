"""Integrator clients of a tenant: register, list, rotate the secret, revoke."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from domain.people.clients import IntegratorClient
from services.api.deps import PlatformDep, PrincipalDep
from services.api.routes.staff import china
from services.api.staff_schemas import (
    ClientCreate,
    ClientCreated,
    ClientList,
    ClientPublic,
    ClientRevoke,
)
from services.platform.runtime import Platform

router = APIRouter(prefix="/tenants/{path}/clients", tags=["staff"])
STATUS_LABELS = {False: "有效", True: "已吊销"}
ClientIdPath = Annotated[
    str, Path(pattern="^[0-9a-f]{32}$", description="the client id (32 hex digits)")
]


def public(platform: Platform, client: IntegratorClient) -> ClientPublic:
    tenant = platform.directory.get(client.tenant)
    return ClientPublic(
        client_id=client.client_id,
        name=client.name,
        tenant=client.tenant,
        tenant_name=tenant["name"] if tenant else None,
        families=list(client.families),
        revoked=client.revoked,
        status_label=STATUS_LABELS[client.revoked],
        version=client.version,
        registered_at=china(client.created_on),
    )


def created(
    platform: Platform, client: IntegratorClient, secret: str, response: Response
) -> ClientCreated:
    response.headers["Cache-Control"] = "no-store"
    response.headers["ETag"] = f'"{client.version}"'
    out = public(platform, client)
    return ClientCreated(**out.model_dump(), client_secret=secret)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ClientCreated,
    summary="Register an integrator client (admin of the tenant or above); answers "
    "its client_id and a client_secret shown once",
)
def register(
    path: str,
    body: ClientCreate,
    principal: PrincipalDep,
    platform: PlatformDep,
    response: Response,
) -> ClientCreated:
    client, secret, _ = platform.clients.register(
        principal, path, name=body.name, families=body.families
    )
    response.headers["Location"] = f"/v1/tenants/{path}/clients/{client.client_id}"
    return created(platform, client, secret, response)


@router.get("", response_model=ClientList, summary="The integrator clients of a tenant")
def client_list(
    path: str,
    principal: PrincipalDep,
    platform: PlatformDep,
    include_descendants: Annotated[
        bool, Query(description="also the clients of every tenant below")
    ] = False,
) -> ClientList:
    found = platform.clients.list(principal, path, descendants=include_descendants)
    items = [public(platform, c) for c in found]
    return ClientList(items=items, total=len(items))


@router.post(
    "/{client_id}/rotate",
    response_model=ClientCreated,
    summary="A new client_secret (shown once); the old one and its tokens stop",
)
def rotate(
    path: str,
    client_id: ClientIdPath,
    principal: PrincipalDep,
    platform: PlatformDep,
    response: Response,
) -> ClientCreated:
    client, secret, _ = platform.clients.rotate(principal, path, client_id)
    return created(platform, client, secret, response)


@router.post(
    "/{client_id}/revoke",
    response_model=ClientPublic,
    summary="Revoke a client for good: its secret and every token of it stop",
)
def revoke(
    path: str,
    client_id: ClientIdPath,
    body: ClientRevoke,
    principal: PrincipalDep,
    platform: PlatformDep,
) -> ClientPublic:
    client, _ = platform.clients.revoke(principal, path, client_id, body.reason)
    return public(platform, client)
