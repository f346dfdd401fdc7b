"""Loading a bundle folder: the root and trust list are all or nothing; each status list
stands or falls on its own."""

from __future__ import annotations

import zlib
from pathlib import Path

import cbor2
import msgspec
import pytest

from domain.vocabulary import Scheme
from signing import cose
from signing.bundle import BundleError, load_bundle, pack, status_file_name, unpack
from signing.status_list import STATUS_LIST_TYPE, StatusCode
from signing.verify import verify
from tests.signing.support import T0, World, uri

JINAN_LIST = "status/jinan/sl-0000.cwt"
JINAN, WEIHAI = ("jinan", "sl-0000"), ("weihai", "sl-0000")


@pytest.fixture
def world() -> World:
    return World()


def test_a_status_list_s_file_is_named_by_its_authority_and_list():
    assert status_file_name("jinan", "sl-0000") == JINAN_LIST


def test_a_sound_bundle_loads_every_list_and_records_no_problem(world: World, tmp_path: Path):
    bundle = load_bundle(world.write_bundle(tmp_path))
    assert set(bundle.status_lists) == {(a, "sl-0000") for a in world.keys}
    assert bundle.problems == ()


def test_a_list_filed_under_another_authority_s_folder_is_set_aside(world: World, tmp_path: Path):
    world.write_bundle(tmp_path)
    (tmp_path / "status" / "weihai" / "sl-0000.cwt").write_bytes(
        (tmp_path / JINAN_LIST).read_bytes()
    )
    bundle = load_bundle(tmp_path)
    assert WEIHAI not in bundle.status_lists
    [problem] = bundle.problems
    assert "filed as status/weihai/sl-0000.cwt" in problem.problem


def test_a_bundle_without_venue_rules_is_refused(world: World, tmp_path: Path):
    world.write_bundle(tmp_path)
    (tmp_path / "venue-rules.cwt").unlink()
    with pytest.raises(BundleError, match=r"venue-rules\.cwt"):
        load_bundle(tmp_path)


def test_venue_rules_signed_by_another_root_refuse_the_whole_bundle(world: World, tmp_path: Path):
    world.write_bundle(tmp_path)
    (tmp_path / "venue-rules.cwt").write_bytes(World().bundle_files()["venue-rules.cwt"])
    with pytest.raises(BundleError, match="venue rules signature"):
        load_bundle(tmp_path)


@pytest.mark.parametrize("damage", ["garbage", "empty"])
def test_a_malformed_trust_list_refuses_the_whole_bundle(world: World, tmp_path: Path, damage: str):
    world.write_bundle(tmp_path)
    (tmp_path / "trust-list.cwt").write_bytes(b"\x00garbage" if damage == "garbage" else b"")
    with pytest.raises(BundleError, match="trust list"):
        load_bundle(tmp_path)


def test_a_trust_list_signed_by_another_root_refuses_the_whole_bundle(world: World, tmp_path: Path):
    world.write_bundle(tmp_path)
    other = World().bundle_files()["root.pub"]
    (tmp_path / "root.pub").write_bytes(other)
    with pytest.raises(BundleError, match="root key"):
        load_bundle(tmp_path)


def test_an_unreadable_trust_list_refuses_the_whole_bundle(world: World, tmp_path: Path):
    world.write_bundle(tmp_path)
    (tmp_path / "trust-list.cwt").unlink()
    (tmp_path / "trust-list.cwt").mkdir()
    with pytest.raises(BundleError):
        load_bundle(tmp_path)


def test_a_malformed_root_key_refuses_the_whole_bundle(world: World, tmp_path: Path):
    world.write_bundle(tmp_path)
    (tmp_path / "root.pub").write_text("not hex")
    with pytest.raises(BundleError):
        load_bundle(tmp_path)


def test_a_list_that_inflates_beyond_the_cap_is_set_aside_when_loading(
    world: World, tmp_path: Path
):
    world.write_bundle(tmp_path)
    signer = world.keys["jinan"]
    claims = {
        2: uri("jinan"),
        6: int(T0.timestamp()),
        4: int(T0.timestamp()) + 7200,
        65534: 3600,
        65533: {"bits": 2, "lst": zlib.compress(b"\0" * 5_000_000, 9)},
    }
    bomb = cose.sign1(
        bytes(cbor2.dumps(claims)),
        signer.key,
        signer.record.kid_bytes,
        content_type=STATUS_LIST_TYPE,
        cwt_tag=False,
    )
    (tmp_path / JINAN_LIST).write_bytes(bomb)
    bundle = load_bundle(tmp_path)
    assert JINAN not in bundle.status_lists
    [problem] = bundle.problems
    assert (problem.file, problem.authority) == (JINAN_LIST, "jinan")


