"""Argon2id password hashing (argon2-cffi) and one-time activation codes.

Passwords are hashed with Argon2id at argon2-cffi's defaults (RFC 9106's low-memory
profile: 3 passes over 64 MiB, 4 lanes), each with its own random salt, in the PHC
string format, so parameters can be raised later and old hashes are rehashed at the
next successful sign-in. Activation codes are 80 random bits: a plain SHA-256 digest
suffices to store them (nobody can guess 2⁸⁰ codes), and is compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_GROUPS, CODE_GROUP_SIZE = 4, 4


class Passwords:
    """Hash and check passwords with Argon2id."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()
        self._dummy: str | None = None

    def _dummy_hash(self) -> str:
        """Checked when the account has no password, so that answers take as long."""
        if self._dummy is None:
            self._dummy = self._hasher.hash(secrets.token_urlsafe(16))
        return self._dummy

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        """True when ``password`` matches; a missing hash costs as much as a check."""
        try:
            return self._hasher.verify(
                password_hash or self._dummy_hash(), password
            ) and (password_hash is not None)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)


def new_activation_code() -> str:
    """Sixteen characters in four groups, e.g. ``K7QD-3MXP-9TRA-WF2H`` (80 bits)."""
    chars = [
        secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUPS * CODE_GROUP_SIZE)
    ]
    groups = [
        "".join(chars[i : i + CODE_GROUP_SIZE])
        for i in range(0, len(chars), CODE_GROUP_SIZE)
    ]
    return "-".join(groups)


def activation_digest(code: str) -> str:
    """SHA-256 of the code as typed, ignoring case, spaces and dashes."""
    canonical = "".join(c for c in code.upper() if c.isalnum())
    return hashlib.sha256(canonical.encode()).hexdigest()


def new_client_secret() -> str:
    """An integrator client's secret: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def client_secret_digest(secret: str) -> str:
    """SHA-256 of the secret exactly as sent (256 random bits need no slow hash)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def same_digest(a: str | None, b: str) -> bool:
    return a is not None and hmac.compare_digest(a, b)
