"""``gongkai audit``: check the tamper-evident audit trail, sign checkpoints."""

from __future__ import annotations

from typing import Annotated

import typer

from services.cli.common import err, load_settings, named_ticks, progress

audit_app = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)


@audit_app.command("verify")
def audit_verify(
    tenant: Annotated[
        str | None, typer.Option(help="only this tenant and those below it")
    ] = None,
    checkpoints: Annotated[
        str | None,
        typer.Option(
            help="checkpoints held outside, one JSON record per line "
            "(as the relay or `gongkai subscribe` gave them); - reads stdin"
        ),
    ] = None,
    kafka: Annotated[
        bool, typer.Option(help="also read the held checkpoints from gongkai.audit.v1")
    ] = False,
) -> None:
    """Recompute every leaf and root from the raw store; exit 1 on any divergence."""
    from services.audit.held_checkpoints import held_rows
    from services.audit.verify import verify_store
    from services.platform.runtime import Platform

    settings = load_settings()
    try:
        held = held_rows(settings, checkpoints, kafka=kafka)
    except (OSError, ValueError) as e:
        err.print(f"[red]cannot read the held checkpoints:[/red] {e}")
        raise typer.Exit(2) from None
    if checkpoints is not None or kafka:
        typer.echo(f"{len(held)} checkpoints held outside")
    platform = Platform(settings)
    try:
        with progress() as bar:
            report = verify_store(
                platform, tenant, progress=named_ticks(bar, "checking"), held=held
            )
    finally:
        platform.close()
    typer.echo(
        f"{report.events} events, {report.tenants} tenant logs, "
        f"{report.checkpoints} checkpoints, {report.witnessed} witness records, "
        f"{report.numbers} document numbers"
    )
    if not report.findings:
        typer.echo("✓ the audit trail matches the event store")
        return
    typer.echo(f"✗ first divergence: {report.findings[0]}")
    for finding in report.findings[1:20]:
        typer.echo(f"  also: {finding}")
    if len(report.findings) > 20:
        typer.echo(f"  … and {len(report.findings) - 20} more")
    raise typer.Exit(1)


@audit_app.command("checkpoint")
def audit_checkpoint(
    tenant: Annotated[str, typer.Option(help="tenant path")],
) -> None:
    """Issue (and have the parent witness) a checkpoint of a tenant's log now; a top
    tenant's goes to every witness in GONGKAI_WITNESSES too."""
    from rich.markup import escape

    from domain.errors import GongkaiError
    from domain.tenancy import parent_of
    from services.audit.evidence import checkpoint_now
    from services.audit.witness import submit
    from services.platform.runtime import Platform

    platform = Platform(load_settings())
    refused = 0
    try:
        try:
            issued = checkpoint_now(platform, tenant)
        except GongkaiError as e:
            err.print(f"[red]no checkpoint:[/red] {e.detail}")
            raise typer.Exit(1) from None
        if parent_of(tenant) is None:
            for endpoint in platform.witnesses:
                try:
                    submit(platform.auditor, tenant, endpoint)
                except (GongkaiError, OSError) as e:  # a refusal is a finding
                    refused += 1
                    detail = e.detail if isinstance(e, GongkaiError) else str(e)
                    err.print(f"[red]witness refused:[/red] {escape(detail)}")
            issued = platform.auditor.latest(tenant) or issued  # its cosignatures
    finally:
        platform.close()
    typer.echo(issued.note, nl=False)
    if refused:
        raise typer.Exit(1)
