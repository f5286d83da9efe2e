"""A follower whose ``serve`` was SIGKILLed stops by itself, so the next ``serve``'s
own follower can take the projection lock (real processes, SQLite store)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from services.cli.follower import ARGV, SUPERVISOR_ENV
from tests.faults.procs import clean_env

# Stands in for ``serve``: starts the follower as serve does, prints its pid, waits.
SUPERVISOR = f"""
import os, subprocess, sys, time
env = dict(os.environ, {SUPERVISOR_ENV}=str(os.getpid()))
child = subprocess.Popen({[*ARGV, "projections", "run"]!r}, env=env,
                         start_new_session=True)
print(child.pid, flush=True)
time.sleep(120)
"""


def alive(pid: int) -> bool:
    """Running, as opposed to gone or a zombie nobody has reaped yet."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def test_a_follower_stops_once_its_serve_is_killed(tmp_path: Path) -> None:
    env = clean_env(
        home=str(tmp_path),
        database_url=f"sqlite:///{tmp_path / 'gongkai.db'}",
        token_secret="orphan-" + "x" * 32,
    )
    supervisor = subprocess.Popen(
        [sys.executable, "-c", SUPERVISOR], env=env, stdout=subprocess.PIPE, text=True
    )
    assert supervisor.stdout is not None
    follower = int(supervisor.stdout.readline())
    try:
        time.sleep(1.5)  # it follows the log
        assert alive(follower)
        supervisor.send_signal(signal.SIGKILL)
        supervisor.wait()
        deadline = time.monotonic() + 30
        while alive(follower):
            assert time.monotonic() < deadline, "the orphaned follower kept running"
            time.sleep(0.1)
    finally:
        if alive(follower):
            os.kill(follower, signal.SIGKILL)
