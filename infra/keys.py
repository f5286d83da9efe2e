"""Ed25519 signers and verifiers for signed notes, and one key per tenant on disk.

A tenant's private key is its 32-byte RFC 8032 seed in ``<dir>/<path>.key`` (mode
0600), made on first use and written atomically. Rotation keeps each replaced public
key as ``<dir>/<path>.retired.<n>.pub`` (its 32 raw bytes, n = 1, 2, ...) so that old
checkpoints still verify. Nothing here logs; reprs show names and key IDs only.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from domain.ledger.note import (
    COSIGNATURE_V1,
    ED25519,
    PUBLIC_KEY_SIZE,
    cosignature_key_id,
    ed25519_key_id,
    parse_verifier_key,
    verifier_key,
)

SEED_SIZE = 32
_TENANT_PATH = re.compile(r"[a-z0-9][a-z0-9-]*(?:\.[a-z0-9][a-z0-9-]*)*")


class InvalidKeyError(Exception):
    """Key bytes, a key file, or a tenant path naming one cannot be used."""


def _key_id(name: str, signature_type: int, public_key: bytes) -> bytes:
    if signature_type == ED25519:
        return ed25519_key_id(name, public_key)
    if signature_type == COSIGNATURE_V1:
        return cosignature_key_id(name, public_key)
    raise InvalidKeyError(f"signature type 0x{signature_type:02x} is not Ed25519")


def public_key_of(seed: bytes) -> bytes:
    """The 32-byte Ed25519 public key of a 32-byte seed."""
    if len(seed) != SEED_SIZE:
        raise InvalidKeyError(f"an Ed25519 seed has 32 bytes, not {len(seed)}")
    public = Ed25519PrivateKey.from_private_bytes(seed).public_key()
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


class Ed25519Signer:
    """Signs with an Ed25519 key, named for notes (0x01) or cosignatures (0x04)."""

    def __init__(
        self, name: str, seed: bytes, *, signature_type: int = ED25519
    ) -> None:
        self._public_key = public_key_of(seed)
        self._private_key = Ed25519PrivateKey.from_private_bytes(seed)
        self._name = name
        self._signature_type = signature_type
        self._key_id = _key_id(name, signature_type, self._public_key)

    @property
    def name(self) -> str:
        return self._name

    @property
    def key_id(self) -> bytes:
        return self._key_id

    @property
    def public_key(self) -> bytes:
        return self._public_key

    def sign(self, message: bytes) -> bytes:
        """The 64-byte RFC 8032 signature of ``message``."""
        return self._private_key.sign(message)

    def verifier(self) -> Ed25519Verifier:
        return Ed25519Verifier(
            self._name, self._public_key, signature_type=self._signature_type
        )

    def verifier_key(self) -> str:
        """``name+<key ID>+base64(type || public key)``, safe to publish."""
        return verifier_key(self._name, self._public_key, self._signature_type)

    def __repr__(self) -> str:
        return f"Ed25519Signer({self._name!r}, key_id={self._key_id.hex()})"


class Ed25519Verifier:
    """Checks Ed25519 signatures by one public key, named like its signer."""

    def __init__(
        self, name: str, public_key: bytes, *, signature_type: int = ED25519
    ) -> None:
        if len(public_key) != PUBLIC_KEY_SIZE:
            raise InvalidKeyError(f"an Ed25519 key has 32 bytes, not {len(public_key)}")
        try:
            self._key = Ed25519PublicKey.from_public_bytes(public_key)
        except ValueError as error:
            raise InvalidKeyError("not an Ed25519 public key") from error
        self._name = name
        self._public_key = bytes(public_key)
        self._key_id = _key_id(name, signature_type, public_key)

    @classmethod
    def from_verifier_key(
        cls, text: str, *, signature_type: int = ED25519
    ) -> Ed25519Verifier:
        """The verifier a ``name+<key ID>+<base64>`` string describes."""
        name, _, public_key = parse_verifier_key(text, signature_type)
        return cls(name, public_key, signature_type=signature_type)

    @property
    def name(self) -> str:
        return self._name

    @property
    def key_id(self) -> bytes:
        return self._key_id

    @property
    def public_key(self) -> bytes:
        return self._public_key

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            self._key.verify(signature, message)
        except InvalidSignature:
            return False
        return True

    def __repr__(self) -> str:
        return f"Ed25519Verifier({self._name!r}, key_id={self._key_id.hex()})"


def make_verifier(text: str, signature_type: int) -> Ed25519Verifier:
    """An Ed25519 verifier of the key ``text`` for note (0x01) or cosignature (0x04)."""
    name, _, public_key = parse_verifier_key(text)
    return Ed25519Verifier(name, public_key, signature_type=signature_type)


class KeyStore:
    """One Ed25519 private key per tenant path, kept as files under a directory.

    Requires a single writer per directory for ``rotate``.
    """

    def __init__(self, directory: Path | str) -> None:
        self._dir = Path(directory)

    def exists(self, path: str) -> bool:
        return self._file(path, "key").exists()

    def signer(self, name_for_note: str, path: str) -> Ed25519Signer:
        """The tenant's note signer (type 0x01), its key made on first use."""
        return Ed25519Signer(name_for_note, self._seed(path))

    def cosigner(self, name: str, path: str) -> Ed25519Signer:
        """The tenant's cosigner (type 0x04) with the same key, made on first use."""
        return Ed25519Signer(name, self._seed(path), signature_type=COSIGNATURE_V1)

    def public_key(self, path: str) -> bytes:
        return public_key_of(self._seed(path))

    def retired_public_keys(self, path: str) -> list[bytes]:
        """Public keys replaced by ``rotate``, oldest first."""
        keys: list[bytes] = []
        while (file := self._file(path, f"retired.{len(keys) + 1}.pub")).exists():
            keys.append(self._read(file, PUBLIC_KEY_SIZE))
        return keys

    def verifiers(
        self, name: str, path: str, *, signature_type: int = ED25519
    ) -> list[Ed25519Verifier]:
        """Verifiers for the current key and every retired one, newest first."""
        keys = [self.public_key(path), *reversed(self.retired_public_keys(path))]
        return [Ed25519Verifier(name, k, signature_type=signature_type) for k in keys]

    def rotate(self, path: str) -> tuple[bytes, bytes]:
        """Retire the tenant's key for a new one; returns (old, new) public keys."""
        old_public = public_key_of(self._seed(path))
        number = len(self.retired_public_keys(path)) + 1
        if not self._write(self._file(path, f"retired.{number}.pub"), old_public):
            raise InvalidKeyError(f"key of {path} is being rotated elsewhere")
        new_seed = secrets.token_bytes(SEED_SIZE)
        self._write(self._file(path, "key"), new_seed, mode=0o600, replace=True)
        return old_public, public_key_of(new_seed)

    def _file(self, path: str, suffix: str) -> Path:
        if not _TENANT_PATH.fullmatch(path):
            raise InvalidKeyError(f"tenant path {path!r} cannot name a key file")
        return self._dir / f"{path}.{suffix}"

    def _seed(self, path: str) -> bytes:
        file = self._file(path, "key")
        if not file.exists():
            self._write(file, secrets.token_bytes(SEED_SIZE), mode=0o600)
        return self._read(file, SEED_SIZE)

    @staticmethod
    def _read(file: Path, size: int) -> bytes:
        data = file.read_bytes()
        if len(data) != size:
            raise InvalidKeyError(f"{file.name} does not hold {size} bytes")
        return data

    def _write(
        self, file: Path, data: bytes, *, mode: int = 0o644, replace: bool = False
    ) -> bool:
        """Write ``file`` whole or not at all; False if it exists and may stay."""
        self._dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=self._dir, prefix=".tmp-")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temporary, mode)
            if replace:
                os.replace(temporary, file)
            else:
                try:
                    os.link(temporary, file)
                except FileExistsError:
                    return False
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        directory = os.open(self._dir, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
        return True
