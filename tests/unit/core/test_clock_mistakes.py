"""A ManualClock told to move by something that is not a number of seconds says so at the call, naming the
argument and how to pass it (a datetime: its Unix seconds), instead of `'<' not supported` or int()'s error."""

from __future__ import annotations

import datetime as dt
import sys
import threading
from collections.abc import Callable

import pytest

from fake_assistants import FakeAssistants, ManualClock

MOMENT = dt.datetime(2025, 1, 2, tzinfo=dt.UTC)


@pytest.mark.parametrize(("call", "said"), [
    (lambda clock: clock.advance("5"), ("ManualClock.advance: seconds must be a number of seconds", "str '5'",
                                        "fake.clock.advance(60)")),
    (lambda clock: clock.advance(True), ("ManualClock.advance: seconds must be", "bool True")),
    (lambda clock: clock.advance(dt.timedelta(seconds=5)), ("seconds must be", "delta.total_seconds()")),
    (lambda clock: clock.set(MOMENT), ("ManualClock.set: timestamp must be a number of seconds",
                                       "int(moment.timestamp())", "fake.clock.set(1_700_000_000)")),
    (lambda clock: clock.set("1700000000"), ("ManualClock.set: timestamp must be", "str '1700000000'")),
    (lambda clock: ManualClock(start=MOMENT), ("ManualClock: start must be a number of seconds",
                                               "ManualClock(start=1_700_000_000)")),
], ids=["advance-str", "advance-bool", "advance-timedelta", "set-datetime", "set-str", "start-datetime"])
def test_a_wrong_type_is_a_type_error_that_names_the_fix(
        call: Callable[[ManualClock], object], said: tuple[str, ...]) -> None:
    clock = ManualClock(start=1_000)

    with pytest.raises(TypeError) as raised:
        call(clock)

    for part in said:
        assert part in str(raised.value), (part, str(raised.value))
    assert clock.now() == 1_000


@pytest.mark.parametrize(("seconds", "said"), [
    (-1, "a ManualClock cannot move backwards: ManualClock.advance(seconds) needs seconds >= 0, not -1; "
         "to go back to a time, call fake.clock.set(timestamp)"),
    (float("nan"), "ManualClock.advance: seconds must be a finite number of seconds, not nan; pass a number, "
                   "as fake.clock.advance(60)"),
], ids=["negative", "nan"])
def test_a_wrong_value_is_a_value_error_that_names_the_fix(seconds: float, said: str) -> None:
    clock = ManualClock(start=1_000)

    with pytest.raises(ValueError) as raised:
        clock.advance(seconds)

    assert str(raised.value) == said
    assert clock.now() == 1_000


def test_numbers_move_the_clock_as_before() -> None:
    clock = ManualClock(start=1_000.9)  # type: ignore[arg-type]
    fake = FakeAssistants(clock=clock)

    assert (clock.now(), clock.advance(1.5), clock.advance(0), fake.clock.now()) == (1_000, 1_001, 1_001, 1_001)
    clock.set(500)
    assert clock.now() == 500


def test_threads_advancing_one_clock_together_lose_no_seconds() -> None:
    """A ticker thread and the test body both moving the clock: every advance counts."""
    clock = ManualClock(start=0)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, where a lost update would show
    try:
        workers = [threading.Thread(target=lambda: [clock.advance(1) for _ in range(20_000)]) for _ in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    finally:
        sys.setswitchinterval(interval)

    assert clock.now() == 80_000


def test_a_manual_clock_copies_and_pickles_with_its_time() -> None:
    import copy
    import pickle

    clock = ManualClock(start=10)
    clock.advance(5)
    copied, unpickled = copy.deepcopy(clock), pickle.loads(pickle.dumps(clock))
    copied.advance(1)

    assert (clock.now(), copied.now(), unpickled.now()) == (15, 16, 15)
