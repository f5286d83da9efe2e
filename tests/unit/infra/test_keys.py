"""The per-tenant Ed25519 key store and its signers and verifiers."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest

from domain.errors import UnverifiedNoteError
from domain.ledger.note import (
    COSIGNATURE_V1,
    Checkpoint,
    cosign,
    parse_verifier_key,
    sign_note,
    verify_cosignature,
    verify_note,
)
from infra.keys import Ed25519Signer, Ed25519Verifier, InvalidKeyError, KeyStore

TENANT = "xinhe.tahe"
LOG = "gongkai.example/log/xinhe.tahe"
BODY = Checkpoint(LOG, 3, bytes(32)).body()


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_key_is_made_on_first_use_and_then_kept(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    assert not store.exists(TENANT)

    first = store.public_key(TENANT)

    assert store.exists(TENANT)
    assert store.public_key(TENANT) == first
    assert KeyStore(tmp_path / "keys").public_key(TENANT) == first
    assert store.signer(LOG, TENANT).public_key == first
    assert store.public_key("xinhe") != first


def test_the_key_file_is_32_bytes_readable_by_its_owner_only(tmp_path: Path) -> None:
    store = KeyStore(tmp_path)
    store.signer(LOG, TENANT)

    key_file = tmp_path / f"{TENANT}.key"
    assert mode_of(key_file) == 0o600
    assert len(key_file.read_bytes()) == 32
    assert sorted(p.name for p in tmp_path.iterdir()) == [key_file.name]


def test_a_new_key_directory_is_private(tmp_path: Path) -> None:
    KeyStore(tmp_path / "keys").public_key(TENANT)

    assert mode_of(tmp_path / "keys") & 0o077 == 0


def test_signer_and_verifier_round_trip(tmp_path: Path) -> None:
    signer = KeyStore(tmp_path).signer(LOG, TENANT)
    note = sign_note(BODY, signer)

    assert verify_note(note, [signer.verifier()])
    from_text = Ed25519Verifier.from_verifier_key(signer.verifier_key())
    assert verify_note(note, [from_text])
    assert from_text.key_id == signer.key_id
    assert from_text.verify(b"other", note.signatures[0].signature) is False


def test_the_cosigner_uses_the_same_key_under_a_cosignature_key_id(
    tmp_path: Path,
) -> None:
    store = KeyStore(tmp_path)
    signer, cosigner = store.signer(LOG, TENANT), store.cosigner(LOG, TENANT)

    assert cosigner.public_key == signer.public_key
    assert cosigner.key_id != signer.key_id
    assert parse_verifier_key(cosigner.verifier_key(), COSIGNATURE_V1)[1] == (
        cosigner.key_id
    )
    assert verify_cosignature(BODY, cosign(BODY, 9, cosigner), cosigner.verifier()) == 9


def test_rotation_keeps_old_public_keys_so_old_checkpoints_verify(
    tmp_path: Path,
) -> None:
    store = KeyStore(tmp_path)
    old_note = sign_note(BODY, store.signer(LOG, TENANT))

    old, new = store.rotate(TENANT)

    assert old != new
    assert store.public_key(TENANT) == new
    assert store.retired_public_keys(TENANT) == [old]
    assert (tmp_path / f"{TENANT}.retired.1.pub").read_bytes() == old
    assert mode_of(tmp_path / f"{TENANT}.key") == 0o600
    assert verify_note(old_note, store.verifiers(LOG, TENANT))
    with pytest.raises(UnverifiedNoteError):
        verify_note(old_note, [store.signer(LOG, TENANT).verifier()])


def test_rotating_twice_keeps_both_old_keys_in_order(tmp_path: Path) -> None:
    store = KeyStore(tmp_path)

    first, second = store.rotate(TENANT)
    second_again, third = store.rotate(TENANT)

    assert second == second_again
    assert store.retired_public_keys(TENANT) == [first, second]
    assert [v.public_key for v in store.verifiers(LOG, TENANT)] == [
        third,
        second,
        first,
    ]
    assert not any(p.name.startswith(".tmp") for p in tmp_path.iterdir())


def test_retired_keys_of_one_tenant_are_not_mistaken_for_another(
    tmp_path: Path,
) -> None:
    store = KeyStore(tmp_path)
    store.rotate("xinhe.retired")

    assert store.retired_public_keys("xinhe") == []


@pytest.mark.parametrize(
    "path", ["", "../etc", "a/b", ".hidden", "Xinhe", "xinhe..tahe", "xinhe."]
)
def test_a_path_that_could_escape_the_directory_is_refused(
    tmp_path: Path, path: str
) -> None:
    with pytest.raises(InvalidKeyError):
        KeyStore(tmp_path).public_key(path)


def test_a_damaged_key_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / f"{TENANT}.key").write_bytes(b"short")

    with pytest.raises(InvalidKeyError, match="32 bytes"):
        KeyStore(tmp_path).signer(LOG, TENANT)


def test_signers_and_verifiers_never_show_key_material(tmp_path: Path) -> None:
    store = KeyStore(tmp_path)
    signer = store.signer(LOG, TENANT)
    seed = (tmp_path / f"{TENANT}.key").read_bytes()

    for shown in (repr(signer), str(signer), repr(signer.verifier())):
        assert seed.hex() not in shown
        assert base64.b64encode(seed).decode() not in shown
        assert signer.key_id.hex() in shown


def test_signer_refuses_seeds_and_keys_of_the_wrong_size() -> None:
    with pytest.raises(InvalidKeyError):
        Ed25519Signer(LOG, bytes(31))
    with pytest.raises(InvalidKeyError):
        Ed25519Verifier(LOG, bytes(33))
    with pytest.raises(InvalidKeyError):
        Ed25519Signer(LOG, bytes(32), signature_type=0x02)
