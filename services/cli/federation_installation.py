"""One installation of the federation (``gongkai federation``): a store, a state
directory, a secret and a port, and the ``gongkai`` processes that serve it.

Each is what a county would run on its own host; here they sit side by side on one
machine and one PostgreSQL server (docs/federation.md, "Run a federation here").
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.scratchdb import create_database, drop_database
from infra.settings import FOLLOWER_CONNECTIONS, Settings
from infra.tokens import TokenSigner

# Four installations side by side on one PostgreSQL (max_connections 100 by
# default): each the least a serving process that follows its log needs.
PG_CONNECTIONS = str(FOLLOWER_CONNECTIONS)
STARTUP_SECONDS = 240.0
CHECKPOINT_SECONDS = "2"


def gongkai_command() -> list[str]:
    """How to run ``gongkai``: the script beside this Python, else on PATH."""
    beside = Path(sys.executable).parent / "gongkai"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("gongkai")
    return [found] if found else [sys.executable, "-m", "services.cli"]


def http_json(url: str, token: str | None = None, timeout: float = 10.0) -> Any:
    """GET ``url`` as JSON (urllib: the runtime needs no HTTP client library)."""
    request = urllib.request.Request(url)  # noqa: S310 - our own loopback URLs
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
        return json.loads(answer.read())


@dataclass
class Installation:
    """One installation: a store, a state directory, a secret and a port."""

    code: str
    name: str
    port: int
    root: Path
    database_url: str
    badge: str | None = None  # a county: its demo's staff-number prefix
    kafka: str | None = None  # bootstrap servers its relay publishes to
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    server: subprocess.Popen[bytes] | None = None
    relay: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def home(self) -> Path:
        return self.root / self.code

    @property
    def installation(self) -> str:
        return f"{self.code}.gongkai.local"

    @property
    def log(self) -> Path:
        return self.root / f"{self.code}.log"

    def env(self) -> dict[str, str]:
        """The environment every ``gongkai`` command of this installation runs in."""
        env = {
            **os.environ,
            "GONGKAI_HOME": str(self.home),
            "GONGKAI_DATABASE_URL": self.database_url,
            "GONGKAI_TOKEN_SECRET": self.secret,
            "GONGKAI_INSTALLATION": self.installation,
            "GONGKAI_PUBLIC_URL": self.url,
            "GONGKAI_PG_CONNECTIONS": PG_CONNECTIONS,
            "GONGKAI_DRAIN_SECONDS": "2",
            "GONGKAI_LOG_FORMAT": "text",
            # A checkpoint within seconds of a write: the prefecture verifies (and
            # holds) a county's events once a signed checkpoint covers them.
            "GONGKAI_CHECKPOINT_EVERY_SECONDS": CHECKPOINT_SECONDS,
        }
        if self.kafka:
            env["GONGKAI_KAFKA_BOOTSTRAP_SERVERS"] = self.kafka
            env["GONGKAI_KAFKA_TOPIC_PARTITIONS"] = "1"
        return env

    def settings(self) -> Settings:
        return Settings(
            home=self.home,
            database_url=self.database_url,
            token_secret=self.secret,
            installation=self.installation,
        )

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """``gongkai ARGS`` in this installation's environment, to its end."""
        done = subprocess.run(  # noqa: S603 - our own command
            [*gongkai_command(), *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if check and done.returncode != 0:
            raise RuntimeError(
                f"{self.code}: gongkai {' '.join(args)} exited {done.returncode}: "
                f"{done.stderr.strip()[-2000:]}"
            )
        return done

    def _spawn(self, *args: str) -> subprocess.Popen[bytes]:
        handle = self.log.open("ab")
        return subprocess.Popen(  # noqa: S603 - our own command
            [*gongkai_command(), *args],
            env=self.env(),
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches the script, which stops us
        )

    def start(self) -> None:
        """``gongkai serve`` on its port (a county loads its demo if empty)."""
        self.home.mkdir(parents=True, exist_ok=True)
        args = ["serve", "--host", "127.0.0.1", "--port", str(self.port)]
        if self.badge:
            args += ["--demo-if-empty", "--demo-county", self.demo_county]
        self.server = self._spawn(*args)

    @property
    def demo_county(self) -> str:
        return f"{self.code}:{self.name}:{self.badge}"

    def start_relay(self) -> None:
        if self.kafka:
            self.relay = self._spawn("relay")

    def wait_healthy(self, timeout: float = STARTUP_SECONDS) -> dict[str, Any]:
        """Wait until ``/v1/health`` answers ok; its answer."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.server is not None and self.server.poll() is not None:
                raise RuntimeError(
                    f"{self.code} exited {self.server.returncode}; see {self.log}"
                )
            with contextlib.suppress(OSError, ValueError, urllib.error.URLError):
                health: dict[str, Any] = http_json(f"{self.url}/v1/health", timeout=3)
                if health.get("status") == "ok":
                    return health
            time.sleep(0.5)
        raise RuntimeError(f"{self.code} not healthy after {timeout:.0f}s; {self.log}")

    def token(self, roles: list[str], tenant: str | None) -> str:
        """A bearer token of this installation (as ``gongkai token`` mints it)."""
        who = f"{'+'.join(roles)}@{tenant or 'installation'}"
        return TokenSigner(self.secret.encode()).mint(
            subject=who, tenant=tenant, roles=roles
        )

    def top_key(self) -> str:
        """The verifier key of this installation's top tenant (its newest)."""
        token = self.token(["integrator"], self.code)
        keys = http_json(f"{self.url}/v1/tenants/{self.code}/audit/keys", token)
        return str(keys["keys"][self.code][-1])

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM the server and relay, SIGKILL what is still up after ``timeout``."""
        for attr in ("relay", "server"):
            process: subprocess.Popen[bytes] | None = getattr(self, attr)
            if process is None or process.poll() is not None:
                setattr(self, attr, None)
                continue
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
            setattr(self, attr, None)


def create_store(code: str) -> str:
    """A fresh PostgreSQL database for ``code`` (the test server's; infra/scratchdb)."""
    return create_database(prefix=f"gongkai_fed_{code.replace('-', '_')}")


def drop_store(url: str) -> None:
    drop_database(url)
