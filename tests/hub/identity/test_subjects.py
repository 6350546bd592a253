import json
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag

from hub.identity.subjects import (
    MalformedPersonId,
    check_person_id,
    decrypt_rrn,
    encrypt_rrn,
    person_id,
)
from hub.keys import load_keys
from hub.settings import Settings

RRN = "8503142123456"


def test_person_id_is_stable_opaque_and_keyed(data_dir: Path) -> None:
    ring = load_keys(Settings(data_dir=data_dir))
    pid = person_id(ring, RRN)
    assert pid == person_id(ring, RRN)
    assert RRN not in pid and "850314" not in pid
    assert check_person_id(pid) == pid
    other = load_keys(Settings(data_dir=data_dir / "other"))
    assert person_id(other, RRN) != pid


@pytest.mark.parametrize("text", ["", "P123", "X" + "A" * 32, "P" + "a" * 32, "P" + "A" * 33])
def test_malformed_person_ids_are_refused(text: str) -> None:
    with pytest.raises(MalformedPersonId):
        check_person_id(text)


def test_rrn_round_trips_and_is_bound_to_its_person(data_dir: Path) -> None:
    ring = load_keys(Settings(data_dir=data_dir))
    pid = person_id(ring, RRN)
    kid, sealed = encrypt_rrn(ring, RRN, pid)
    assert RRN.encode() not in sealed
    assert decrypt_rrn(ring, kid, sealed, pid) == RRN
    with pytest.raises(InvalidTag):
        decrypt_rrn(ring, kid, sealed, person_id(ring, "9001011234568"))


def test_old_ciphertexts_stay_readable_after_rotation(data_dir: Path) -> None:
    ring = load_keys(Settings(data_dir=data_dir))
    pid = person_id(ring, RRN)
    old_kid, sealed = encrypt_rrn(ring, RRN, pid)
    dev = json.loads((data_dir / "dev-keys.json").read_text())
    rotated = Settings(
        data_dir=data_dir,
        subject_hash_key=dev["subject_hash_key"],
        subject_encryption_keys=json.dumps(
            {"k2": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", **dev["subject_encryption_keys"]}
        ),
    )
    ring2 = load_keys(rotated)
    assert ring2.active_encryption_kid == "k2"
    new_kid, _ = encrypt_rrn(ring2, RRN, pid)
    assert new_kid == "k2"
    assert decrypt_rrn(ring2, old_kid, sealed, pid) == RRN
