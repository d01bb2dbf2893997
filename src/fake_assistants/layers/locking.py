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
from ..core.wire import ApiResponse


class Locking:
    def __init__(self, inner: Respond, lock: threading.RLock) -> None:
        self.inner = inner
        self.lock = lock

    def __call__(self, exchange: Exchange) -> ApiResponse:
        with self.lock:
            response = self.inner(exchange)
        if isinstance(response.body, bytes):
            return response
        return replace(response, body=self.locked(response.body))

    def locked(self, chunks: Iterator[bytes]) -> Iterator[bytes]:
        """Produce stream chunks one at a time under the lock; closing this closes `chunks` too."""
        lock = self.lock
        try:
            while True:
                with lock:
                    chunk = next(chunks, None)
                if chunk is None:
                    return
                yield chunk
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                with self.lock:
                    close()


@contextmanager
def set_aside(lock: threading.RLock) -> Iterator[None]:
    """`lock` released while the body runs, however deep this thread holds it, and taken back as deep after. An
    RLock tells its depth only by refusing a release once this thread no longer holds it; where this thread does
    not hold it at all, nothing is set aside."""
    depth = 0
    while True:
        try:
            lock.release()
        except RuntimeError:  # no longer held by this thread
            break
        depth += 1
    try:
        yield
    finally:
        for _ in range(depth):
            lock.acquire()
