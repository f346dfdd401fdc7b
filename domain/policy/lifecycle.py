"""The registry's lifecycle rules no seed states: one live card per person per scheme
(一人一卡) and withdrawal (撤回) by whoever filed. Both rest on the administrator's decision
``<scheme>.decision.lifecycle`` recorded in each scheme's policy data; a refusal by them
cites it."""

from __future__ import annotations

from domain.policy.loader import default_policy
from domain.policy.model import Policy
from domain.vocabulary import Scheme


def lifecycle_decision(scheme: Scheme, *, policy: Policy | None = None) -> str:
    """The citation of the decision the lifecycle rules of ``scheme`` rest on."""
    wanted = f"{scheme}.decision.lifecycle"
    data = (policy or default_policy()).scheme(scheme)
    for decision in data.decisions:
        if decision.id == wanted:
            return f"administrator decision {wanted} ({decision.reference})"
    return f"no recorded {scheme} lifecycle decision"
