"""Write the compatibility fixture: one store of each kind holding every kind of event.

    python -m tests.compat.make_fixture OUTDIR

Needs PostgreSQL at TALENTCARD_TEST_POSTGRES_URL (a role that may create schemas) and
``pg_dump`` on the PATH. Writes, in OUTDIR (which must not exist):

- ``sqlite/``: the embedded store's data folder: the SQLite file, the id pepper, the event
  keys, the issuer keys (``keys/``), its checkpoint (``checkpoints/``) and trust anchor
  (``trust/``);
- ``postgres/`` and ``postgres.sql``: the same for a store written on PostgreSQL (its data
  folder holds the keys; the dump, of schema ``talentcard_fixture``, holds the events and
  read models);
- ``expected.json``: per store, each read model's checksum after a rebuild from the log,
  the events per topic and the checkpoint.

The script fails unless each store holds at least one event of every event class the
packages declare (``layout.declared_event_topics``), so a new event class fails it until
the history writes one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import uuid
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

from services.bootstrap import Registry
from tests.compat import history
from tests.compat.layout import (
    AMENDED_EVENTS,
    EXPECTED,
    POSTGRES_DUMP,
    POSTGRES_SCHEMA,
    RECTIFIED_EVENTS,
    SEALED_EVENTS,
    SQLITE_FILE,
    TRUST,
    FixedClock,
    declared_event_topics,
    environ,
)
from tests.conftest import init_as_owner

POSTGRES_URL = os.environ.get(
    "TALENTCARD_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
_PAGE = 1000
_README = """\
TEST FIXTURE, NOT SECRETS. The keys in this folder (id-pepper, event-keys/, keys/) were
made for the committed compatibility fixture by `python -m tests.compat.make_fixture` and
protect nothing but these test stores; the issuer keys' passphrase is in
tests/compat/layout.py. Never use them, or copy them, anywhere else.
"""


def write_store(data_dir: Path, database_url: str) -> dict[str, Any]:
    """Write the history into one store and what an auditor keeps beside it (the latest
    checkpoint, the trust anchor); returns the store's expected figures."""
    clock = FixedClock()
    with Registry(environ(data_dir, database_url), clock=clock) as registry:
        registry.keys.init()
        history.write(registry, clock)
        clock.advance(minutes=10)
        checkpoint = registry.transparency.checkpoint(history.CHECKPOINTER)
        folder = data_dir / "checkpoints"
        folder.mkdir()
        name = f"checkpoint-{checkpoint.size:012d}.cose"
        (folder / name).write_bytes(checkpoint.signed)
        _write_trust(registry, data_dir / TRUST)
        topics = event_topics(registry)
        later = SEALED_EVENTS | AMENDED_EVENTS | RECTIFIED_EVENTS
        missing = declared_event_topics() - set(topics) - later
        if missing:
            raise SystemExit(f"make_fixture: no event of {', '.join(sorted(missing))}")
        checksums = rebuilt_checksums(registry)
        return {
            "events": sum(topics.values()),
            "topics": dict(sorted(topics.items())),
            "checksums": checksums,
            "checkpoint": {"file": f"checkpoints/{name}", "size": checkpoint.size,
                           "root": str(checkpoint.root)},
        }




def _write_trust(registry: Registry, folder: Path) -> None:
    files = registry.issuance.bundle_files()
    folder.mkdir()
    for name in ("root.pub", "trust-list.cwt"):
        (folder / name).write_bytes(files[name])


def event_topics(registry: Registry) -> Counter[str]:
    """How many events of each topic the store holds."""
    recorder = registry.ledger.recorder
    counts: Counter[str] = Counter()
    start = 1
    while page := recorder.select_notifications(start, _PAGE):
        counts.update(n.topic for n in page)
        start = page[-1].id + 1
    return counts


def rebuilt_checksums(registry: Registry) -> dict[str, str]:
    """Each read model's checksum after the projector has run and after a rebuild from the
    log: the two must agree."""
    registry.projections.run(until_caught_up=True, stop=threading.Event())
    tailed = registry.projections.checksum(None)
    registry.projections.rebuild(None, progress=lambda done, total: None)
    rebuilt = registry.projections.checksum(None)
    if tailed != rebuilt:
        raise SystemExit(f"make_fixture: a rebuild changed the read models: {tailed} {rebuilt}")
    return dict(sorted(rebuilt.items()))


def postgres_store(data_dir: Path, dump: Path) -> dict[str, Any]:
    """Write the history on PostgreSQL, in a throwaway schema, and dump it (with its read
    models) as plain SQL that any client can replay: INSERTs, no owner, no grants."""
    scratch = f"tc_make_fixture_{uuid.uuid4().hex[:8]}"
    admin = POSTGRES_URL.split("?")[0]
    url = f"{admin}?schema={POSTGRES_SCHEMA}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(scratch)))
    try:
        parts = urlsplit(admin)
        url = parts._replace(path=f"/{scratch}").geturl() + f"?schema={POSTGRES_SCHEMA}"
        init_as_owner(database_url=url, data_dir=data_dir)
        expected = write_store(data_dir, url)
        _pg_dump(parts._replace(path=f"/{scratch}").geturl(), dump)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(scratch))
            )
    return expected


def _pg_dump(url: str, dump: Path) -> None:
    subprocess.run(
        ["pg_dump", "--dbname", url, "--schema", POSTGRES_SCHEMA, "--no-owner",
         "--no-privileges", "--inserts", "--file", str(dump)],
        check=True,
    )
    # pg_dump 15.14 and later fence the dump with psql's \restrict and \unrestrict; the
    # tests replay it as plain SQL through psycopg (CI has no psql to rely on).
    lines = dump.read_text().splitlines(keepends=True)
    fences = ("\\restrict", "\\unrestrict")
    dump.write_text("".join(x for x in lines if not x.startswith(fences)))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(args[0])
    if out.exists():
        print(f"make_fixture: {out} exists; give a new folder", file=sys.stderr)
        return 2
    out.mkdir(parents=True)
    sqlite_dir = out / "sqlite"
    expected = {
        "sqlite": write_store(sqlite_dir, f"sqlite:///{sqlite_dir / SQLITE_FILE}"),
        "postgres": postgres_store(out / "postgres", out / POSTGRES_DUMP),
    }
    for store in ("sqlite", "postgres"):
        (out / store / "README.md").write_text(_README)
        for lock in (out / store).rglob("*.lock"):  # flock files, empty, remade on use
            lock.unlink()
    (out / EXPECTED).write_text(json.dumps(expected, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps({s: {"events": e["events"]} for s, e in expected.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
