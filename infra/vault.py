"""Crypto-shredding: personal data sealed with one AES-256-GCM key per subject, on disk.

A subject is a random UUID; its key is 32 random bytes in ``<dir>/<subject>.key`` (mode
0600, directory 0700), created whole or not at all. A sealed blob is

    version (1 byte, 0x01) || nonce (12 random bytes) || AES-GCM ciphertext and tag,

authenticated with ``version || associated_data``. Erasing a subject overwrites its key
file with zeros, fsyncs and unlinks it: every blob sealed for it, wherever it was
copied (event log, backups of the log), becomes unreadable while the log's hashes stay
valid. A missing key reads as erased; key files must therefore never be restored from a
backup taken before an erasure, and the directory must be backed up on its own terms.
Overwriting does not reach copies a copy-on-write or flash file system keeps elsewhere;
put the directory on storage whose discard you trust, or encrypt that volume.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TypedDict
from uuid import UUID, uuid4

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from domain.cases.personal_data import Applicant
from domain.errors import PersonalDataErasedError
from infra.settings import Settings

VERSION = b"\x01"
KEY_SIZE = 32
NONCE_SIZE = 12
TAG_SIZE = 16


class VaultError(Exception):
    """A subject id, key file or sealed blob cannot be used (not an erasure)."""


class CiphertextError(VaultError):
    """A blob is malformed, was altered, or is opened with the wrong associated data."""


def default_vault_dir(settings: Settings) -> Path:
    """``$GONGKAI_HOME/vault``, apart from the tenants' signing keys."""
    return settings.home / "vault"


class PersonalDataVault:
    """One random AES-256-GCM key per subject, kept as files under a directory."""

    def __init__(self, directory: Path | str) -> None:
        self._dir = Path(directory)

    def new_subject(self) -> str:
        """A fresh subject id with its own new key."""
        while True:
            subject = str(uuid4())
            if self._create(self._file(subject), secrets.token_bytes(KEY_SIZE)):
                return subject

    def encrypt(self, subject: str, plaintext: bytes, associated_data: bytes) -> bytes:
        """Seal ``plaintext`` for ``subject``; PersonalDataErasedError if erased."""
        nonce = secrets.token_bytes(NONCE_SIZE)
        sealed = AESGCM(self._key(subject)).encrypt(
            nonce, plaintext, VERSION + associated_data
        )
        return VERSION + nonce + sealed

    def decrypt(self, subject: str, blob: bytes, associated_data: bytes) -> bytes:
        """Open a blob of ``encrypt``; raises PersonalDataErasedError if erased."""
        key = self._key(subject)
        if len(blob) < 1 + NONCE_SIZE + TAG_SIZE or blob[:1] != VERSION:
            raise CiphertextError("not a sealed blob of format version 1")
        nonce, sealed = blob[1 : 1 + NONCE_SIZE], blob[1 + NONCE_SIZE :]
        try:
            return AESGCM(key).decrypt(nonce, sealed, VERSION + associated_data)
        except InvalidTag:
            raise CiphertextError(
                f"blob of subject {subject} was altered or belongs elsewhere"
            ) from None

    def erase(self, subject: str) -> None:
        """Destroy the subject's key: zeros, fsync, unlink. Idempotent."""
        file = self._file(subject)
        try:
            fd = os.open(file, os.O_WRONLY)
        except FileNotFoundError:
            return
        try:
            size = os.fstat(fd).st_size
            written = 0
            while written < size:
                written += os.write(fd, bytes(size - written))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.unlink(file)
        except FileNotFoundError:
            return  # another process finished the same erasure
        self._sync_dir()

    def is_erased(self, subject: str) -> bool:
        """True once erased (and for an id this vault never made)."""
        return not self._file(subject).exists()

    def _file(self, subject: str) -> Path:
        try:
            canonical = str(UUID(subject))
        except ValueError:
            canonical = ""
        if canonical != subject:
            raise VaultError(f"subject {subject!r} is not a canonical UUID")
        return self._dir / f"{subject}.key"

    def _key(self, subject: str) -> bytes:
        try:
            key = self._file(subject).read_bytes()
        except FileNotFoundError:
            key = b""
        if not any(key):  # gone, or zeroed by an erasure in progress
            raise PersonalDataErasedError(
                f"the personal data of subject {subject} was erased"
            )
        if len(key) != KEY_SIZE:
            raise VaultError(f"key of subject {subject} does not hold {KEY_SIZE} bytes")
        return key

    def _create(self, file: Path, data: bytes) -> bool:
        """Write a 0600 ``file`` whole or not at all; False if it already exists."""
        self._dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=self._dir, prefix=".tmp-")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(temporary, file)
            except FileExistsError:
                return False
        finally:
            os.unlink(temporary)
        self._sync_dir()
        return True

    def _sync_dir(self) -> None:
        directory = os.open(self._dir, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


class SealedApplicant(TypedDict):
    """The only form of an applicant that may go into an event."""

    subject: str
    ciphertext: str  # standard base64 of the sealed blob
    redacted: dict[str, str | None]


def _associated_data(case_tenant: str, subject: str) -> bytes:
    return f"gongkai:applicant:v1:{case_tenant}:{subject}".encode()


def seal_applicant(
    vault: PersonalDataVault,
    applicant: Applicant,
    case_tenant: str,
    *,
    subject: str | None = None,
) -> SealedApplicant:
    """Seal ``applicant`` for a case of ``case_tenant``, under a new subject by default.

    Pass ``subject`` to seal under an existing subject (the same person again), so that
    one erasure reaches every case of theirs.
    """
    subject = subject or vault.new_subject()
    clear = json.dumps(
        applicant.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    ).encode()
    blob = vault.encrypt(subject, clear, _associated_data(case_tenant, subject))
    return {
        "subject": subject,
        "ciphertext": base64.b64encode(blob).decode("ascii"),
        "redacted": applicant.redacted(),
    }


def open_applicant(
    vault: PersonalDataVault, sealed: Mapping[str, object], case_tenant: str
) -> Applicant | None:
    """The applicant of a sealed form of a case of ``case_tenant``; None once erased."""
    subject, ciphertext = sealed.get("subject"), sealed.get("ciphertext")
    if not isinstance(subject, str) or not isinstance(ciphertext, str):
        raise CiphertextError("a sealed applicant has a subject and a ciphertext")
    try:
        blob = base64.b64decode(ciphertext, validate=True)
    except binascii.Error as error:
        raise CiphertextError("the ciphertext is not base64") from error
    try:
        clear = vault.decrypt(subject, blob, _associated_data(case_tenant, subject))
    except PersonalDataErasedError:
        return None
    data = json.loads(clear)
    if not isinstance(data, dict):
        raise CiphertextError("a sealed applicant opens to a JSON object")
    return Applicant.from_dict(data)
