"""``gongkai campaign plan|self-assess|review|…``: every step of 第十五条 from the
command line, acting as the principal given by ``--tenant``/``--role`` (as for
``gongkai token``) and calling the same service layer as the API.

Each step takes the API's JSON body from ``--file`` and/or options (options win),
checks it with the API's own models, and prints the campaign as the API answers it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import typer
from pydantic import BaseModel, ValidationError

from domain.access import Principal, parse_role
from domain.errors import GongkaiError
from services.api import assessment_schemas as s
from services.cli.assessment import campaign_app, err

if TYPE_CHECKING:
    from domain.assessment.campaign import Campaign
    from services.assessment.campaigns import Campaigns
    from services.platform.runtime import Platform

Step = Callable[["Campaigns", Principal, str, Any, Any], "tuple[Campaign, int]"]

TenantOpt = Annotated[
    str, typer.Option("--tenant", help="your tenant (the acting principal's)")
]
RoleOpt = Annotated[
    list[str],
    typer.Option("--role", "-r", help="your role(s), e.g. supervisor or clerk"),
]
SubjectOpt = Annotated[
    str | None, typer.Option(help="principal id recorded (default role@tenant)")
]
OwnerOpt = Annotated[
    str | None,
    typer.Option(help="the campaign's tenant (its owner); default: --tenant"),
]
FileOpt = Annotated[
    Path | None,
    typer.Option("--file", "-f", help="the API's JSON body for this step"),
]
IdArg = Annotated[UUID, typer.Argument(help="the campaign's id")]
TargetOpt = Annotated[
    str | None, typer.Option(help="the target's path (self-assess/report: --tenant)")
]
ItemOpt = Annotated[
    list[str] | None,
    typer.Option("--item", "-i", help="CODE=POINTS (repeatable)"),
]
EvidenceOpt = Annotated[
    list[str] | None,
    typer.Option(help="CODE=REF, e.g. org=case:1f0e… (repeatable)"),
]


def open_platform() -> Platform:
    """The platform the commands act on (configured from the environment)."""
    from infra.settings import Settings
    from services.platform.runtime import Platform

    return Platform(Settings())


def _principal(tenant: str, roles: list[str], subject: str | None) -> Principal:
    try:
        parsed = frozenset(parse_role(r) for r in roles)
    except ValueError as e:
        err.print(f"[red]{e}[/red]")
        raise typer.Exit(2) from None
    name = subject or f"{'+'.join(sorted(r.value for r in parsed))}@{tenant}"
    return Principal(id=name, tenant=tenant, roles=parsed)


def _body(file: Path | None, **options: Any) -> dict[str, Any]:
    """The JSON file's object, with the options given on the command line over it."""
    body: dict[str, Any] = {}
    if file is not None:
        try:
            loaded = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            err.print(f"[red]cannot read {file}: {e}[/red]")
            raise typer.Exit(2) from None
        if not isinstance(loaded, dict):
            err.print(f"[red]{file} must hold a JSON object[/red]")
            raise typer.Exit(2)
        body = loaded
    body.update({k: v for k, v in options.items() if v is not None})
    return body


def _items(pairs: list[str] | None, evidence: list[str] | None) -> Any:
    """``--item org=18 --evidence org=case:1`` → the API's ``items``."""
    if not pairs:
        return None
    refs: dict[str, list[str]] = {}
    for pair in evidence or []:
        code, _, ref = pair.partition("=")
        refs.setdefault(code, []).append(ref)
    items = []
    for pair in pairs:
        code, _, points = pair.partition("=")
        try:
            value = float(points)
        except ValueError:
            err.print(f"[red]--item {pair!r}: use CODE=POINTS[/red]")
            raise typer.Exit(2) from None
        items.append({"code": code, "points": value, "evidence": refs.get(code, [])})
    return items


def _run(
    model: type[BaseModel],
    step: Step,
    who: Principal,
    owner: str | None,
    campaign_id: UUID | None,
    body: dict[str, Any],
) -> None:
    """Check ``body`` with the API's model, run the step, print the campaign."""
    from services.api.routes.campaigns import out

    try:
        checked = model.model_validate(body)
    except ValidationError as e:
        err.print(f"[red]invalid input:[/red] {e}")
        raise typer.Exit(2) from None
    platform = open_platform()
    try:
        path = owner or who.tenant or ""
        campaign, _ = step(platform.campaigns, who, path, campaign_id, checked)
    except GongkaiError as e:
        err.print(f"[red]{e.title}:[/red] {e.detail}")
        raise typer.Exit(1) from None
    finally:
        platform.close()
    typer.echo(out(campaign).model_dump_json(indent=2))


