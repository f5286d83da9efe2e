"""C2SP tlog-witness between two installations on loopback.

The prefecture runs ``gongkai witness serve`` (a subprocess on 127.0.0.1) trusting the
county's log key; the county's checkpointer submits its top checkpoints there and
keeps the cosignatures in its checkpoint notes. Forks, stale sizes, unknown logs and
foreign signatures are refused with the status codes the protocol names.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.ledger.evidence import load_bundle, verify_bundle
from domain.ledger.note import (
    COSIGNATURE_V1,
    Checkpoint,
    CosignatureVerifier,
    Note,
    sign_note,
    verify_note,
)
from domain.tenancy import tenant_id
from infra.keys import Ed25519Signer, Ed25519Verifier, make_verifier
from infra.settings import Settings, WitnessSetting
from services.audit.evidence import build_bundle, catch_up, checkpoint_now
from services.audit.witness import WitnessEndpoint
from services.platform.followers import Checkpointer
from services.platform.runtime import Platform
from tests.conftest import ADMIN

GONGKAI = str(Path(sys.executable).parent / "gongkai")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def post(url: str, body: str) -> tuple[int, str, str]:
    request = urllib.request.Request(
        url + "/add-checkpoint", body.encode(), method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, r.headers["Content-Type"], r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers["Content-Type"], e.read().decode()


@pytest.fixture
def county(tmp_path: Path) -> Iterator[Platform]:
    settings = Settings(
        home=tmp_path / "county",
        database_url=f"sqlite:///{tmp_path / 'county.db'}",
        installation="xinhe.example",
        token_secret="x" * 32,
        checkpoint_every_events=10**6,
        checkpoint_every_seconds=10**6,
    )
    platform = Platform(settings)
    platform.tenants.register(
        ADMIN, code="xinhe", name="新和县", level="county", parent=None
    )
    platform.start_projections()
    try:
        yield platform
    finally:
        platform.close()


def start_witness(
    tmp_path: Path, log_key: str
) -> tuple[str, str, subprocess.Popen[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGKAI_")}
    env |= {
        "GONGKAI_HOME": str(tmp_path / "prefecture"),
        "GONGKAI_INSTALLATION": "prefecture.example",
    }
    key = subprocess.run(
        [GONGKAI, "witness", "key"], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    port = free_port()
    server = subprocess.Popen(
        [GONGKAI, "witness", "serve", "--port", str(port), "--log-key", log_key],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return url, key, server
        except OSError:
            if server.poll() is not None:
                raise AssertionError(
                    server.stderr.read() if server.stderr else ""
                ) from None
            time.sleep(0.1)
    server.kill()
    raise AssertionError("witness did not start")


def test_the_county_gets_its_top_checkpoints_cosigned_by_the_prefecture(
    county: Platform, tmp_path: Path
) -> None:
    auditor = county.auditor
    county_key = auditor.keys.signer(auditor.origin("xinhe"), "xinhe").verifier_key()
    url, witness_key, server = start_witness(tmp_path, county_key)
    try:
        county.witnesses = [WitnessEndpoint(url, witness_key)]
        county.settings.witnesses = [WitnessSetting(url=url, key=witness_key)]
        cosigner = CosignatureVerifier(
            Ed25519Verifier.from_verifier_key(
                witness_key, signature_type=COSIGNATURE_V1
            )
        )
        checkpointer = Checkpointer(county)

        auditor.open_ledger("xinhe")
        catch_up(county)
        checkpointer.checkpoint("xinhe")
        first = Note.parse(auditor.latest("xinhe").note)  # type: ignore[union-attr]
        assert verify_note(first, [cosigner]) == [cosigner]

        county.tenants.register(
            ADMIN, code="tahe", name="塔河镇", level="town", parent="xinhe"
        )
        auditor.open_ledger("xinhe.tahe")
        checkpoint_now(county, "xinhe.tahe")  # the county witnesses it: its log grows
        catch_up(county)
        checkpointer.checkpoint("xinhe")
        second = Note.parse(auditor.latest("xinhe").note)  # type: ignore[union-attr]
        grown = Checkpoint.parse(second.text)
        assert grown.size > Checkpoint.parse(first.text).size
        assert verify_note(second, [cosigner]) == [cosigner]

        # Bundles cite the cosigned checkpoint and still verify offline.
        bundle = json.dumps(
            build_bundle(county, "xinhe.tahe", tenant_id("xinhe.tahe"), "tenant")
        )
        assert witness_key.split("+")[0] in bundle
        verify_bundle(load_bundle(bundle), make_verifier)

        # Refusals, as the protocol names them.
        signer = auditor.keys.signer(auditor.origin("xinhe"), "xinhe")
        size = grown.size
        forged = Checkpoint(grown.origin, size + 1, bytes(32))
        forged_note = sign_note(forged.body(), signer).format()
        stale = post(url, f"old 0\n\n{forged_note}")
        assert stale[0] == 409
        assert stale[1].startswith("text/x.tlog.size")
        assert stale[2] == f"{size}\n"
        proof = auditor.view.consistency_proof("xinhe", size, size)  # empty
        bad_proof = "".join(base64.b64encode(h).decode() + "\n" for h in proof)
        assert post(url, f"old {size}\n{bad_proof}\n{forged_note}")[0] == 422
        fork = sign_note(Checkpoint(grown.origin, size, bytes(32)).body(), signer)
        assert post(url, f"old {size}\n\n{fork.format()}")[0] == 409
        stranger = Ed25519Signer(grown.origin, bytes(range(32)))
        assert (
            post(url, f"old {size}\n\n{sign_note(forged.body(), stranger).format()}")[0]
            == 403
        )
        other = sign_note(
            Checkpoint("elsewhere.example/x", 1, bytes(32)).body(), signer
        )
        assert post(url, f"old 0\n\n{other.format()}")[0] == 404
        assert post(url, "garbage")[0] == 400
    finally:
        server.terminate()
        server.wait(timeout=10)
