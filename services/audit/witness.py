"""C2SP tlog-witness, both directions: a witness server and the checkpointer's client.

Server (``gongkai witness serve``): another installation — the prefecture's or the
province's supervision office — runs a small ASGI app with one route,
``POST /add-checkpoint``. It trusts the log keys it is given (a county's note verifier
keys; a key's name is the log's origin), checks each submitted checkpoint's signature
and its consistency proof from the last size it cosigned, remembers the new size
atomically and answers with a cosignature/v1 line.

Client: after a top tenant (a county without a parent in this installation) issues a
checkpoint, the checkpointer submits it to every witness in ``GONGKAI_WITNESSES``,
checks the cosignature it gets back against the witness's key, and adds it to the
stored checkpoint note, so every evidence bundle that cites the checkpoint carries it.
"""

from __future__ import annotations

import base64
import binascii
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response

from domain.errors import GongkaiError, NoteError, UnverifiedNoteError
from domain.ledger import verify_consistency
from domain.ledger.note import (
    COSIGNATURE_V1,
    Checkpoint,
    Note,
    Signature,
    cosign,
    verify_cosignature,
    verify_note,
)
from infra.keys import Ed25519Signer, Ed25519Verifier
from infra.witness_state import OldSizeMismatchError, WitnessState
from services.audit.auditor import Auditor

log = logging.getLogger("gongkai.witness")

MAX_PROOF_LINES = 63
MAX_BODY_BYTES = 64 * 1024
SIZE_TYPE = "text/x.tlog.size"
TIMEOUT_SECONDS = 10.0


class RootConflictError(Exception):
    """Same size as the cosigned checkpoint, another root: a fork."""


# Server ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    old_size: int
    proof: list[bytes]
    note: Note
    checkpoint: Checkpoint


class BadSubmissionError(Exception):
    pass


def parse_submission(body: bytes) -> Submission:
    """``old N``, proof lines, a blank line, then the signed checkpoint note."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadSubmissionError("the body is not UTF-8") from None
    head, blank, rest = text.partition("\n\n")
    if not blank:
        raise BadSubmissionError("no blank line after the old size and proof")
    lines = head.split("\n")
    old = lines[0]
    if not old.startswith("old ") or not (
        old[4:] == "0" or (old[4:].isdigit() and not old[4:].startswith("0"))
    ):
        raise BadSubmissionError("the first line must be 'old <size>'")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise BadSubmissionError(f"at most {MAX_PROOF_LINES} proof lines")
    try:
        proof = [base64.b64decode(line, validate=True) for line in lines[1:]]
        note = Note.parse(rest)
        checkpoint = Checkpoint.parse(note.text)
    except (binascii.Error, ValueError, GongkaiError) as e:
        raise BadSubmissionError(str(e)) from None
    return Submission(int(old[4:]), proof, note, checkpoint)


class Witness:
    """Checks and cosigns checkpoints of the logs whose keys it trusts."""

    def __init__(
        self,
        signer: Ed25519Signer,
        log_keys: Iterable[str],
        state: WitnessState,
        clock: object = time.time,
    ) -> None:
        if signer.verifier().key_id != signer.key_id:  # pragma: no cover
            raise ValueError("signer and verifier disagree")
        self.signer, self.state, self.clock = signer, state, clock
        self.logs: dict[str, list[Ed25519Verifier]] = {}
        for key in log_keys:
            verifier = Ed25519Verifier.from_verifier_key(key.strip())
            self.logs.setdefault(verifier.name, []).append(verifier)

    def add_checkpoint(self, body: bytes) -> tuple[int, str, str]:
        """(status, content type, body) as C2SP tlog-witness prescribes."""
        try:
            sub = parse_submission(body)
        except BadSubmissionError as e:
            return 400, "text/plain", f"{e}\n"
        trusted = self.logs.get(sub.checkpoint.origin)
        if not trusted:
            return 404, "text/plain", f"unknown log {sub.checkpoint.origin}\n"
        try:
            verify_note(sub.note, trusted)
        except (UnverifiedNoteError, NoteError):
            return 403, "text/plain", "no signature by a trusted log key\n"
        if sub.old_size > sub.checkpoint.size:
            return 400, "text/plain", "old size is larger than the checkpoint\n"

        def consistent(stored: int, root: bytes | None) -> None:
            new_root = sub.checkpoint.root_hash
            if stored == sub.checkpoint.size and root != new_root:
                raise RootConflictError
            verify_consistency(
                stored, sub.checkpoint.size, sub.proof, root or b"", new_root
            )

        now = int(self.clock())  # type: ignore[operator]
        try:
            self.state.advance(
                sub.checkpoint.origin,
                old_size=sub.old_size,
                size=sub.checkpoint.size,
                root_hash=sub.checkpoint.root_hash,
                note=sub.note.format(),
                now=now,
                check=consistent,
            )
        except OldSizeMismatchError as e:
            return 409, SIZE_TYPE, f"{e.size}\n"
        except RootConflictError:
            return 409, "text/plain", "same size, different root hash\n"
        except GongkaiError as e:  # the consistency proof does not verify
            log.warning("inconsistent checkpoint of %s: %s", sub.checkpoint.origin, e)
            return 422, "text/plain", f"consistency proof: {e.detail}\n"
        line = cosign(sub.note.text, now, self.signer).line()
        return 200, "text/plain; charset=utf-8", line


def create_witness_app(witness: Witness) -> FastAPI:
    """The witness's HTTP face: ``POST /add-checkpoint`` (and a key for humans)."""
    app = FastAPI(title="Gongkai witness (C2SP tlog-witness)", version="0.1.0")

    @app.post("/add-checkpoint", response_class=PlainTextResponse)
    async def add_checkpoint(request: Request) -> Response:
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return PlainTextResponse("too large\n", status_code=413)
        status, content_type, text = witness.add_checkpoint(body)
        return Response(text.encode(), status_code=status, media_type=content_type)

    @app.get("/key", response_class=PlainTextResponse)
    def key() -> str:
        return witness.signer.verifier_key() + "\n"

    return app


