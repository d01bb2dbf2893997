"""An ASGI application around a sans-IO handler (ApiRequest -> ApiResponse). It imports no HTTP library.

The request body is read into one buffer, no further than its limit (`BodyLimits`: JSON bodies, uploads, state
documents): a `content-length` over the limit is refused before any of the body is read, and a body streamed
without one is refused as soon as it passes the limit. A streamed response body is sent chunk by chunk, each
chunk its own `http.response.body` message, so server-sent events reach the client as they are produced. When the client
disconnects, production stops: the chunk iterator is closed and nothing more is computed.

A request that may wait on a run's model (the handler's `may_wait(request)` says so: with a model behind the
runs, a request on a thread, whose run moves as it is read or streamed) is answered on a worker thread, and so is
each chunk of its stream: a model's answer holds back only the requests waiting for it, while the event loop
serves the others. Any other request is answered on the event loop, which costs no hand-over.

Injected transport faults (`fake.faults.timeout()`, `.connection_error()`) become what a client would see from a
real server: a timeout holds the request unanswered until the client gives up (at most `TIMEOUT_HOLD_SECONDS`),
and a connection error drops the connection before a response arrives.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import io
import sys
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import parse_qsl

from ..api.multipart import MAX_FILE_BYTES, MAX_FORM_OVERHEAD_BYTES
from ..api.validation import MAX_JSON_BODY_BYTES
from ..core import error_catalog as catalog
from ..core.envelope import error_response
from ..core.errors import ApiError
from ..core.wire import ApiRequest, ApiResponse
from ..layers.faults import TransportFault
from .worker_threads import DaemonThreads

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

TIMEOUT_HOLD_SECONDS = 60.0
DROP_NOTICE_SECONDS = 5.0  # how long a dropped connection may take to reach the server's own bookkeeping
WORKERS = 32  # requests that may wait on a model, answered at once (the others queue for a worker)


class ConnectionDropped(Exception):
    """Raised to make the ASGI server close the connection mid-response (an injected connection error)."""


STATE_PATH = "/__fake__/state"
RELEASE_AFTER_BYTES = 1024 * 1024  # after a request body this large, unused heap memory goes back to the system


class Handler(Protocol):
    def __call__(self, request: ApiRequest) -> ApiResponse: ...


@dataclass(frozen=True, slots=True)
class BodyLimits:
    """The largest request body read, by kind: a multipart upload (one file of at most 512 MB, the real limit,
    and its form), a state document for `PUT /__fake__/state`, any other (JSON) body."""

    json_bytes: int = MAX_JSON_BODY_BYTES
    upload_bytes: int = MAX_FILE_BYTES + MAX_FORM_OVERHEAD_BYTES
    state_bytes: int = MAX_FILE_BYTES

    def for_request(self, scope: Scope) -> int:
        if scope.get("path") == STATE_PATH:
            return self.state_bytes
        content_type = _header(scope, b"content-type") or b""
        if content_type.lower().startswith(b"multipart/form-data"):
            return self.upload_bytes
        return self.json_bytes


class AsgiApp:
    """`AsgiApp(handler)` serves `handler` to any ASGI server (HTTP and lifespan scopes).

    When `handler` has a `screen(request) -> ApiResponse | None` method, it sees each request (without its
    body) before the body is read: an answer refuses the request unread. `handler.refuse(error)`, when there
    is one, answers a body over its limit (else the plain envelope). `handler.may_wait(request) -> bool`, when
    there is one, names the requests answered on a worker thread (they may wait on a model)."""

    def __init__(self, handler: Handler, *, limits: BodyLimits | None = None) -> None:
        self.handler = handler
        self.limits = limits or BodyLimits()
        self.may_wait: Callable[[ApiRequest], bool] | None = getattr(handler, "may_wait", None)
        self._workers: DaemonThreads | None = None

    def workers(self) -> DaemonThreads:
        """The threads answering requests that may wait on a model, started with the first such request (daemon
        threads: a model that never answers does not keep the process from exiting once the server is gone)."""
        if self._workers is None:
            self._workers = DaemonThreads(WORKERS, "fake-assistants")
        return self._workers

    def close(self) -> None:
        """Let the worker threads go (at the server's shutdown); a later request starts them again."""
        workers, self._workers = self._workers, None
        if workers is not None:
            workers.shutdown(wait=False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            self.close()
        elif scope["type"] == "http":
            await self._http(scope, receive, send)
        else:
            raise ValueError(f"fake-assistants serves HTTP only, not {scope['type']!r}")

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        screen = getattr(self.handler, "screen", None)
        refused: ApiResponse | None = None if screen is None else screen(to_api_request(scope, b""))
        body = b""
        if refused is None:
            limit = self.limits.for_request(scope)
            declared = _content_length(scope)
            if declared is not None and declared > limit:
                refused = self._refuse(catalog.request_too_large(limit))
            else:
                body, disconnected, too_large = await read_body(receive, limit)
                if disconnected:
                    return
                if too_large:
                    release_memory()  # what was read of it
                    refused = self._refuse(catalog.request_too_large(limit))
        if refused is not None:
            await send({"type": "http.response.start", "status": refused.status, "headers": _headers(refused)})
            await send({"type": "http.response.body", "body": refused.body, "more_body": False})
            return
        large = len(body) >= RELEASE_AFTER_BYTES
        request = to_api_request(scope, body)
        del body
        workers = self.workers() if self.may_wait is not None and self.may_wait(request) else None
        if workers is None:
            answer = self._answer(request)
        else:
            answering = _on_worker(workers, self._answer, request)
            try:
                answer = await asyncio.shield(answering)
            except asyncio.CancelledError:  # the server gave up on the request: a stream made for it is closed unread
                answering.add_done_callback(_close_unsent)
                raise
        del request
        if large:  # a large body is gone: give its memory back to the system, not to the allocator's free lists
            release_memory()
        if isinstance(answer, TransportFault):
            await _transport_fault(answer, receive, send)
            return
        response = answer
        await send({"type": "http.response.start", "status": response.status, "headers": _headers(response)})
        if isinstance(response.body, bytes):
            await send({"type": "http.response.body", "body": response.body, "more_body": False})
        else:
            await send_stream(response.body, receive, send, workers)

    def _answer(self, request: ApiRequest) -> ApiResponse | TransportFault:
        try:
            return self.handler(request)
        except TransportFault as fault:
            return fault

    def _refuse(self, error: ApiError) -> ApiResponse:
        refuse = getattr(self.handler, "refuse", None)
        return error_response(error) if refuse is None else refuse(error)


def to_api_request(scope: Scope, body: bytes) -> ApiRequest:
    query = tuple(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
    headers: dict[str, str] = {}
    for name, value in scope.get("headers", []):
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")
        headers[key] = f"{headers[key]}, {text}" if key in headers else text
    return ApiRequest(scope["method"].upper(), scope["path"], query, headers, body)


def release_memory() -> None:
    """glibc's `malloc_trim(0)`: free heap pages go back to the system (elsewhere, nothing). Without it the
    server keeps the pages of the last large body it read, about the size of that body."""
    trim = _MALLOC_TRIM
    if trim is not None:
        trim(0)


def _malloc_trim() -> Any:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


_MALLOC_TRIM = _malloc_trim() if sys.platform.startswith("linux") else None


async def read_body(receive: Receive, limit: int) -> tuple[bytes, bool, bool]:
    """The request body, whether the client went away before sending all of it, and whether it passed `limit`
    (then reading stops there, and the body is empty). The chunks go into one buffer, whose value is not copied
    again."""
    buffer = io.BytesIO()
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"", True, False
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return b"", False, True
        buffer.write(chunk)
        if not message.get("more_body", False):
            return buffer.getvalue(), False, False


def _header(scope: Scope, name: bytes) -> bytes | None:
    return next((value for key, value in scope.get("headers", []) if key.lower() == name), None)


def _content_length(scope: Scope) -> int | None:
    value = _header(scope, b"content-length")
    if value is None or not value.strip().isdigit() or len(value) > 20:
        return None
    return int(value)


def _headers(response: ApiResponse) -> list[tuple[bytes, bytes]]:
    headers = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in response.headers]
    if isinstance(response.body, bytes):
        headers.append((b"content-length", str(len(response.body)).encode("ascii")))
    return headers


async def send_stream(chunks: Iterator[bytes], receive: Receive, send: Send,
                       workers: Executor | None = None) -> None:
    """Send each chunk as it is produced (on one of `workers`, when given); stop producing as soon as the client
    disconnects. The chunks are closed once no chunk is being produced."""
    gone = asyncio.Event()
    watcher = asyncio.ensure_future(_watch_disconnect(receive, gone))
    producing: asyncio.Future[bytes | None] | None = None
    try:
        while True:
            try:
                if workers is None:  # no hand-over: the chunk is made here, on the event loop
                    chunk = next(chunks, None)
                else:
                    producing = _on_worker(workers, next, chunks, None)
                    chunk = await asyncio.shield(producing)
            except TransportFault as fault:  # a `drop_stream` fault: the connection drops part-way
                if not await _drop_connection(receive, send):
                    raise ConnectionDropped(str(fault)) from None
                return
            if chunk is None:
                break
            if gone.is_set():
                return
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await asyncio.sleep(0)  # let the disconnect watcher and other requests run between chunks
            if gone.is_set():
                return
        await send({"type": "http.response.body", "body": b"", "more_body": False})
    finally:
        try:  # a task of its own: cancelled again meanwhile, it still closes the chunks once no chunk is being made
            closing = asyncio.ensure_future(_close_when_free(chunks, producing, workers))
            closing.add_done_callback(_retrieved)
            await asyncio.shield(closing)
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher


async def _close_when_free(chunks: Iterator[bytes], producing: asyncio.Future[Any] | None,
                           workers: Executor | None) -> None:
    """Close a stream's chunks (on one of `workers`) once the chunk a worker may be making is made."""
    if producing is not None and not producing.done():  # cancelled while a worker makes a chunk
        await asyncio.wait([producing])
    close = getattr(chunks, "close", None)
    if close is not None:
        await _on_worker(workers, close)


def _retrieved(future: asyncio.Future[Any]) -> None:
    """Take a finished future's exception (a close nobody awaits): asyncio would log it as never retrieved."""
    if not future.cancelled():
        future.exception()


def _close_unsent(answering: asyncio.Future[Any]) -> None:
    """Close the stream of an answer nobody will send."""
    if answering.cancelled() or answering.exception() is not None:
        return
    answer = answering.result()
    close = getattr(answer.body, "close", None) if isinstance(answer, ApiResponse) else None
    if close is not None:
        close()


def _on_worker(workers: Executor | None, call: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
    """`call(*args)` on one of `workers`; made at once on the event loop when there are none, or when they were
    let go (the server shutting down while a stream ends)."""
    loop = asyncio.get_running_loop()
    if workers is not None:
        with contextlib.suppress(RuntimeError):  # cannot schedule new futures after shutdown
            return loop.run_in_executor(workers, call, *args)
    made: asyncio.Future[Any] = loop.create_future()
    try:
        made.set_result(call(*args))
    except Exception as error:
        made.set_exception(error)
    return made


async def _watch_disconnect(receive: Receive, gone: asyncio.Event) -> None:
    await _until_disconnect(receive)
    gone.set()


async def _transport_fault(fault: TransportFault, receive: Receive, send: Send) -> None:
    if fault.kind == "timeout":
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(_until_disconnect(receive), TIMEOUT_HOLD_SECONDS)
            return  # the client gave up, as it does on a real timeout
    if await _drop_connection(receive, send):
        return
    # Another ASGI server: no ASGI message drops a connection, so start a response the client cannot complete.
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1")]})
    raise ConnectionDropped(str(fault))


async def _drop_connection(receive: Receive, send: Send) -> bool:
    """Close the client's connection before any response, as a dropped connection does, where the server lets the
    app reach it: uvicorn's `send` is a method of the request's cycle, which holds the connection's asyncio
    transport. False elsewhere. A client that sees no response at all reports a connection error (the SDKs retry
    it); one that sees a response's start and then loses it may not (openai-node reports `terminated`, or waits)."""
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    abort = getattr(transport, "abort", None)
    if not callable(abort):
        return False
    abort()
    with contextlib.suppress(TimeoutError):  # the server sees it at once; then it writes nothing after the app
        await asyncio.wait_for(_until_disconnect(receive), DROP_NOTICE_SECONDS)
    return True


async def _until_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
