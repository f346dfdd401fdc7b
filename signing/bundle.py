"""The verifier's bundle (离线核验数据包): what a venue downloads to check cards offline.

A folder holding ``root.pub`` (the provincial root's public key, hex; deployments should
pin it in the venue's configuration and pass it explicitly), ``trust-list.cwt``,
``venue-rules.cwt`` (the compiled service rules, ``signing.venue_rules``) and
``status/AUTHORITY/LIST.cwt``, one signed status list each, keyed by authority and list as
their URLs are (``…/status-lists/AUTHORITY/LIST``). Loading verifies every signature once
and inflates every list once, so checking a card afterwards costs one signature and a few
lookups.

A missing or broken root key, trust list or venue rules refuses the whole bundle: without
them nothing can be trusted or decided. A broken status list (unreadable, malformed, too
large, not signed by its authority's key) is set aside and recorded as a
:class:`ListProblem`: only the cards that list covers are affected
(``status_list_unavailable``), every other authority's cards still verify.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from signing.status_list import (
    StatusListError,
    StatusListToken,
    parse_status_list_token,
    parse_status_uri,
)
from signing.trust import TrustedKey, TrustList, TrustListError, read_trust_list
from signing.venue_decision import VenueIndex
from signing.venue_rules import VenueRules, VenueRulesError, read_venue_rules

MAX_STATUS_TOKEN_BYTES = 2_000_000
MAX_STATUS_LIST_BYTES = 4_194_304  # 16.7 million entries at 2 bits


class BundleError(ValueError):
    """The bundle's root key or trust list is missing, malformed or wrongly signed."""


def status_file_name(authority: str, list_id: str) -> str:
    """The file in the bundle that holds an authority's list: ``status/jinan/sl-0000.cwt``."""
    return f"status/{authority}/{list_id}.cwt"


@dataclass(frozen=True)
class ListProblem:
    """A status-list file the bundle could not use, and why. ``uri`` and ``authority`` are
    what the file claims (or its name implies); they are not trusted, only reported."""

    file: str
    problem: str
    uri: str | None = None
    authority: str | None = None


@dataclass(frozen=True)
class Bundle:
    """A verified trust list and the status lists signed by keys it trusts. Public keys
    are parsed once here, not once per card checked."""

    trust_list: TrustList
    venue_rules: VenueRules
    status_lists: dict[tuple[str, str], StatusListToken] = field(default_factory=dict)
    public_keys: dict[bytes, tuple[TrustedKey, Ed25519PublicKey]] = field(default_factory=dict)
    problems: tuple[ListProblem, ...] = ()
    venue_index: VenueIndex = field(init=False)

    def __post_init__(self) -> None:
        for key in self.trust_list.keys:
            self.public_keys[key.kid] = (key, key.public())
        object.__setattr__(self, "venue_index", VenueIndex(self.venue_rules))

    def status_list(self, uri: str) -> StatusListToken | None:
        """The list a credential's status URL names, if the bundle has it under that URL."""
        parsed = parse_status_uri(uri)
        token = self.status_lists.get(parsed) if parsed else None
        return token if token is not None and token.uri == uri else None

    def problem_with(self, uri: str) -> ListProblem | None:
        """Why the list ``uri`` is not usable, if a file for it was found but set aside."""
        parsed = parse_status_uri(uri)
        name = status_file_name(*parsed) if parsed else None
        return next((p for p in self.problems if uri == p.uri or name == p.file), None)


def load_bundle(folder: Path, root: Ed25519PublicKey | None = None) -> Bundle:
    """Read and verify a bundle folder; ``root`` overrides the folder's root.pub. Raises
    :class:`BundleError` only for the root key and the trust list."""
    try:
        if root is None:
            root = Ed25519PublicKey.from_public_bytes(
                bytes.fromhex((folder / "root.pub").read_text().strip())
            )
        trust_list = read_trust_list((folder / "trust-list.cwt").read_bytes(), root)
        venue_rules = read_venue_rules((folder / "venue-rules.cwt").read_bytes(), root)
    except FileNotFoundError as e:
        raise BundleError(f"bundle {folder} lacks {Path(e.filename).name}") from None
    except (OSError, ValueError, TrustListError, VenueRulesError) as e:
        raise BundleError(f"bundle {folder}: {e}") from None
    lists: dict[tuple[str, str], StatusListToken] = {}
    problems: list[ListProblem] = []
    for path in sorted((folder / "status").glob("*/*.cwt")):
        token, problem = _read_status_list(folder, path, trust_list)
        if token is not None:
            lists[path.parent.name, path.stem] = token
        elif problem is not None:
            problems.append(problem)
    return Bundle(
        trust_list=trust_list,
        venue_rules=venue_rules,
        status_lists=lists,
        problems=tuple(problems),
    )


def _read_status_list(
    folder: Path, path: Path, trust_list: TrustList
) -> tuple[StatusListToken | None, ListProblem | None]:
    """One status list verified against the trust list, or the reason it cannot be used."""
    # The folder's authority (status/jinan/sl-0000.cwt) until the content says otherwise.
    named = path.parent.name
    name = path.relative_to(folder).as_posix()
    try:
        token = parse_status_list_token(
            path.read_bytes(),
            max_token_bytes=MAX_STATUS_TOKEN_BYTES,
            max_list_bytes=MAX_STATUS_LIST_BYTES,
        )
        token.status_list  # noqa: B018 - inflate now, under the cap: a bomb is found here
    except (OSError, StatusListError) as e:
        return None, ListProblem(file=name, problem=str(e), authority=named)
    parsed = parse_status_uri(token.uri)
    authority = parsed[0] if parsed else None

    def refused(problem: str) -> tuple[None, ListProblem]:
        return None, ListProblem(
            file=name, problem=problem, uri=token.uri, authority=authority or named
        )

    if parsed != (path.parent.name, path.stem):
        return refused(f"the list at {token.uri} is filed as {name}")

    signer = trust_list.key(token.sign1.kid or b"")
    if signer is None or signer.authority != authority:
        return refused(f"not signed by {authority}'s key")
    if signer.retired_at is not None:  # a retired key vouches for nothing, whatever its iat
        return refused(f"signed by the retired key {signer.kid.hex()}")
    if not token.sign1.verify(signer.public()):
        return refused("signature does not verify")
    return token, None
