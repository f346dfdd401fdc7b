"""The issuer key files (issue 23, finding 7): Argon2id + AES-256-GCM instead of PKCS#8
under PBKDF2 at 2,048 iterations; files from before re-wrapped on first use; a file or
folder others may read refused; whether the keys open, worked out once per change of
the files."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest
from cryptography.hazmat.primitives import serialization

import signing.keys
from signing.keys import (
    KDF_COST,
    KdfCost,
    KeyFile,
    Keystore,
    KeystoreError,
    KeystoreHealth,
    unwrap_key,
    wrap_key,
)

PASSPHRASE = b"correct horse battery staple"
CHEAP = KdfCost(iterations=1, memory_kib=64, lanes=1)
AT = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A keys folder with the root, log and authority keys made at the test cost."""
    keys = tmp_path / "keys"
    Keystore(keys, PASSPHRASE, kdf_cost=CHEAP).init(AT)
    return keys


@pytest.fixture
def derivations(monkeypatch: pytest.MonkeyPatch) -> list[KdfCost]:
    """Every Argon2id derivation from here on, by its cost."""
    seen: list[KdfCost] = []
    real = signing.keys._derive

    def counting(passphrase: bytes, salt: bytes, cost: KdfCost) -> bytes:
        seen.append(cost)
        return real(passphrase, salt, cost)

    monkeypatch.setattr(signing.keys, "_derive", counting)
    return seen


def kid_of(folder: Path, authority: str) -> str:
    keys = Keystore(folder, PASSPHRASE, kdf_cost=CHEAP)
    return next(r.kid for r in keys.records() if r.authority == authority)


def header_of(path: Path) -> signing.keys.KeyFileHeader:
    return msgspec.json.decode(path.read_bytes(), type=KeyFile).header


def write_the_old_way(folder: Path, kid: str) -> Path:
    """What releases before wrote: PKCS#8 PEM under BestAvailableEncryption, 0600."""
    new = folder / f"{kid}.key.json"
    key, _ = unwrap_key(new.read_bytes(), kid, PASSPHRASE)
    old = folder / f"{kid}.key.pem"
    fd = os.open(old, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.BestAvailableEncryption(PASSPHRASE),
            )
        )
    new.unlink()
    return old


def signs(keys: Keystore, authority: str) -> bool:
    record, key = keys.signing_key(authority, AT)
    record.public().verify(key.sign(b"message"), b"message")  # raises if it does not
    return True


# ---- the format ---------------------------------------------------------------------------


def test_the_production_cost_is_rfc_9106s_second_recommended_option():
    assert KdfCost(iterations=3, memory_kib=65536, lanes=4) == KDF_COST


def test_a_key_file_wraps_the_key_under_argon2id_and_aes_256_gcm_at_the_cost_given():
    key = signing.keys.Ed25519PrivateKey.generate()
    kid = signing.keys.key_id(key.public_key()).hex()
    data = wrap_key(key, kid, PASSPHRASE, KDF_COST)  # one production derivation
    header = msgspec.json.decode(data, type=KeyFile).header
    assert (header.format, header.version, header.kid) == ("talentcard-issuer-key", 1, kid)
    assert (header.kdf, header.cost, header.cipher) == ("argon2id", KDF_COST, "aes-256-gcm")
    assert (len(header.salt), len(header.nonce)) == (16, 12)
    assert key.private_bytes_raw() not in data
    opened, cost = unwrap_key(data, kid, PASSPHRASE)
    assert (opened.private_bytes_raw(), cost) == (key.private_bytes_raw(), KDF_COST)


def test_keys_are_made_as_key_json_files_at_the_keystores_cost(folder: Path):
    files = sorted(folder.glob("*.key.json"))
    assert len(files) == 6  # root, log and one per issuing authority
    assert {header_of(p).cost for p in files} == {CHEAP}
    assert not list(folder.glob("*.pem"))


