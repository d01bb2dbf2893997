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
import weakref
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any, ParamSpec, TypeVar

_P = ParamSpec("_P")
_T = TypeVar("_T")
_Work = tuple[Future[Any], Callable[..., Any], tuple[Any, ...], dict[str, Any]]


class DaemonThreads(Executor):
    """At most `size` daemon threads, named `name-N`, running submitted calls in order. Its threads end after
    `shutdown()`, or once the executor is dropped (they hold it only weakly), when the calls queued are done."""

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
        # Dropped without a shutdown: one None wakes a thread, which ends and passes it on to the next.
        self._dropped = weakref.ref(self, _stop_when_dropped(self._queue))

    def submit(self, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> Future[_T]:
        future: Future[_T] = Future()
        with self._lock:
            if self._shut:
                raise RuntimeError("cannot schedule new futures after shutdown")
            self._queue.put((future, fn, args, kwargs))
            if not self._idle.acquire(blocking=False) and len(self._threads) < self.size:
                thread = threading.Thread(target=_work, args=(self._queue, self._idle),
                                          name=f"{self.name}-{len(self._threads)}", daemon=True)
                thread.start()
                self._threads.append(thread)
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
            self._queue.put(None)  # after the calls already queued: each thread ends and passes it on
        if wait:
            for thread in threads:
                thread.join()


def _stop_when_dropped(work_queue: queue.SimpleQueue[_Work | None]) -> Callable[[weakref.ref[DaemonThreads]], None]:
    def dropped(_: weakref.ref[DaemonThreads]) -> None:
        work_queue.put(None)

    return dropped


def _work(work_queue: queue.SimpleQueue[_Work | None], idle: threading.Semaphore) -> None:
    """One thread's loop (a function, not a method: the thread must not keep its executor alive)."""
    while True:
        work = work_queue.get()
        if work is None:
            work_queue.put(None)  # the next thread ends too
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
                del result  # an idle thread keeps nothing of its last call
        del future, fn, args, kwargs
        idle.release()
