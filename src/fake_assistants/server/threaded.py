"""A fake behind a real socket: the ASGI app served by uvicorn (the `server` extra). The only module importing it.

Two ways to run it: `run_server(...)` blocks (the `fake-assistants serve` command), and `ThreadedServer` runs
it in a background thread for Python tests (`FakeAssistants.serve()`). Both bind the listening socket before
uvicorn starts, so the port is known at once, even with port 0.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable
from types import FrameType, TracebackType
from typing import TextIO

import uvicorn

from .asgi import AsgiApp, ConnectionDropped
from .fake_per_key import FakePerKey
from .served_fake import Servable, ServedFake

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 4010
GRACEFUL_SHUTDOWN_SECONDS = 5
START_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 30.0


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on `host:port` (port 0: any free port).

    Its protocol is IPPROTO_TCP, not 0 as `socket.create_server` leaves it: asyncio sets TCP_NODELAY only on
    connections accepted from such a socket, and without it every response waits for a delayed ACK (~40 ms).
    """
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                         flags=socket.AI_PASSIVE)[0]
    sock = socket.socket(family, kind, proto or socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


def base_url(sock: socket.socket) -> str:
    """`http://host:port/v1` for the address `sock` listens on."""
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/v1"


def is_loopback(sock: socket.socket) -> bool:
    host = str(sock.getsockname()[0])
    return host == "::1" or host.startswith("127.")


class _QuietDrops(logging.Filter):
    """An injected connection error is not a server error: keep it out of uvicorn's error log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], ConnectionDropped))


QUIET_DROPS = _QuietDrops()


class _Uvicorn(uvicorn.Server):
    """uvicorn's server, telling `on_started` once it accepts connections."""

    def __init__(self, config: uvicorn.Config, on_started: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_started = on_started

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self._on_started()


def guarded_hosts(sock: socket.socket, allow_hosts: Iterable[str]) -> frozenset[str] | None:
    """The hosts a server on `sock` answers besides loopback ones; None (any host) when it is not on loopback."""
    return frozenset(allow_hosts) if is_loopback(sock) else None


def _config(fake: Servable, api_key: str | None, allowed_hosts: frozenset[str] | None, *,
            log_config: bool, make: Callable[[str], Servable] | None = None) -> uvicorn.Config:
    handler = (ServedFake(fake, api_key=api_key, allowed_hosts=allowed_hosts) if make is None
               else FakePerKey(make, fake, allowed_hosts=allowed_hosts))
    app = AsgiApp(handler)
    config = uvicorn.Config(
        app,
        lifespan="on",
        ws="none",
        log_level="warning",
        log_config=uvicorn.config.LOGGING_CONFIG if log_config else None,
        access_log=False,
        proxy_headers=False,
        server_header=False,
        date_header=False,  # the fake sends its own `date`, from its clock
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
    logging.getLogger("uvicorn.error").addFilter(QUIET_DROPS)  # after Config, which sets up logging
    return config


# -- the command: serve until SIGINT or SIGTERM ------------------------------------------------------


def run_server(fake: Servable, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
               api_key: str | None = None, out: TextIO | None = None, allow_hosts: Iterable[str] = (),
               parent: int | None = None, one_fake_per_key: Callable[[str], Servable] | None = None) -> int:
    """Serve `fake` until SIGINT or SIGTERM; print the listening line once connections are accepted.

    With `one_fake_per_key` (what makes a key's fake), each API key gets a fake of its own, made on its first
    request; `fake` answers requests that send no key.

    On loopback, only requests whose `Host` and `Origin` are loopback or among `allow_hosts` are answered. With
    `parent` (the id of the process that started the server), the server also stops once that process has exited
    (a test runner that crashed, or was killed, leaves no server behind).

    Returns the exit status: 0 after a clean shutdown.
    """
    stream = out or sys.stdout
    sock = bind(host, port)
    url = base_url(sock)

    def announce() -> None:
        if not is_loopback(sock):
            print(f"fake-assistants: warning: {url} is reachable from other hosts", file=sys.stderr, flush=True)
        if one_fake_per_key is not None:  # on stderr: scripts read the listening line as it is
            print("fake-assistants: one fake per API key", file=sys.stderr, flush=True)
        print(f"fake-assistants listening on {url}", file=stream, flush=True)

    server = _Uvicorn(_config(fake, api_key, guarded_hosts(sock, allow_hosts), log_config=True,
                              make=one_fake_per_key), announce)
    _stop_on_signals(server)
    if parent is not None and os.name == "nt":  # a process there keeps its parent's id after the parent exits
        print("fake-assistants: warning: --exit-with-parent does not work on Windows; stop the server with "
              "Ctrl+C or by ending its process", file=sys.stderr, flush=True)
    elif parent is not None:
        _stop_with_parent(server, parent)
    with sock:
        server.run(sockets=[sock])
    return 0 if server.started else 1


def _stop_on_signals(server: uvicorn.Server) -> None:
    """SIGINT/SIGTERM stop the server and the process exits 0 (uvicorn re-raises the signal to the handler
    it found installed; this one just asks for the shutdown, so the re-raise is harmless)."""

    def stop(signum: int, frame: FrameType | None) -> None:
        server.should_exit = True

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stop)


PARENT_CHECK_SECONDS = 0.5


def _stop_with_parent(server: uvicorn.Server, parent: int) -> None:
    """Stop the server once the process `parent` has exited: this process is then another's child (the parent's
    parent's, or init's). A daemon thread checks twice a second."""

    def watch() -> None:
        while not server.should_exit:
            if os.getppid() != parent:
                print("fake-assistants: the process that started the server has exited: stopping", file=sys.stderr,
                      flush=True)
                server.should_exit = True
                return
            time.sleep(PARENT_CHECK_SECONDS)

    threading.Thread(target=watch, name="fake-assistants-parent", daemon=True).start()


# -- in a thread, for Python tests -------------------------------------------------------------------


class ThreadedServer:
    """`fake` served on a real socket by a background thread: a context manager with `.base_url`.

        with FakeAssistants(seed=0).serve() as server:
            client = openai.OpenAI(base_url=server.base_url, api_key="sk-test")
    """

    def __init__(self, fake: Servable, *, host: str = DEFAULT_HOST, port: int = 0,
                 api_key: str | None = None, allow_hosts: Iterable[str] = ()) -> None:
        self.fake = fake
        self.allow_hosts = tuple(allow_hosts)
        self.host = host
        self.requested_port = port
        self.api_key = api_key
        self._sock: socket.socket | None = None
        self._server: _Uvicorn | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:<port>/v1`: what `openai.OpenAI(base_url=...)` takes."""
        return base_url(self._listening())

    @property
    def port(self) -> int:
        return int(self._listening().getsockname()[1])

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._listening().getsockname()[:2]
        return str(host), int(port)

    def start(self) -> ThreadedServer:
        if self._thread is not None:
            raise RuntimeError("this server has already been started (a stopped one does not start again: serve "
                               "the fake anew with fake.serve())")
        ready = threading.Event()
        self._sock = bind(self.host, self.requested_port)
        allowed = guarded_hosts(self._sock, self.allow_hosts)
        self._server = _Uvicorn(_config(self.fake, self.api_key, allowed, log_config=False), ready.set)
        self._thread = threading.Thread(target=self._serve, args=(ready,), name="fake-assistants-server",
                                        daemon=True)
        self._thread.start()
        if not ready.wait(START_TIMEOUT_SECONDS) or not self._server.started:
            self.stop()
            raise RuntimeError("fake-assistants: the server did not start")
        return self

    def stop(self) -> None:
        """Ask uvicorn to shut down (it notices within 0.1 s) and wait for the thread to finish."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(STOP_TIMEOUT_SECONDS)
            if self._thread.is_alive():
                raise RuntimeError("fake-assistants: the server did not stop")
        if self._sock is not None:
            self._sock.close()

    def _serve(self, ready: threading.Event) -> None:
        assert self._server is not None and self._sock is not None
        try:
            self._server.run(sockets=[self._sock])
        finally:
            ready.set()  # wakes `start` if the server stopped before it started

    def _listening(self) -> socket.socket:
        if self._thread is not None and not self._thread.is_alive():  # started, and over
            raise RuntimeError("the server has stopped (its `with fake.serve() as server:` block ended, or stop() "
                               "was called): read base_url, port or address while it runs")
        if self._sock is None or self._thread is None:
            raise RuntimeError("the server is not running: use `with fake.serve() as server:` or call start()")
        return self._sock

    def __enter__(self) -> ThreadedServer:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()
