"""A checkpoint verifies with an independent Ed25519 implementation, and back.

``infra.keys`` signs through ``cryptography`` (OpenSSL). The checks here use libsodium
(PyNaCl) and the pure-Python reference code of RFC 8032 section 6
(``ed25519_ref``); Ed25519 is deterministic, so all three must agree byte for byte.
"""

from __future__ import annotations

import hashlib

import pytest
from nacl.signing import SigningKey, VerifyKey

from domain.ledger.note import (
    COSIGNATURE_V1,
    Checkpoint,
    Note,
    Signature,
    cosign,
    cosignature_message,
    sign_note,
    verify_cosignature,
    verify_note,
)
from infra.keys import Ed25519Signer, Ed25519Verifier
from tests.unit.domain.ledger import ed25519_ref

LOG = "gongkai.example/log/xinhe.tahe"
WITNESS = "gongkai.example/witness/xinhe"
SEEDS = [hashlib.sha256(label.encode()).digest() for label in ("县", "镇", "村")]
CHECKPOINTS = [
    Checkpoint(LOG, 0, hashlib.sha256(b"").digest()),
    Checkpoint(LOG, 20852163, bytes(range(32)), ("公开目录 v2",)),
]
CASES = [(seed, cp) for seed in SEEDS for cp in CHECKPOINTS]

# RFC 8032 section 7.1, TEST 1 and TEST 3: (secret, public, message, signature).
RFC8032 = [
    (
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590"
        "a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    ),
    (
        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        "af82",
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d"
        "16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
    ),
]


@pytest.mark.parametrize(("secret", "public", "message", "signature"), RFC8032)
def test_all_three_implementations_give_the_rfc_8032_answers(
    secret: str, public: str, message: str, signature: str
) -> None:
    seed, msg = bytes.fromhex(secret), bytes.fromhex(message)
    ours = Ed25519Signer(LOG, seed)

    assert ours.public_key.hex() == public
    assert ed25519_ref.public_key(seed).hex() == public
    assert SigningKey(seed).verify_key.encode().hex() == public
    assert ours.sign(msg).hex() == signature
    assert ed25519_ref.sign(seed, msg).hex() == signature
    assert SigningKey(seed).sign(msg).signature.hex() == signature


@pytest.mark.parametrize(("seed", "checkpoint"), CASES)
def test_a_checkpoint_verifies_with_an_independent_ed25519_implementation(
    seed: bytes, checkpoint: Checkpoint
) -> None:
    signer = Ed25519Signer(LOG, seed)
    note = Note.parse(sign_note(checkpoint.body(), signer).format())
    message, signature = note.text.encode(), note.signatures[0].signature

    VerifyKey(signer.public_key).verify(message, signature)  # raises if bad
    assert ed25519_ref.verify(signer.public_key, message, signature)
    assert not ed25519_ref.verify(signer.public_key, message + b"x", signature)


@pytest.mark.parametrize(("seed", "checkpoint"), CASES)
def test_independent_signatures_are_identical_and_verify_with_ours(
    seed: bytes, checkpoint: Checkpoint
) -> None:
    ours = Ed25519Signer(LOG, seed)
    message = checkpoint.body().encode()
    by_nacl = SigningKey(seed).sign(message).signature
    by_ref = ed25519_ref.sign(seed, message)

    assert by_nacl == by_ref == ours.sign(message)
    for raw in (by_nacl, by_ref):
        note = Note(checkpoint.body(), (Signature(LOG, ours.key_id, raw),))
        verifier = Ed25519Verifier(LOG, SigningKey(seed).verify_key.encode())
        assert verify_note(Note.parse(note.format()), [verifier]) == [verifier]


@pytest.mark.parametrize(("seed", "checkpoint"), CASES)
def test_a_cosignature_verifies_both_ways_across_implementations(
    seed: bytes, checkpoint: Checkpoint
) -> None:
    cosigner = Ed25519Signer(WITNESS, seed, signature_type=COSIGNATURE_V1)
    body, when = checkpoint.body(), 1_767_225_600
    ours = cosign(body, when, cosigner)

    VerifyKey(cosigner.public_key).verify(
        cosignature_message(body, when), ours.signature[8:]
    )
    theirs = Signature(
        WITNESS,
        cosigner.key_id,
        when.to_bytes(8, "big")
        + ed25519_ref.sign(seed, cosignature_message(body, when)),
    )
    assert theirs == ours
    assert verify_cosignature(body, theirs, cosigner.verifier()) == when