def _scores(b: Any) -> list[dict[str, Any]]:
    return [i.model_dump() for i in b.items]


@campaign_app.command("plan")
def plan(
    tenant: TenantOpt,
    role: RoleOpt,
    file: FileOpt = None,
    subject: SubjectOpt = None,
    title: Annotated[str | None, typer.Option()] = None,
    period_from: Annotated[str | None, typer.Option("--from")] = None,
    period_to: Annotated[str | None, typer.Option("--to")] = None,
    target: Annotated[list[str] | None, typer.Option(help="repeatable")] = None,
    method: Annotated[list[str] | None, typer.Option(help="repeatable")] = None,
) -> None:
    """考核方案: plan a campaign at --tenant (criteria default to the template)."""
    body = _body(
        file,
        title=title,
        period_from=period_from,
        period_to=period_to,
        targets=target or None,
        methods=method or None,
    )

    def step(c: Campaigns, p: Principal, path: str, _: Any, b: Any) -> Any:
        criteria = (
            [x.model_dump() for x in b.criteria]
            if b.criteria is not None
            else s.TEMPLATE_ROWS
        )
        return c.plan(
            p,
            path,
            title=b.title,
            period_from=b.period_from,
            period_to=b.period_to,
            targets=b.targets,
            criteria=criteria,
            methods=b.methods,
        )

    _run(s.CampaignCreate, step, _principal(tenant, role, subject), None, None, body)


@campaign_app.command("self-assess")
def self_assess(
    campaign_id: IdArg,
    tenant: TenantOpt,
    role: RoleOpt,
    owner: OwnerOpt = None,
    file: FileOpt = None,
    subject: SubjectOpt = None,
    target: TargetOpt = None,
    item: ItemOpt = None,
    evidence: EvidenceOpt = None,
    report: Annotated[str | None, typer.Option(help="书面汇报材料")] = None,
) -> None:
    """自评自查: a target's clerk gives points per item and a written report."""
    body = _body(file, target=target, items=_items(item, evidence), report=report)
    body.setdefault("target", tenant)

    def step(c: Campaigns, p: Principal, path: str, i: UUID, b: Any) -> Any:
        return c.self_assess(p, path, i, b.target, _scores(b), b.report)

    who = _principal(tenant, role, subject)
    _run(s.SelfAssessmentIn, step, who, owner, campaign_id, body)


@campaign_app.command("review")
def review(
    campaign_id: IdArg,
    tenant: TenantOpt,
    role: RoleOpt,
    owner: OwnerOpt = None,
    file: FileOpt = None,
    subject: SubjectOpt = None,
    target: TargetOpt = None,
    item: ItemOpt = None,
    evidence: EvidenceOpt = None,
    method: Annotated[str | None, typer.Option(help="e.g. on_site")] = None,
) -> None:
    """A reviewer's points per item, method and evidence."""
    body = _body(file, target=target, items=_items(item, evidence), method=method)

    def step(c: Campaigns, p: Principal, path: str, i: UUID, b: Any) -> Any:
        return c.review(p, path, i, b.target, _scores(b), b.method)

    _run(s.ReviewIn, step, _principal(tenant, role, subject), owner, campaign_id, body)


@campaign_app.command("publish-notice")
def publish_notice(
    campaign_id: IdArg,
    tenant: TenantOpt,
    role: RoleOpt,
    owner: OwnerOpt = None,
    subject: SubjectOpt = None,
) -> None:
    """公示 for 7 working days (every target reviewed)."""

    def step(c: Campaigns, p: Principal, path: str, i: UUID, _: Any) -> Any:
        return c.publish_notice(p, path, i)

    _run(s.NoBody, step, _principal(tenant, role, subject), owner, campaign_id, {})


