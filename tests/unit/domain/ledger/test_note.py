"""C2SP signed notes, checkpoints and cosignatures, checked against the specs' text.

Known answers come from C2SP/C2SP (signed-note.md, tlog-checkpoint.md,
tlog-cosignature.md), golang/mod sumdb/note/note_test.go (the PeterNeumann and
EnochRoot keys and notes) and transparency-dev/formats note/note_cosigv1_test.go.
"""

from __future__ import annotations

import base64
import hashlib

import pytest

from domain.errors import (
    CheckpointFormatError,
    NoteError,
    SignatureError,
    UnverifiedNoteError,
    VerifierKeyError,
)
from domain.ledger.note import (
    COSIGNATURE_V1,
    MAX_SIGNATURES,
    Checkpoint,
    CosignatureSigner,
    CosignatureVerifier,
    Note,
    Signature,
    add_signature,
    cosign,
    cosignature_key_id,
    cosignature_message,
    cosignature_timestamp,
    ed25519_key_id,
    parse_verifier_key,
    sign_note,
    verifier_key,
    verify_cosignature,
    verify_note,
)
from infra.keys import Ed25519Signer, Ed25519Verifier

# golang/mod sumdb/note/note_test.go
PETER_SKEY = (
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
)
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKv"
    "qfqdngotpRZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01o"
    "OTGwnWLox33WWd1RvMc+QQ=\n"
)

# C2SP tlog-checkpoint.md and tlog-cosignature.md
SOFA_BODY = (
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
)
SOFA_NOTE = (
    SOFA_BODY + "\n"
    "— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4U"
    "RYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
    "— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZC"
    "B9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n"
)

ROOT = bytes(range(32))
R64 = base64.b64encode(ROOT).decode()  # AAEC...Hh8=
LOG = "gongkai.example/log/xinhe"
WITNESS = "gongkai.example/witness/xinhe"


def seed(label: str) -> bytes:
    return hashlib.sha256(label.encode()).digest()


def peter() -> Ed25519Signer:
    return Ed25519Signer(
        "PeterNeumann", base64.b64decode(PETER_SKEY.split("+", 4)[4])[1:]
    )


def log_signer(label: str = "log") -> Ed25519Signer:
    return Ed25519Signer(LOG, seed(label))


def witness(label: str = "witness") -> Ed25519Signer:
    return Ed25519Signer(WITNESS, seed(label), signature_type=COSIGNATURE_V1)


# Checkpoints -----------------------------------------------------------------------


def test_checkpoint_body_is_origin_decimal_size_and_base64_root_on_lines() -> None:
    checkpoint = Checkpoint("example.com/log", 5, ROOT)

    assert checkpoint.body() == (
        "example.com/log\n5\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"
    )
    assert Checkpoint.parse(checkpoint.body()) == checkpoint


def test_checkpoint_from_the_c2sp_spec_parses_and_prints_back_unchanged() -> None:
    checkpoint = Checkpoint.parse(SOFA_BODY)

    assert checkpoint.origin == "example.com/behind-the-sofa"
    assert checkpoint.size == 20852163
    assert checkpoint.root_hash.hex().startswith("0ac5186a91863e8e")
    assert checkpoint.body() == SOFA_BODY


def test_checkpoint_extension_lines_follow_the_root_and_round_trip() -> None:
    checkpoint = Checkpoint("example.com/log", 0, ROOT, ("ext one", "扩展"))

    assert checkpoint.body().endswith("\next one\n扩展\n")
    assert Checkpoint.parse(checkpoint.body()) == checkpoint


