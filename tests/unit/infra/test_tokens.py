"""Token verification, with the cache of tokens already verified."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from infra.tokens import TokenError, TokenSigner


def test_a_cached_token_is_still_refused_once_it_expires() -> None:
    signer = TokenSigner(b"s" * 32)
    token = signer.mint(
        subject="clerk", tenant="xinhe", roles=["clerk"], ttl=timedelta(seconds=2)
    )
    first = signer.verify(token)
    assert signer.verify(token) is first  # the second check is the cached one
    time.sleep(max(0.0, (first.expires_at - datetime.now(UTC)).total_seconds()) + 0.05)
    with pytest.raises(TokenError, match="expired"):
        signer.verify(token)
    with pytest.raises(TokenError, match="expired"):
        signer.verify(token)  # and again, now from the signature check


def test_the_cache_never_vouches_for_another_secret_or_a_changed_token() -> None:
    ours, theirs = TokenSigner(b"a" * 32), TokenSigner(b"b" * 32)
    token = ours.mint(subject="clerk", tenant="xinhe", roles=["clerk"])
    assert ours.verify(token).tenant == "xinhe"
    with pytest.raises(TokenError):
        theirs.verify(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    forged = jwt.encode({**claims, "tenant": None}, "wrong", algorithm="HS256")
    with pytest.raises(TokenError):
        ours.verify(forged)
