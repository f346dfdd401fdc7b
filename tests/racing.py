"""Running one command in several threads at once and counting how each attempt ended."""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from collections.abc import Callable
from datetime import datetime

from domain.errors import DomainError
from tests.conftest import FakeClock

NO_ANSWER = object()
"""What ``gather`` holds for a thread that raised anything but a domain error."""


def race(threads: int, attempt: Callable[[int], object], *, won: str = "won") -> Counter[str]:
    """Run ``attempt(i)`` in ``threads`` threads; count ``won`` for each that returned and
    the error code for each the registry refused. Any other exception fails the count."""
    return Counter(
        answer.code if isinstance(answer, DomainError) else won
        for answer in gather(threads, attempt)
        if answer is not NO_ANSWER
    )


def gather(threads: int, attempt: Callable[[int], object]) -> list[object]:
    """Run ``attempt(i)`` in ``threads`` threads at once; what each returned, or the
    domain error it was refused with, in thread order (``NO_ANSWER`` for any other
    exception, which the thread raises)."""
    answers: list[object] = [NO_ANSWER] * threads

    def run(i: int) -> None:
        try:
            answers[i] = attempt(i)
        except DomainError as e:
            answers[i] = e

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    return answers


def hold_first_calls(calls: int, function: Callable[..., object]) -> Callable[..., object]:
    """``function``, whose first ``calls`` calls each wait, once done, until all of them
    are: every racer has read the same state before any of them writes."""
    all_done = threading.Barrier(calls, timeout=20)
    count = itertools.count()

    def held(*args: object, **kwargs: object) -> object:
        result = function(*args, **kwargs)
        if next(count) < calls:
            all_done.wait()
        return result

    return held


class RendezvousClock(FakeClock):
    """Makes every command wait, after loading the card and before saving it, until all
    threads have loaded: the ledger reads the clock between those two steps."""

    def __init__(self, parties: int) -> None:
        super().__init__()
        self.barrier = threading.Barrier(parties, timeout=20)
        self.armed = False

    def __call__(self) -> datetime:
        if self.armed:
            self.barrier.wait()
        return self.now
