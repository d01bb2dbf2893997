"""The lock layer: one request at a time, and each chunk of a streamed answer produced under the same lock.

A fake is shared by every client and thread of a test (the server answers from a thread pool); the lock makes
each request, and each step of a stream, see the state whole. It is re-entrant: a stream fault that fails a
run (inside a chunk) takes it again.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
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
