"""Tamper evidence at scale: signing a checkpoint, exporting the log and the auditor's
offline verify, on the synthetic history of the projections benchmark.

    python -m bench.audit [--cards 100000] [--runs 3] [--stores sqlite,postgres]
                          [--workdir DIR] [--workers 2]

For each store (seeded once by ``bench.projections``' ``prepare``, reused afterwards):

(a) raw read: every notification read a page at a time, rows only: the baseline;
(b) checkpoint: one event added (a user), then ``ledger checkpoint``'s service call: every
    event read and made a leaf, the tree hashed, the leaves compared with the ones the
    last checkpoint recorded, the consistency proof checked, signed and stored;
(c) ``audit export`` (full) to a file;
(d) ``audit verify`` of that file, offline, on ``--workers`` processes (and on one, for
    the ratio); goal: the 100,000-card history in under a minute;
(e) the file read and its lines decoded, nothing else: verify's floor.

The first checkpoint of a store is timed as well (it records every leaf hash). Medians of
``--runs`` runs; the export file is written once per run to ``--workdir``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench.projections import environment, prepare, raw_read
from domain.user import PROVINCE
from domain.vocabulary import Role
from services.audit.file_format import DECODER
from services.audit.verify import verify_export
from services.bootstrap import Registry
from services.users import host_administrator


def _auditor(registry: Registry) -> Any:
    name = f"bench.auditor.{uuid.uuid4().hex[:8]}"
    issued = registry.users.add(None, name=name, role=Role.AUDITOR, authority=PROVINCE)
    return registry.users.authenticate(issued.key)


def read_lines(path: Path) -> float:
    started = time.perf_counter()
    with path.open("rb") as f:
        for raw in f:
            DECODER.decode(raw)
    return time.perf_counter() - started


def measure(
    kind: str, environ: dict[str, str], runs: int, workers: int, workdir: Path
) -> dict[str, Any]:
    out: dict[str, list[float]] = {
        k: [] for k in ("raw", "checkpoint", "export", "verify", "verify1", "lines")
    }
    first: float | None = None
    events = 0
    with environment(environ), Registry() as registry:
        registry.keys.init()  # adds the log key to a store seeded before it existed
        log = registry.transparency
        if log.latest() is None:
            started = time.perf_counter()
            log.checkpoint(host_administrator())
            first = time.perf_counter() - started
        for run in range(runs):
            events, seconds = raw_read(registry, decode=False)
            out["raw"].append(seconds)
            who = _auditor(registry)  # the new event the checkpoint covers
            started = time.perf_counter()
            made = log.checkpoint(host_administrator())
            out["checkpoint"].append(time.perf_counter() - started)
            path = workdir / f"audit-{kind}-{run}.jsonl"
            path.unlink(missing_ok=True)
            started = time.perf_counter()
            with path.open("xb") as stream:
                registry.audit_export.export(who, stream, redacted=False)
            out["export"].append(time.perf_counter() - started)
            report = verify_export(path, workers=workers)
            assert report.ok, report.findings[:3]
            assert report.covered == made.size
            out["verify"].append(report.seconds)
            out["verify1"].append(verify_export(path, workers=1).seconds)
            out["lines"].append(read_lines(path))
            size = path.stat().st_size
            path.unlink()
    med = {k: statistics.median(v) for k, v in out.items()}
    return {
        "store": kind,
        "events": events,
        "leaves": made.size,
        "export_bytes": size,
        "first_checkpoint_s": first,
        **{f"{k}_s": round(v, 3) for k, v in med.items()},
        "verify_eps": round(made.size / med["verify"]),
        "checkpoint_over_raw": round(med["checkpoint"] / med["raw"], 2),
        "verify_over_lines": round(med["verify"] / med["lines"], 2),
        "runs": {k: [round(x, 3) for x in v] for k, v in out.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--stores", default="sqlite,postgres")
    parser.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "tc-bench"))
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    workdir = Path(args.workdir)
    results = []
    for kind in args.stores.split(","):
        environ = prepare(kind, args.cards, workdir, args.workers)
        r = measure(kind, environ, args.runs, args.workers, workdir)
        results.append(r)
        print(f"\n{kind}: {r['leaves']:,} leaves, export {r['export_bytes'] / 1e6:,.0f} MB")
        if r["first_checkpoint_s"] is not None:
            print(f"  first checkpoint     {r['first_checkpoint_s']:8.1f} s")
        print(f"  raw read             {r['raw_s']:8.1f} s")
        print(
            f"  checkpoint           {r['checkpoint_s']:8.1f} s"
            f"  = {r['checkpoint_over_raw']}x raw read"
        )
        print(f"  export               {r['export_s']:8.1f} s")
        print(
            f"  verify ({args.workers} workers)   {r['verify_s']:8.1f} s"
            f"  = {r['verify_eps']:,} events/s"
        )
        print(f"  verify (1 worker)    {r['verify1_s']:8.1f} s")
        print(f"  lines read           {r['lines_s']:8.1f} s  (verify = {r['verify_over_lines']}x)")
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
