"""C2SP signed notes, tlog checkpoints and Ed25519 cosignatures, with injected crypto.

Formats, as C2SP ``signed-note``, ``tlog-checkpoint`` and ``tlog-cosignature`` and the
reference ``golang.org/x/mod/sumdb/note`` define them:

* checkpoint body: origin, decimal tree size, base64 root hash, then optional
  extension lines; every line ends in a newline.
* signed note: text ending in a newline, a blank line, then one or more lines
  ``— <key name> base64(key ID || signature)`` (EM DASH U+2014, space).
* key ID: ``SHA-256(name || 0x0A || type || public key)[:4]``, type 0x01 for Ed25519
  note signatures and 0x04 for Ed25519 cosignature/v1.
* cosignature/v1: the cosigner signs ``cosignature/v1\\ntime <t>\\n`` + checkpoint
  body; its note signature is ``key ID || u64 t (big-endian) || Ed25519 signature``.

Signing and verification come in through ``Signer`` and ``Verifier`` so the domain
stays pure; ``infra.keys`` holds the Ed25519 implementations.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from domain.errors import (
    CheckpointFormatError,
    NoteError,
    SignatureError,
    UnverifiedNoteError,
    VerifierKeyError,
)

ED25519 = 0x01
"""Signature type of plain Ed25519 note signatures (c2sp.org/signed-note)."""
COSIGNATURE_V1 = 0x04
"""Signature type of timestamped Ed25519 cosignatures (c2sp.org/tlog-cosignature)."""

KEY_ID_SIZE = 4
PUBLIC_KEY_SIZE = 32
ED25519_SIGNATURE_SIZE = 64
TIMESTAMP_SIZE = 8
MAX_TIMESTAMP = 2**63 - 1
MAX_TREE_SIZE = 2**64 - 1
ROOT_HASH_SIZE = 32
MAX_SIGNATURES = 100
"""Most signatures a note may carry; the spec requires accepting at least 16."""

SIGNATURE_PREFIX = "\u2014 "
COSIGNATURE_HEADER = "cosignature/v1\n"

_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_HEX_KEY_ID = re.compile(r"[0-9a-fA-F]{8}")
_FORBIDDEN = re.compile("[\x00-\x09\x0b-\x1f\ud800-\udfff]")


class Signer(Protocol):
    """Signs messages with one key, known by its name and key ID."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> bytes: ...

    def sign(self, message: bytes) -> bytes: ...


class Verifier(Protocol):
    """Checks signatures by one key, known by its name and key ID."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> bytes: ...

    def verify(self, message: bytes, signature: bytes) -> bool: ...


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes | None:
    """Standard base64 in its canonical form only, else None."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if _b64(raw) == text else None


def _clean(text: str) -> bool:
    """No ASCII control character but newline, and encodable as UTF-8."""
    return _FORBIDDEN.search(text) is None


def is_valid_key_name(name: str) -> bool:
    """Non-empty, without Unicode spaces, plus signs or control characters."""
    return (
        bool(name)
        and "+" not in name
        and _clean(name)
        and not any(c.isspace() for c in name)
    )


def key_id(name: str, signature_type: int, public_key: bytes) -> bytes:
    """``SHA-256(name || 0x0A || type || public key)[:4]``. Requires a valid name."""
    if not is_valid_key_name(name):
        raise NoteError(f"invalid key name {name!r}", field="name")
    if not 0 <= signature_type <= 0xFF:
        raise NoteError(f"signature type {signature_type} is not a byte")
    data = name.encode() + b"\n" + bytes([signature_type]) + public_key
    return hashlib.sha256(data).digest()[:KEY_ID_SIZE]


def _ed25519_key_id(name: str, signature_type: int, public_key: bytes) -> bytes:
    if signature_type not in (ED25519, COSIGNATURE_V1):
        raise NoteError(f"signature type 0x{signature_type:02x} is not Ed25519")
    if len(public_key) != PUBLIC_KEY_SIZE:
        raise NoteError(f"an Ed25519 public key has 32 bytes, not {len(public_key)}")
    return key_id(name, signature_type, public_key)


