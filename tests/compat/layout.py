"""The committed compatibility fixture: where its files are, the settings its stores were
written with, and the event classes the packages declare (which it must cover).

Shared by the script that writes the fixture (``tests.compat.make_fixture``) and the
tests that open it (``tests.compat.test_fixture_store``), so both read one layout.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from eventsourcing.domain import Aggregate, DomainEvent

FIXTURE = Path(__file__).parent / "fixture"
SEALED_FIXTURE = Path(__file__).parent / "fixture-sealed"
"""The first fixture taken on by issue 25's version (``make_sealed_fixture``): sealed,
with erasures and a third checkpoint."""
AMENDED_FIXTURE = Path(__file__).parent / "fixture-amended"
"""The sealed fixture taken on by issue 26's version (``make_amended_fixture``): cards'
people changed after issuance, one change refused, one superseding a credential."""
RECTIFIED_FIXTURE = Path(__file__).parent / "fixture-rectified"
"""The amended fixture taken on by issue 27's version (``make_rectified_fixture``): the
register of employers, and the rectified rules' first cards (a spouse's transfer asked for,
a 惠才卡 filed by a registered employer and received before it was decided)."""
FIXTURES = (FIXTURE, SEALED_FIXTURE, AMENDED_FIXTURE, RECTIFIED_FIXTURE)
SEALED_EVENTS = frozenset(
    {
        "domain.erasure:Erasure.Proposed",
        "domain.erasure:Erasure.Approved",
        "domain.migration:PersonalDataSealing.Sealed",
    }
)
"""Event classes added after the first fixture was written: only the sealed one holds them
(the first fixture's history is what 984c53b wrote and never changes)."""
AMENDED_EVENTS = frozenset(
    {
        "domain.card:Card.AmendmentRequested",
        "domain.card:Card.AmendmentDecided",
    }
)
"""Event classes added by issue 26: held by the amended fixture only."""
RECTIFIED_EVENTS = frozenset(
    {
        "domain.employer:RegisteredEmployer.Registered",
        "domain.employer:RegisteredEmployer.LevelChanged",
        "domain.card:Card.SpouseTransferRecorded",
    }
)
"""Event classes added by issue 27 (the register of employers, Liaocheng art. 13's spouse
transfer): held by the rectified fixture only."""
EXPECTED = "expected.json"
POSTGRES_DUMP = "postgres.sql"
STORES = ("sqlite", "postgres")
SQLITE_FILE = "talentcard.sqlite3"
TRUST = "trust"  # root.pub and trust-list.cwt, as written with the store: the auditor's anchor
POSTGRES_SCHEMA = "talentcard_fixture"  # the dumped schema's name; restored under it
KEY_PASSPHRASE = "fixture passphrase"  # the fixture's issuer keys (test keys, not secret)
KEY_KDF_COST = "m=64,t=1,p=1"
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
"""The fixed clock's first instant: the history is written from it, a few minutes a step."""
PACKAGES = ("domain", "ledger", "signing", "projections", "services")


class FixedClock:
    """The clock the fixture is written and read with: moved by hand, never the real one."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def environ(data_dir: Path, database_url: str) -> dict[str, str]:
    """The registry's settings for one of the fixture's stores."""
    return {
        "TALENTCARD_DATA_DIR": str(data_dir),
        "TALENTCARD_DATABASE_URL": database_url,
        "TALENTCARD_KEY_PASSPHRASE": KEY_PASSPHRASE,
        "TALENTCARD_KEY_KDF_COST": KEY_KDF_COST,
    }


def topic(cls: type) -> str:
    """A class's topic as the store names it (``module:qualname``)."""
    return f"{cls.__module__}:{cls.__qualname__}"


def declared_event_topics() -> set[str]:
    """The topic of every event class the packages declare: the nested ``DomainEvent``
    classes of every ``Aggregate`` subclass, less those the library makes for each
    aggregate (its ``Event`` base, and its default ``Created`` where another creation
    event is declared)."""
    for package in PACKAGES:
        _import_all(package)
    found: set[str] = set()
    for aggregate in _subclasses(Aggregate):
        found.update(topic(e) for e in _declared_events(aggregate))
    return found


def _declared_events(aggregate: type[Aggregate]) -> list[type]:
    nested = [
        o for o in vars(aggregate).values() if inspect.isclass(o) and issubclass(o, DomainEvent)
    ]
    bases = {b for e in nested for b in e.__mro__[1:]}
    events = [e for e in nested if e not in bases]
    default = vars(aggregate).get("Created")
    creations = [e for e in events if issubclass(e, Aggregate.Created) and e is not default]
    return [e for e in events if not (e is default and creations)]


def _subclasses(cls: type) -> Iterator[type]:
    subclasses: list[type] = cls.__subclasses__()
    for sub in subclasses:
        if sub.__module__.split(".")[0] in PACKAGES:
            yield sub
        yield from _subclasses(sub)


def _import_all(package: str) -> None:
    root = importlib.import_module(package)
    for info in pkgutil.walk_packages(root.__path__, f"{package}."):
        importlib.import_module(info.name)
