"""Graceful drain: on SIGTERM, finish what was asked before letting uvicorn stop.

uvicorn's own shutdown closes the listening socket at once and closes every idle
keep-alive connection: a client that had just sent a request on one, or whose
connection waited in the accept backlog, gets a reset and cannot tell whether its
command was recorded. So the first SIGTERM only starts a drain: the server keeps
accepting and answering, marks every answer ``Connection: close`` (clients open a
new connection, to a process that is not stopping), and hands the signal on to
uvicorn once no request has been in flight for ``QUIET`` seconds, or after
``GONGKAI_DRAIN_SECONDS`` at most. Event streams (``text/event-stream``) are not
waited for: they never end by themselves, and their clients resume with
``Last-Event-ID``. A second SIGTERM, or SIGINT (Ctrl-C), stops at once.

The hook is installed from the app's lifespan, in each process uvicorn starts
(``serve`` and every ``serve --workers`` child), around the handler uvicorn set.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("gongkai.drain")

QUIET = 0.5  # seconds without a request in flight that end a drain

Handler = Callable[[int, FrameType | None], Any]


class Drain:
    """Requests in flight in this process, and whether it is stopping."""

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self.in_flight = 0
        self.last_done = time.monotonic()
        self.draining = False

    def quiet(self, now: float) -> bool:
        return self.in_flight == 0 and now - self.last_done >= QUIET

    def install(self, loop: asyncio.AbstractEventLoop) -> bool:
        """Wrap uvicorn's SIGTERM handler; False where there is none (tests)."""
        if threading.current_thread() is not threading.main_thread():
            return False
        uvicorn_handler = signal.getsignal(signal.SIGTERM)
        if getattr(uvicorn_handler, "__name__", "") != "handle_exit":
            return False
        assert callable(uvicorn_handler)
        stop: Handler = uvicorn_handler

        def on_sigterm(sig: int, frame: FrameType | None) -> None:
            if self.draining:  # the second SIGTERM: stop now
                stop(sig, frame)
                return
            self.draining = True
            loop.call_soon_threadsafe(
                lambda: loop.create_task(self._then_stop(lambda: stop(sig, None)))
            )

        signal.signal(signal.SIGTERM, on_sigterm)
        return True

    async def _then_stop(self, stop: Callable[[], None]) -> None:
        started = time.monotonic()
        log.warning(
            "SIGTERM: draining %d request(s) in flight (at most %.0f s)",
            self.in_flight,
            self.limit,
        )
        while True:
            now = time.monotonic()
            if self.quiet(now):
                break
            if now - started >= self.limit:
                log.warning("drain limit reached with %d in flight", self.in_flight)
                break
            await asyncio.sleep(0.05)
        stop()


class DrainMiddleware:
    """Counts requests in flight; while draining, answers ``Connection: close``."""

    def __init__(self, app: ASGIApp, drain: Drain) -> None:
        self.app = app
        self.drain = drain

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        drain = self.drain
        drain.in_flight += 1
        counted = True

        def done() -> None:
            nonlocal counted
            if counted:
                counted = False
                drain.in_flight -= 1
                drain.last_done = time.monotonic()

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if _is_stream(headers):
                    done()  # a stream is not waited for
                if drain.draining:
                    headers = [h for h in headers if h[0].lower() != b"connection"]
                    headers.append((b"connection", b"close"))
                    message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            done()


def _is_stream(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(
        name.lower() == b"content-type" and value.startswith(b"text/event-stream")
        for name, value in headers
    )