def ed25519_key_id(name: str, public_key: bytes) -> bytes:
    """Key ID of an Ed25519 note-signing key (type 0x01)."""
    return _ed25519_key_id(name, ED25519, public_key)


def cosignature_key_id(name: str, public_key: bytes) -> bytes:
    """Key ID of an Ed25519 cosigner key (type 0x04)."""
    return _ed25519_key_id(name, COSIGNATURE_V1, public_key)


def verifier_key(name: str, public_key: bytes, signature_type: int = ED25519) -> str:
    """``name+<hex key ID>+base64(type || public key)`` for an Ed25519 key."""
    kid = _ed25519_key_id(name, signature_type, public_key)
    return f"{name}+{kid.hex()}+{_b64(bytes([signature_type]) + public_key)}"


def parse_verifier_key(
    text: str, signature_type: int = ED25519
) -> tuple[str, bytes, bytes]:
    """Name, key ID and public key of a verifier key of the given Ed25519 type."""
    name, plus1, rest = text.partition("+")
    hex_id, plus2, encoded = rest.partition("+")
    raw = _unb64(encoded)
    if not (plus1 and plus2 and is_valid_key_name(name)) or raw is None:
        raise VerifierKeyError("a verifier key reads name+<8 hex digits>+<base64>")
    if not _HEX_KEY_ID.fullmatch(hex_id) or len(raw) != 1 + PUBLIC_KEY_SIZE:
        raise VerifierKeyError("a verifier key has an 8-digit ID and a 32-byte key")
    if raw[0] != signature_type:
        raise VerifierKeyError(
            f"verifier key has type 0x{raw[0]:02x}, not 0x{signature_type:02x}"
        )
    public_key = raw[1:]
    expected = _ed25519_key_id(name, signature_type, public_key)
    if bytes.fromhex(hex_id) != expected:
        raise VerifierKeyError(
            f"key ID {hex_id.lower()} does not match the key's ID {expected.hex()}"
        )
    return name, expected, public_key


def _check_line(line: str, what: str) -> None:
    if not line or "\n" in line or not _clean(line):
        raise CheckpointFormatError(
            f"{what} line must be non-empty, without control characters", field=what
        )