@pytest.mark.parametrize(
    "body",
    [
        f"example.com/log\n5\n{R64}",  # no newline
        "example.com/log\n5\n",
        f"\n5\n{R64}\n",
        f"example.com/log\n05\n{R64}\n",
        f"example.com/log\n+5\n{R64}\n",
        f"example.com/log\n 5\n{R64}\n",
        f"example.com/log\n５\n{R64}\n",
        f"example.com/log\n-1\n{R64}\n",
        f"example.com/log\n1_0\n{R64}\n",
        f"example.com/log\n{2**64}\n{R64}\n",
        f"example.com/log\n5\n{R64[:-1]}\n",  # no padding
        f"example.com/log\n5\n{R64[:-2]}9=\n",  # non-canonical: spare bits set
        f"example.com/log\n5\n{R64}!\n",
        f"example.com/log\n5\n{base64.b64encode(ROOT[:31]).decode()}\n",  # 31 bytes
        f"example.com/log\n5\n{R64}\n\next\n",
        f"example.com/log\n5\n{R64}\n\n",
        f"example.com/log\r\n5\r\n{R64}\r\n",
        f"example.com/\tlog\n5\n{R64}\n",
    ],
)
def test_checkpoint_parse_rejects_malformed_bodies(body: str) -> None:
    with pytest.raises(CheckpointFormatError):
        Checkpoint.parse(body)


def test_checkpoint_rejects_negative_sizes_short_roots_and_empty_extensions() -> None:
    with pytest.raises(CheckpointFormatError):
        Checkpoint("example.com/log", -1, ROOT)
    with pytest.raises(CheckpointFormatError):
        Checkpoint("example.com/log", 1, ROOT[:31])
    with pytest.raises(CheckpointFormatError):
        Checkpoint("example.com/log", 1, ROOT, ("",))
    with pytest.raises(CheckpointFormatError):
        Checkpoint("example.com/log\n", 1, ROOT)


# Note format -----------------------------------------------------------------------


def test_note_text_may_hold_blank_lines_and_ends_at_the_last_one() -> None:
    # c2sp.org/signed-note's own example.
    message = (
        "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\n"
        "ed è subito sera.\n\n"
        "— quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+Eh"
        "fLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n"
    )

    note = Note.parse(message)

    assert note.text.endswith("sole:\n\ned è subito sera.\n")
    assert [s.name for s in note.signatures] == ["quasimodo.example/salvatore"]
    assert note.signatures[0].key_id.hex() == "367ba04b"
    assert note.format() == message


def test_note_from_the_c2sp_checkpoint_spec_holds_a_log_and_a_witness_line() -> None:
    note = Note.parse(SOFA_NOTE.encode())

    assert note.text == SOFA_BODY
    log, witness_line = note.signatures
    assert (log.name, len(log.signature)) == ("example.com/behind-the-sofa", 64)
    assert (witness_line.name, witness_line.key_id.hex()) == (
        "witness.example.com/w1",
        "8d66cf3f",
    )
    assert note.format() == SOFA_NOTE


@pytest.mark.parametrize(
    "message",
    [
        GO_TEXT,  # no blank line, no signature
        GO_TEXT + "\n",  # blank line but no signature
        GO_TEXT + "\n" + PETER_SIG[:-1],  # no final newline
        "\x01" + GO_TEXT + "\n" + PETER_SIG,  # control character
        GO_TEXT.replace("\n", "\r\n", 1) + "\n" + PETER_SIG,
        GO_TEXT + "\n" + PETER_SIG.replace("PeterNeumann", "Bad Name"),
        GO_TEXT + "\n" + PETER_SIG + "Unexpected line.\n",
        GO_TEXT + "\n" + PETER_SIG.replace("—", "-"),  # hyphen, not em dash
        GO_TEXT + "\n" + PETER_SIG.replace("—", "–"),  # en dash
        GO_TEXT + "\n" + PETER_SIG.replace("— ", "—"),
        GO_TEXT + "\n" + PETER_SIG.replace("x08go/", "x08go!"),  # bad base64
        GO_TEXT + "\n" + PETER_SIG.replace("AM=\n", "AM\n"),  # missing padding
        GO_TEXT + "\n— PeterNeumann x08gow==\n",  # key ID only
        GO_TEXT + "\n— PeterNeumann x08g\n",  # 3 bytes
        GO_TEXT + "\n— PeterNeumann \n",
        GO_TEXT + "\n— Peter+Neumann x08go/Y=\n",  # plus in name
        GO_TEXT + "\n— PeterNeumann x08go/Y=\n\n",
        GO_TEXT + "\n" + PETER_SIG * (MAX_SIGNATURES + 1),
    ],
)
def test_note_parse_rejects_malformed_notes(message: str) -> None:
    with pytest.raises(NoteError):
        Note.parse(message)