def test_one_keys_file_under_another_kid_does_not_open(folder: Path):
    weihai, jinan = kid_of(folder, "weihai"), kid_of(folder, "jinan")
    shutil.copyfile(folder / f"{weihai}.key.json", folder / f"{jinan}.key.json")
    with pytest.raises(KeystoreError, match=f"key {jinan}: its file holds key {weihai}"):
        Keystore(folder, PASSPHRASE, kdf_cost=CHEAP).signing_key("jinan", AT)


def test_a_file_whose_kid_was_edited_to_match_does_not_decrypt(folder: Path):
    # The kid is in the associated data: editing the header breaks the tag.
    weihai, jinan = kid_of(folder, "weihai"), kid_of(folder, "jinan")
    wrapped = msgspec.json.decode((folder / f"{weihai}.key.json").read_bytes(), type=KeyFile)
    forged = msgspec.structs.replace(
        wrapped, header=msgspec.structs.replace(wrapped.header, kid=jinan)
    )
    (folder / f"{jinan}.key.json").write_bytes(msgspec.json.encode(forged))
    with pytest.raises(KeystoreError, match=f"cannot decrypt key {jinan}"):
        Keystore(folder, PASSPHRASE, kdf_cost=CHEAP).signing_key("jinan", AT)


def test_a_header_edited_to_another_cost_does_not_decrypt():
    key = signing.keys.Ed25519PrivateKey.generate()
    kid = signing.keys.key_id(key.public_key()).hex()
    wrapped = msgspec.json.decode(wrap_key(key, kid, PASSPHRASE, CHEAP), type=KeyFile)
    cheaper = KdfCost(iterations=1, memory_kib=8, lanes=1)
    edited = msgspec.structs.replace(
        wrapped, header=msgspec.structs.replace(wrapped.header, cost=cheaper)
    )
    with pytest.raises(KeystoreError, match="cannot decrypt"):
        unwrap_key(msgspec.json.encode(edited), kid, PASSPHRASE)


def test_a_key_file_naming_an_absurd_cost_is_refused_before_any_derivation(
    derivations: list[KdfCost],
):
    key = signing.keys.Ed25519PrivateKey.generate()
    kid = signing.keys.key_id(key.public_key()).hex()
    wrapped = msgspec.json.decode(wrap_key(key, kid, PASSPHRASE, CHEAP), type=KeyFile)
    huge = KdfCost(iterations=1, memory_kib=1 << 30, lanes=1)
    edited = msgspec.structs.replace(
        wrapped, header=msgspec.structs.replace(wrapped.header, cost=huge)
    )
    derivations.clear()
    with pytest.raises(KeystoreError, match="cost this release refuses"):
        unwrap_key(msgspec.json.encode(edited), kid, PASSPHRASE)
    assert derivations == []


def test_a_keystore_is_not_made_at_a_cost_argon2id_refuses(tmp_path: Path):
    with pytest.raises(KeystoreError, match="8 × p"):
        Keystore(tmp_path, PASSPHRASE, kdf_cost=KdfCost(iterations=1, memory_kib=8, lanes=4))


# ---- files from before ----------------------------------------------------------------------


def test_a_key_file_made_before_is_rewritten_in_the_new_format_on_use_and_still_signs(
    folder: Path,
):
    kid = kid_of(folder, "weihai")
    old = write_the_old_way(folder, kid)
    assert signs(Keystore(folder, PASSPHRASE, kdf_cost=CHEAP), "weihai")
    new = folder / f"{kid}.key.json"
    assert not old.exists()
    assert header_of(new).kdf == "argon2id"
    assert new.stat().st_mode & 0o777 == 0o600
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]
    assert signs(Keystore(folder, PASSPHRASE, kdf_cost=CHEAP), "weihai")  # and opens again


