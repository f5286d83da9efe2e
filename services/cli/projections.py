"""``gongkai projections``: follow, inspect or rebuild the read views."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from services.cli.common import err, load_settings, named_ticks, progress
from services.cli.follower import orphaned

FOLLOWED = {
    "here": "by this process",
    "elsewhere": "by a live process (it holds the projection lock)",
    "none": "by no process: the views do not move",
}

projections_app = typer.Typer(
    help="Follow, inspect or rebuild the read views.", no_args_is_help=True
)


def rebuild_views(platform: object) -> None:
    from infra.runlock import ProjectionsBusyError
    from services.platform.runtime import Platform

    assert isinstance(platform, Platform)
    try:
        platform.projection_lock.acquire()
    except ProjectionsBusyError as e:
        err.print(f"[red]cannot rebuild:[/red] {e}")
        raise typer.Exit(1) from None
    with progress() as bar:
        counts = platform.rebuild(progress=named_ticks(bar, "rebuilding"))
    err.print(
        "views rebuilt: " + ", ".join(f"{k} {v} events" for k, v in counts.items())
    )


@projections_app.command("rebuild")
def projections_rebuild() -> None:
    """Drop every view and replay the whole log into it (stop the runners first)."""
    from services.platform.runtime import Platform

    platform = Platform(load_settings())
    try:
        rebuild_views(platform)
    finally:
        platform.close()


@projections_app.command("status")
def projections_status(
    max_lag: Annotated[
        int | None,
        typer.Option(
            help="exit 1 if any view lags more events than this (a health check)"
        ),
    ] = None,
) -> None:
    """Print each view's position and lag."""
    from services.platform.runtime import Platform

    platform = Platform(load_settings())
    try:
        typer.echo(f"log position {platform.max_position()}")
        follower = platform.follower()
        typer.echo(f"followed {FOLLOWED[follower]}")
        lagging = []
        for name, info in platform.lag(follower).items():
            typer.echo(f"{name}: position {info['position']}, lag {info['lag']}")
            if max_lag is not None and info["lag"] > max_lag:
                lagging.append(name)
    finally:
        platform.close()
    if lagging:
        err.print(
            f"[red]lagging more than {max_lag} events:[/red] {', '.join(lagging)}"
        )
        raise typer.Exit(1)


@projections_app.command("run")
def projections_run() -> None:
    """Follow the log and keep every view current until interrupted."""
    from infra.logs import configure_logging
    from infra.runlock import ProjectionsBusyError
    from infra.storestate import StoreState
    from services.platform.runtime import Platform

    settings = load_settings()
    configure_logging(settings)  # JSON lines, as serve's (infra/logs.py)
    store = StoreState(settings)
    reason = store.probe_once()  # at once, where a pool would wait its timeout
    store.close()
    if reason is not None:
        err.print(reason, style="red", markup=False, soft_wrap=True)
        raise typer.Exit(1)
    platform = Platform(settings)
    try:
        platform.start_projections()
    except (ProjectionsBusyError, ValueError) as e:  # ValueError: the budget
        err.print(f"[red]{e}[/red]")
        platform.close()
        raise typer.Exit(1) from None
    err.print("following the log; Ctrl-C stops")
    try:
        while not platform.runner_errors():
            if orphaned():
                err.print("the serve process that started this one is gone: stopping")
                return
            time.sleep(1)
        err.print(f"[red]a projection stopped:[/red] {platform.runner_errors()}")
        raise typer.Exit(1)
    except KeyboardInterrupt:
        pass
    finally:
        platform.close()
