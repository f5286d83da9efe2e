"""``gongkai federation``: three counties and a prefecture on this machine.

docs/federation.md, "Run a federation here". The orchestration is in
``federation_run``; this is the command: start, print where everything listens,
wait for Ctrl-C (or SIGTERM), stop all four.
"""

from __future__ import annotations

import signal
import tempfile
import time
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer

from services.cli.common import err


def federation(
    base_port: Annotated[
        int,
        typer.Option(
            min=1024,
            max=65000,
            help="the prefecture's port; the counties take the next three",
        ),
    ] = 8100,
    kafka: Annotated[
        bool,
        typer.Option(help="start a tansu broker and mirror one county over Kafka"),
    ] = True,
    keep: Annotated[
        bool,
        typer.Option(help="keep the databases and state directories after Ctrl-C"),
    ] = False,
) -> None:
    """Run a federation: 新和县, 沙雅县 and 库车市 (each its own database, keys,
    port and demo) and 阿克苏地区, which mirrors them; Ctrl-C stops all four."""
    from services.cli.federation_run import plan

    root = Path(tempfile.mkdtemp(prefix="gongkai-federation-"))

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt  # SIGTERM stops it as Ctrl-C does, even mid-start

    signal.signal(signal.SIGTERM, interrupt)
    fed = plan(root, [base_port + i for i in range(4)])
    try:
        fed.start(lambda line: err.print(line, highlight=False), kafka=kafka)
        for line in fed.summary():
            err.print(line, highlight=False, soft_wrap=True)
        while not (gone := fed.exited()):
            time.sleep(1.0)
        err.print(f"[red]{gone}[/red]")
    except KeyboardInterrupt:
        pass
    except Exception as e:  # one line, then stop what started
        err.print(f"[red]federation: {e}[/red]")
    finally:
        # A second Ctrl-C must not leave servers behind half stopped.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        err.print("stopping the federation…")
        fed.stop(lambda line: err.print(line, highlight=False), keep=keep)
    err.print("stopped")
