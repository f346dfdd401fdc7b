"""The projector and the read models' operations: run, status, rebuild, checksum."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import msgspec

from domain.errors import NotAuthorised
from domain.user import Principal
from domain.vocabulary import Role
from projections.engine import NAMES, ProjectionStatus, ReadModels


class RebuildResult(msgspec.Struct, frozen=True, kw_only=True):
    """What a rebuild did: which read models, how many events, in how many seconds."""

    names: tuple[str, ...]
    events: int
    seconds: float


class ProjectionService:
    """Operations on the persisted read models."""

    def __init__(self, read_models: Callable[[], ReadModels]) -> None:
        self._read_models = read_models

    @property
    def names(self) -> tuple[str, ...]:
        """Every read model's name, in processing order."""
        return NAMES

    def run(self, *, until_caught_up: bool, stop: threading.Event) -> None:
        """Run the projector until ``stop`` is set (or, with ``until_caught_up``, until
        every read model is at the log's head)."""
        self._read_models().run(until_caught_up=until_caught_up, stop=stop)

    def status(self, who: Principal | None = None) -> list[ProjectionStatus]:
        """Each read model's position, the log's head and the lag: for the server host's
        operator (``who`` None), an administrator or an auditor."""
        if who is not None and who.role not in (Role.ADMINISTRATOR, Role.AUDITOR):
            raise NotAuthorised(
                f"a {who.role} does not read the projections' state",
                rule="the projections are run by the administrator",
            )
        return self._read_models().status()

    def rebuild(
        self, names: Sequence[str] | None, progress: Callable[[int, int], None]
    ) -> RebuildResult:
        """Empty the named read models (all by default) and replay the log into them."""
        chosen = tuple(names or self.names)
        events, seconds = self._read_models().rebuild(chosen, progress=progress)
        return RebuildResult(names=chosen, events=events, seconds=seconds)

    def checksum(self, names: Sequence[str] | None) -> dict[str, str]:
        """A digest over each named read model's rows in a canonical order."""
        return self._read_models().checksum(names)
