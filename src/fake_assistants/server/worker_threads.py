"""The threads that answer server requests which may wait on a run's model: an `Executor` of daemon threads.

`concurrent.futures.ThreadPoolExecutor` joins its threads when the interpreter exits, so one call that never
returns (a responder that hangs, a model backend that never answers) keeps `fake-assistants serve` or a test
process that used `fake.serve()` from ever exiting, after its server has shut down. These threads are daemon
threads: at exit, a call still running is abandoned, as the server abandoned its request. Otherwise they behave
as the standard pool does: calls run in the order submitted, on at most `size` threads started as needed.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any, ParamSpec, TypeVar

_P = ParamSpec("_P")
_T = TypeVar("_T")
_Work = tuple[Future[Any], Callable[..., Any], tuple[Any, ...], dict[str, Any]]


class DaemonThreads(Executor):
    """At most `size` daemon threads, named `name-N`, running submitted calls in order."""

    def __init__(self, size: int, name: str) -> None:
        if size < 1:
            raise ValueError(f"DaemonThreads needs at least one thread, not {size}")
        self.size = size
        self.name = name
        self._queue: queue.SimpleQueue[_Work | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._idle = threading.Semaphore(0)  # threads waiting for work
        self._lock = threading.Lock()
        self._shut = False

    def submit(self, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> Future[_T]:
        future: Future[_T] = Future()
        with self._lock:
            if self._shut:
                raise RuntimeError("cannot schedule new futures after shutdown")
            self._queue.put((future, fn, args, kwargs))
            if not self._idle.acquire(blocking=False) and len(self._threads) < self.size:
                thread = threading.Thread(target=self._work, name=f"{self.name}-{len(self._threads)}", daemon=True)
                self._threads.append(thread)
                thread.start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """No new calls; the threads end once the calls submitted are done (`cancel_futures`: those not started
        are cancelled instead). `wait`: return once they have ended."""
        with self._lock:
            self._shut = True
            if cancel_futures:
                while True:
                    try:
                        work = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if work is not None:
                        work[0].cancel()
            threads = list(self._threads)
            for _ in threads:
                self._queue.put(None)  # one stop per thread, after the calls already queued
        if wait:
            for thread in threads:
                thread.join()

    def _work(self) -> None:
        while True:
            work = self._queue.get()
            if work is None:
                return
            future, fn, args, kwargs = work
            del work
            if future.set_running_or_notify_cancel():
                try:
                    result = fn(*args, **kwargs)
                except BaseException as error:  # the standard pool's rule: the future holds whatever was raised
                    future.set_exception(error)
                else:
                    future.set_result(result)
            del future, fn, args, kwargs
            self._idle.release()
