"""The application as the domain files it (申领材料), from an ``ApplyBody``: one function
for ``card apply`` and ``policy check``, so both decide on the same filing."""

from __future__ import annotations

from collections.abc import Mapping

from domain.jurisdiction import FileScope, file_city
from domain.values import Application as Filing
from domain.values import Basis, FamilyMember, Holder
from ledger.commands import ApplyBody
from ledger.identity import protect_identity


def filing_of(
    body: ApplyBody, pepper: bytes, facts: Mapping[str, str | int | float | bool]
) -> Filing:
    """The application as the domain files it: the holder's identity checked and kept as
    a hash, names trimmed, the basis with ``facts``. One function for ``card apply`` and
    ``policy check``, so both decide on the same filing."""
    holder = Holder(
        name=body.holder.name.strip(),
        identity=protect_identity(
            pepper,
            body.holder.id_kind,
            body.holder.id_number,
            body.holder.date_of_birth,
        ),
        date_of_birth=body.holder.date_of_birth,
        family=tuple(
            FamilyMember(
                relation=m.relation,
                name=m.name.strip(),
                date_of_birth=m.date_of_birth,
                sex=m.sex,
                marital=m.marital,
            )
            for m in body.holder.family
        ),
    )
    return Filing(
        scheme=body.scheme,
        basis=Basis(
            category=body.category.strip(),
            programme=body.programme,
            project_id=body.project_id.strip(),
            enterprise_id=body.enterprise_id.strip(),
            facts=dict(facts),
        ),
        holder=holder,
        sponsor=body.sponsor.to_sponsor(),
        evidence=body.evidence,
        city=body.city.strip(),
        credentials=body.credentials,
    )


def filing_scope(body: ApplyBody) -> FileScope:
    """The file a filing would make, as jurisdiction reads it, from the body alone: what
    ``domain.jurisdiction.scope_of`` reads of the card it files (the same scheme, city,
    sponsor and filer), known before anything the filing names is looked up."""
    sponsor = body.sponsor.to_sponsor()
    return FileScope(
        scheme=body.scheme,
        city=file_city(body.scheme, body.city.strip()),
        sponsor_kind=sponsor.kind,
        sponsor_code=sponsor.credit_code,
        filed_by=body.actor.strip(),
    )