def test_a_key_file_made_before_does_not_open_with_a_wrong_passphrase_and_is_kept(
    folder: Path,
):
    kid = kid_of(folder, "weihai")
    old = write_the_old_way(folder, kid)
    before = old.read_bytes()
    with pytest.raises(KeystoreError, match="wrong passphrase"):
        Keystore(folder, b"not the passphrase at all", kdf_cost=CHEAP).signing_key("weihai", AT)
    assert old.read_bytes() == before
    assert not (folder / f"{kid}.key.json").exists()


def test_a_store_made_before_keeps_working_when_every_file_is_old(folder: Path):
    for path in list(folder.glob("*.key.json")):
        write_the_old_way(folder, path.name.removesuffix(".key.json"))
    keys = Keystore(folder, PASSPHRASE, kdf_cost=CHEAP)
    rotated = keys.rotate("jinan", AT)  # proves the passphrase on an old file first
    assert (folder / f"{rotated.kid}.key.json").exists()
    assert signs(keys, "weihai")
    assert signs(keys, "jinan")


def test_an_old_file_in_a_folder_that_cannot_be_written_is_still_used(
    folder: Path, monkeypatch: pytest.MonkeyPatch
):
    # The projector mounts the keys read-only: it signs with the old file as it is.
    kid = kid_of(folder, "log")
    old = write_the_old_way(folder, kid)

    def read_only(self: Keystore, path: Path, data: bytes) -> None:
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(Keystore, "_replace", read_only)
    assert signs(Keystore(folder, PASSPHRASE, kdf_cost=CHEAP), "log")
    assert old.exists()


def test_a_file_cheaper_than_the_keystores_cost_is_rewrapped_at_it(folder: Path):
    dearer = KdfCost(iterations=2, memory_kib=128, lanes=1)
    assert signs(Keystore(folder, PASSPHRASE, kdf_cost=dearer), "weihai")
    assert header_of(folder / f"{kid_of(folder, 'weihai')}.key.json").cost == dearer
    assert header_of(folder / f"{kid_of(folder, 'jinan')}.key.json").cost == CHEAP  # unused


def test_a_decrypted_key_is_not_derived_again_while_its_file_is_unchanged(
    folder: Path, derivations: list[KdfCost]
):
    keys = Keystore(folder, PASSPHRASE, kdf_cost=CHEAP)
    for _ in range(3):
        assert signs(keys, "weihai")
    assert len(derivations) == 1
    kid = kid_of(folder, "weihai")
    data = (folder / f"{kid}.key.json").read_bytes()
    (folder / f"{kid}.key.json").unlink()
    (folder / f"{kid}.key.json").write_bytes(data)  # replaced: read and derived again
    (folder / f"{kid}.key.json").chmod(0o600)
    assert signs(keys, "weihai")
    assert len(derivations) == 2


# ---- permissions ----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620, 0o602])
def test_a_key_file_group_or_others_may_read_or_write_is_refused_naming_it(folder: Path, mode: int):
    path = folder / f"{kid_of(folder, 'weihai')}.key.json"
    path.chmod(mode)
    with pytest.raises(KeystoreError) as refused:
        Keystore(folder, PASSPHRASE, kdf_cost=CHEAP).signing_key("weihai", AT)
    message = str(refused.value)
    assert f"{path} is mode {mode:04o}" in message
    assert f"chmod 600 {path}" in message
    assert "\n" not in message


def test_a_key_file_loosened_after_its_first_use_is_refused_too(folder: Path):
    keys = Keystore(folder, PASSPHRASE, kdf_cost=CHEAP)
    assert signs(keys, "weihai")
    (folder / f"{kid_of(folder, 'weihai')}.key.json").chmod(0o644)
    with pytest.raises(KeystoreError, match="mode 0644"):
        keys.signing_key("weihai", AT)


