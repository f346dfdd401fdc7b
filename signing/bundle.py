"""The verifier's bundle (离线核验数据包): what a venue downloads to check cards offline.

A folder holding ``root.pub`` (the provincial root's public key, hex; deployments should
pin it in the venue's configuration and pass it explicitly), ``trust-list.cwt`` and
``status/*.cwt``, one signed status list each. Loading verifies every signature once, so
checking a card afterwards costs one signature and a few lookups.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from signing.status_list import StatusListError, StatusListToken, parse_status_list_token
from signing.trust import TrustedKey, TrustList, TrustListError, read_trust_list

MAX_STATUS_TOKEN_BYTES = 2_000_000
MAX_STATUS_LIST_BYTES = 4_194_304  # 16.7 million entries at 2 bits


class BundleError(ValueError):
    """The bundle is missing a file, or a file is malformed or wrongly signed."""


@dataclass(frozen=True)
class Bundle:
    """A verified trust list and the status lists signed by keys it trusts. Public keys
    are parsed once here, not once per card checked."""

    trust_list: TrustList
    status_lists: dict[str, StatusListToken] = field(default_factory=dict)
    public_keys: dict[bytes, tuple[TrustedKey, Ed25519PublicKey]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for key in self.trust_list.keys:
            self.public_keys[key.kid] = (key, key.public())


def load_bundle(folder: Path, root: Ed25519PublicKey | None = None) -> Bundle:
    """Read and verify a bundle folder; ``root`` overrides the folder's root.pub."""
    try:
        if root is None:
            root = Ed25519PublicKey.from_public_bytes(
                bytes.fromhex((folder / "root.pub").read_text().strip())
            )
        trust_list = read_trust_list((folder / "trust-list.cwt").read_bytes(), root)
    except FileNotFoundError as e:
        raise BundleError(f"bundle {folder} lacks {Path(e.filename).name}") from None
    except (ValueError, TrustListError) as e:
        raise BundleError(f"bundle {folder}: {e}") from None
    lists: dict[str, StatusListToken] = {}
    for path in sorted((folder / "status").glob("*.cwt")):
        try:
            token = parse_status_list_token(
                path.read_bytes(),
                max_token_bytes=MAX_STATUS_TOKEN_BYTES,
                max_list_bytes=MAX_STATUS_LIST_BYTES,
            )
        except StatusListError as e:
            raise BundleError(f"status list {path.name}: {e}") from None
        signer = trust_list.key(token.sign1.kid or b"")
        authority = token.uri.split(":")[1] if token.uri.count(":") == 2 else None
        if signer is None or signer.authority != authority:
            raise BundleError(f"status list {path.name} is not signed by {authority}'s key")
        if not token.sign1.verify(signer.public()):
            raise BundleError(f"status list {path.name}: signature does not verify")
        lists[token.uri] = token
    return Bundle(trust_list=trust_list, status_lists=lists)
