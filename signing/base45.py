"""Base45 (RFC 9285). Placeholder over the ``base45`` package until the table-driven
decoder lands."""

from __future__ import annotations

import base45 as _base45


def b45encode(data: bytes) -> str:
    encoded: bytes = _base45.b45encode(data)
    return encoded.decode("ascii")


def b45decode(text: str) -> bytes:
    decoded: bytes = _base45.b45decode(text)
    return decoded