def test_a_list_signed_by_a_retired_key_is_set_aside(world: World, tmp_path: Path):
    jinan = world.keys["jinan"]
    records = [
        msgspec.structs.replace(jinan.record, signs_until=T0, retired_at=T0)
        if a == "jinan"
        else k.record
        for a, k in world.keys.items()
    ]
    bundle = load_bundle(world.write_bundle(tmp_path, records=records))
    assert JINAN not in bundle.status_lists
    assert WEIHAI in bundle.status_lists
    [problem] = bundle.problems
    assert (problem.uri, problem.authority) == (uri("jinan"), "jinan")
    assert "retired" in problem.problem


def test_a_card_whose_list_was_set_aside_names_the_file_and_the_problem(
    world: World, tmp_path: Path
):
    world.write_bundle(tmp_path)
    (tmp_path / JINAN_LIST).write_bytes(b"\xd2garbage")
    bundle = load_bundle(tmp_path)
    token = world.token(world.claims(Scheme.JINAN, tier="A"))
    result = verify(token, bundle, at=T0)
    assert (result.valid, result.reason) == (False, "status_list_unavailable")
    assert JINAN_LIST in result.detail
    assert uri("jinan") in result.detail


def test_a_problem_is_found_by_the_uri_its_file_claims(world: World, tmp_path: Path):
    world.write_bundle(tmp_path)
    # The jinan list under another name, signed by weihai: refused, and found by its URI.
    forged = World().bundle_files()[JINAN_LIST]
    (tmp_path / JINAN_LIST).unlink()
    (tmp_path / "status" / "jinan" / "copy.cwt").write_bytes(forged)
    bundle = load_bundle(tmp_path)
    assert bundle.problem_with(uri("jinan")) is not None
    assert bundle.problem_with(uri("weihai")) is None


def test_a_bundle_packed_into_one_file_loads_the_same_lists_as_its_folder(
    world: World, tmp_path: Path
):
    world.statuses[("weihai", 4242)] = StatusCode.REVOKED
    folder = load_bundle(world.write_bundle(tmp_path / "folder"))
    (tmp_path / "bundle.cbor").write_bytes(pack(world.bundle_files()))
    packed = load_bundle(tmp_path / "bundle.cbor")
    assert set(packed.status_lists) == set(folder.status_lists)
    assert verify(world.token(), packed, at=T0).reason == "revoked"


def test_packing_the_same_files_twice_gives_the_same_bytes(world: World):
    files = world.bundle_files()
    assert pack(files) == pack(dict(reversed(files.items())))
    assert unpack(pack(files)) == files


def test_a_bundle_file_naming_a_path_outside_the_bundle_is_refused(world: World):
    files = {**world.bundle_files(), "status/../../etc/passwd.cwt": b"x"}
    with pytest.raises(BundleError, match="unexpected file"):
        unpack(cbor2.dumps(files))


def test_a_bundle_file_that_is_not_cbor_is_refused_naming_the_file(tmp_path: Path):
    (tmp_path / "bundle.cbor").write_bytes(b"\xa1not cbor")
    with pytest.raises(BundleError, match=r"bundle\.cbor: the bundle file is not CBOR"):
        load_bundle(tmp_path / "bundle.cbor")


def test_a_bundle_file_without_its_trust_list_is_refused(world: World, tmp_path: Path):
    files = world.bundle_files()
    del files["trust-list.cwt"]
    (tmp_path / "bundle.cbor").write_bytes(pack(files))
    with pytest.raises(BundleError, match=r"lacks trust-list\.cwt"):
        load_bundle(tmp_path / "bundle.cbor")


def test_a_missing_bundle_path_is_refused_in_one_line(tmp_path: Path):
    with pytest.raises(BundleError, match="neither a folder nor a file"):
        load_bundle(tmp_path / "nowhere")
