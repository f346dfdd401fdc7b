"""Domain errors: one base class with a stable code, a human message and the refusing rule."""

from __future__ import annotations


class DomainError(Exception):
    """A command the domain refuses. Nothing is written when one is raised.

    ``code`` is stable (clients and tests match on it); ``message`` is for people;
    ``rule`` names the policy rule or invariant that refused, where there is one.
    """

    code = "domain_error"

    def __init__(self, message: str, *, code: str | None = None, rule: str | None = None):
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message
        self.rule = rule

    def __str__(self) -> str:
        suffix = f" (rule: {self.rule})" if self.rule else ""
        return f"{self.code}: {self.message}{suffix}"


class InvalidInput(DomainError):
    """A field is missing or malformed; the message names the field."""

    code = "invalid_input"


class IllegalTransition(DomainError):
    """The card's state does not allow this command (e.g. extending a revoked card)."""

    code = "illegal_transition"


class ReviewIncomplete(DomainError):
    """Issuance was asked for before every required review stage approved."""

    code = "review_incomplete"


class NotAuthorised(DomainError):
    """The acting role may not do this."""

    code = "not_authorised"
