"""``gongkai audit checkpoint`` reports an outside witness's refusal as a finding."""

from __future__ import annotations

import json
import secrets
import threading
import time
from pathlib import Path

import uvicorn
from typer.testing import CliRunner

from infra.keys import KeyStore
from infra.settings import Settings
from infra.witness_state import WitnessState
from services.audit.witness import Witness, create_witness_app
from services.cli.app import app
from services.platform.runtime import Platform
from tests.conftest import ADMIN
from tests.integration.streams import free_port


def test_a_witness_that_refuses_makes_the_command_fail_with_its_answer(
    tmp_path: Path,
) -> None:
    settings = Settings(
        home=tmp_path / "county",
        database_url=f"sqlite:///{tmp_path / 'county.db'}",
        installation="xinhe.example",
        token_secret=secrets.token_urlsafe(32),
    )
    county = Platform(settings)
    county.tenants.register(
        ADMIN, code="xinhe", name="新和县", level="county", parent=None
    )
    log_key = county.auditor.keys.signer("xinhe.example/xinhe", "xinhe").verifier_key()
    county.close()
    cosigner = KeyStore(tmp_path / "prefecture").cosigner("prefecture.example/w", "w")
    state = WitnessState(tmp_path / "witness.db")
    state.advance(  # it once cosigned a larger tree of this log: the log shrank
        "xinhe.example/xinhe",
        old_size=0,
        size=99,
        root_hash=bytes(32),
        note="",
        now=0,
        check=lambda size, root: None,
    )
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_witness_app(Witness(cosigner, [log_key], state)),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    witnesses = [{"url": f"http://127.0.0.1:{port}", "key": cosigner.verifier_key()}]
    env = {
        "GONGKAI_HOME": str(settings.home),
        "GONGKAI_DATABASE_URL": settings.database_url,
        "GONGKAI_INSTALLATION": "xinhe.example",
        "GONGKAI_WITNESSES": json.dumps(witnesses),
    }
    try:
        result = CliRunner().invoke(
            app, ["audit", "checkpoint", "--tenant", "xinhe"], env=env
        )
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    assert result.exit_code == 1, result.output
    assert result.stdout.startswith("xinhe.example/xinhe\n")  # signed all the same
    assert "witness refused" in result.output
    assert "409 99" in result.output  # the witness's answer: the size it holds