@dataclass(frozen=True)
class Checkpoint:
    """A log's tree head, the text of a C2SP tlog-checkpoint note."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_line(self.origin, "origin")
        if not 0 <= self.size <= MAX_TREE_SIZE:
            raise CheckpointFormatError(f"tree size {self.size} is out of range")
        if len(self.root_hash) != ROOT_HASH_SIZE:
            raise CheckpointFormatError("a SHA-256 root hash has 32 bytes")
        for extension in self.extensions:
            _check_line(extension, "extension")

    def body(self) -> str:
        """The note text: one line each for origin, size, root and extensions."""
        lines = (self.origin, str(self.size), _b64(self.root_hash), *self.extensions)
        return "".join(f"{line}\n" for line in lines)

    @classmethod
    def parse(cls, body: str) -> Checkpoint:
        """The checkpoint whose body is exactly ``body``, else CheckpointFormatError."""
        if not body.endswith("\n"):
            raise CheckpointFormatError("a checkpoint body ends in a newline")
        lines = body[:-1].split("\n")
        if len(lines) < 3:
            raise CheckpointFormatError("a checkpoint has origin, size and root lines")
        origin, size, root, *extensions = lines
        if not _DECIMAL.fullmatch(size):
            raise CheckpointFormatError(f"size {size!r} is not a plain decimal")
        root_hash = _unb64(root)
        if root_hash is None:
            raise CheckpointFormatError(f"root hash {root!r} is not base64")
        return cls(origin, int(size), root_hash, tuple(extensions))


@dataclass(frozen=True)
class Signature:
    """One signature line: key name, 4-byte key ID and the bytes after the ID."""

    name: str
    key_id: bytes
    signature: bytes

    def __post_init__(self) -> None:
        if not is_valid_key_name(self.name):
            raise NoteError(f"invalid key name {self.name!r}")
        if len(self.key_id) != KEY_ID_SIZE or not self.signature:
            raise NoteError("a signature has a 4-byte key ID and at least one byte")

    def line(self) -> str:
        """``— <name> base64(key ID || signature)`` and a newline."""
        return f"{SIGNATURE_PREFIX}{self.name} {_b64(self.key_id + self.signature)}\n"

    @classmethod
    def parse_line(cls, line: str) -> Signature:
        """The signature on one line, given without its newline."""
        if not line.startswith(SIGNATURE_PREFIX):
            raise NoteError("a signature line starts with an em dash and a space")
        name, space, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
        raw = _unb64(encoded)
        if not space or raw is None:
            raise NoteError(f"signature by {name!r} is not in base64")
        return cls(name, raw[:KEY_ID_SIZE], raw[KEY_ID_SIZE:])


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise NoteError("note text must end in a newline")
    if not _clean(text):
        raise NoteError("note text must be UTF-8 without control characters")


@dataclass(frozen=True)
class Note:
    """A text with one or more signatures, a C2SP signed note."""

    text: str
    signatures: tuple[Signature, ...]

    def __post_init__(self) -> None:
        _check_text(self.text)
        if not 1 <= len(self.signatures) <= MAX_SIGNATURES:
            raise NoteError(f"a note has 1 to {MAX_SIGNATURES} signatures")

    def format(self) -> str:
        """Text, blank line, signature lines."""
        return self.text + "\n" + "".join(s.line() for s in self.signatures)

    @classmethod
    def parse(cls, message: str | bytes) -> Note:
        """The note ``message`` encodes, signatures unchecked; else NoteError."""
        if isinstance(message, bytes):
            try:
                message = message.decode("utf-8")
            except UnicodeDecodeError:
                raise NoteError("a note must be valid UTF-8") from None
        if not _clean(message):
            raise NoteError("a note must be UTF-8 without control characters")
        split = message.rfind("\n\n")
        if split < 0:
            raise NoteError("no blank line separates the text from its signatures")
        text, block = message[: split + 1], message[split + 2 :]
        if not block.endswith("\n"):
            raise NoteError("a note ends in a signature line and a newline")
        lines = block[:-1].split("\n")
        if len(lines) > MAX_SIGNATURES:
            raise NoteError(f"a note has at most {MAX_SIGNATURES} signatures")
        return cls(text, tuple(Signature.parse_line(line) for line in lines))


def _sign(text: str, signer: Signer) -> Signature:
    return Signature(signer.name, signer.key_id, signer.sign(text.encode()))


def sign_note(text: str, signer: Signer) -> Note:
    """``text`` signed by ``signer``. Requires text ending in a newline."""
    _check_text(text)
    return Note(text, (_sign(text, signer),))


def add_signature(note: Note, signer: Signer) -> Note:
    """``note`` with a signature by ``signer``, replacing one by the same key."""
    new = _sign(note.text, signer)
    kept = [s for s in note.signatures if (s.name, s.key_id) != (new.name, new.key_id)]
    return Note(note.text, (*kept, new))


def verify_note(note: Note, verifiers: Iterable[Verifier]) -> list[Verifier]:
    """The verifiers that signed ``note``, each once, in signature order.

    Signatures whose name and key ID do not both match a verifier are ignored.
    Raises SignatureError if a signature by a known key fails, NoteError if two
    verifiers share a name and key ID, UnverifiedNoteError if no known key signed.
    """
    known: dict[tuple[str, bytes], list[Verifier]] = {}
    for verifier in verifiers:
        known.setdefault((verifier.name, bytes(verifier.key_id)), []).append(verifier)
    message = note.text.encode()
    verified: list[Verifier] = []
    for sig in note.signatures:
        matches = known.get((sig.name, sig.key_id), [])
        if len(matches) > 1:
            raise NoteError(f"ambiguous key {sig.name}+{sig.key_id.hex()}")
        if not matches:
            continue
        if not matches[0].verify(message, sig.signature):
            raise SignatureError(sig.name, sig.key_id)
        if not any(v is matches[0] for v in verified):
            verified.append(matches[0])
    if not verified:
        raise UnverifiedNoteError("the note carries no signature by a known key")
    return verified


def _check_timestamp(timestamp: int) -> None:
    if not 0 <= timestamp <= MAX_TIMESTAMP:
        raise NoteError(f"cosignature time {timestamp} is out of range")


def cosignature_message(checkpoint_body: str, timestamp: int) -> bytes:
    """``cosignature/v1\\ntime <t>\\n`` + the checkpoint body: what a cosigner signs."""
    Checkpoint.parse(checkpoint_body)
    _check_timestamp(timestamp)
    return f"{COSIGNATURE_HEADER}time {timestamp}\n{checkpoint_body}".encode()


def cosign(checkpoint_body: str, timestamp: int, signer: Signer) -> Signature:
    """A cosignature/v1 line. Requires the signer's key ID to be of type 0x04."""
    message = cosignature_message(checkpoint_body, timestamp)
    stamped = timestamp.to_bytes(TIMESTAMP_SIZE, "big") + signer.sign(message)
    return Signature(signer.name, signer.key_id, stamped)


