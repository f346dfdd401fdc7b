"""The msgspec transcoder against eventsourcing's default JSON transcoder, on the Card's
real event states (a full lifecycle: Applied, three reviews, Issued, Extended, Suspended,
Reinstated, Revoked; Rejected and Withdrawn carry the same Context and less).

    python -m bench.transcoder [--rounds 2000] [--runs 5]

The JSON side gets what a team would otherwise write: one Transcoding per Struct type
(to builtins and back through msgspec.convert) plus the library's UUID/Decimal/datetime
transcodings, so both sides restore identical values. Prints encode+decode round trips
per second and stored bytes per event, median of ``--runs`` runs.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date
from typing import Any

import msgspec
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Transcoder,
    Transcoding,
    UUIDAsHex,
)

from domain import card, values
from ledger.transcoder import MsgspecTranscoder


def struct_transcoding(cls: type[msgspec.Struct]) -> Transcoding:
    class StructAsDict(Transcoding):
        type = cls
        name = cls.__name__

        def encode(self, obj: Any) -> Any:
            return msgspec.to_builtins(obj)

        def decode(self, data: Any) -> Any:
            return msgspec.convert(data, cls)

    return StructAsDict()


def json_transcoder() -> JSONTranscoder:
    t = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO()):
        t.register(transcoding)
    # Every payload Struct the events carry, found rather than listed, so a payload added
    # later cannot make this baseline crash (a hand list lost FileReceipt, issue 24).
    payloads = {
        cls
        for module in (values, card)
        for cls in vars(module).values()
        if isinstance(cls, type) and issubclass(cls, msgspec.Struct)
        and cls.__module__ == module.__name__
    }
    for cls in sorted(payloads, key=lambda c: c.__qualname__):
        t.register(struct_transcoding(cls))
    return t


def lifecycle_states() -> list[dict[str, Any]]:
    from tests.domain.factories import LANDED, change, ctx, revoke, weihai_business_elite

    card = weihai_business_elite()
    # What the evidence shows (issue 12's extension rule): the project's formal landing.
    card.extend(ctx(), event_on=date(2026, 3, 2), evidence=("doc://landing/1",), shows=LANDED)
    card.suspend(ctx(), change())
    card.reinstate(ctx(), change())
    revoke(card)
    states = []
    for e in card.collect_events():
        state = dict(vars(e))
        state.pop("originator_id")
        state.pop("originator_version")
        states.append(state)
    return states


def round_trips_per_second(t: Transcoder, states: list[dict[str, Any]], rounds: int) -> float:
    started = time.perf_counter()
    for _ in range(rounds):
        for state in states:
            t.decode(t.encode(state))
    return rounds * len(states) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    states = lifecycle_states()
    fast, default = MsgspecTranscoder(), json_transcoder()
    for state in states:  # both restore exactly what they were given
        assert fast.decode(fast.encode(state)) == state
        assert default.decode(default.encode(state)) == state
    results: dict[str, list[float]] = {"msgspec": [], "json": []}
    for i in range(args.runs):
        pairs = [("msgspec", fast), ("json", default)]
        for name, t in pairs if i % 2 == 0 else reversed(pairs):
            results[name].append(round_trips_per_second(t, states, args.rounds))
    size = {name: sum(len(t.encode(s)) for s in states) / len(states)
            for name, t in (("msgspec", fast), ("json", default))}
    m, j = statistics.median(results["msgspec"]), statistics.median(results["json"])
    print(f"{len(states)} event states x {args.rounds} rounds, median of {args.runs} runs")
    print(f"msgspec transcoder: {m:>10,.0f} round trips/s  {size['msgspec']:6.0f} bytes/event")
    print(f"default JSON:       {j:>10,.0f} round trips/s  {size['json']:6.0f} bytes/event")
    print(f"ratio msgspec/json: {m / j:.2f}x speed, {size['msgspec'] / size['json']:.2f}x size")


if __name__ == "__main__":
    main()
