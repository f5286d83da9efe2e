"""``gongkai campaign``: a campaign's league table and a target's scorecard, read from
the store directly (the operator reads as a supervisor of the campaign's tenant).
The steps of the procedure are in services/cli/campaign.py."""

from __future__ import annotations

import getpass
import json
from typing import Annotated, Any
from uuid import UUID

import typer
from rich.console import Console
from rich.table import Table

from domain.access import Principal, Role
from domain.errors import GongkaiError

campaign_app = typer.Typer(
    help="Assessment campaigns (考核): every step, league table, scorecards.",
    no_args_is_help=True,
)
err = Console(stderr=True)
TenantOption = Annotated[str, typer.Option(help="the campaign's tenant (its owner)")]
JsonOption = Annotated[bool, typer.Option("--json", help="print JSON")]


def _read(tenant: str, campaign_id: UUID, target: str | None) -> Any:
    from infra.settings import Settings
    from services.assessment.campaigns import league_table, scorecard
    from services.platform.runtime import Platform

    platform = Platform(Settings())
    principal = Principal(
        id=f"cli:{getpass.getuser()}",
        tenant=tenant,
        roles=frozenset({Role.SUPERVISOR}),
    )
    try:
        campaign = platform.campaigns.campaign(principal, tenant, campaign_id)
        if target is None:
            return campaign, league_table(campaign)
        return campaign, scorecard(campaign, target)
    except GongkaiError as e:
        err.print(f"[red]{e.detail}[/red]")
        raise typer.Exit(1) from None
    finally:
        platform.close()


@campaign_app.command("league-table")
def league(
    campaign_id: Annotated[UUID, typer.Argument(help="the campaign's id")],
    tenant: TenantOption,
    as_json: JsonOption = False,
) -> None:
    """排名: targets by grade, then score, with rank."""
    from services.assessment.campaigns import item_titles, titled

    campaign, rows = _read(tenant, campaign_id, None)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return
    table = Table("名次", "单位", "得分", "等次", "一票否决", title=campaign.title)
    titles = item_titles(campaign)
    for r in rows:
        table.add_row(
            str(r["rank"] or "—"),
            r["target"],
            "—" if r["score"] is None else f"{r['score']:g}",
            r["grade_label"] or "未评",
            "、".join(titled(r["vetoed_by"], titles)),
        )
    Console().print(table)


@campaign_app.command("scorecard")
def card(
    campaign_id: Annotated[UUID, typer.Argument(help="the campaign's id")],
    target: Annotated[str, typer.Argument(help="the target's path")],
    tenant: TenantOption,
) -> None:
    """A target's scorecard as JSON: items, self and reviewers' points, evidence."""
    _, result = _read(tenant, campaign_id, target)
    typer.echo(json.dumps(result, ensure_ascii=False, indent=2, default=str))
