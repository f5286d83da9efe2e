"""The ``gongkai`` command: serve, demo, token, projections, relay, subscribe."""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from domain.access import Role, parse_role
from infra.settings import Settings
from infra.tokens import TokenSigner, load_secret
from services.cli.audit import audit_app
from services.cli.campaign import campaign_app
from services.cli.common import err, load_settings, progress
from services.cli.federation import federation
from services.cli.inspect import inspect_app
from services.cli.mirror import mirror_app
from services.cli.projections import projections_app, rebuild_views
from services.cli.report import report_app
from services.cli.witness import witness_app

app = typer.Typer(
    help="Gongkai (公开): event-sourced supervision of government transparency.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(projections_app, name="projections")
app.add_typer(audit_app, name="audit")
app.add_typer(inspect_app, name="inspect")
app.add_typer(witness_app, name="witness")
app.add_typer(report_app, name="report")
app.add_typer(campaign_app, name="campaign")
app.add_typer(mirror_app, name="mirror")
app.command(name="federation")(federation)


@app.command()
def token(
    role: Annotated[
        list[str],
        typer.Option(
            "--role",
            "-r",
            help="clerk, handler, "
            "supervisor, inspector, integrator or admin (repeatable)",
        ),
    ],
    tenant: Annotated[
        str | None,
        typer.Option(
            help="tenant path, e.g. xinhe.xinhe-zhen; "
            "omit with --role admin for the installation admin"
        ),
    ] = None,
    subject: Annotated[
        str | None, typer.Option(help="principal id (default: role@tenant)")
    ] = None,
    ttl_hours: Annotated[int | None, typer.Option(help="lifetime in hours")] = None,
) -> None:
    """Print a bearer token for a principal on stdout."""
    settings = load_settings()
    try:
        roles = frozenset(parse_role(r) for r in role)
    except ValueError as e:
        err.print(f"[red]{e}[/red]")
        raise typer.Exit(2) from None
    if tenant is None and roles != {Role.ADMIN}:
        err.print(
            "[red]without --tenant the only role is admin (the installation "
            "admin)[/red]"
        )
        raise typer.Exit(2)
    ttl = timedelta(hours=ttl_hours or settings.token_ttl_hours)
    signer = TokenSigner(load_secret(settings), ttl=ttl)
    name = (
        subject
        or f"{'+'.join(sorted(r.value for r in roles))}@{tenant or 'installation'}"
    )
    typer.echo(signer.mint(subject=name, tenant=tenant, roles=[r.value for r in roles]))


DEMO_COUNTY_HELP = (
    "the demo under another county's name, code:名称[:BADGE], e.g. shaya:沙雅县 "
    "(paths, names and staff numbers renamed; default xinhe:新和县:XH)"
)


def _demo_county(text: str | None) -> Any:
    """The ``--demo-county`` option parsed, or exit 2 with its error."""
    from services.demo.renamed import DemoCounty

    try:
        return DemoCounty.parse(text) if text else DemoCounty()
    except ValueError as e:
        err.print(f"[red]--demo-county: {e}[/red]")
        raise typer.Exit(2) from None


def _load_demo(settings: Settings, county: Any) -> None:
    from services.demo.builder import SimClock, has_data, load_demo
    from services.platform.runtime import Platform

    clock = SimClock(datetime.now(UTC))
    platform = Platform(settings, clock=clock)
    try:
        if has_data(platform):
            err.print(
                "the store already holds events; the demo loads only into an "
                "empty store"
            )
            return
        started = time.monotonic()
        with progress() as bar:
            task = bar.add_task(
                f"loading demo: a simulated year of {county.name}", total=None
            )

            def tick(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            counts = load_demo(platform, clock, progress=tick, county=county)
        err.print(
            f"demo loaded: {counts['tenants']} tenants, {counts['commands']} "
            f"commands, log position {counts['position']} "
            f"in {time.monotonic() - started:.1f}s"
        )
        rebuild_views(platform)
    finally:
        platform.close()


@app.command()
def demo(
    demo_county: Annotated[str | None, typer.Option(help=DEMO_COUNTY_HELP)] = None,
) -> None:
    """Load the demo (新和县, a simulated year) into an empty store."""
    from services.platform.state_dir import check_writable

    county = _demo_county(demo_county)
    settings = load_settings()
    check_writable(settings)
    _load_demo(settings, county)


@app.command()
def verify(
    bundle: Annotated[
        Path,
        typer.Argument(
            help="an evidence bundle (JSON file)", exists=True, dir_okay=False
        ),
    ],
    trust: Annotated[
        list[str] | None,
        typer.Option(
            help="a top tenant's verifier key obtained out of band (repeatable)"
        ),
    ] = None,
    trust_file: Annotated[
        Path | None,
        typer.Option(
            help="a file of trusted verifier keys, one a line (# comments)",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Verify an evidence bundle offline: no server, database or network."""
    from services.cli.verify import verify_file

    raise typer.Exit(verify_file(bundle, Console(), trust or [], trust_file))


@app.command()
def relay(
    status: Annotated[
        bool, typer.Option(help="print the relay's position and lag, then exit")
    ] = False,
    max_lag: Annotated[
        int | None, typer.Option(help="with --status: exit 1 beyond this lag")
    ] = None,
) -> None:
    """Publish every event and signed checkpoint to Kafka as CloudEvents."""
    from infra.logs import configure_logging
    from infra.runlock import ProjectionsBusyError
    from services.platform.runtime import Platform
    from services.streams.relay import relay_status, run_relay

    if status:
        platform = Platform(load_settings())
        try:
            report = relay_status(platform)
        finally:
            platform.close()
        typer.echo(f"relay at position {report['position']}, lag {report['lag']}")
        if max_lag is not None and report["lag"] > max_lag:
            raise typer.Exit(1)
        return
    settings = load_settings()
    configure_logging(settings)
    try:
        run_relay(settings, build=Platform)
    except (ProjectionsBusyError, ValueError) as e:
        err.print(f"[red]{e}[/red]")
        raise typer.Exit(1) from None


@app.command()
def subscribe(
    tenant: Annotated[str, typer.Option(help="tenant path: its subtree's events")],
    type_: Annotated[
        list[str] | None,
        typer.Option("--type", help="CloudEvent type to keep (repeatable)"),
    ] = None,
    from_beginning: Annotated[
        bool, typer.Option(help="from the first event (the default)")
    ] = False,
    after: Annotated[
        int | None, typer.Option(help="only events after this log position")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="only events recorded from this date (China)")
    ] = None,
    kafka: Annotated[
        bool, typer.Option(help="read the Kafka topics (GONGKAI_KAFKA_*)")
    ] = False,
    http: Annotated[
        str | None, typer.Option(help="read the HTTP feed of this API base URL")
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="GONGKAI_TOKEN",
            help="bearer token: an integrator's (an inspector's or a supervisor's"
            " reads --type cn.gongkai.audit.CheckpointIssued.v1 only)",
        ),
    ] = None,
    verify: Annotated[
        bool,
        typer.Option(help="check each event against its tenant's signed checkpoint"),
    ] = False,
    api: Annotated[
        str | None, typer.Option(help="API for --verify with --kafka")
    ] = None,
    follow: Annotated[bool, typer.Option(help="keep waiting for new events")] = False,
) -> None:
    """Print a tenant's CloudEvents, one JSON line each (from Kafka or HTTP)."""
    from services.api.params import parse_moment
    from services.streams.subscribe import (
        Api,
        Selection,
        SubscribeError,
        Verifier,
        check_types,
        from_http,
        from_kafka,
        run,
    )

    if kafka == (http is not None):
        err.print("[red]give exactly one source: --kafka or --http URL[/red]")
        raise typer.Exit(2)
    if sum((from_beginning, after is not None, since is not None)) > 1:
        err.print("[red]--from-beginning, --after and --since exclude each other[/red]")
        raise typer.Exit(2)
    settings = load_settings()
    start = None
    if since is not None:
        start = parse_moment(since, "since", datetime.now(UTC))
        if len(since.strip()) == 10:
            start -= timedelta(days=1) - timedelta(microseconds=1)
    selection = Selection(tenant, tuple(type_ or ()), after or 0, start)
    client = Api(http or api or "", token)
    try:
        check_types(selection.types)
        if verify and not (http or api):
            raise SubscribeError("--verify needs the API: --http URL or --api URL")
        events = (
            from_http(client, selection, follow)
            if http
            else from_kafka(settings, selection, follow)
        )
        verifier = Verifier(client, settings.installation) if verify else None
        count = run(events, typer.echo, verifier)
    except (SubscribeError, ValueError) as e:
        err.print(f"[red]{e}[/red]")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        return
    if verify:
        err.print(f"{count} events verified against signed checkpoints")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    demo_if_empty: Annotated[
        bool, typer.Option(help="load the demo into an empty store first")
    ] = False,
    demo_county: Annotated[str | None, typer.Option(help=DEMO_COUNTY_HELP)] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="API processes on the one port (PostgreSQL); with more than one, "
            "the views are followed by one more process of their own",
        ),
    ] = 1,
) -> None:
    """Serve the API and its interactive docs."""
    import uvicorn

    from services.api.forwarded import uvicorn_options
    from services.platform.state_dir import check_writable
    from services.server import create_app

    county = _demo_county(demo_county)
    settings = load_settings()
    check_writable(settings)
    if demo_if_empty:
        _load_demo(settings, county)
    err.print(
        f"Gongkai on http://{host}:{port}/  (store: {settings.store_kind}, "
        f"{settings.effective_database_url})"
    )
    for label, where in (
        ("staff console", "/console/"),
        ("public 公开栏", "/gongkai/"),
        ("API docs", "/docs"),
    ):
        err.print(f"  {label:<14} http://{host}:{port}{where}", soft_wrap=True)
    if demo_if_empty:
        from services.demo.staff import demo_sign_ins

        err.print(
            county.rename(
                f"sign in to http://{host}:{port}/console/ as XH-0001@xinhe with "
                "password demo-county-2026 (the county supervisor)"
            ),
            soft_wrap=True,
        )
        err.print("demo staff (demo passwords, never use them in production):")
        for line in demo_sign_ins():
            err.print(county.rename(line), highlight=False)
        err.print(
            county.rename(
                "sign in: curl -s -d username=XH-0001@xinhe -d "
                f"password=demo-county-2026 http://{host}:{port}/v1/auth/token"
            )
        )
    err.print(
        f"mint a service token: gongkai token --tenant {county.code} --role integrator"
    )
    if workers == 1:
        if settings.store_kind == "postgresql" and settings.run_projections:
            from infra.settings import check_follower_budget

            try:
                check_follower_budget(settings.pg_connections)
            except ValueError as e:
                err.print(f"[red]{e}[/red]")
                raise typer.Exit(2) from None
        uvicorn.run(
            create_app(settings),
            host=host,
            port=port,
            timeout_graceful_shutdown=int(settings.drain_seconds) + 1,
            **uvicorn_options(settings),
            **_uvicorn_logging(settings),
        )
        return
    _serve_workers(settings, host, port, workers)


def _serve_workers(settings: Settings, host: str, port: int, workers: int) -> None:
    """Several API processes behind one port, and (unless the views are followed
    elsewhere) one supervised ``gongkai projections run`` beside them, sharing
    GONGKAI_PG_CONNECTIONS (docs/operations.md, "Connections")."""
    import uvicorn

    from infra.settings import FOLLOWER_CONNECTIONS, share_connections
    from infra.storestate import CONNECT_ERRORS, StoreState
    from services.api.forwarded import uvicorn_options
    from services.cli.follower import Follower

    if settings.store_kind != "postgresql":
        err.print("--workers needs PostgreSQL (GONGKAI_DATABASE_URL=postgresql://…)")
        raise typer.Exit(2)
    follows = settings.run_projections
    try:
        share = share_connections(settings.pg_connections, workers, follows)
    except ValueError as e:
        err.print(f"[red]{e}[/red]")
        raise typer.Exit(2) from None
    from services.platform.runtime import Platform

    # Create the tables and functions once, here, if the store answers (the DDL
    # is serialised anyway); the processes connect on their own when it does.
    store = StoreState(settings)
    reason = store.probe_once()
    store.close()
    try:
        if reason is None:
            Platform(settings).close()
    except CONNECT_ERRORS as e:
        reason = str(e)
    if reason is not None:
        err.print(f"{reason}: starting anyway", soft_wrap=True)
    follower = None
    if follows:
        env = {**os.environ, "GONGKAI_PG_CONNECTIONS": str(FOLLOWER_CONNECTIONS)}
        follower = Follower(env)
        follower.start()
    os.environ["GONGKAI_RUN_PROJECTIONS"] = "false"  # the workers read these
    os.environ["GONGKAI_PG_CONNECTIONS"] = str(share)
    err.print(
        f"{workers} API processes ({share} PostgreSQL connections each); "
        + (
            f"the views followed by process {follower.pid} "
            f"({FOLLOWER_CONNECTIONS} connections), restarted if it ends"
            if follower
            else "the views followed elsewhere"
        )
    )
    # The workers' metrics, summed by whichever answers /metrics: a fresh
    # directory each start (prometheus_client's multiprocess mode).
    metrics_dir = tempfile.mkdtemp(prefix="gongkai-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    try:
        uvicorn.run(
            "services.server:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            timeout_graceful_shutdown=int(settings.drain_seconds) + 1,
            **uvicorn_options(settings),
            **_uvicorn_logging(settings),
        )
    finally:
        if follower is not None:
            follower.stop()
        shutil.rmtree(metrics_dir, ignore_errors=True)


def _uvicorn_logging(settings: Settings) -> dict[str, Any]:
    """uvicorn's logging is ours (infra/logs.py), in the serving process and in
    each worker it starts; the access records come from our middleware."""
    from infra.logs import logging_config

    return {"log_config": logging_config(settings), "access_log": False}


@app.command()
def backup(
    directory: Annotated[
        Path, typer.Argument(help="a new or empty directory", file_okay=False)
    ],
) -> None:
    """Back up the store, the signing keys and the vault, with SHA-256 checksums."""
    from services.operations.backup import BackupError
    from services.operations.backup import backup as write_backup

    settings = load_settings()
    try:
        manifest = write_backup(settings, directory)
    except BackupError as e:
        err.print(f"[red]no backup:[/red] {e}")
        raise typer.Exit(1) from None
    size = sum(f["bytes"] for f in manifest["files"].values())
    typer.echo(
        f"backed up {settings.store_kind} store at log position "
        f"{manifest['position']}, {len(manifest['files'])} files ({size} bytes) "
        f"into {directory}"
    )


@app.command()
def restore(
    directory: Annotated[
        Path,
        typer.Argument(help="a directory written by gongkai backup", file_okay=False),
    ],
) -> None:
    """Verify a backup's checksums and restore it into an empty installation."""
    from services.operations.backup import BackupError
    from services.operations.backup import restore as read_backup

    settings = load_settings()
    try:
        manifest = read_backup(settings, directory)
    except BackupError as e:
        err.print(f"[red]not restored:[/red] {e}")
        raise typer.Exit(1) from None
    typer.echo(
        f"restored {manifest['store']} store up to log position "
        f"{manifest['restored_position']} with keys and vault from {directory} "
        f"({manifest['views_caught_up']} events applied to views that lagged); "
        "run `gongkai audit verify` next"
    )


def main() -> None:
    from services.platform.state_dir import reported

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    with reported(lambda m: err.print(m, style="red", markup=False, soft_wrap=True)):
        app()


if __name__ == "__main__":
    main()
