"""How the current request reached the services (HTTP method and path, or the CLI's
words), for the record of reads of personal data (services.personal_data). Set by the
adapters; a light module, so that setting it imports no store."""

from __future__ import annotations

from contextvars import ContextVar

READ_ROUTE: ContextVar[str] = ContextVar("talentcard_read_route", default="service")
