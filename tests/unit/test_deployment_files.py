"""docker-compose.yml and the Dockerfile, read as files (no Docker engine here):
the shape issue #9 asks for and the commands they run exist in this CLI."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

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
        for argv in (service.get("command"), service["healthcheck"]["test"]):
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
