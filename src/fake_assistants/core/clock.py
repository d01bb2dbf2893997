"""Injected time: the fake never reads time except through a Clock."""

from __future__ import annotations

import math
import threading
import time
from datetime import timedelta
from numbers import Real
from typing import TYPE_CHECKING, NoReturn, Protocol


class Clock(Protocol):
    """Anything that tells the current Unix time in whole seconds."""

    def now(self) -> int: ...


class SystemClock:
    """Reads the system clock at call time, so freezegun and time-machine both apply."""

    def now(self) -> int:
        """The system's time, in Unix seconds, read at the call."""
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


class _Reading(threading.local):
    depth = 0  # requests (or stream chunks) this thread is answering, nested
    now: int | None = None  # the time they read, once read


class RequestClock:
    """The fake's clock as its state reads it: one reading per request.

    Everything a request (or a chunk of a stream) stamps has one time, as the service's objects made by one
    request did (a thread and the messages created with it share `created_at`), however often the fake reads the
    time and whatever the clock does meanwhile (freezegun's `auto_tick_seconds` moves it at every reading). Per
    thread; outside a request (a test's `fake.advance`) every read reads `inner`. While a run's model answers (the
    lock set aside) the request is suspended: the model's own requests read their own time, and back from it the
    request reads the clock again."""

    __slots__ = ("_reading", "inner")

    def __init__(self, inner: Clock) -> None:
        self.inner = inner
        self._reading = _Reading()

    def now(self) -> int:
        reading = self._reading
        now = reading.now
        if now is None:
            now = self.inner.now()
            if reading.depth:
                reading.now = now
        return now

    def pin(self) -> None:
        """A request begins on this thread: its first read is the time all its reads see."""
        self._reading.depth += 1

    def unpin(self) -> None:
        reading = self._reading
        reading.depth -= 1
        if not reading.depth:
            reading.now = None

    def __enter__(self) -> None:
        """`with clock:` pins the reading for the block (a request, a stream chunk); `__exit__` unpins it."""
        self.pin()

    def __exit__(self, *exc_info: object) -> None:
        self.unpin()

    def suspend(self) -> int:
        """This thread's requests are set aside (a run's model answers): until `resume`, a read reads the clock, and
        a request the model makes meanwhile reads its own time. Returns what `resume` takes."""
        reading = self._reading
        depth, reading.depth, reading.now = reading.depth, 0, None
        return depth

    def resume(self, depth: int) -> None:
        """Back to the requests `suspend` set aside: the next read reads the clock again, and is their time."""
        reading = self._reading
        reading.depth, reading.now = depth, None


def _cannot_move(name: str, clock: SystemClock) -> AttributeError:
    return AttributeError(
        f"'SystemClock' object has no attribute {name!r}: this fake reads the system clock, which it cannot "
        "move. Give it a clock that moves when told (FakeAssistants(clock=ManualClock()), or "
        "@pytest.mark.fake_assistants(clock=\"manual\")) and call fake.clock.advance(seconds), or move "
        "the system's time with freezegun or time-machine (frozen.tick(seconds))", name=name, obj=clock)


class ManualClock:
    """A clock that only moves when told to: for property tests and virtual time."""

    def __init__(self, start: int = 1_700_000_000) -> None:
        _seconds("ManualClock", "start", start, "ManualClock(start=1_700_000_000)")
        self._now = int(start)
        self._moving = threading.Lock()  # two threads advancing it at once both count

    def now(self) -> int:
        """The clock's time: Unix seconds, as the fake stamps `created_at` and the like."""
        return self._now

    def advance(self, seconds: float) -> int:
        """Move the clock `seconds` forward (a fraction is dropped); returns the new time."""
        _seconds("ManualClock.advance", "seconds", seconds, "fake.clock.advance(60)")
        if seconds < 0:
            raise ValueError(f"a ManualClock cannot move backwards: ManualClock.advance(seconds) needs seconds >= 0, "
                             f"not {seconds!r}; to go back to a time, call fake.clock.set(timestamp)")
        with self._moving:
            self._now += int(seconds)
            return self._now

    def set(self, timestamp: int) -> None:
        """Put the clock at `timestamp` (Unix seconds), forward or back."""
        _seconds("ManualClock.set", "timestamp", timestamp, "fake.clock.set(1_700_000_000)")
        with self._moving:
            self._now = int(timestamp)

    def __getstate__(self) -> dict[str, int]:
        """Its time alone (`copy.deepcopy`, `pickle`): a copy gets a lock of its own."""
        return {"now": self._now}

    def __setstate__(self, state: dict[str, int]) -> None:
        self._now = int(state["now"])
        self._moving = threading.Lock()


def _seconds(call: str, name: str, value: object, example: str) -> None:
    """A TypeError unless `value` is a number of seconds (an int or a float; a bool is not), a ValueError unless it
    is finite: each names `name` and how to pass it."""
    if isinstance(value, bool) or not isinstance(value, Real):
        hint = ""
        if hasattr(value, "timestamp"):  # a datetime
            hint = " (a datetime's Unix seconds: int(moment.timestamp()))"
        elif isinstance(value, timedelta):
            hint = " (a timedelta's seconds: delta.total_seconds())"
        raise TypeError(f"{call}: {name} must be a number of seconds (an int), not {type(value).__name__} "
                        f"{value!r}{hint}; pass a number, as {example}")
    if not math.isfinite(value):
        raise ValueError(f"{call}: {name} must be a finite number of seconds, not {value!r}; pass a number, "
                         f"as {example}")
