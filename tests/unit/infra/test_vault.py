"""The personal-data vault: per-subject keys, sealing, erasure by crypto-shredding."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import pytest

from domain.cases.personal_data import Applicant
from domain.errors import PersonalDataErasedError
from infra.vault import (
    CiphertextError,
    PersonalDataVault,
    VaultError,
    open_applicant,
    seal_applicant,
)

TENANT = "xinhe.tahe.village-3"
AD = b"gongkai:test"
PERSON = Applicant(
    "欧阳娜娜", "13812345678", "11010519491231002X", "新和县塔河镇团结村3组15号"
)


@pytest.fixture
def vault(tmp_path: Path) -> PersonalDataVault:
    return PersonalDataVault(tmp_path / "vault")


def key_file(tmp_path: Path, subject: str) -> Path:
    return tmp_path / "vault" / f"{subject}.key"


def test_a_new_subject_gets_its_own_private_key_file(
    vault: PersonalDataVault, tmp_path: Path
) -> None:
    first, second = vault.new_subject(), vault.new_subject()

    assert first != second
    file = key_file(tmp_path, first)
    assert len(file.read_bytes()) == 32
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert stat.S_IMODE(file.parent.stat().st_mode) == 0o700
    assert file.read_bytes() != key_file(tmp_path, second).read_bytes()
    assert not [p for p in file.parent.iterdir() if p.name.startswith(".tmp-")]


def test_a_round_trip_gives_back_the_plaintext(vault: PersonalDataVault) -> None:
    subject = vault.new_subject()
    blob = vault.encrypt(subject, "张三".encode(), AD)

    assert blob[0] == 1
    assert vault.decrypt(subject, blob, AD) == "张三".encode()
    assert vault.encrypt(subject, b"x", AD) != vault.encrypt(subject, b"x", AD)


def test_another_vault_on_the_same_directory_reads_the_blob(
    vault: PersonalDataVault, tmp_path: Path
) -> None:
    subject = vault.new_subject()
    blob = vault.encrypt(subject, b"data", AD)
    assert PersonalDataVault(tmp_path / "vault").decrypt(subject, blob, AD) == b"data"


@pytest.mark.parametrize("position", [0, 1, 13, -1])
def test_a_tampered_blob_fails(vault: PersonalDataVault, position: int) -> None:
    subject = vault.new_subject()
    blob = bytearray(vault.encrypt(subject, b"13812345678", AD))
    blob[position] ^= 0x01
    with pytest.raises(CiphertextError):
        vault.decrypt(subject, bytes(blob), AD)


def test_a_truncated_blob_fails(vault: PersonalDataVault) -> None:
    subject = vault.new_subject()
    blob = vault.encrypt(subject, b"13812345678", AD)
    with pytest.raises(CiphertextError):
        vault.decrypt(subject, blob[:20], AD)


def test_wrong_associated_data_fails(vault: PersonalDataVault) -> None:
    subject = vault.new_subject()
    blob = vault.encrypt(subject, b"13812345678", AD)
    with pytest.raises(CiphertextError):
        vault.decrypt(subject, blob, b"gongkai:other")


def test_another_subjects_key_fails(vault: PersonalDataVault) -> None:
    blob = vault.encrypt(vault.new_subject(), b"13812345678", AD)
    with pytest.raises(CiphertextError):
        vault.decrypt(vault.new_subject(), blob, AD)


def test_erasing_destroys_the_key_and_the_data(
    vault: PersonalDataVault, tmp_path: Path
) -> None:
    subject = vault.new_subject()
    blob = vault.encrypt(subject, b"13812345678", AD)
    assert not vault.is_erased(subject)

    vault.erase(subject)

    assert vault.is_erased(subject)
    assert not key_file(tmp_path, subject).exists()
    with pytest.raises(PersonalDataErasedError) as raised:
        vault.decrypt(subject, blob, AD)
    assert (raised.value.slug, raised.value.status) == ("personal-data-erased", 410)
    with pytest.raises(PersonalDataErasedError):
        vault.encrypt(subject, b"again", AD)


def test_erasing_is_idempotent(vault: PersonalDataVault) -> None:
    subject = vault.new_subject()
    vault.erase(subject)
    vault.erase(subject)
    assert vault.is_erased(subject)


def test_erasing_one_subject_leaves_the_others(vault: PersonalDataVault) -> None:
    kept, erased = vault.new_subject(), vault.new_subject()
    blob = vault.encrypt(kept, b"data", AD)
    vault.erase(erased)
    assert vault.decrypt(kept, blob, AD) == b"data"


def test_a_key_zeroed_by_an_erasure_in_progress_reads_as_erased(
    vault: PersonalDataVault, tmp_path: Path
) -> None:
    subject = vault.new_subject()
    blob = vault.encrypt(subject, b"data", AD)
    key_file(tmp_path, subject).write_bytes(bytes(32))
    with pytest.raises(PersonalDataErasedError):
        vault.decrypt(subject, blob, AD)


@pytest.mark.parametrize(
    "subject", ["../etc/passwd", "not-a-uuid", "6F9619FF-8B86-D011-B42D-00C04FC964FF"]
)
def test_a_subject_must_be_a_canonical_uuid(
    vault: PersonalDataVault, subject: str
) -> None:
    with pytest.raises(VaultError):
        vault.is_erased(subject)


# Sealed applicants -------------------------------------------------------------------


def test_a_sealed_applicant_opens_to_the_same_applicant(
    vault: PersonalDataVault,
) -> None:
    sealed = seal_applicant(vault, PERSON, TENANT)

    assert open_applicant(vault, sealed, TENANT) == PERSON
    assert sealed["redacted"] == PERSON.redacted()


def test_the_sealed_form_holds_no_clear_personal_data(
    vault: PersonalDataVault,
) -> None:
    sealed = seal_applicant(vault, PERSON, TENANT)
    text = json.dumps(sealed, ensure_ascii=False)
    escaped = json.dumps(sealed)

    for secret in (
        "欧阳娜娜",
        "阳娜",
        "13812345678",
        "12345678",
        "11010519491231002X",
        "19491231",
        "团结村",
        "3组15号",
    ):
        assert secret not in text
        assert secret not in escaped
    assert set(sealed) == {"subject", "ciphertext", "redacted"}


def test_a_sealed_applicant_is_bound_to_its_tenant(vault: PersonalDataVault) -> None:
    sealed = seal_applicant(vault, PERSON, TENANT)
    with pytest.raises(CiphertextError):
        open_applicant(vault, sealed, "xinhe.tahe.village-4")


def test_an_erased_applicant_opens_to_none(vault: PersonalDataVault) -> None:
    sealed = seal_applicant(vault, PERSON, TENANT)
    vault.erase(sealed["subject"])
    assert open_applicant(vault, sealed, TENANT) is None


def test_one_erasure_reaches_every_case_sealed_under_the_subject(
    vault: PersonalDataVault,
) -> None:
    first = seal_applicant(vault, PERSON, TENANT)
    second = seal_applicant(vault, PERSON, "xinhe.tahe", subject=first["subject"])
    assert open_applicant(vault, second, "xinhe.tahe") == PERSON

    vault.erase(first["subject"])

    assert open_applicant(vault, first, TENANT) is None
    assert open_applicant(vault, second, "xinhe.tahe") is None


def test_a_malformed_sealed_form_is_refused(vault: PersonalDataVault) -> None:
    sealed = seal_applicant(vault, PERSON, TENANT)
    with pytest.raises(CiphertextError):
        open_applicant(vault, {**sealed, "ciphertext": "not base64!"}, TENANT)
    with pytest.raises(CiphertextError):
        open_applicant(vault, {"subject": sealed["subject"]}, TENANT)
    swapped = base64.b64encode(b"\x02" + bytes(40)).decode()
    with pytest.raises(CiphertextError):
        open_applicant(vault, {**sealed, "ciphertext": swapped}, TENANT)
