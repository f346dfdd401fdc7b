"""Running one command in several threads at once and counting how each attempt ended."""

from __future__ import annotations

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
