"""Injected time: the fake never reads time except through a Clock."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the current Unix time in whole seconds."""

    def now(self) -> int: ...


class SystemClock:
    """Reads the system clock at call time, so freezegun and time-machine both apply."""

    def now(self) -> int:
        return int(time.time())


class ManualClock:
    """A clock that only moves when told to: for property tests and virtual time."""

    def __init__(self, start: int = 1_700_000_000) -> None:
        self._now = int(start)

    def now(self) -> int:
        return self._now

    def advance(self, seconds: float) -> int:
        if seconds < 0:
            raise ValueError("a ManualClock cannot move backwards")
        self._now += int(seconds)
        return self._now

    def set(self, timestamp: int) -> None:
        self._now = int(timestamp)
