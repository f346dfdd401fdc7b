"""The composition root: settings → store → ledger → read models → keystore → services.

Built once per process by the entry point (the CLI's ``main``, the HTTP app, the
projector) and handed the environment and the clock; every part is built lazily on first
use, so a command builds only what it uses: ``verify`` and ``--help`` open no store and
import no database driver (the store modules are imported inside the properties).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Self

from domain.clock import Clock
from ledger import settings as store_settings
from services import settings
from services.clock import system_clock

if TYPE_CHECKING:  # the store-side modules import the database drivers
    from ledger.app import CardLedger
    from ledger.event_keys import EventKeys
    from projections.engine import ReadModels
    from services.audit.export import AuditExport
    from services.audit.trail import AuditService
    from services.audit.transparency import TransparencyLog
    from services.benefits import BenefitService
    from services.cards import CardService
    from services.employers import EmployerService
    from services.evidence import EvidenceReader
    from services.issuance import IssuanceService
    from services.keys import KeyService
    from services.operations import ProjectionService
    from services.personal_data import PersonalDataService
    from services.policy import PolicyService
    from services.policy_recheck import PolicyRecheck
    from services.public import PublicDocuments
    from services.quotas import QuotaService
    from services.reports import ReportService
    from services.sessions import SessionService
    from services.statistics import StatisticsService
    from services.users import UserService
    from services.verification import VerificationService
    from services.work import WorkService
    from signing.keys import Keystore


class Registry:
    """Every service of the registry, over one store, one keystore and one clock."""

    def __init__(
        self,
        environ: Mapping[str, str] | None = None,
        *,
        clock: Clock = system_clock,
        ledger: CardLedger | None = None,
    ) -> None:
        # The process environment is read here and nowhere else in the application.
        self.environ: dict[str, str] = dict(os.environ if environ is None else environ)
        self.clock = clock
        self._given_ledger = ledger
        self._opened: list[CardLedger] = []

    # ---- infrastructure -----------------------------------------------------------------

    @cached_property
    def data_dir(self) -> Path:
        """The data folder (SQLite file, registry key, keys)."""
        return store_settings.data_dir(self.environ)

    @cached_property
    def store(self) -> dict[str, str]:
        """The event store's settings (eventsourcing's), from TALENTCARD_DATABASE_URL; made
        on first use (for the embedded store, making them creates its file)."""
        url = store_settings.database_url(self.environ)
        return store_settings.store_env(url, self.data_dir, self.environ)

    @cached_property
    def ledger(self) -> CardLedger:
        """The event store's application, opened as a runtime process (no DDL), every save
        signed with the event keys."""
        if self._given_ledger is not None:
            return self._given_ledger
        from ledger.store import open_ledger

        ledger = open_ledger(
            self.store,
            id_pepper=self._id_pepper,
            event_keys=self.event_keys,
            clock=self.clock,
        )
        self._opened.append(ledger)
        return ledger

    @cached_property
    def read_models(self) -> ReadModels:
        """The persisted read models on the ledger's own store. Services are handed
        ``self._read_models`` and build them on first use: a command needs none."""
        from projections.engine import ReadModels

        ledger = self.ledger
        return ReadModels(
            ledger,
            seed_for=lambda authority: ledger.derived_secret(f"status-list:{authority}"),
            wait_seconds=settings.catch_up_seconds(self.environ),
        )

    def _read_models(self) -> ReadModels:
        """The read models, built on this first call: how every service reaches them."""
        return self.read_models

    @cached_property
    def keystore(self) -> Keystore:
        """The issuer keys (opened, not decrypted: each use proves the passphrase; a key once
        decrypted is kept for as long as its file is unchanged)."""
        from signing.keys import Keystore

        return Keystore(
            settings.keys_dir(self.environ, self.data_dir),
            settings.key_passphrase(self.environ),
            kdf_cost=settings.key_kdf_cost(self.environ),
        )

    @cached_property
    def event_keys(self) -> EventKeys:
        """The keys that sign every save (ledger.event_keys), beside the registry key."""
        from ledger.event_keys import EventKeys

        return EventKeys(store_settings.event_keys_dir(self.data_dir, self.environ))

    # ---- services -----------------------------------------------------------------------

    @cached_property
    def cards(self) -> CardService:
        """Card commands and queries."""
        from services.cards import CardService

        return CardService(
            self.ledger,
            self._read_models,
            self.clock,
            holder_refusals_per_hour=settings.holder_refusals_per_hour(self.environ),
            evidence=self._evidence_reader,
        )

    def _evidence_reader(self) -> EvidenceReader:
        """Reads evidence credentials; opens the keystore only when one is passed."""
        from services.evidence import EvidenceReader

        return EvidenceReader(self.ledger, self.issuance, self.clock)

    @cached_property
    def personal_data(self) -> PersonalDataService:
        """Erasure, retention, a person's copy and the record of reads (PIPL)."""
        from services.personal_data import PersonalDataService

        return PersonalDataService(self.ledger, self._read_models, self.clock)

    @cached_property
    def users(self) -> UserService:
        """Users, their keys, and authentication."""
        from services.users import UserService

        return UserService(self.ledger)

    @cached_property
    def sessions(self) -> SessionService:
        """The staff console's sign-in and sessions, kept in the store (issue 28)."""
        from ledger.sessions import SessionStore
        from services.sessions import SessionService

        recorder = self.ledger.recorder
        store = SessionStore(
            recorder.datastore,  # type: ignore[attr-defined]
            recorder.events_table_name,  # type: ignore[attr-defined]
            postgres=self.ledger.env.get("PERSISTENCE_MODULE") == "eventsourcing.postgres",
        )
        return SessionService(
            self.ledger, self.users, store, self.clock, settings.session_limits(self.environ)
        )

    @cached_property
    def work(self) -> WorkService:
        """The files waiting for a user (my work, 待办) and the actions open to it."""
        from services.work import WorkService

        return WorkService(self.ledger, self._read_models, self.clock)

    @cached_property
    def employers(self) -> EmployerService:
        """The register of employers and their levels (RD-2026-91)."""
        from services.employers import EmployerService

        return EmployerService(self.ledger)

    @cached_property
    def benefits(self) -> BenefitService:
        """Recorded use of service items, and what is left of them."""
        from services.benefits import BenefitService

        return BenefitService(self.ledger, self._read_models, self.clock)

    @cached_property
    def issuance(self) -> IssuanceService:
        """Credentials and venue bundles."""
        from services.issuance import IssuanceService

        return IssuanceService(
            self.ledger,
            self._read_models,
            self.keystore,
            self.clock,
            public_base_url=settings.public_base_url(self.environ),
            event_keys=self.event_keys,
        )

    @cached_property
    def public(self) -> PublicDocuments:
        """The public documents (trust list, status lists, bundle), signed once and kept
        for every request, and the verifier run against them."""
        from services.public import PublicDocuments

        return PublicDocuments(self.issuance, self.clock)

    @cached_property
    def quotas(self) -> QuotaService:
        """Project and enterprise quotas."""
        from services.quotas import QuotaService

        return QuotaService(self.ledger, self.clock)

    @cached_property
    def projections(self) -> ProjectionService:
        """The projector and the read models' operations."""
        from services.operations import ProjectionService

        return ProjectionService(self._read_models)

    @cached_property
    def audit(self) -> AuditService:
        """The audit trail."""
        from services.audit.trail import AuditService

        return AuditService(self._read_models)

    @cached_property
    def statistics(self) -> StatisticsService:
        """Counts and issuance deadlines."""
        from services.statistics import StatisticsService

        return StatisticsService(self._read_models, self.clock)

    @cached_property
    def reports(self) -> ReportService:
        """The officials' reports over the network, within their authority."""
        from services.reports import ReportService

        return ReportService(self.statistics, self.audit)

    @cached_property
    def transparency(self) -> TransparencyLog:
        """The Merkle tree over the ledger, its checkpoints and proofs."""
        from services.audit.transparency import TransparencyLog

        return TransparencyLog(self.ledger, self.keystore, self.clock, self.event_keys)

    @cached_property
    def audit_export(self) -> AuditExport:
        """The whole log and its checkpoints as one file, for an auditor to check alone."""
        from services.audit.export import AuditExport

        return AuditExport(self.transparency, self.issuance, self.clock)

    @cached_property
    def keys(self) -> KeyService:
        """The issuer keys' life cycle."""
        from services.keys import KeyService

        return KeyService(self.keystore, self.clock)

    @cached_property
    def policy(self) -> PolicyService:
        """The policy rules, read and tried."""
        from services.policy import PolicyService

        return PolicyService(self.clock)

    @cached_property
    def policy_recheck(self) -> PolicyRecheck:
        """The past decisions a corrected reading would decide differently."""
        from services.policy_recheck import PolicyRecheck

        return PolicyRecheck(self.ledger)

    @cached_property
    def verification(self) -> VerificationService:
        """The offline verifier (no store)."""
        from services.verification import VerificationService

        return VerificationService(self.clock)

    # ---- store administration -----------------------------------------------------------

    def store_kind(self) -> str:
        """``sqlite`` or ``postgres``, proving the store answers."""
        ledger = self.ledger
        ledger.recorder.max_notification_id()
        return str(ledger.env.get("PERSISTENCE_MODULE")).split(".")[-1]

    def _id_pepper(self) -> bytes:
        """The identity key (``ledger.settings.id_pepper``: made on first use)."""
        return store_settings.id_pepper(self.data_dir, self.environ)

    def init_store(self, app_role: str | None = None) -> str:
        """``talentcard init``: the event store, its guards and the read models' tables,
        made by the store's owner (the ledger may not import the read models, so they are
        handed in here); with ``app_role``, that role's grants. Idempotent. Returns a
        description of the store."""
        from ledger.store import check_app_role, create_store
        from projections.engine import install

        check_app_role(store_settings.database_url(self.environ), app_role)
        create_store(
            self.store,
            app_role=app_role,
            install_read_models=install,
            id_pepper=self._id_pepper,
        )
        return _describe_store(self.store)

    def seal_personal_data(self) -> int:
        """``talentcard ledger seal-personal-data``: seal, as the store's owner, the
        personal data it holds in plaintext (ledger.sealing_migration), record that it was
        done, and rebuild the read models that hold personal columns so they hold it
        encrypted too. Returns how many events were sealed (0: nothing to do)."""
        import getpass

        from cryptography.hazmat.primitives.keywrap import aes_key_wrap

        from domain.clock import as_utc
        from domain.migration import PersonalDataSealing
        from ledger.leaves import SALT_PURPOSE
        from ledger.person_keys import WRAP_PURPOSE
        from ledger.sealing_migration import seal_store

        ledger = self.ledger
        kek = ledger.derived_secret(WRAP_PURPOSE)
        count = seal_store(
            ledger.recorder,
            salt_key=ledger.derived_secret(SALT_PURPOSE),
            wrap=lambda key: aes_key_wrap(kek, key),
        )
        if count:
            owner = self.store.get("POSTGRES_USER") or getpass.getuser()
            ledger.save(PersonalDataSealing(owner, as_utc(self.clock()), count))
            self.read_models.rebuild(["card_current", "entitlements"])
        return count

    # ---- life cycle ---------------------------------------------------------------------

    def close(self) -> None:
        """Close what this registry opened (a given ledger is its owner's to close)."""
        while self._opened:
            self._opened.pop().close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _describe_store(env: Mapping[str, str]) -> str:
    if env.get("PERSISTENCE_MODULE") == "eventsourcing.postgres":
        schema = env.get("POSTGRES_SCHEMA") or "public"
        return (
            f"PostgreSQL {env.get('POSTGRES_HOST')}:{env.get('POSTGRES_PORT')}"
            f"/{env.get('POSTGRES_DBNAME')} schema {schema}"
        )
    return f"SQLite {env.get('SQLITE_DBNAME')}"
