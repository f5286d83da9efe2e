"""What the ``gongkai`` commands share: the error console, progress bars, settings."""

from __future__ import annotations

import os
from collections.abc import Callable

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from infra.settings import Settings, retired_settings

err = Console(stderr=True)


def progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
    )


def named_ticks(bar: Progress, verb: str) -> Callable[[str, int, int], None]:
    """A ``progress(name, done, total)`` callback: one bar per name."""
    tasks: dict[str, int] = {}

    def tick(name: str, done: int, total: int) -> None:
        if name not in tasks:
            tasks[name] = bar.add_task(f"{verb} {name}", total=total)
        bar.update(tasks[name], completed=done, total=total)

    return tick


def load_settings() -> Settings:
    for retired in retired_settings(os.environ):
        err.print(f"[yellow]warning:[/yellow] {retired}", soft_wrap=True)
    try:
        return Settings()
    except Exception as e:  # pydantic ValidationError, with the variable named
        err.print(f"[red]configuration error:[/red] {e}")
        raise typer.Exit(2) from None
