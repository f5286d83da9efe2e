"""docker-compose.yml and the Dockerfile, read as files (no Docker engine here):
the shape issue #9 asks for and the commands they run exist in this CLI."""

from __future__ import annotations

import shlex
import tomllib
from pathlib import Path
from typing import Any

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from typer.testing import CliRunner

from infra.settings import Settings
from services.cli.app import app
from services.reporting.pdf import FONT_PATHS, LATIN_FONT

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def test_every_service_has_a_health_check_and_the_relay_waits_for_kafka() -> None:
    services = compose()["services"]
    assert {"postgres", "kafka", "api", "projections", "relay"} <= set(services)
    for name, service in services.items():
        assert "healthcheck" in service, name
    relay = services["relay"]
    assert relay["command"] == ["gongkai", "relay"]
    assert relay["environment"]["GONGKAI_KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    assert relay["depends_on"]["kafka"]["condition"] == "service_healthy"
    assert services["api"]["environment"]["GONGKAI_RUN_PROJECTIONS"] == "false"


def test_kafka_runs_kraft_and_keeps_its_log_on_the_volume() -> None:
    kafka = compose()["services"]["kafka"]
    env = kafka["environment"]
    assert "controller" in env["KAFKA_PROCESS_ROLES"]
    assert "KAFKA_ZOOKEEPER_CONNECT" not in env
    mounts = {m.split(":", 1)[1] for m in kafka["volumes"]}
    assert env["KAFKA_LOG_DIRS"] in mounts


def test_the_gongkai_commands_of_the_services_and_checks_parse() -> None:
    runner = CliRunner()
    for service in compose()["services"].values():
        for argv in (service.get("command"), service["healthcheck"].get("test")):
            if not argv or argv[0] != "gongkai":
                continue
            command = []  # the command words, up to the first option
            for word in argv[1:]:
                if word.startswith("-"):
                    break
                command.append(word)
            result = runner.invoke(app, [*command, "--help"])
            assert result.exit_code == 0, (argv, result.output)
            for option in (a for a in argv if a.startswith("--")):
                assert option in result.output, (shlex.join(argv), option)


def test_the_image_carries_the_pdf_fonts_and_the_state_directory() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "fonts-droid-fallback" in dockerfile
    assert "fonts-dejavu-core" in dockerfile
    assert "GONGKAI_HOME=/var/lib/gongkai" in dockerfile
    assert str(LATIN_FONT).startswith("/usr/share/fonts/truetype/dejavu/")
    assert any("droid" in str(p) for p in FONT_PATHS)
    volumes = compose()["x-platform"]["volumes"]
    assert any(v.endswith(":/var/lib/gongkai") for v in volumes)


def test_base_images_are_pinned_by_version() -> None:
    """A floating tag (``python:3.11-slim``, ``postgres:16``) moves under a rebuild."""
    images = [
        line.split()[1]
        for line in (ROOT / "Dockerfile").read_text().splitlines()
        if line.startswith("FROM ")
    ]
    images += [  # not gongkai:latest, which compose builds from the Dockerfile
        s["image"]
        for s in compose()["services"].values()
        if "build" not in s and s["image"] != "gongkai:latest"
    ]
    assert len(images) == 4  # the prefecture's PostgreSQL is the county's image
    for image in images:
        version = image.partition(":")[2].split("-")[0]
        parts = version.split(".")
        assert len(parts) >= 2, image
        assert all(p.isdigit() for p in parts), image


def test_the_image_has_pg_dump_of_the_servers_major() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    server = compose()["services"]["postgres"]["image"].split(":")[1]
    major = server.split(".")[0]
    assert f"ARG PG_MAJOR={major}" in dockerfile
    assert "postgresql-client-${PG_MAJOR}" in dockerfile


def _lock() -> dict[str, str]:
    """name -> version of every package requirements.lock pins."""
    pins: dict[str, str] = {}
    text = (ROOT / "requirements.lock").read_text()
    for raw in text.splitlines():
        line = raw.strip()
        if "==" in line and not line.startswith(("#", "--")):
            name, version = line.rstrip(" \\").split(";")[0].split("==")
            pins[canonicalize_name(name)] = version.strip()
    return pins


def test_the_lock_pins_every_runtime_dependency_within_pyproject() -> None:
    """The image installs exactly the lock; a dependency added to pyproject.toml
    without `make lock` would be missing from it (pip --require-hashes refuses)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = _lock()
    for spec in project["dependencies"]:
        requirement = Requirement(spec)
        if requirement.marker and not requirement.marker.evaluate(
            {"sys_platform": "linux", "python_version": "3.11"}
        ):
            continue
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in requirements.lock: run make lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"requirements.lock pins {name}=={pins[name]}, outside {requirement}: "
            "run make lock"
        )
    lines = (ROOT / "requirements.lock").read_text().splitlines()
    for i, line in enumerate(lines):
        if "==" in line and not line.startswith("#"):
            assert lines[i + 1].strip().startswith("--hash=sha256:"), line


def test_the_image_installs_the_lock_and_services_wait_only_for_what_they_use() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "--require-hashes -r requirements.lock" in dockerfile
    assert "pip install --no-cache-dir --no-deps ." in dockerfile
    services = compose()["services"]
    platform = compose()["x-platform"]
    assert set(platform["depends_on"]) == {"postgres"}
    for name in ("api", "projections"):
        assert set(services[name].get("depends_on", platform["depends_on"])) == {
            "postgres"
        }, name
    assert set(services["relay"]["depends_on"]) == {"postgres", "kafka"}


def test_compose_waits_longer_than_the_drain() -> None:
    grace = compose()["x-platform"]["stop_grace_period"]
    assert grace.endswith("s")
    assert int(grace[:-1]) > Settings().drain_seconds


def test_the_prefecture_profile_is_a_second_installation_that_mirrors_the_county() -> (
    None
):
    """docs/federation.md: its own database, state, secret and port; the mirror is
    added (once) before its server starts, over the county's feed in the network."""
    services = compose()["services"]
    profiled = {n for n, s in services.items() if "prefecture" in s.get("profiles", ())}
    assert profiled == {"prefecture-postgres", "prefecture-mirror-add", "prefecture"}
    county = compose()["x-platform"]
    prefecture = services["prefecture"]
    assert prefecture["environment"]["GONGKAI_DATABASE_URL"].endswith(
        "@prefecture-postgres:5432/prefecture"
    )
    for setting in ("GONGKAI_TOKEN_SECRET", "GONGKAI_INSTALLATION"):
        assert prefecture["environment"][setting] != county["environment"][setting]
    assert prefecture["volumes"] != county["volumes"]
    assert prefecture["command"][:2] == ["gongkai", "serve"]
    assert prefecture["ports"] == ["127.0.0.1:8100:8100"]
    waits = prefecture["depends_on"]["prefecture-mirror-add"]["condition"]
    assert waits == "service_completed_successfully"
    add = services["prefecture-mirror-add"]
    assert add["restart"] == "no"
    script = add["command"][2]
    assert "gongkai mirror add" in script
    assert "--feed http://api:8000" in script
    assert add["depends_on"]["api"]["condition"] == "service_healthy"
    mirror = CliRunner().invoke(app, ["mirror", "add", "--help"])
    assert mirror.exit_code == 0, mirror.output
    for option in ("--feed", "--token", "--trust"):
        assert option in mirror.output
