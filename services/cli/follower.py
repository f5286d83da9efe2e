"""``gongkai serve --workers``: the process that follows the log beside the API
workers, supervised: restarted with a backoff whenever it exits unasked.

``gongkai projections run`` exits 1 when a runner fails (e.g. PostgreSQL went
away) and dies with a SIGKILL like any process; either way the views would stop
while every worker went on answering. A thread of the ``serve`` process reaps it
(no ``<defunct>`` child), logs why it ended and starts a new one: after 1 s,
doubling up to 10 s while it keeps failing, from 1 s again once one has run for a
minute. The new one resumes from the views' positions. It runs in a session of
its own, so that a terminal's Ctrl-C reaches only ``serve``, which stops it.

A ``serve`` killed with SIGKILL cannot stop it, and an orphan would hold the
projection lock against the next ``serve``'s own follower: the child is told its
supervisor's pid (``SUPERVISOR_ENV``) and stops once its parent is another
process (``orphaned``).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time

log = logging.getLogger("gongkai.serve")

FIRST_DELAY, MAX_DELAY = 1.0, 10.0
STABLE_SECONDS = 60.0
POLL_SECONDS = 0.2
ARGV = [sys.executable, "-c", "from services.cli.app import main; main()"]
SUPERVISOR_ENV = "GONGKAI_SUPERVISOR_PID"


def orphaned(environ: dict[str, str] | None = None) -> bool:
    """Whether this process was started by a supervisor that is no longer its parent."""
    supervisor = (os.environ if environ is None else environ).get(SUPERVISOR_ENV)
    return bool(supervisor) and str(os.getppid()) != supervisor


def ended(code: int) -> str:
    """How a child ended, in words."""
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exited with status {code}"


class Follower:
    """``gongkai projections run`` as a supervised child (module docstring)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = {**env, SUPERVISOR_ENV: str(os.getpid())}
        self.restarts = 0
        self.process: subprocess.Popen[bytes] | None = None
        self._started = 0.0
        self._stopping = threading.Event()
        self._thread = threading.Thread(
            target=self._watch, name="follower", daemon=True
        )

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def start(self) -> None:
        self._spawn()
        self._thread.start()

    def _spawn(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter
            [*ARGV, "projections", "run"], env=self.env, start_new_session=True
        )
        self._started = time.monotonic()

    def _watch(self) -> None:
        delay = FIRST_DELAY
        while not self._stopping.wait(POLL_SECONDS):
            assert self.process is not None
            code = self.process.poll()  # reaps it
            if code is None:
                continue
            if time.monotonic() - self._started >= STABLE_SECONDS:
                delay = FIRST_DELAY
            log.warning(
                "the projection process %d %s; starting another in %g s",
                self.process.pid,
                ended(code),
                delay,
            )
            if self._stopping.wait(delay):
                return
            self._spawn()
            self.restarts += 1
            log.warning("the projection process is now %d", self.process.pid)
            delay = min(delay * 2, MAX_DELAY)

    def stop(self) -> None:
        """Stop supervising, then the child (SIGTERM, SIGKILL after 30 s)."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
