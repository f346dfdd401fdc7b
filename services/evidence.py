"""Another card's credential as evidence (凭证核验): a rule that reads another card (the
惠才卡 a Weihai category 1 card is filed on) takes that card's credential, the signed token
venues scan, and the registry checks it as a venue would, offline: the signature against
the trust list, the card in force and not revoked per the status lists the registry
signs now, and its holder binding against the ID number given, which must also be the
card's own holder's. It never looks the other card up in any registry's files, so a card
of another registry verifies the same way once its keys are on the trust list.

Every failure gets the one refusal below, whatever failed: a forged token, another
person's, a revoked or an unknown card all read alike, so the answer tells nothing about
the card or the person named.
"""

from __future__ import annotations

from domain.card import Card
from domain.clock import Clock
from domain.errors import DomainError, InvalidInput
from domain.policy import CredentialEvidence
from domain.vocabulary import IdDocumentKind
from ledger.app import CardLedger
from services.issuance import IssuanceService
from signing.bundle import read_bundle
from signing.cose import parse_sign1
from signing.credential import decode_claims, from_text
from signing.verify import holder_matches, verify

EVIDENCE_REFUSED = (
    "the evidence credential was not accepted: it must be a genuine credential, in force"
    " and not revoked, of the holder whose ID number is given"
)
"""The one line every refused evidence credential gets."""


def refused() -> InvalidInput:
    """The uniform refusal of an evidence credential."""
    return InvalidInput(EVIDENCE_REFUSED, code="evidence_not_accepted")


class EvidenceReader:
    """Verifies an evidence credential offline and says what it read."""

    def __init__(self, ledger: CardLedger, issuance: IssuanceService, clock: Clock) -> None:
        self._ledger = ledger
        self._issuance = issuance
        self._clock = clock

    def read(self, card: Card, token: str, holder_id: str) -> CredentialEvidence:
        """What ``token`` says of the card it is a credential of, once verified at this
        instant for ``card``'s holder (whose ID number is ``holder_id``); raises the
        uniform refusal otherwise."""
        try:
            holders = bool(holder_id) and self._ledger.holder_matches(card, holder_id)
        except DomainError:  # a malformed number is no match, and answers alike
            holders = False
        if not holders:
            raise refused()
        return self.read_for(token, holder_id, card.application.holder.identity.kind)

    def read_for(self, token: str, id_number: str, kind: IdDocumentKind) -> CredentialEvidence:
        """What ``token`` says once verified at this instant for the person whose ID
        document is ``id_number`` of ``kind`` (an applicant as filed); raises the uniform
        refusal otherwise."""
        at = self._clock()
        # The trust list and status lists as the registry would hand them to a venue now:
        # the revocation of a moment ago is in them (the status read model is caught up).
        bundle = read_bundle(self._issuance.bundle_files(at=at))
        result = verify(token, bundle, at=at)
        if not (result.valid and holder_matches(result, id_number, kind)):
            raise refused()
        claims = decode_claims(parse_sign1(from_text(token)).payload)  # verified above
        return CredentialEvidence(
            card_id=claims.card_id,
            scheme=claims.scheme,
            status_uri=claims.status.uri,
            status_index=claims.status.index,
            valid_from=claims.valid_from,
            valid_until=claims.valid_until,
            verified_at=at,
        )
