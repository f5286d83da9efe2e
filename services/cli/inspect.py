"""``gongkai inspect``: read an inspection file's timeline from the store directly.

The operator reads as an inspector of the file's tenant (or of ``--tenant``, an
ancestor); the read is recorded in the file like any other, with the operator's
login name as the actor.
"""

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
from domain.inspection.inspection_file import ReadKind
from services.people.names import actor_text

inspect_app = typer.Typer(
    help="Inspection files (纪检监察核查): timelines.", no_args_is_help=True
)
err = Console(stderr=True)


def _moment(value: str | None, name: str, now: Any) -> Any:
    from services.api.params import parse_moment
    from services.api.problems import HttpProblemError

    try:
        return parse_moment(value, name, now) if value else None
    except HttpProblemError as e:
        err.print(f"[red]{e.detail}[/red]")
        raise typer.Exit(2) from None


@inspect_app.command("timeline")
def timeline(
    inspection_id: Annotated[UUID, typer.Argument(help="the inspection file's id")],
    as_of: Annotated[
        str | None, typer.Option(help="effective by (ISO date or date-time)")
    ] = None,
    known_at: Annotated[
        str | None, typer.Option(help="as the platform knew it then")
    ] = None,
    tenant: Annotated[
        str | None, typer.Option(help="read as an inspector of this tenant")
    ] = None,
    cursor: Annotated[str | None, typer.Option(help="next_cursor of a page")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Print one page of the file's timeline (and every subject's state at
    --as-of / --known-at when given)."""
    from infra.settings import Settings
    from services.core.views import AUDIT_NAME
    from services.inspection.moments import states_at
    from services.inspection.timeline import Filters, tenant_log_of, timeline_page
    from services.people.names import name_timeline
    from services.platform.runtime import Platform

    platform = Platform(Settings())
    try:
        app = platform.inspections
        home = app.home_of(inspection_id)
        lag = platform.lag()[AUDIT_NAME]["lag"]
        if lag:
            err.print(
                f"[yellow]the audit view lags the log by {lag} events:[/yellow] "
                "tenant links show what it holds (run `gongkai projections run`)"
            )
        principal = Principal(
            id=f"cli:{getpass.getuser()}",
            tenant=tenant or home,
            roles=frozenset({Role.INSPECTOR}),
        )
        now = app.now()
        when = _moment(as_of, "as_of", now)
        known = _moment(known_at, "known_at", now)
        asked = {"as_of": as_of, "known_at": known_at, "cursor": cursor, "limit": limit}
        detail = {"via": "cli"} | {k: str(v) for k, v in asked.items() if v is not None}
        file = app.read(principal, home, inspection_id, ReadKind.TIMELINE, detail)
        page = timeline_page(
            app,
            file,
            filters=Filters(None, None, when, known),
            cursor=cursor,
            limit=limit,
            tenant_log=tenant_log_of(platform.views[AUDIT_NAME]),
        )
        name_timeline(platform, page["events"])
        if when or known:
            page["subjects"] = states_at(app, file, when or now, known or now)
    except GongkaiError as e:
        err.print(f"[red]{e.detail}[/red]")
        raise typer.Exit(1) from None
    finally:
        platform.close()
    if as_json:
        typer.echo(json.dumps(page, ensure_ascii=False, indent=2))
        return
    _print(page)


def _print(page: dict[str, Any]) -> None:
    out = Console()
    table = Table("#", "recorded (UTC)", "effective", "subject", "event", "actor")
    for e in page["events"]:
        mark = " [yellow]补录[/yellow]" if e["backdated"] else ""
        table.add_row(
            str(e["position"]),
            e["recorded_at"][:19],
            e["effective_at"][:19] + mark,
            f"{e['subject']['kind']} {e['subject']['id'][:8]}",
            e["type"],
            actor_text(e["actor"]),
        )
    out.print(table)
    for s in page.get("subjects") or []:
        out.print(
            f"{s['kind']} {s['id']}: {json.dumps(s['state'], ensure_ascii=False)}"
        )
    if page["next_cursor"]:
        out.print(f"next page: --cursor {page['next_cursor']}")
