"""The offline verifier as a venue runs it: a token checked against a bundle on disk, on
the registry's clock unless an instant is given. Opens no store."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from domain.clock import Clock
from domain.policy import responsible_units
from signing.bundle import load_bundle
from signing.verify import VerificationResult, verify


class VerificationService:
    """Verify a credential offline."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def verify(
        self,
        token: str,
        bundle: Path,
        *,
        root: Ed25519PublicKey | None = None,
        at: datetime | None = None,
        service: str | None = None,
        beneficiary: str = "holder",
        holder_present: bool | None = None,
        venue_city: str | None = None,
        skew: timedelta,
    ) -> VerificationResult:
        """The verifier's decision on ``token`` with the bundle in ``bundle``; raises
        ``signing.bundle.BundleError`` when the bundle itself cannot be used."""
        result = verify(
            token,
            load_bundle(bundle, root),
            at=at or self._clock(),
            service=service,
            beneficiary=beneficiary,
            holder_present=holder_present,
            venue_city=venue_city,
            skew=skew,
        )
        units = responsible_units(service.strip()) if service else ()
        return msgspec.structs.replace(result, responsible=units) if units else result
