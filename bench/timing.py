"""Side-by-side timing: the cases run in turn, round after round, so they share the machine's state."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

# CPU seconds of this process: the comparisons run in one thread, and on a shared machine the wall clock
# also counts the time other processes held the CPU.
CLOCK = time.process_time

# A case: a setup (not timed) returning the work to time; the work is called `repeat` times per sample.
Setup = Callable[[], Callable[[], object]]


@dataclass(frozen=True, slots=True)
class Samples:
    """Seconds per call of one case, one value per round."""

    values: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def ratio_to(self, floor: Samples) -> float:
        return self.median / floor.median


def interleaved(cases: dict[str, Setup], *, rounds: int, repeat: int) -> dict[str, Samples]:
    """Per case, `rounds` samples of the mean seconds per call over `repeat` calls; the cases alternate
    within each round and the order rotates between rounds, so drift and noise fall on all of them alike.
    Each sample gets a fresh setup (a new fake, a new client), as a test would; work with a `close` method
    is closed after its sample (not timed)."""
    names = list(cases)
    for name in names:  # warm up: imports, caches, first-call costs
        work = cases[name]()
        work()
        close = getattr(work, "close", None)
        if close is not None:
            close()
    found: dict[str, list[float]] = {name: [] for name in names}
    for number in range(rounds):
        shift = number % len(names)
        for name in names[shift:] + names[:shift]:
            work = cases[name]()
            start = CLOCK()
            for _ in range(repeat):
                work()
            found[name].append((CLOCK() - start) / repeat)
            close = getattr(work, "close", None)
            if close is not None:
                close()
    return {name: Samples(values) for name, values in found.items()}


def timed(work: Callable[[], object]) -> tuple[float, object]:
    """CPU seconds `work()` took, and what it returned."""
    start = CLOCK()
    result = work()
    return CLOCK() - start, result