def cosignature_timestamp(signature: Signature) -> int:
    """The time a cosignature/v1 claims, unverified."""
    if len(signature.signature) != TIMESTAMP_SIZE + ED25519_SIGNATURE_SIZE:
        raise NoteError("an Ed25519 cosignature has a timestamp and 64 bytes")
    timestamp = int.from_bytes(signature.signature[:TIMESTAMP_SIZE], "big")
    _check_timestamp(timestamp)
    return timestamp


def verify_cosignature(
    checkpoint_body: str,
    signature: Signature,
    verifier: Verifier,
    *,
    not_after: int | None = None,
) -> int:
    """The cosignature's time, if ``verifier``'s key made it over this body.

    Requires a verifier of plain Ed25519 signatures whose key ID is of type 0x04.
    Raises SignatureError if the signature is by another key, fails, or is dated
    after ``not_after``.
    """
    if (signature.name, signature.key_id) != (verifier.name, bytes(verifier.key_id)):
        raise SignatureError(signature.name, signature.key_id, "not by this cosigner")
    timestamp = cosignature_timestamp(signature)
    if not_after is not None and timestamp > not_after:
        raise SignatureError(
            signature.name, signature.key_id, f"cosigned in the future ({timestamp})"
        )
    message = cosignature_message(checkpoint_body, timestamp)
    if not verifier.verify(message, signature.signature[TIMESTAMP_SIZE:]):
        raise SignatureError(signature.name, signature.key_id)
    return timestamp


@dataclass(frozen=True)
class CosignatureSigner:
    """A Signer that cosigns checkpoint notes at a fixed time with a 0x04 key."""

    signer: Signer
    timestamp: int

    @property
    def name(self) -> str:
        return self.signer.name

    @property
    def key_id(self) -> bytes:
        return self.signer.key_id

    def sign(self, message: bytes) -> bytes:
        return cosign(message.decode(), self.timestamp, self.signer).signature


@dataclass(frozen=True)
class CosignatureVerifier:
    """A Verifier that lets ``verify_note`` check cosignature/v1 lines."""

    verifier: Verifier

    @property
    def name(self) -> str:
        return self.verifier.name

    @property
    def key_id(self) -> bytes:
        return self.verifier.key_id

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            line = Signature(self.name, self.key_id, signature)
            verify_cosignature(message.decode(), line, self.verifier)
        except (NoteError, UnicodeDecodeError):
            return False
        return True
