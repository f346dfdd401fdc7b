"""Base45 (RFC 9285), the text a card credential's QR code carries after ``TC1:``.

Written here rather than taken from the ``base45`` package because the verifier decodes
one text per card a venue scans, and the package's per-character Python loop was the
largest single cost of a verify; the numpy-based ``b45`` is fast but accepts ``GGW``
(decoding an overflowing group to two zero bytes) and would bring numpy into the verifier.

The decoder does its arithmetic on every group at once: the characters become digit bytes
through one translation table, the digit bytes one big integer, and with each group in its
own 24-bit lane ``c + 45·d + 2025·e`` is three masked shifts and two multiplications (a
lane holds at most 91,124, so no lane carries into the next). Every loop over characters
runs inside CPython's bytes and int routines; Python code runs once per text, not per group.
"""

from __future__ import annotations

from typing import NoReturn

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

_INVALID = 0xFF  # a digit byte no character of the alphabet translates to
# Byte value of an ASCII character -> its digit (0..44), or _INVALID.
_DIGITS = bytes(
    ALPHABET.index(chr(b)) if chr(b) in ALPHABET else _INVALID for b in range(256)
)
# 0xFF in the lowest byte of each 24-bit lane, for as many lanes as the longest QR code's
# text (4,296 alphanumerics) holds groups; `&` stops at the shorter operand, so one mask
# serves every shorter text and a longer one builds its own.
_LANE = b"\x00\x00\xff"
_MASK_GROUPS = 4_296 // 3
_MASK = int.from_bytes(_LANE * _MASK_GROUPS, "big")


def b45decode(text: str) -> bytes:
    """The bytes a base45 text encodes; ValueError, naming the fault, on any invalid text.

    Invalid: a length one more than a multiple of 3, a character outside the alphabet
    (lowercase letters, whitespace other than the space, anything non-ASCII), a group of
    three worth more than 65,535 or a final pair worth more than 255.
    """
    length = len(text)
    if length % 3 == 1:
        raise ValueError(
            f"base45 text of {length} characters: a length one more than a multiple of 3 "
            "is not valid"
        )
    if not text.isascii():
        _refuse_character(text)
    digits = text.encode("ascii").translate(_DIGITS)
    if _INVALID in digits:
        _refuse_character(text)
    whole = length - length % 3
    groups = whole // 3
    mask = _MASK if groups <= _MASK_GROUPS else int.from_bytes(_LANE * groups, "big")
    # Big-endian: in each lane the group's first character is the most significant byte.
    lanes = int.from_bytes(digits[:whole], "big")
    values = ((lanes >> 16) & mask) + 45 * ((lanes >> 8) & mask) + 2025 * (lanes & mask)
    if (values >> 16) & mask:
        _refuse_group(text, values.to_bytes(whole, "big"))
    decoded = bytearray(values.to_bytes(whole, "big"))
    del decoded[::3]  # each lane's top byte, zero once no group overflowed
    if whole != length:
        last = digits[-2] + 45 * digits[-1]
        if last > 0xFF:
            raise ValueError(
                f"base45 final pair {text[-2:]!r} is worth {last}, over 255"
            )
        decoded.append(last)
    return bytes(decoded)


def b45encode(data: bytes) -> str:
    """The base45 text of ``data``: three characters per two bytes, two for a last byte."""
    chunks = []
    for i in range(0, len(data) - 1, 2):
        high, rest = divmod(data[i] << 8 | data[i + 1], 45 * 45)
        middle, low = divmod(rest, 45)
        chunks.append(ALPHABET[low] + ALPHABET[middle] + ALPHABET[high])
    if len(data) % 2:
        high, low = divmod(data[-1], 45)
        chunks.append(ALPHABET[low] + ALPHABET[high])
    return "".join(chunks)


def _refuse_character(text: str) -> NoReturn:
    # Only on the refusal path: find the culprit the fast check saw somewhere.
    position, character = next((i, c) for i, c in enumerate(text) if c not in ALPHABET)
    raise ValueError(
        f"base45 text holds {character!r} at position {position}, outside the alphabet "
        f"{ALPHABET!r}"
    )


def _refuse_group(text: str, lanes: bytes) -> NoReturn:
    group = next(i for i in range(0, len(lanes), 3) if lanes[i])
    value = int.from_bytes(lanes[group : group + 3], "big")
    raise ValueError(
        f"base45 group {text[group : group + 3]!r} at position {group} is worth {value}, "
        "over 65535"
    )