def test_note_parse_rejects_bytes_that_are_not_utf8() -> None:
    with pytest.raises(NoteError):
        Note.parse(b"\xff" + (GO_TEXT + "\n" + PETER_SIG).encode())


def test_note_accepts_up_to_the_signature_limit() -> None:
    note = Note.parse(GO_TEXT + "\n" + PETER_SIG * MAX_SIGNATURES)

    assert len(note.signatures) == MAX_SIGNATURES >= 16


def test_sign_note_requires_text_ending_in_newline_and_a_valid_key_name() -> None:
    with pytest.raises(NoteError):
        sign_note("abc", log_signer())
    with pytest.raises(NoteError):
        sign_note("abc\n", Ed25519Signer("bad\u3000name", seed("x")))


# Verifier keys ---------------------------------------------------------------------


def test_verifier_key_of_the_go_example_key_is_the_go_string() -> None:
    name, key_id, public_key = parse_verifier_key(PETER_VKEY)

    assert (name, key_id.hex()) == ("PeterNeumann", "c74f20a3")
    assert key_id == ed25519_key_id(name, public_key)
    assert verifier_key(name, public_key) == PETER_VKEY
    assert peter().verifier_key() == PETER_VKEY


def test_key_id_is_sha256_of_name_newline_type_and_key() -> None:
    public_key = peter().public_key
    digest = hashlib.sha256(b"PeterNeumann\n\x01" + public_key).digest()

    assert ed25519_key_id("PeterNeumann", public_key) == digest[:4]
    assert (
        cosignature_key_id("PeterNeumann", public_key)
        == (hashlib.sha256(b"PeterNeumann\n\x04" + public_key).digest()[:4])
    )


def test_verifier_key_round_trips_for_note_and_cosigner_keys() -> None:
    for signature_type in (0x01, COSIGNATURE_V1):
        signer = Ed25519Signer(WITNESS, seed("k"), signature_type=signature_type)
        text = verifier_key(WITNESS, signer.public_key, signature_type)

        assert parse_verifier_key(text, signature_type) == (
            WITNESS,
            signer.key_id,
            signer.public_key,
        )


def test_verifier_key_with_a_key_id_that_does_not_match_is_rejected() -> None:
    with pytest.raises(VerifierKeyError, match="does not match"):
        parse_verifier_key(PETER_VKEY.replace("c74f20a3", "c74f20a4"))


def test_verifier_key_of_another_type_is_rejected() -> None:
    # transparency-dev/formats: a native cosignature/v1 (0x04) key.
    remora = "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"

    assert parse_verifier_key(remora, COSIGNATURE_V1)[1].hex() == "da77ade7"
    with pytest.raises(VerifierKeyError, match="type"):
        parse_verifier_key(remora)
    with pytest.raises(VerifierKeyError, match="type"):
        parse_verifier_key(PETER_VKEY, COSIGNATURE_V1)


def test_every_substring_and_one_character_change_of_a_verifier_key_fails() -> None:
    # Ported from TestNewVerifier in golang/mod sumdb/note.
    manglings = {
        PETER_VKEY[i:j]
        for i in range(len(PETER_VKEY) + 1)
        for j in range(i + 1, len(PETER_VKEY) + 1)
        if (i, j) != (0, len(PETER_VKEY))
    }
    manglings |= {
        PETER_VKEY[:i] + chr(ord(PETER_VKEY[i]) + 1) + PETER_VKEY[i + 1 :]
        for i in range(len(PETER_VKEY))
    }
    manglings |= {
        # wrong length and unknown algorithm, each with its key ID adjusted
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    }

    for text in manglings:
        with pytest.raises(VerifierKeyError):
            parse_verifier_key(text)


# Signing and verifying -------------------------------------------------------------


