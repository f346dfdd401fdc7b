"""The verifier's bundle (离线核验数据包): what a venue downloads to check cards offline.

A folder holding ``root.pub`` (the provincial root's public key, hex; deployments should
pin it in the venue's configuration and pass it explicitly), ``trust-list.cwt``,
``venue-rules.cwt`` (the compiled service rules, ``signing.venue_rules``) and
``status/AUTHORITY/LIST.cwt``, one signed status list each, keyed by authority and list as
their URLs are (``…/status-lists/AUTHORITY/LIST``). The same files travel as one file
too (``GET /bundle``, ``talentcard bundle --file``): a CBOR map from each relative path to
its bytes (:func:`pack`, :func:`unpack`), and :func:`load_bundle` reads either. Loading
verifies every signature once and inflates every list once, so checking a card afterwards
costs one signature and a few lookups.

A missing or broken root key, trust list or venue rules refuses the whole bundle: without
them nothing can be trusted or decided. A broken status list (unreadable, malformed, too
large, not signed by its authority's key) is set aside and recorded as a
:class:`ListProblem`: only the cards that list covers are affected
(``status_list_unavailable``), every other authority's cards still verify.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import cbor2
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
MAX_PACKED_BYTES = 64_000_000
"""The largest one-file bundle read: room for thirty lists at the status-list cap."""
BUNDLE_MEDIA_TYPE = "application/cbor"
"""The one-file bundle's media type (RFC 8949): a CBOR map of file names to bytes."""
_TOP_FILES = ("root.pub", "trust-list.cwt", "venue-rules.cwt")
_SEGMENT = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")  # an authority or a list id


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


def pack(files: Mapping[str, bytes]) -> bytes:
    """The bundle as one file: a CBOR map from each file's relative path (``root.pub``,
    ``trust-list.cwt``, ``venue-rules.cwt``, ``status/AUTHORITY/LIST.cwt``) to its bytes,
    deterministically encoded (the same files always pack to the same bytes, so a hash of
    them is a stable ETag)."""
    for name in files:
        _check_name(name)
    return bytes(cbor2.dumps(dict(sorted(files.items())), canonical=True))


def unpack(data: bytes) -> dict[str, bytes]:
    """The files of a one-file bundle (:func:`pack`), checked for form only: a CBOR map of
    known file names to byte strings, at most :data:`MAX_PACKED_BYTES`. Signatures are
    checked by :func:`read_bundle`."""
    if len(data) > MAX_PACKED_BYTES:
        raise BundleError(f"the bundle file is over {MAX_PACKED_BYTES} bytes")
    stream = io.BytesIO(data)
    try:
        files = cbor2.CBORDecoder(stream).decode()
    except Exception as e:  # cbor2 raises several types on malformed input
        raise BundleError(f"the bundle file is not CBOR: {e}") from None
    if stream.tell() != len(data):
        raise BundleError("the bundle file is not CBOR: bytes follow its one item")
    if not isinstance(files, dict) or not all(
        isinstance(k, str) and isinstance(v, bytes) for k, v in files.items()
    ):
        raise BundleError("the bundle file is not a map of file names to byte strings")
    for name in files:
        _check_name(name)
    return files


def _check_name(name: str) -> None:
    parts = name.split("/")
    sound = name in _TOP_FILES or (
        len(parts) == 3
        and parts[0] == "status"
        and parts[2].endswith(".cwt")
        and all(_SEGMENT.fullmatch(p) for p in (parts[1], parts[2].removesuffix(".cwt")))
    )
    if not sound:
        raise BundleError(f"the bundle names an unexpected file {name[:80]!r}")


def load_bundle(source: Path, root: Ed25519PublicKey | None = None) -> Bundle:
    """Read and verify a bundle, either a folder or one file (:func:`pack`); ``root``
    overrides the bundle's root.pub. Raises :class:`BundleError` only for the root key,
    the trust list and the venue rules (and a bundle file that cannot be read at all)."""
    if source.is_dir():
        files, problems = _folder_files(source)
    else:
        try:
            data = source.read_bytes()
        except FileNotFoundError:
            raise BundleError(f"bundle {source} is neither a folder nor a file") from None
        except OSError as e:
            raise BundleError(f"bundle {source}: {e}") from None
        try:
            files, problems = unpack(data), []
        except BundleError as e:
            raise BundleError(f"bundle {source}: {e}") from None
    return read_bundle(files, root, where=str(source), problems=problems)


