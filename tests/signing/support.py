"""In-memory keys, trust lists, status lists and credentials for the signing tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.authority import AUTHORITY_SCHEMES
from domain.identity import binding_hash
from domain.vocabulary import Scheme
from services.venue_rules import compile_venue_rules
from signing.bundle import Bundle, status_file_name
from signing.credential import CardClaims, StatusReference, sign_credential, to_text
from signing.keys import KeyRecord, key_id
from signing.status_list import (
    LIST_SIZE,
    StatusCode,
    StatusList,
    parse_status_list_token,
    parse_status_uri,
    status_uri,
)
from signing.status_list import sign_status_list as sign_list
from signing.trust import read_trust_list, sign_trust_list
from signing.venue_rules import read_venue_rules, sign_venue_rules

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
CARD = UUID("5f0c6a1e-8a4b-4c1e-9d7e-2b3c4d5e6f70")
ID_NUMBER = "11010519491231002X"
SALT = b"\x01\x02\x03\x04\x05\x06\x07\x08"
BASE_URL = "https://card.example.cn"
VENUE_RULES = compile_venue_rules()


def uri(authority: str, list_id: str = "sl-0000") -> str:
    """The status-list URL the test world's credentials name."""
    return status_uri(BASE_URL, authority, list_id)


@dataclass
class Authority:
    """A key pair with its public record."""

    record: KeyRecord
    key: Ed25519PrivateKey


def make_key(authority: str, created_at: datetime = T0 - timedelta(days=30)) -> Authority:
    key = Ed25519PrivateKey.generate()
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    record = KeyRecord(
        kid=key_id(key.public_key()).hex(),
        authority=authority,
        schemes=AUTHORITY_SCHEMES.get(authority, ()),
        public_key=raw.hex(),
        created_at=created_at,
    )
    return Authority(record, key)


@dataclass
class World:
    """A root, one key per authority, and the statuses the next bundle will publish."""

    root: Authority = field(default_factory=lambda: make_key("root"))
    keys: dict[str, Authority] = field(
        default_factory=lambda: {a: make_key(a) for a in AUTHORITY_SCHEMES}
    )
    statuses: dict[tuple[str, int], StatusCode] = field(default_factory=dict)

    def claims(self, scheme: Scheme = Scheme.WEIHAI, **overrides: object) -> CardClaims:
        fields: dict[str, object] = {
            "card_id": CARD,
            "issuer": scheme.value,
            "scheme": scheme,
            "tier": "4",
            "holder_name": "李雷",
            "binding_salt": SALT,
            "binding": binding_hash(ID_NUMBER, SALT),
            "valid_from": date(2026, 3, 2),
            "valid_until": date(2031, 3, 1),
            "issued_on": date(2026, 3, 2),
            "status": StatusReference(uri=uri(scheme.value), index=4242),
            "issued_at": int(T0.timestamp()),
        }
        fields.update(overrides)
        return CardClaims(**fields)  # type: ignore[arg-type]

    def token(self, claims: CardClaims | None = None, signer: Authority | None = None) -> str:
        claims = claims or self.claims()
        signer = signer or self.keys[claims.issuer]
        return to_text(sign_credential(claims, signer.key, signer.record.kid_bytes))

    def bundle_files(
        self,
        at: datetime = T0,
        *,
        ttl: int = 86_400,
        trust_days: int = 7,
        records: list[KeyRecord] | None = None,
        list_lifetime: int | None = None,
    ) -> dict[str, bytes]:
        """A bundle folder's files by relative path, issued at ``at``: status lists live
        ``ttl`` seconds and expire ``list_lifetime`` seconds after ``at`` (default twice
        the ttl)."""
        records = records or [a.record for a in self.keys.values()]
        root_pub = self.root.key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        files = {
            "root.pub": root_pub.hex().encode(),
            "trust-list.cwt": sign_trust_list(
                records,
                root_key=self.root.key,
                root_kid=self.root.record.kid_bytes,
                issued_at=at,
                expires_at=at + timedelta(days=trust_days),
            ),
            "venue-rules.cwt": sign_venue_rules(
                VENUE_RULES,
                root_key=self.root.key,
                root_kid=self.root.record.kid_bytes,
                issued_at=at,
                expires_at=at + timedelta(days=trust_days),
            ),
        }
        for authority, signer in self.keys.items():
            status_list = StatusList(size=LIST_SIZE, bits=2)
            for (who, index), code in self.statuses.items():
                if who == authority:
                    status_list.set(index, code)
            files[status_file_name(authority, "sl-0000")] = sign_list(
                uri(authority),
                status_list,
                key=signer.key,
                kid=signer.record.kid_bytes,
                issued_at=int(at.timestamp()),
                expires_at=int(at.timestamp()) + (list_lifetime or 2 * ttl),
                ttl=ttl,
            )
        return files

    def bundle(self, at: datetime = T0, **options: Any) -> Bundle:
        """The bundle of :meth:`bundle_files`, in memory."""
        files = self.bundle_files(at, **options)
        lists = {}
        for name, data in files.items():
            if name.startswith("status/"):
                token = parse_status_list_token(
                    data, max_token_bytes=2_000_000, max_list_bytes=4_194_304
                )
                where = parse_status_uri(token.uri)
                assert where is not None
                lists[where] = token
        root = self.root.key.public_key()
        trust = read_trust_list(files["trust-list.cwt"], root)
        rules = read_venue_rules(files["venue-rules.cwt"], root)
        return Bundle(trust_list=trust, venue_rules=rules, status_lists=lists)

    def write_bundle(self, folder: Path, at: datetime = T0, **options: Any) -> Path:
        """Write the bundle of :meth:`bundle_files` into ``folder``."""
        for name, data in self.bundle_files(at, **options).items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
        return folder