def test_a_key_file_made_before_that_others_may_read_is_refused_and_not_rewritten(
    folder: Path,
):
    kid = kid_of(folder, "weihai")
    old = write_the_old_way(folder, kid)
    old.chmod(0o644)
    with pytest.raises(KeystoreError, match=f"chmod 600 {old}"):
        Keystore(folder, PASSPHRASE, kdf_cost=CHEAP).signing_key("weihai", AT)
    assert not (folder / f"{kid}.key.json").exists()


@pytest.mark.parametrize("mode", [0o755, 0o750, 0o770, 0o703])
def test_a_keys_folder_group_or_others_may_list_or_write_is_refused_once_it_holds_keys(
    folder: Path, mode: int
):
    folder.chmod(mode)
    with pytest.raises(KeystoreError, match=f"is mode {mode:04o}.*chmod 700 {folder}"):
        Keystore(folder, PASSPHRASE, kdf_cost=CHEAP).records()


def test_a_keys_folder_only_others_may_traverse_is_used(folder: Path):
    folder.chmod(0o711)  # traversal alone lists nothing and opens only 0600 files
    assert signs(Keystore(folder, PASSPHRASE, kdf_cost=CHEAP), "weihai")


# ---- whether the keys open (the probes) --------------------------------------------------------


def test_the_keys_open_when_the_passphrase_decrypts_them(folder: Path):
    assert Keystore(folder, PASSPHRASE, kdf_cost=CHEAP).health() == KeystoreHealth(state="ok")


def test_no_key_made_yet_is_nothing_to_open(tmp_path: Path):
    health = Keystore(tmp_path / "keys", None, kdf_cost=CHEAP).health()
    assert (health.state, health.ok) == ("none", True)


@pytest.mark.parametrize(
    ("passphrase", "said"),
    [
        (b"not the passphrase at all", "wrong passphrase"),
        (None, "set TALENTCARD_KEY_PASSPHRASE"),
        (b"short", "at least 12 characters"),
    ],
)
def test_the_keys_do_not_open_without_the_right_passphrase(
    folder: Path, passphrase: bytes | None, said: str
):
    health = Keystore(folder, passphrase, kdf_cost=CHEAP).health()
    assert (health.state, health.ok) == ("unavailable", False)
    assert said in health.problem
    assert "not the passphrase" not in health.problem


def test_the_keys_do_not_open_when_a_current_keys_file_is_missing(folder: Path):
    kid = kid_of(folder, "jinan")
    (folder / f"{kid}.key.json").unlink()
    health = Keystore(folder, PASSPHRASE, kdf_cost=CHEAP).health()
    assert health.state == "unavailable"
    assert f"the jinan key {kid} has no file" in health.problem


def test_the_keys_do_not_open_when_a_file_is_open_to_others(folder: Path):
    (folder / f"{kid_of(folder, 'root')}.key.json").chmod(0o644)
    health = Keystore(folder, PASSPHRASE, kdf_cost=CHEAP).health()
    assert health.state == "unavailable"
    assert "mode 0644" in health.problem


def test_whether_the_keys_open_is_worked_out_once_until_a_file_changes(
    folder: Path, derivations: list[KdfCost]
):
    keys = Keystore(folder, b"not the passphrase at all", kdf_cost=CHEAP)
    for _ in range(5):
        assert keys.health().state == "unavailable"
    assert len(derivations) == 1
    root = folder / f"{kid_of(folder, 'root')}.key.json"
    root.chmod(0o644)  # a change of mode alone is a change
    assert "mode 0644" in keys.health().problem
    root.chmod(0o600)
    assert keys.health().state == "unavailable"
    assert len(derivations) == 2


def test_a_fixed_key_file_is_seen_by_the_next_check(folder: Path):
    root = folder / f"{kid_of(folder, 'root')}.key.json"
    root.chmod(0o640)
    keys = Keystore(folder, PASSPHRASE, kdf_cost=CHEAP)
    assert keys.health().state == "unavailable"
    root.chmod(0o600)
    assert keys.health().state == "ok"
