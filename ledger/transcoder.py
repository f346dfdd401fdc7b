"""An eventsourcing transcoder that stores event state as MessagePack via msgspec.

eventsourcing's mapper hands the transcoder ``dict(vars(event))`` with no schema, so plain
JSON cannot bring back UUIDs, dates or Decimals. Here each top-level value whose type
MessagePack would flatten is wrapped in an Ext record naming its type; msgspec Structs are
stored as their own typed MessagePack under their import path, so everything inside a
payload (nested Structs, dates, enums) decodes back to exactly the declared types.
Datetimes use MessagePack's standard timestamp extension, which msgspec decodes to
aware UTC datetimes.

An event whose encoding is larger than ``ledger.limits.MAX_EVENT_BYTES`` is refused here,
while the application is still preparing what to write, so nothing of it is stored.
"""

from __future__ import annotations

import enum
import functools
import importlib
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec
from eventsourcing.persistence import Transcoder

from ledger.limits import MAX_EVENT_BYTES, EventTooLarge

_EXT_STRUCT = 1
_EXT_UUID = 2
_EXT_DATE = 3
_EXT_DECIMAL = 4
_EXT_ENUM = 5
_SEP = b"\x00"


class TranscodingError(TypeError):
    """An event attribute of a type this transcoder cannot restore exactly."""


def _topic(cls: type) -> bytes:
    return f"{cls.__module__}:{cls.__qualname__}".encode()


# Stored data names the types to rebuild; only the domain's own modules may be named,
# so a stored record can never make the reader import anything else.
TRUSTED_MODULE_PREFIXES = ("domain.",)


@functools.cache
def _resolve(topic: bytes) -> type:
    module_name, _, qualname = topic.decode().partition(":")
    if not module_name.startswith(TRUSTED_MODULE_PREFIXES):
        raise TranscodingError(f"stored type {topic.decode()!r} is outside the domain")
    obj: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    if not isinstance(obj, type):
        raise TranscodingError(f"{topic.decode()} is not a type")
    return obj


@functools.cache
def _struct_decoder(cls: type) -> msgspec.msgpack.Decoder[Any]:
    return msgspec.msgpack.Decoder(cls)


class MsgspecTranscoder(Transcoder):
    """Encodes event state with msgspec MessagePack; restores every value's type."""

    def __init__(self, *, max_event_bytes: int = MAX_EVENT_BYTES) -> None:
        self.max_event_bytes = max_event_bytes
        self._encoder = msgspec.msgpack.Encoder()
        self._struct_encoder = msgspec.msgpack.Encoder()
        self._decoder = msgspec.msgpack.Decoder(dict[str, Any], ext_hook=self._ext_hook)

    def encode(self, obj: Any) -> bytes:
        if not isinstance(obj, dict):
            raise TranscodingError(f"expected the event state dict, got {type(obj).__name__}")
        encoded = self._encoder.encode({k: self._wrap(k, v) for k, v in obj.items()})
        if len(encoded) > self.max_event_bytes:
            raise EventTooLarge(
                f"the event would take {len(encoded)} bytes; the store accepts at most "
                f"{self.max_event_bytes}: nothing was written"
            )
        return encoded

    def decode(self, data: bytes) -> Any:
        return self._decoder.decode(data)

    def _wrap(self, key: str, value: Any) -> Any:
        if value is None or type(value) in (str, int, float, bool, bytes, datetime):
            return value
        if isinstance(value, msgspec.Struct):
            body = self._struct_encoder.encode(value)
            return msgspec.msgpack.Ext(_EXT_STRUCT, _topic(type(value)) + _SEP + body)
        if isinstance(value, enum.Enum):
            payload = self._struct_encoder.encode(value.value)
            return msgspec.msgpack.Ext(_EXT_ENUM, _topic(type(value)) + _SEP + payload)
        if isinstance(value, UUID):
            return msgspec.msgpack.Ext(_EXT_UUID, value.bytes)
        if isinstance(value, date) and not isinstance(value, datetime):
            return msgspec.msgpack.Ext(_EXT_DATE, value.isoformat().encode())
        if isinstance(value, Decimal):
            return msgspec.msgpack.Ext(_EXT_DECIMAL, str(value).encode())
        if isinstance(value, datetime):  # a datetime subclass
            return value
        # Lists, tuples and dicts would decode with their types lost; event attributes
        # that hold several values must be a Struct.
        raise TranscodingError(
            f"event attribute {key!r} has type {type(value).__name__}; wrap compound "
            "values in a msgspec Struct so they decode back to their declared types"
        )

    @staticmethod
    def _ext_hook(code: int, data: memoryview) -> Any:
        raw = bytes(data)
        if code == _EXT_STRUCT:
            topic, _, body = raw.partition(_SEP)
            return _struct_decoder(_resolve(topic)).decode(body)
        if code == _EXT_ENUM:
            topic, _, body = raw.partition(_SEP)
            return _resolve(topic)(msgspec.msgpack.decode(body))
        if code == _EXT_UUID:
            return UUID(bytes=raw)
        if code == _EXT_DATE:
            return date.fromisoformat(raw.decode())
        if code == _EXT_DECIMAL:
            return Decimal(raw.decode())
        raise TranscodingError(f"unknown MessagePack extension code {code}")