def test_signing_the_go_example_text_gives_the_go_signed_note_byte_for_byte() -> None:
    assert sign_note(GO_TEXT, peter()).format() == GO_TEXT + "\n" + PETER_SIG


def test_the_go_example_note_signed_by_two_keys_verifies_with_either() -> None:
    note = Note.parse(GO_TEXT + "\n" + PETER_SIG + ENOCH_SIG)
    peter_v = Ed25519Verifier.from_verifier_key(PETER_VKEY)
    enoch_v = Ed25519Verifier.from_verifier_key(ENOCH_VKEY)

    assert verify_note(note, [peter_v]) == [peter_v]
    assert verify_note(note, [enoch_v]) == [enoch_v]
    assert verify_note(note, [enoch_v, peter_v]) == [peter_v, enoch_v]


def test_a_note_signed_by_two_keys_verifies_with_either() -> None:
    county, town = log_signer("county"), Ed25519Signer("town.example", seed("town"))
    note = add_signature(sign_note("同一文本\n", county), town)

    assert verify_note(Note.parse(note.format()), [county.verifier()])
    assert verify_note(Note.parse(note.format()), [town.verifier()])


def test_a_tampered_text_fails_with_a_signature_error() -> None:
    signer = log_signer()
    note = sign_note(Checkpoint(LOG, 7, ROOT).body(), signer)
    forged = Note(Checkpoint(LOG, 8, ROOT).body(), note.signatures)

    with pytest.raises(SignatureError) as caught:
        verify_note(forged, [signer.verifier()])
    assert caught.value.key_id == signer.key_id


def test_a_corrupted_signature_by_a_known_key_fails() -> None:
    # From TestOpen in golang/mod sumdb/note.
    note = Note.parse(GO_TEXT + "\n" + PETER_SIG[:60] + "ABCD" + PETER_SIG[60:])

    with pytest.raises(SignatureError):
        verify_note(note, [Ed25519Verifier.from_verifier_key(PETER_VKEY)])


def test_signatures_by_unknown_keys_are_ignored() -> None:
    known, stranger = log_signer("known"), Ed25519Signer("x.example", seed("x"))
    rotated = log_signer("rotated")  # same name, other key ID
    note = add_signature(add_signature(sign_note("t\n", stranger), rotated), known)

    known_v = known.verifier()

    assert verify_note(note, [known_v]) == [known_v]
    assert rotated.key_id != known.key_id


def test_a_note_with_no_signature_by_a_known_key_is_rejected() -> None:
    note = sign_note("t\n", Ed25519Signer("x.example", seed("x")))

    with pytest.raises(UnverifiedNoteError):
        verify_note(note, [log_signer().verifier()])


def test_two_verifiers_with_the_same_name_and_key_id_are_ambiguous() -> None:
    signer = log_signer()

    with pytest.raises(NoteError, match="ambiguous"):
        verify_note(sign_note("t\n", signer), [signer.verifier(), signer.verifier()])


def test_adding_a_signature_by_the_same_key_replaces_the_old_one() -> None:
    old = Signature("PeterNeumann", bytes.fromhex("c74f20a3"), b"BADSIGN")
    note = add_signature(Note(GO_TEXT, (old,)), peter())

    assert note.format() == GO_TEXT + "\n" + PETER_SIG


# Cosignatures ----------------------------------------------------------------------


def test_cosignature_message_is_header_time_line_and_the_whole_body() -> None:
    # The example message in c2sp.org/tlog-cosignature.
    assert cosignature_message(SOFA_BODY, 1679315147) == (
        b"cosignature/v1\ntime 1679315147\n" + SOFA_BODY.encode()
    )


def test_the_spec_example_cosignature_carries_its_time_after_the_key_id() -> None:
    witness_line = Note.parse(SOFA_NOTE).signatures[1]
    # transparency-dev/formats TestCosignatureTimestamp
    formats = base64.b64decode(
        "ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHW"
        "WOworDcFiEBYJXORmnFBOBA=="
    )

    assert cosignature_timestamp(witness_line) == 1679315147
    assert cosignature_timestamp(Signature("w", formats[:4], formats[4:])) == 1727964367


