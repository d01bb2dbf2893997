"""`set_aside(lock)`: the fake's re-entrant lock released for a while (a run's model answering), however deep the
thread holds it, and taken back as deep."""

from __future__ import annotations

import threading

import pytest

from fake_assistants import ManualClock
from fake_assistants.core.clock import RequestClock
from fake_assistants.layers.locking import set_aside

CLOCK = RequestClock(ManualClock())  # the time a request reads once

BOUND = 30.0  # seconds: a deadlock guard


def taken_elsewhere(lock: threading.RLock) -> bool:
    """Whether another thread can take `lock` now."""
    got: list[bool] = []
    other = threading.Thread(target=lambda: got.append(lock.acquire(timeout=BOUND) and (lock.release() or True)))
    other.start()
    other.join(BOUND)
    return got == [True]


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_the_lock_is_free_inside_and_held_as_deep_after(depth: int) -> None:
    lock = threading.RLock()
    for _ in range(depth):
        lock.acquire()

    with set_aside(lock, CLOCK):
        assert taken_elsewhere(lock)

    for _ in range(depth):
        lock.release()  # as many releases as before: a missing level would raise here
    with pytest.raises(RuntimeError):
        lock.release()


def test_a_lock_this_thread_does_not_hold_is_left_alone() -> None:
    lock = threading.RLock()
    holder_has_it, done = threading.Event(), threading.Event()

    def hold() -> None:
        with lock:
            holder_has_it.set()
            done.wait(BOUND)

    holder = threading.Thread(target=hold)
    holder.start()
    assert holder_has_it.wait(BOUND)
    with set_aside(lock, CLOCK):  # not this thread's: nothing to set aside, and the holder keeps it
        assert not lock.acquire(blocking=False)
    done.set()
    holder.join(BOUND)
    with set_aside(lock, CLOCK):
        assert taken_elsewhere(lock)


def test_the_lock_is_taken_back_when_the_body_raises() -> None:
    lock = threading.RLock()
    with lock, pytest.raises(ValueError), set_aside(lock, CLOCK):
        raise ValueError("the model failed")
    assert taken_elsewhere(lock)


def test_set_aside_the_request_is_not_pinned_and_back_it_reads_the_time_again() -> None:
    """A model answers with the lock set aside: a request it makes reads its own time, and what the run writes
    next is stamped after it."""
    clock = ManualClock(100)
    reading = RequestClock(clock)
    lock = threading.RLock()
    with lock:
        reading.pin()
        assert reading.now() == 100
        with set_aside(lock, reading):
            clock.advance(5)  # the model took five seconds, then asked the fake something
            reading.pin()
            assert reading.now() == 105
            reading.unpin()
            clock.advance(1)
        assert reading.now() == 106
        clock.advance(1)
        assert reading.now() == 106  # pinned again, for the rest of the request
        reading.unpin()
