"""Injected time: the fake never reads time except through a Clock."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, NoReturn, Protocol


class Clock(Protocol):
    """Anything that tells the current Unix time in whole seconds."""

    def now(self) -> int: ...


class SystemClock:
    """Reads the system clock at call time, so freezegun and time-machine both apply."""

    def now(self) -> int:
        return int(time.time())

    if not TYPE_CHECKING:  # type checkers go on saying that a SystemClock has no `advance` and no `set`
        # A ManualClock's `advance` and `set`, asked of this clock: an AttributeError that says what moves time.
        # As properties, not a __getattr__, which would slow every attribute read of the clock (`now`, per request).
        @property
        def advance(self) -> NoReturn:
            raise _cannot_move("advance", self)

        @property
        def set(self) -> NoReturn:
            raise _cannot_move("set", self)


def _cannot_move(name: str, clock: SystemClock) -> AttributeError:
    return AttributeError(
        f"'SystemClock' object has no attribute {name!r}: this fake reads the system clock, which it cannot "
        "move. Give it a clock that moves when told (FakeAssistants(clock=ManualClock()), or "
        "@pytest.mark.fake_assistants(clock=\"manual\")) and call fake.clock.advance(seconds), or move "
        "the system's time with freezegun or time-machine (frozen.tick(seconds))", name=name, obj=clock)


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