def test_cosignature_round_trips_and_returns_its_time() -> None:
    cosigner = witness()
    body = Checkpoint(LOG, 42, ROOT).body()

    signature = cosign(body, 1_767_225_600, cosigner)

    assert signature.key_id == cosignature_key_id(WITNESS, cosigner.public_key)
    assert signature.signature[:8] == (1_767_225_600).to_bytes(8, "big")
    assert len(signature.signature) == 8 + 64
    assert verify_cosignature(body, signature, cosigner.verifier()) == 1_767_225_600


def test_a_cosignature_over_a_different_body_fails() -> None:
    cosigner = witness()
    signature = cosign(Checkpoint(LOG, 42, ROOT).body(), 1_767_225_600, cosigner)

    with pytest.raises(SignatureError):
        verify_cosignature(
            Checkpoint(LOG, 43, ROOT).body(), signature, cosigner.verifier()
        )


def test_a_cosignature_with_a_changed_time_fails() -> None:
    cosigner, body = witness(), Checkpoint(LOG, 42, ROOT).body()
    good = cosign(body, 1_767_225_600, cosigner)
    moved = Signature(
        good.name, good.key_id, (1).to_bytes(8, "big") + good.signature[8:]
    )

    with pytest.raises(SignatureError):
        verify_cosignature(body, moved, cosigner.verifier())


def test_a_cosignature_dated_in_the_future_can_be_refused() -> None:
    cosigner, body = witness(), Checkpoint(LOG, 42, ROOT).body()
    signature = cosign(body, 2_000, cosigner)

    assert verify_cosignature(body, signature, cosigner.verifier(), not_after=2_000)
    with pytest.raises(SignatureError, match="future"):
        verify_cosignature(body, signature, cosigner.verifier(), not_after=1_999)


def test_a_cosignature_is_checked_only_against_a_cosigner_key_id() -> None:
    note_key = Ed25519Signer(WITNESS, seed("witness"))  # same key, type 0x01
    body = Checkpoint(LOG, 42, ROOT).body()

    assert note_key.key_id != witness().key_id
    with pytest.raises(SignatureError, match="not by this cosigner"):
        verify_cosignature(body, cosign(body, 5, note_key), witness().verifier())


def test_cosign_requires_a_checkpoint_body_and_a_time_in_range() -> None:
    with pytest.raises(CheckpointFormatError):
        cosign("not a checkpoint\n", 5, witness())
    with pytest.raises(NoteError):
        cosign(Checkpoint(LOG, 1, ROOT).body(), 2**63, witness())
    with pytest.raises(NoteError):
        cosign(Checkpoint(LOG, 1, ROOT).body(), -1, witness())


def test_a_parent_cosigns_a_child_checkpoint_note_and_both_lines_verify() -> None:
    child, parent = log_signer("child"), witness("parent")
    note = sign_note(Checkpoint(LOG, 9, ROOT).body(), child)

    witnessed = Note.parse(
        add_signature(note, CosignatureSigner(parent, 1_767_225_600)).format()
    )
    child_v, parent_v = child.verifier(), CosignatureVerifier(parent.verifier())

    assert verify_note(witnessed, [parent_v, child_v]) == [child_v, parent_v]
    assert cosignature_timestamp(witnessed.signatures[1]) == 1_767_225_600
    # A plain Ed25519 verifier of the parent's key does not match the 0x04 key ID.
    plain = Ed25519Verifier(WITNESS, parent.public_key)
    with pytest.raises(UnverifiedNoteError):
        verify_note(witnessed, [plain])


def test_a_cosignature_verifier_rejects_a_line_over_another_checkpoint() -> None:
    parent = witness("parent")
    signed = cosign(Checkpoint(LOG, 9, ROOT).body(), 7, parent)
    forged = Note(Checkpoint(LOG, 10, ROOT).body(), (signed,))

    with pytest.raises(SignatureError):
        verify_note(forged, [CosignatureVerifier(parent.verifier())])
