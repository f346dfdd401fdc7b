"""The public, cacheable routes: trust list, status lists, the one-file bundle and
POST /verify, with no key, over litestar's test client on both stores."""

from __future__ import annotations

import threading
from pathlib import Path
from uuid import UUID

import pytest
from litestar.testing import TestClient

from api.app import create_app
from ledger.app import CardLedger
from services.bootstrap import Registry
from services.issuance import STATUS_LIST_TTL, TRUST_LIST_DAYS
from services.settings import DEFAULT_PUBLIC_BASE_URL
from signing.bundle import load_bundle, unpack
from signing.credential import from_text, to_text
from signing.status_list import StatusCode, parse_status_list_token
from signing.trust import read_trust_list
from signing.verify import verify
from tests import factories as f
from tests.conftest import FakeClock

Client = TestClient  # type: ignore[type-arg]
CHILD = {"relation": "child", "name": "李小雷", "date_of_birth": "2015-09-30"}


def status_path(registry: Registry, card_id: UUID) -> tuple[str, int]:
    """The path of the status list the card's credential names, and its index there."""
    status = registry.issuance.credential(card_id).claims.status
    assert status.uri.startswith(DEFAULT_PUBLIC_BASE_URL + "/")
    return status.uri.removeprefix(DEFAULT_PUBLIC_BASE_URL), status.index


def max_age(response: object) -> int:
    cache_control = response.headers["cache-control"]  # type: ignore[attr-defined]
    assert cache_control.startswith("public, max-age=")
    return int(cache_control.removeprefix("public, max-age="))


def tampered(text: str) -> str:
    cose = bytearray(from_text(text))
    cose[-1] ^= 0x01  # the signature's last byte
    return to_text(bytes(cose))


# ---- ETag, 304 and Cache-Control --------------------------------------------------------


def test_the_trust_list_is_served_as_a_cwt_with_a_strong_etag(client: Client):
    response = client.get("/trust-list")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/cwt"
    etag = response.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")


