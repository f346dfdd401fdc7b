"""Running one command in several threads at once and counting how each attempt ended."""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from collections.abc import Callable

from domain.errors import DomainError


def race(threads: int, attempt: Callable[[int], object], *, won: str = "won") -> Counter[str]:
    """Run ``attempt(i)`` in ``threads`` threads; count ``won`` for each that returned and
    the error code for each the registry refused. Any other exception fails the count."""
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            attempt(i)
            outcome = won
        except DomainError as e:
            outcome = e.code
        with lock:
            outcomes[outcome] += 1

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    return outcomes


def gather(threads: int, attempt: Callable[[int], object]) -> list[object]:
    """Run ``attempt(i)`` in ``threads`` threads at once; what each returned, or the
    domain error it was refused with, in thread order."""
    answers: list[object] = [None] * threads

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
