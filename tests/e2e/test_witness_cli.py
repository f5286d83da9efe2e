"""``gongkai witness key`` and ``serve``: one name, one key id, printed by both."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from infra.keys import Ed25519Signer
from services.cli.app import app
from tests.integration.streams import free_port

GONGKAI = str(Path(sys.executable).parent / "gongkai")
NAME = "prefecture.example/witness"


def test_the_witness_keeps_the_name_its_key_was_made_with(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGKAI_")}
    env["GONGKAI_HOME"] = str(tmp_path)  # the installation is gongkai.local
    runner = CliRunner()
    made = runner.invoke(app, ["witness", "key", "--name", NAME], env=env)
    assert made.exit_code == 0, made.output
    key = made.stdout.strip()
    assert key.startswith(NAME + "+")
    again = runner.invoke(app, ["witness", "key"], env=env)  # not gongkai.local's
    assert again.stdout.strip() == key
    other = runner.invoke(app, ["witness", "key", "--name", "x.example/w"], env=env)
    assert other.exit_code == 2
    assert NAME in other.output
    log_key = Ed25519Signer("xinhe.example/xinhe", bytes(32)).verifier_key()
    renamed = runner.invoke(
        app,
        ["witness", "serve", "--name", "x.example/w", "--log-key", log_key],
        env=env,
    )
    assert renamed.exit_code == 2  # refused before it listens
    server = subprocess.Popen(
        [GONGKAI, "witness", "serve", "--port", str(free_port()), "--log-key", log_key],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stderr is not None
        assert server.stderr.readline().strip() == f"witness {key}"
    finally:
        server.terminate()
        server.wait(timeout=10)