def read_bundle(
    files: Mapping[str, bytes],
    root: Ed25519PublicKey | None = None,
    *,
    where: str = "in memory",
    problems: Iterable[ListProblem] = (),
) -> Bundle:
    """Verify a bundle's files given by relative path (what a folder holds, or what
    :func:`unpack` returns); ``root`` overrides the files' root.pub."""
    missing = next(
        (n for n in _TOP_FILES if n not in files and (n != "root.pub" or not root)), None
    )
    if missing is not None:
        raise BundleError(f"bundle {where} lacks {missing}")
    try:
        if root is None:
            root = Ed25519PublicKey.from_public_bytes(
                bytes.fromhex(files["root.pub"].decode("ascii").strip())
            )
        trust_list = read_trust_list(files["trust-list.cwt"], root)
        venue_rules = read_venue_rules(files["venue-rules.cwt"], root)
    except (ValueError, TrustListError, VenueRulesError) as e:
        raise BundleError(f"bundle {where}: {e}") from None
    lists: dict[tuple[str, str], StatusListToken] = {}
    found = list(problems)
    for name in sorted(n for n in files if n.startswith("status/")):
        _, named, file = name.split("/")
        token, problem = _read_status_list(
            name, named, file.removesuffix(".cwt"), files[name], trust_list
        )
        if token is not None:
            lists[named, file.removesuffix(".cwt")] = token
        elif problem is not None:
            found.append(problem)
    return Bundle(
        trust_list=trust_list,
        venue_rules=venue_rules,
        status_lists=lists,
        problems=tuple(found),
    )


def _folder_files(folder: Path) -> tuple[dict[str, bytes], list[ListProblem]]:
    """A bundle folder's files by relative path; a status list that cannot be read is a
    problem of its own, not the bundle's."""
    files: dict[str, bytes] = {}
    for name in _TOP_FILES:
        try:
            files[name] = (folder / name).read_bytes()
        except FileNotFoundError:
            continue  # read_bundle names what is missing
        except OSError as e:
            raise BundleError(f"bundle {folder}: {e}") from None
    problems = []
    for path in sorted((folder / "status").glob("*/*.cwt")):
        name = path.relative_to(folder).as_posix()
        try:
            files[name] = path.read_bytes()
        except OSError as e:
            problems.append(ListProblem(file=name, problem=str(e), authority=path.parent.name))
    return files, problems


def _read_status_list(
    name: str, named: str, list_id: str, data: bytes, trust_list: TrustList
) -> tuple[StatusListToken | None, ListProblem | None]:
    """One status list verified against the trust list, or the reason it cannot be used.
    ``name`` is its file (``status/jinan/sl-0000.cwt``), ``named`` and ``list_id`` the
    authority and list that name implies, until the content says otherwise."""
    try:
        token = parse_status_list_token(
            data,
            max_token_bytes=MAX_STATUS_TOKEN_BYTES,
            max_list_bytes=MAX_STATUS_LIST_BYTES,
        )
        token.status_list  # noqa: B018 - inflate now, under the cap: a bomb is found here
    except StatusListError as e:
        return None, ListProblem(file=name, problem=str(e), authority=named)
    parsed = parse_status_uri(token.uri)
    authority = parsed[0] if parsed else None

    def refused(problem: str) -> tuple[None, ListProblem]:
        return None, ListProblem(
            file=name, problem=problem, uri=token.uri, authority=authority or named
        )

    if parsed != (named, list_id):
        return refused(f"the list at {token.uri} is filed as {name}")

    signer = trust_list.key(token.sign1.kid or b"")
    if signer is None or signer.authority != authority:
        return refused(f"not signed by {authority}'s key")
    if signer.retired_at is not None:  # a retired key vouches for nothing, whatever its iat
        return refused(f"signed by the retired key {signer.kid.hex()}")
    if not token.sign1.verify(signer.public()):
        return refused("signature does not verify")
    return token, None
