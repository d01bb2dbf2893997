"""The server's worker threads (server/worker_threads.py): an Executor as the standard pool is, except that its
threads are daemon threads, so a call that never returns does not keep the process from exiting."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
import threading
import weakref
from concurrent.futures import CancelledError

import pytest

from fake_assistants.server.worker_threads import DaemonThreads

WAIT = 30


def test_calls_run_on_named_daemon_threads_and_their_futures_hold_what_they_returned_or_raised() -> None:
    threads = DaemonThreads(2, "worker")
    ran_on = threads.submit(threading.current_thread).result(WAIT)
    assert ran_on.daemon and ran_on.name == "worker-0" and ran_on is not threading.current_thread()
    assert threads.submit(divmod, 7, 2).result(WAIT) == (3, 1)
    with pytest.raises(ZeroDivisionError):
        threads.submit(divmod, 1, 0).result(WAIT)
    threads.shutdown()


def test_at_most_size_threads_start_and_an_idle_one_is_reused() -> None:
    threads = DaemonThreads(2, "worker")
    go = threading.Event()
    held = [threads.submit(go.wait, WAIT) for _ in range(3)]  # the third waits for a thread
    names = [threads.submit(lambda: threading.current_thread().name) for _ in range(2)]
    go.set()
    assert all(future.result(WAIT) for future in held)
    assert {future.result(WAIT) for future in names} <= {"worker-0", "worker-1"}
    assert threads.submit(threading.current_thread).result(WAIT).name in ("worker-0", "worker-1")
    threads.shutdown()


def test_after_shutdown_queued_calls_finish_and_no_new_call_is_taken() -> None:
    threads = DaemonThreads(1, "worker")
    go = threading.Event()
    first = threads.submit(go.wait, WAIT)
    queued = threads.submit(lambda: "queued")
    threads.shutdown(wait=False)
    with pytest.raises(RuntimeError, match="cannot schedule new futures after shutdown"):
        threads.submit(lambda: None)
    go.set()
    assert first.result(WAIT) is True and queued.result(WAIT) == "queued"


def test_shutdown_can_cancel_the_calls_not_started() -> None:
    threads = DaemonThreads(1, "worker")
    go, started = threading.Event(), threading.Event()
    running = threads.submit(lambda: started.set() or go.wait(WAIT))
    assert started.wait(WAIT)
    never = threads.submit(lambda: "never")
    threads.shutdown(wait=False, cancel_futures=True)
    with pytest.raises(CancelledError):
        never.result(WAIT)
    go.set()
    assert running.result(WAIT) is True


def test_a_size_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one thread, not 0"):
        DaemonThreads(0, "worker")


def test_a_call_that_never_returns_does_not_keep_the_process_from_exiting() -> None:
    """A hung model in a worker, the server shut down: the interpreter exits (the standard pool would join the
    thread at exit and wait forever)."""
    script = textwrap.dedent("""
        import threading
        from fake_assistants.server.worker_threads import DaemonThreads

        threads = DaemonThreads(4, "worker")
        started = threading.Event()
        threads.submit(lambda: (started.set(), threading.Event().wait()))
        assert started.wait(30)
        threads.shutdown(wait=False)
        print("main is done")
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (0, "main is done\n", "")


def test_threads_of_an_executor_dropped_without_shutdown_end() -> None:
    threads = DaemonThreads(3, "dropped")
    go = threading.Event()
    held = [threads.submit(go.wait, WAIT) for _ in range(3)]
    started = [thread for thread in threading.enumerate() if thread.name.startswith("dropped-")]
    assert len(started) == 3
    del threads
    gc.collect()
    go.set()
    assert all(future.result(WAIT) for future in held)
    for thread in started:
        thread.join(WAIT)
    assert not any(thread.is_alive() for thread in started)


def test_an_idle_thread_keeps_nothing_of_its_last_call() -> None:
    class Answer:
        pass

    threads = DaemonThreads(1, "worker")
    future = threads.submit(Answer)
    answer = weakref.ref(future.result(WAIT))
    del future
    failing = threads.submit(divmod, 1, 0)  # the thread moves on (a call that raises returns nothing to hold)
    with pytest.raises(ZeroDivisionError):
        failing.result(WAIT)  # its first call's ending was done before it took the second
    gc.collect()
    assert answer() is None
    threads.shutdown()