@campaign_app.command("object")
def lodge_objection(
    campaign_id: IdArg,
    tenant: TenantOpt,
    role: RoleOpt,
    owner: OwnerOpt = None,
    file: FileOpt = None,
    subject: SubjectOpt = None,
    target: TargetOpt = None,
    text: Annotated[str | None, typer.Option(help="the objection")] = None,
) -> None:
    """An objection during the notice period."""
    body = _body(file, target=target, text=text)

    def step(c: Campaigns, p: Principal, path: str, i: UUID, b: Any) -> Any:
        return c.object(p, path, i, b.target, b.text)

    who = _principal(tenant, role, subject)
    _run(s.ObjectionIn, step, who, owner, campaign_id, body)


@campaign_app.command("answer-objection")
def answer_objection(
    campaign_id: IdArg,
    tenant: TenantOpt,
    role: RoleOpt,
    owner: OwnerOpt = None,
    file: FileOpt = None,
    subject: SubjectOpt = None,
    objection: Annotated[int | None, typer.Option(help="its number")] = None,
    answer: Annotated[str | None, typer.Option()] = None,
) -> None:
    """A reviewer answers an objection."""
    body = _body(file, objection=objection, answer=answer)

    def step(c: Campaigns, p: Principal, path: str, i: UUID, b: Any) -> Any:
        return c.answer_objection(p, path, i, b.objection, b.answer)

    _run(s.AnswerIn, step, _principal(tenant, role, subject), owner, campaign_id, body)


@campaign_app.command("finalize")
def finalize(
    campaign_id: IdArg,
    tenant: TenantOpt,
    role: RoleOpt,
    owner: OwnerOpt = None,
    subject: SubjectOpt = None,
) -> None:
    """确定等次 (refused during the notice or with open objections)."""

    def step(c: Campaigns, p: Principal, path: str, i: UUID, _: Any) -> Any:
        return c.finalize(p, path, i)

    _run(s.NoBody, step, _principal(tenant, role, subject), owner, campaign_id, {})


@campaign_app.command("order-rectification")
def order_rectification(
    campaign_id: IdArg,
    tenant: TenantOpt,
    role: RoleOpt,
    owner: OwnerOpt = None,
    file: FileOpt = None,
    subject: SubjectOpt = None,
    target: TargetOpt = None,
    working_days: Annotated[int | None, typer.Option(help="deadline")] = None,
) -> None:
    """限期整改 for 不合格 or failed items."""
    body = _body(file, target=target, working_days=working_days)

    def step(c: Campaigns, p: Principal, path: str, i: UUID, b: Any) -> Any:
        return c.order_rectification(p, path, i, b.target, b.working_days)

    _run(s.OrderIn, step, _principal(tenant, role, subject), owner, campaign_id, body)


@campaign_app.command("report-rectification")
def report_rectification(
    campaign_id: IdArg,
    tenant: TenantOpt,
    role: RoleOpt,
    owner: OwnerOpt = None,
    file: FileOpt = None,
    subject: SubjectOpt = None,
    target: TargetOpt = None,
    report: Annotated[str | None, typer.Option()] = None,
) -> None:
    """The target's clerk reports its rectification."""
    body = _body(file, target=target, report=report)
    body.setdefault("target", tenant)

    def step(c: Campaigns, p: Principal, path: str, i: UUID, b: Any) -> Any:
        return c.report_rectification(p, path, i, b.target, b.report)

    _run(s.ReportIn, step, _principal(tenant, role, subject), owner, campaign_id, body)


@campaign_app.command("verify-rectification")
def verify_rectification(
    campaign_id: IdArg,
    tenant: TenantOpt,
    role: RoleOpt,
    owner: OwnerOpt = None,
    file: FileOpt = None,
    subject: SubjectOpt = None,
    target: TargetOpt = None,
    passed: Annotated[
        bool | None, typer.Option("--passed/--failed", help="closed, or ordered again")
    ] = None,
    note: Annotated[str | None, typer.Option()] = None,
    working_days: Annotated[
        int | None, typer.Option(help="new deadline when failed")
    ] = None,
) -> None:
    """Verification: closed, or ordered again with a new deadline."""
    body = _body(
        file, target=target, passed=passed, note=note, working_days=working_days
    )

    def step(c: Campaigns, p: Principal, path: str, i: UUID, b: Any) -> Any:
        return c.verify_rectification(
            p, path, i, b.target, b.passed, b.note, b.working_days
        )

    _run(s.VerifyIn, step, _principal(tenant, role, subject), owner, campaign_id, body)
