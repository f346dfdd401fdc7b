"""Errors of the policy engine: bad rule data, and a date no policy version covers."""

from __future__ import annotations

from domain.errors import DomainError


class PolicyDataError(ValueError):
    """A policy data file is malformed (政策数据错误). Raised at load, never at decision time.

    ``file`` is the file's name, ``key`` the dotted path of the offending key inside it
    (``items[3].code``), ``reason`` what is wrong with it.
    """

    def __init__(self, file: str, key: str, reason: str) -> None:
        super().__init__(f"{file}: {key}: {reason}")
        self.file = file
        self.key = key
        self.reason = reason


class NoPolicyInForce(DomainError):
    """A decision was asked for on a date that no policy version of the scheme covers."""

    code = "no_policy_in_force"
