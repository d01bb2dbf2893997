"""The lock layer: one request at a time, and each chunk of a streamed answer produced under the same lock.

A fake is shared by every client and thread of a test; the lock makes each request, and each step of a stream,
see the state whole. It is re-entrant: a stream fault that fails a run (inside a chunk) takes it again. While a
run's model answers (a responder), the engine sets the lock aside (`set_aside`), so that a slow model holds back
only the request waiting for it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from ..api.pipeline import Exchange, Respond
from ..core.clock import RequestClock
from ..core.wire import ApiResponse


class Locking:
    """Also where a request's time is read once (`RequestClock`): under the lock, per request and per chunk."""

    def __init__(self, inner: Respond, lock: threading.RLock, clock: RequestClock) -> None:
        self.inner = inner
        self.lock = lock
        self.clock = clock

    def __call__(self, exchange: Exchange) -> ApiResponse:
        with self.lock, self.clock:
            response = self.inner(exchange)
        if isinstance(response.body, bytes):
            return response
        return replace(response, body=self.locked(response.body))

    def locked(self, chunks: Iterator[bytes]) -> Iterator[bytes]:
        """Produce stream chunks one at a time under the lock; closing this closes `chunks` too."""
        return LockedChunks(chunks, self.lock, self.clock)


class LockedChunks:
    """A stream's chunks, each made under the fake's lock; closing this closes them, under the lock too.

    A close from another thread while a chunk is being made (its run's model answering, the lock set aside)
    does not wait for it, nor fail as a generator closed while it runs would: the thread making the chunk closes
    the stream once the chunk is made, and its read ends there (an app's "stop" button)."""

    def __init__(self, chunks: Iterator[bytes], lock: threading.RLock, clock: RequestClock) -> None:
        self._chunks = chunks
        self._lock = lock
        self._clock = clock
        self._guard = threading.Lock()  # the three flags below
        self._making = False  # a thread is making the next chunk
        self._close_asked = False  # closed while it did: it closes the stream once that chunk is made
        self._done = False  # the chunks ended or were closed
        self._started = False  # a chunk was asked for: closing them then runs their code, under the lock

    def __iter__(self) -> LockedChunks:
        return self

    def __next__(self) -> bytes:
        with self._guard:
            if self._done:
                raise StopIteration
            if self._making:
                raise ValueError("the next chunk of this stream is being made on another thread: read a stream "
                                 "from one thread at a time")
            self._making = self._started = True
        chunk = None
        try:
            with self._lock, self._clock:
                chunk = next(self._chunks, None)
        finally:  # the chunks ended, raised, or were closed meanwhile: close them now
            with self._guard:
                self._making = False
                ending = not self._done and (chunk is None or self._close_asked)
                if ending:
                    self._done = True
            if ending:
                self._close_chunks()
        if chunk is None or ending:
            raise StopIteration
        return chunk

    def close(self) -> None:
        with self._guard:
            if self._done:
                return
            if self._making:  # the thread making a chunk closes the stream once it is made
                self._close_asked = True
                return
            self._done = True
        self._close_chunks()

    def __del__(self) -> None:
        """Dropped unread or part-way (as a generator's finally would run): its chunks are closed."""
        if not self._done:
            self.close()

    def _close_chunks(self) -> None:
        close = getattr(self._chunks, "close", None)
        if close is None:
            return
        if not self._started:  # never read: closing runs none of their code (as a generator never started), and
            close()  # the lock is not waited for, by the garbage collector least of all
            return
        with self._lock:
            close()


@contextmanager
def set_aside(lock: threading.RLock, clock: RequestClock) -> Iterator[None]:
    """`lock` released while the body runs, however deep this thread holds it, and taken back as deep after. An
    RLock tells its depth only by refusing a release once this thread no longer holds it; where this thread does
    not hold it at all, nothing is set aside. Back under the lock, the request reads the time again (a model
    answered meanwhile: what the run writes next is stamped after it)."""
    depth = 0
    while True:
        try:
            lock.release()
        except RuntimeError:  # no longer held by this thread
            break
        depth += 1
    suspended = clock.suspend()
    try:
        yield
    finally:
        for _ in range(depth):
            lock.acquire()
        clock.resume(suspended)