# Client ------------------------------------------------------------------------------


@dataclass(frozen=True)
class WitnessEndpoint:
    """A witness to submit to: its submission URL prefix and cosignature key."""

    url: str
    key: str  # name+<key ID>+base64(0x04 || public key)

    def verifier(self) -> Ed25519Verifier:
        return Ed25519Verifier.from_verifier_key(
            self.key, signature_type=COSIGNATURE_V1
        )


class WitnessRefusedError(GongkaiError):
    slug = "witness-refused"
    status = 502


def _post(url: str, body: bytes) -> tuple[int, str, str]:
    if not url.startswith(("http://", "https://")):
        raise WitnessRefusedError(f"witness URL {url!r} is not http(s)")
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url.rstrip("/") + "/add-checkpoint",
        data=body,
        method="POST",
        headers={"Content-Type": "text/plain; charset=utf-8"},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return (
                response.status,
                response.headers.get("Content-Type", ""),
                response.read().decode("utf-8", "replace"),
            )
    except urllib.error.HTTPError as e:
        return (
            e.code,
            e.headers.get("Content-Type", ""),
            e.read().decode("utf-8", "replace"),
        )


def _cosigned_size(auditor: Auditor, path: str, verifier: Ed25519Verifier) -> int:
    """The largest size of ``path`` this witness already cosigned (0 if none)."""
    for row in reversed(auditor.view.checkpoints(path)):
        note = Note.parse(row["note"])
        if any(
            (s.name, s.key_id) == (verifier.name, verifier.key_id)
            for s in note.signatures
        ):
            return int(row["size"])
    return 0


def submit(auditor: Auditor, path: str, endpoint: WitnessEndpoint) -> Signature:
    """Have ``endpoint`` cosign ``path``'s latest checkpoint; store the cosignature
    in the checkpoint's note. Raises WitnessRefusedError naming the answer."""
    latest = auditor.latest(path)
    if latest is None:
        raise WitnessRefusedError(f"{path!r} has no checkpoint yet", field="path")
    note = Note.parse(latest.note)
    checkpoint = Checkpoint.parse(note.text)
    verifier = endpoint.verifier()
    old = min(_cosigned_size(auditor, path, verifier), checkpoint.size)
    for _ in range(2):  # a second try with the size the witness says it holds
        proof = (
            auditor.view.consistency_proof(path, old, checkpoint.size)
            if 0 < old < checkpoint.size
            else []
        )
        body = f"old {old}\n" + "".join(
            base64.b64encode(h).decode() + "\n" for h in proof
        )
        status, content_type, text = _post(
            endpoint.url, (body + "\n" + note.format()).encode()
        )
        if status == 409 and content_type.startswith(SIZE_TYPE):
            told = int(text.strip() or "0")
            if told > checkpoint.size:
                break
            old = told
            continue
        if status != 200:
            break
        for line in text.splitlines():
            try:
                sig = Signature.parse_line(line)
                if (sig.name, sig.key_id) != (verifier.name, verifier.key_id):
                    continue  # not the key we know: ignored, as the protocol says
                verify_cosignature(note.text, sig, verifier)
            except NoteError:
                continue
            kept = [
                s
                for s in note.signatures
                if (s.name, s.key_id) != (sig.name, sig.key_id)
            ]
            cosigned = Note(note.text, (*kept, sig))
            auditor.view.save_checkpoint(
                path,
                checkpoint.size,
                checkpoint.root_hash,
                cosigned.format(),
                latest.issued_at,
            )
            return sig
        raise WitnessRefusedError(f"{endpoint.url} sent no valid cosignature")
    answer = f"{status} {text.strip()}"
    raise WitnessRefusedError(
        f"{endpoint.url} refused {path} at size {checkpoint.size}: {answer}"
    )


def submit_to_all(
    auditor: Auditor, path: str, endpoints: Iterable[WitnessEndpoint]
) -> int:
    """Submit to every witness; failures are logged, not fatal. Returns successes."""
    done = 0
    for endpoint in endpoints:
        try:
            submit(auditor, path, endpoint)
            done += 1
        except (GongkaiError, OSError) as e:
            log.warning("witness %s: %s", endpoint.url, e)
    return done
