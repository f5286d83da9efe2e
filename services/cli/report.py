"""``gongkai report annual PATH YEAR``: the annual report from the store directly,
read as a supervisor of PATH (no server needed)."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from domain.access import Principal, Role
from domain.errors import GongkaiError

report_app = typer.Typer(help="Reports: the annual 政府信息公开工作年度报告.")
err = Console(stderr=True)


@report_app.command("annual")
def annual(
    path: Annotated[str, typer.Argument(help="tenant path, e.g. xinhe.tahe")],
    year: Annotated[int, typer.Argument(min=2000, max=2100)],
    report_format: Annotated[
        str, typer.Option("--format", help="json, html, pdf or xlsx")
    ] = "json",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="file (default: stdout)")
    ] = None,
    summary: Annotated[
        bool, typer.Option("--summary", help="the subtree's summary (JSON)")
    ] = False,
) -> None:
    """Write the report of PATH for YEAR, as of the year's end, as known now."""
    from infra.settings import Settings
    from services.platform.runtime import Platform
    from services.reporting.annual_pdf import report_pdf
    from services.reporting.annual_render import report_html
    from services.reporting.annual_xlsx import report_xlsx

    if report_format not in ("json", "html", "pdf", "xlsx"):
        err.print(f"[red]unknown format {report_format!r}[/red]")
        raise typer.Exit(2)
    platform = Platform(Settings())
    principal = Principal(
        id=f"cli:{getpass.getuser()}", tenant=path, roles=frozenset({Role.SUPERVISOR})
    )
    try:
        reports = platform.annual_reports
        if summary:
            data: bytes = json.dumps(
                reports.summary(principal, path, year), ensure_ascii=False, indent=1
            ).encode()
        else:
            report = reports.report(principal, path, year)
            if report_format == "json":
                data = json.dumps(report, ensure_ascii=False, indent=1).encode()
            elif report_format == "html":
                data = report_html(report).encode()
            elif report_format == "pdf":
                data = report_pdf(report)
            else:
                data = report_xlsx(report)
    except GongkaiError as e:
        err.print(f"[red]{e.detail}[/red]")
        raise typer.Exit(1) from None
    finally:
        platform.close()
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        output.write_bytes(data)
        err.print(f"wrote {output} ({len(data)} bytes)")
