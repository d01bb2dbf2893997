"""The lock layer's stream (`LockedChunks`): each chunk made under the lock; closing it closes the chunks, at once,
or, when another thread is making a chunk, by that thread once the chunk is made."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from fake_assistants import ManualClock
from fake_assistants.core.clock import RequestClock
from fake_assistants.layers.locking import LockedChunks

CLOCK = RequestClock(ManualClock())  # the time a request reads once

BOUND = 30.0


def held(lock: threading.RLock) -> bool:
    """Whether some thread holds `lock` (asked from another thread, as an RLock is always free to its holder)."""
    free: list[bool] = []

    def try_it() -> None:
        if lock.acquire(blocking=False):
            lock.release()
            free.append(True)
        else:
            free.append(False)

    asking = threading.Thread(target=try_it)
    asking.start()
    asking.join(BOUND)
    return not free[0]


class Chunks:
    """Chunks that note whether they were made under the lock and whether they were closed; `hold` makes the
    second chunk wait (the lock set aside, as while a model answers) until `go` is set."""

    def __init__(self, lock: threading.RLock, count: int = 3, *, hold: bool = False, fail_at: int | None = None):
        self.lock, self.count, self.hold, self.fail_at = lock, count, hold, fail_at
        self.under_lock: list[bool] = []
        self.closed_under_lock: bool | None = None
        self.asked, self.go = threading.Event(), threading.Event()
        self.iterator = self.made()

    def made(self) -> Iterator[bytes]:
        try:
            for n in range(self.count):
                if n == self.fail_at:
                    raise RuntimeError("the stream broke")
                if n == 1 and self.hold:
                    self.asked.set()
                    self.lock.release()  # what set_aside does while a model answers
                    try:
                        assert self.go.wait(BOUND)
                    finally:
                        self.lock.acquire()
                self.under_lock.append(held(self.lock))
                yield b"%d" % n
        finally:
            self.closed_under_lock = held(self.lock)


def test_each_chunk_is_made_under_the_lock_and_the_end_closes_them_under_it() -> None:
    lock = threading.RLock()
    chunks = Chunks(lock)
    assert list(LockedChunks(chunks.iterator, lock, CLOCK)) == [b"0", b"1", b"2"]
    assert chunks.under_lock == [True] * 3 and chunks.closed_under_lock is True


def test_a_close_between_chunks_closes_them_at_once_and_ends_the_read() -> None:
    lock = threading.RLock()
    chunks = Chunks(lock)
    stream = LockedChunks(chunks.iterator, lock, CLOCK)
    assert next(stream) == b"0"
    stream.close()
    assert chunks.closed_under_lock is True and list(stream) == []
    stream.close()  # twice is nothing


def test_chunks_that_raise_are_closed_and_the_error_reaches_the_reader() -> None:
    lock = threading.RLock()
    chunks = Chunks(lock, fail_at=1)
    stream = LockedChunks(chunks.iterator, lock, CLOCK)
    assert next(stream) == b"0"
    with pytest.raises(RuntimeError, match="the stream broke"):
        next(stream)
    assert chunks.closed_under_lock is True and list(stream) == []


def test_a_close_from_another_thread_while_a_chunk_is_made_is_done_by_the_maker_after_it() -> None:
    lock = threading.RLock()
    chunks = Chunks(lock, hold=True)
    stream = LockedChunks(chunks.iterator, lock, CLOCK)
    assert next(stream) == b"0"
    read: list[bytes] = []
    reader = threading.Thread(target=lambda: read.extend(stream), daemon=True)
    reader.start()
    assert chunks.asked.wait(BOUND)
    stream.close()  # returns at once: the reader's thread is making a chunk
    assert chunks.closed_under_lock is None
    chunks.go.set()
    reader.join(BOUND)
    assert not reader.is_alive()
    assert read == [] and chunks.closed_under_lock is True  # the chunk made after the close is not read


def test_two_threads_reading_one_stream_at_once_is_refused() -> None:
    lock = threading.RLock()
    chunks = Chunks(lock, hold=True)
    stream = LockedChunks(chunks.iterator, lock, CLOCK)
    assert next(stream) == b"0"
    reader = threading.Thread(target=lambda: next(stream), daemon=True)
    reader.start()
    assert chunks.asked.wait(BOUND)
    with pytest.raises(ValueError, match="being made on another thread: read a stream from one thread at a time"):
        next(stream)
    chunks.go.set()
    reader.join(BOUND)
    assert list(stream) == [b"2"]


def test_a_stream_dropped_part_way_closes_its_chunks() -> None:
    lock = threading.RLock()
    chunks = Chunks(lock)
    stream = LockedChunks(chunks.iterator, lock, CLOCK)
    assert next(stream) == b"0"
    del stream
    gc.collect()
    assert chunks.closed_under_lock is True


def test_a_stream_never_read_is_closed_without_waiting_for_the_lock() -> None:
    """As a generator never started: closing runs none of the chunks' code, so the lock (held by another thread
    here, as by a request in flight when the garbage collector drops an unread stream) is not waited for."""
    lock = threading.RLock()
    chunks = Chunks(lock)
    stream = LockedChunks(chunks.iterator, lock, CLOCK)
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with lock:
            holding.set()
            release.wait(BOUND)

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    assert holding.wait(BOUND)
    stream.close()  # would wait for `release` if it took the lock
    release.set()
    holder.join(BOUND)
    assert chunks.closed_under_lock is None and list(stream) == []  # the chunks' code never ran
