"""Bodies of the staff registry and sign-in routes. Examples are real Chinese data."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from domain.access import ROLE_SPELLINGS
from domain.people.staff import MAX_PASSWORD, MAX_TEXT, MIN_PASSWORD, NUMBER_AS_TYPED
from services.api.params import BodyModel, Text, one_of
from services.streams.cloudevents import families

RoleText = Annotated[str, Field(json_schema_extra=one_of(ROLE_SPELLINGS))]
# A partner's badge number, or blank (none).
PARTNER = r"^\s*$|" + NUMBER_AS_TYPED


class StaffCreate(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "number": "XH-0107",
                    "name": "古丽娜",
                    "post": "便民服务中心 社会事务服务部",
                    "roles": ["clerk", "handler"],
                    "partner": "XH-0108",
                }
            ]
        },
    )
    number: str = Field(
        max_length=32,
        description="编号: badge number, unique within the county",
        json_schema_extra={"pattern": NUMBER_AS_TYPED},
    )
    name: Text = Field(max_length=MAX_TEXT, description="姓名")
    post: Text = Field(max_length=MAX_TEXT, description="岗位")
    roles: list[RoleText] = Field(
        min_length=1,
        max_length=6,
        description="clerk | handler | supervisor | inspector | integrator | admin "
        "(or their Chinese labels)",
    )
    partner: str | None = Field(
        default=None,
        max_length=32,
        description="A/B岗: the backup's badge number, registered in the county",
        json_schema_extra={"pattern": PARTNER},
    )


class StaffUpdate(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"post": "党政办", "roles": ["supervisor"]}]},
    )
    name: Text | None = Field(default=None, max_length=MAX_TEXT)
    post: Text | None = Field(default=None, max_length=MAX_TEXT)
    roles: list[RoleText] | None = Field(default=None, min_length=1, max_length=6)
    partner: str | None = Field(
        default=None,
        max_length=32,
        description='a badge number; "" removes it',
        json_schema_extra={"pattern": PARTNER},
    )


class StaffDeactivate(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "调离本单位"}]}
    )
    reason: Text = Field(max_length=MAX_TEXT)


class StaffPublic(BaseModel):
    username: str = Field(description="what the staffer signs in with: NUMBER@county")
    number: str
    name: str
    post: str
    tenant: str
    tenant_name: str | None
    roles: list[str]
    role_labels: list[str]
    partner: str | None
    partner_name: str | None
    active: bool
    active_label: str
    activated: bool = Field(description="whether a password has been set")
    version: int | None = None
    last_sign_in_at: str | None = None


class StaffCreated(StaffPublic):
    activation_code: str = Field(
        description="shown once: hand it to the staffer, who sets a password with "
        "POST /v1/auth/activate; only a digest is kept"
    )


class StaffList(BaseModel):
    items: list[StaffPublic]
    total: int


class ActivateIn(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "username": "XH-0107@xinhe",
                    "activation_code": "K7QD-3MXP-9TRA-WF2H",
                    "password": "塔河镇便民中心2026",
                }
            ]
        },
    )
    username: str = Field(max_length=140)
    activation_code: str = Field(max_length=40)
    password: str = Field(
        max_length=MAX_PASSWORD,
        json_schema_extra={"minLength": MIN_PASSWORD},  # the domain says weak-password
        description=f"{MIN_PASSWORD} to {MAX_PASSWORD} characters, not a common "
        "one, at least 4 different, without the badge number (else 422 "
        "weak-password)",
    )


class Activated(BaseModel):
    username: str
    activated: bool = True


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type
    expires_in: int = Field(description="seconds")
    username: str
    tenant: str
    roles: list[str]


class StaffEvent(BaseModel):
    version: int
    event: str
    event_label: str
    actor: dict[str, str]
    effective_at: str | None
    recorded_at: str
    details: dict[str, Any]


class StaffHistory(BaseModel):
    username: str
    events: list[StaffEvent]


class SignInRecord(BaseModel):
    at: str = Field(description="when, China time")
    outcome: str
    outcome_label: str
    address: str


class SignInList(BaseModel):
    username: str
    items: list[SignInRecord]


# Integrator clients ------------------------------------------------------------------


class ClientTokenOut(BaseModel):
    """RFC 6749 §4.4.3: an integrator client's access token (no refresh token)."""

    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type
    expires_in: int = Field(description="seconds")
    scope: str = Field(description="the stream families the token may read")
    tenant: str = Field(description="the subtree the token may read")


FamilyText = Annotated[str, Field(json_schema_extra=one_of(tuple(families())))]


class ClientCreate(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"name": "地区数据共享平台", "families": ["case", "disclosure"]}
            ]
        },
    )
    name: Text = Field(max_length=MAX_TEXT, description="名称: the system's name")
    families: list[FamilyText] = Field(
        min_length=1, max_length=16, description="stream families it may read"
    )


class ClientRevoke(BodyModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "对接合同到期"}]}
    )
    reason: Text = Field(max_length=MAX_TEXT, description="吊销原因")


class ClientPublic(BaseModel):
    client_id: str
    name: str
    tenant: str
    tenant_name: str | None
    families: list[str]
    revoked: bool
    status_label: str
    version: int
    registered_at: str | None


class ClientCreated(ClientPublic):
    client_secret: str = Field(description="shown once: store it now")


class ClientList(BaseModel):
    items: list[ClientPublic]
    total: int