def test_a_matching_if_none_match_gets_a_304_with_no_body(client: Client):
    etag = client.get("/trust-list").headers["etag"]
    response = client.get("/trust-list", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == etag


def test_an_if_none_match_naming_another_etag_gets_the_document(client: Client):
    response = client.get("/trust-list", headers={"If-None-Match": '"0000", W/"1111"'})
    assert response.status_code == 200
    assert response.content


def test_repeated_requests_get_the_same_bytes_because_nothing_is_re_signed(
    client: Client, clock: FakeClock
):
    first = client.get("/trust-list")
    clock.advance(minutes=10)
    second = client.get("/trust-list")
    assert (second.content, second.headers["etag"]) == (first.content, first.headers["etag"])


def test_the_trust_list_may_be_cached_for_its_validity(client: Client, registry: Registry):
    response = client.get("/trust-list")
    root = registry.keystore.records()[0]  # the root's public key signs the trust list
    trust = read_trust_list(response.content, root.public())
    assert max_age(response) == trust.expires_at - trust.issued_at == TRUST_LIST_DAYS * 86_400


def test_a_status_list_may_be_cached_for_its_ttl(
    client: Client, registry: Registry, ledger: CardLedger
):
    path, _ = status_path(registry, f.jinan_card(ledger))
    response = client.get(path)
    token = parse_status_list_token(
        response.content, max_token_bytes=2_000_000, max_list_bytes=4_194_304
    )
    assert max_age(response) == token.ttl == STATUS_LIST_TTL.total_seconds()


def test_a_document_s_age_counts_from_its_signing(client: Client, clock: FakeClock):
    client.get("/trust-list")
    clock.advance(seconds=90)
    assert client.get("/trust-list").headers["age"] == "90"


def test_a_cached_copy_past_half_its_ttl_is_signed_afresh(
    client: Client, registry: Registry, ledger: CardLedger, clock: FakeClock
):
    path, _ = status_path(registry, f.jinan_card(ledger))
    before = client.get(path).headers["etag"]
    clock.advance(seconds=STATUS_LIST_TTL.total_seconds() / 2 + 1)
    after = client.get(path)
    assert after.headers["etag"] != before
    assert after.headers["age"] == "0"


# ---- status lists -----------------------------------------------------------------------


def test_the_status_list_at_a_credential_s_status_uri_is_the_one_it_names(
    client: Client, registry: Registry, ledger: CardLedger
):
    card_id = f.jinan_card(ledger)
    status = registry.issuance.credential(card_id).claims.status
    response = client.get(status.uri.removeprefix(DEFAULT_PUBLIC_BASE_URL))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/statuslist+cwt"
    token = parse_status_list_token(
        response.content, max_token_bytes=2_000_000, max_list_bytes=4_194_304
    )
    assert token.uri == status.uri
    assert token.status(status.index) == StatusCode.VALID


def test_a_revocation_reaches_the_served_status_list_within_a_second(
    client: Client, registry: Registry, ledger: CardLedger, clock: FakeClock
):
    card_id = f.jinan_card(ledger)
    path, index = status_path(registry, card_id)
    before = client.get(path).headers["etag"]
    f.revoke(ledger, card_id)
    clock.advance(seconds=1)
    response = client.get(path, headers={"If-None-Match": before})
    assert response.status_code == 200
    token = parse_status_list_token(
        response.content, max_token_bytes=2_000_000, max_list_bytes=4_194_304
    )
    assert token.status(index) == StatusCode.REVOKED


def test_an_ordinary_issue_leaves_the_served_status_list_as_it_was(
    client: Client, registry: Registry, ledger: CardLedger, clock: FakeClock
):
    path, _ = status_path(registry, f.jinan_card(ledger))
    before = client.get(path).headers["etag"]
    f.jinan_card(ledger)  # a second valid entry: no list's bytes change
    clock.advance(seconds=5)
    assert client.get(path, headers={"If-None-Match": before}).status_code == 304


def test_an_unknown_list_is_a_404_problem(client: Client, ledger: CardLedger):
    f.jinan_card(ledger)
    response = client.get("/status-lists/jinan/sl-9999")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["title"] == "status_list_not_found"


def test_an_unknown_authority_is_a_404_problem(client: Client):
    response = client.get("/status-lists/atlantis/sl-0000")
    assert response.status_code == 404
    assert response.json()["detail"] == "no authority 'atlantis' issues status lists"


def test_before_any_key_is_made_the_documents_are_a_503_problem(registry: Registry):
    with TestClient(app=create_app(registry)) as client:
        response = client.get("/trust-list")
    assert response.status_code == 503
    assert response.json()["title"] == "public_documents_unavailable"


# ---- the one-file bundle ----------------------------------------------------------------


def test_the_one_file_bundle_verifies_a_credential_as_the_folder_does(
    client: Client, registry: Registry, ledger: CardLedger, clock: FakeClock, tmp_path: Path
):
    card_id = f.jinan_card(ledger)
    token = registry.issuance.credential(card_id).text
    response = client.get("/bundle")
    assert response.headers["content-type"] == "application/cbor"
    (tmp_path / "bundle.cbor").write_bytes(response.content)
    registry.issuance.write_bundle(tmp_path / "folder", ttl=STATUS_LIST_TTL)
    from_file = verify(token, load_bundle(tmp_path / "bundle.cbor"), at=clock.now)
    from_folder = verify(token, load_bundle(tmp_path / "folder"), at=clock.now)
    assert (
        (from_file.reason, from_file.tier)
        == (from_folder.reason, from_folder.tier)
        == (
            "ok",
            "C",
        )
    )


def test_the_bundle_holds_the_same_files_as_the_folder(
    client: Client, registry: Registry, ledger: CardLedger, tmp_path: Path
):
    f.jinan_card(ledger)
    files = unpack(client.get("/bundle").content)
    registry.issuance.write_bundle(tmp_path / "folder", ttl=STATUS_LIST_TTL)
    written = {
        p.relative_to(tmp_path / "folder").as_posix() for p in (tmp_path / "folder").rglob("*.*")
    }
    assert set(files) == written


def test_the_bundle_may_be_cached_for_its_shortest_ttl(client: Client, ledger: CardLedger):
    f.jinan_card(ledger)
    assert max_age(client.get("/bundle")) == STATUS_LIST_TTL.total_seconds()


def test_the_bundle_round_trips_its_etag_to_a_304(client: Client, ledger: CardLedger):
    f.jinan_card(ledger)
    etag = client.get("/bundle").headers["etag"]
    again = client.get("/bundle", headers={"If-None-Match": etag})
    assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", etag)


def test_a_revocation_gives_the_bundle_a_new_etag(
    client: Client, ledger: CardLedger, clock: FakeClock
):
    card_id = f.jinan_card(ledger)
    before = client.get("/bundle").headers["etag"]
    f.revoke(ledger, card_id)
    clock.advance(seconds=1)
    after = client.get("/bundle", headers={"If-None-Match": before})
    assert after.status_code == 200
    assert after.headers["etag"] != before


def test_requests_from_many_threads_share_one_signing(client: Client, registry: Registry):
    etags: list[str] = []

    def fetch() -> None:
        etags.append(registry.public.trust_list().etag)

    threads = [threading.Thread(target=fetch) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(etags) == 8
    assert len(set(etags)) == 1


# ---- POST /verify -----------------------------------------------------------------------


def test_verify_answers_valid_for_an_issued_card(
    client: Client, registry: Registry, ledger: CardLedger
):
    card_id = f.jinan_card(ledger)
    token = registry.issuance.credential(card_id).text
    response = client.post("/verify", json={"credential": token})
    assert response.status_code == 200
    body = response.json()
    assert (body["verdict"], body["reason"], body["card_id"], body["tier"]) == (
        "valid",
        "ok",
        str(card_id),
        "C",
    )


def test_verify_answers_revoked_once_the_card_is_revoked(
    client: Client, registry: Registry, ledger: CardLedger, clock: FakeClock
):
    card_id = f.jinan_card(ledger)
    token = registry.issuance.credential(card_id).text
    assert client.post("/verify", json={"credential": token}).json()["reason"] == "ok"
    f.revoke(ledger, card_id)
    clock.advance(seconds=1)
    body = client.post("/verify", json={"credential": token}).json()
    assert (body["verdict"], body["reason"]) == ("invalid", "revoked")


def test_verify_reads_the_store_only_when_its_once_a_second_check_is_due(
    client: Client, registry: Registry, ledger: CardLedger, clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
):
    from services.public import VerifyRequest

    token = registry.issuance.credential(f.jinan_card(ledger)).text
    request = VerifyRequest(credential=token)
    public = registry.public
    assert public.verify_if_current(request) is None  # no snapshot yet: built in a thread
    assert client.post("/verify", json={"credential": token}).json()["reason"] == "ok"

    def no_store() -> None:
        raise AssertionError("the store was read on the event loop's path")

    monkeypatch.setattr(registry.issuance, "status_version", no_store)
    answer = public.verify_if_current(request)
    assert answer is not None and answer.reason == "ok"
    assert client.post("/verify", json={"credential": token}).json()["reason"] == "ok"
    clock.advance(seconds=1)  # the check is due: the inline path declines
    assert public.verify_if_current(request) is None


def test_verify_answers_bad_signature_for_a_tampered_credential(
    client: Client, registry: Registry, ledger: CardLedger
):
    token = registry.issuance.credential(f.jinan_card(ledger)).text
    body = client.post("/verify", json={"credential": tampered(token)}).json()
    assert (body["verdict"], body["reason"]) == ("invalid", "bad_signature")


def test_verify_decides_a_service_item_for_a_family_member(
    client: Client, registry: Registry, ledger: CardLedger
):
    card_id = f.liaocheng_card(ledger, family=(CHILD,))
    token = registry.issuance.credential(card_id).text
    request = {"credential": token, "service": "liaocheng.21.films", "beneficiary": "child"}
    body = client.post("/verify", json=request).json()
    assert body["service"] == "liaocheng.21.films"
    assert body["beneficiary_name"] == "李小雷"
    assert body["granted"] is body["valid"]


def test_verify_refuses_a_removed_child_on_the_credential_handed_out_before_the_removal(
    client: Client, registry: Registry, ledger: CardLedger, clock: FakeClock
):
    card_id = f.liaocheng_card(ledger, family=(CHILD,))
    token = registry.issuance.credential(card_id).text
    clock.advance(minutes=1)
    f.amend_and_approve(ledger, card_id, change="remove_member", member=1)
    request = {"credential": token, "service": "liaocheng.19", "beneficiary": "child"}
    body = client.post("/verify", json=request).json()
    assert (body["reason"], body["granted"], body["superseded"]) == ("superseded", False, True)
    holder = client.post("/verify", json={"credential": token, "service": "liaocheng.19"}).json()
    assert (holder["granted"], holder["superseded"]) == (True, True)


def test_the_verify_answer_holds_no_id_binding_or_birth_date(
    client: Client, registry: Registry, ledger: CardLedger
):
    card_id = f.liaocheng_card(ledger, family=(CHILD,))
    credential = registry.issuance.credential(card_id)
    request = {
        "credential": credential.text,
        "service": "liaocheng.21.films",
        "beneficiary": "child",
    }
    response = client.post("/verify", json=request)
    text = response.text
    assert not {"binding", "binding_salt", "date_of_birth", "minor_until"} & set(response.json())
    for secret in (credential.claims.binding, credential.claims.binding_salt):
        assert secret.hex() not in text
    assert "2015-09-30" not in text and "1949-12-31" not in text and "19491231" not in text


def test_verify_refuses_an_unknown_field_with_a_400_problem(client: Client):
    response = client.post("/verify", json={"credential": "TC1:X", "bundle": "/etc"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["title"] == "invalid_input"
    assert problem["detail"] == "Object contains unknown field `bundle`"


def test_verify_refuses_a_credential_over_its_size_limit_with_a_400_problem(client: Client):
    response = client.post("/verify", json={"credential": "TC1:" + "A" * 5_000})
    assert response.status_code == 400
    assert response.json()["detail"] == "Expected `str` of length <= 4096 (field credential)"


def test_verify_refuses_a_beneficiary_it_does_not_know_naming_the_field(client: Client):
    response = client.post("/verify", json={"credential": "TC1:X", "beneficiary": "uncle"})
    assert response.status_code == 400
    assert "beneficiary" in response.json()["detail"]


def test_verify_refuses_a_body_that_is_not_json_with_a_400_problem(client: Client):
    response = client.post(
        "/verify", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "\n" not in response.json()["detail"]


def test_verify_refuses_a_body_over_its_limit_with_a_413_problem(client: Client):
    body = b'{"credential": "' + b"A" * 20_000 + b'"}'
    response = client.post("/verify", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["title"] == "request_too_large"


def test_verify_answers_bad_format_for_text_that_is_no_credential(client: Client):
    body = client.post("/verify", json={"credential": "hello"}).json()
    assert (body["verdict"], body["reason"]) == ("invalid", "bad_format")


# ---- OpenAPI ----------------------------------------------------------------------------


def test_the_openapi_schema_gives_every_public_route_an_example(client: Client):
    response = client.get("/schema/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/trust-list", "/status-lists/{authority}/{list_id}", "/bundle", "/verify"):
        [operation] = paths[path].values()
        assert any(
            r["content"][m].get("examples")
            for r in operation["responses"].values()
            for m in r.get("content", {})
        ), path
    body = paths["/verify"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["examples"][0]["credential"].startswith("TC1:")
