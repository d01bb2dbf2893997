"""An ASGI application around a sans-IO handler (ApiRequest -> ApiResponse). It imports no HTTP library.

The request body is read whole; a streamed response body is sent chunk by chunk, each chunk its own
`http.response.body` message, so server-sent events reach the client as they are produced. When the client
disconnects, production stops: the chunk iterator is closed and nothing more is computed.

Injected transport faults (`fake.faults.timeout()`, `.connection_error()`) become what a client would see from a
real server: a timeout holds the request unanswered until the client gives up (at most `TIMEOUT_HOLD_SECONDS`),
and a connection error drops the connection before a response arrives.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from typing import Any, Protocol
from urllib.parse import parse_qsl

from ..core.wire import ApiRequest, ApiResponse
from ..layers.faults import TransportFault

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

TIMEOUT_HOLD_SECONDS = 60.0


class ConnectionDropped(Exception):
    """Raised to make the ASGI server close the connection mid-response (an injected connection error)."""


class Handler(Protocol):
    def __call__(self, request: ApiRequest) -> ApiResponse: ...


class AsgiApp:
    """`AsgiApp(handler)` serves `handler` to any ASGI server (HTTP and lifespan scopes)."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)
        else:
            raise ValueError(f"fake-assistants serves HTTP only, not {scope['type']!r}")

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        body, disconnected = await _read_body(receive)
        if disconnected:
            return
        try:
            response = self.handler(to_api_request(scope, body))
        except TransportFault as fault:
            await _transport_fault(fault, receive, send)
            return
        await send({"type": "http.response.start", "status": response.status, "headers": _headers(response)})
        if isinstance(response.body, bytes):
            await send({"type": "http.response.body", "body": response.body, "more_body": False})
        else:
            await _send_stream(response.body, receive, send)


def to_api_request(scope: Scope, body: bytes) -> ApiRequest:
    query = tuple(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
    headers: dict[str, str] = {}
    for name, value in scope.get("headers", []):
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")
        headers[key] = f"{headers[key]}, {text}" if key in headers else text
    return ApiRequest(scope["method"].upper(), scope["path"], query, headers, body)


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """The whole request body, and whether the client went away before sending all of it."""
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"", True
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(parts), False


def _headers(response: ApiResponse) -> list[tuple[bytes, bytes]]:
    headers = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in response.headers]
    if isinstance(response.body, bytes):
        headers.append((b"content-length", str(len(response.body)).encode("ascii")))
    return headers


async def _send_stream(chunks: Iterator[bytes], receive: Receive, send: Send) -> None:
    """Send each chunk as it is produced; stop producing as soon as the client disconnects."""
    gone = asyncio.Event()
    watcher = asyncio.ensure_future(_watch_disconnect(receive, gone))
    try:
        for chunk in chunks:
            if gone.is_set():
                return
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await asyncio.sleep(0)  # let the disconnect watcher and other requests run between chunks
            if gone.is_set():
                return
        await send({"type": "http.response.body", "body": b"", "more_body": False})
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher


async def _watch_disconnect(receive: Receive, gone: asyncio.Event) -> None:
    await _until_disconnect(receive)
    gone.set()


async def _transport_fault(fault: TransportFault, receive: Receive, send: Send) -> None:
    if fault.kind == "timeout":
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(_until_disconnect(receive), TIMEOUT_HOLD_SECONDS)
            return  # the client gave up, as it does on a real timeout
    # No ASGI message drops a connection: start a response the client cannot complete, then fail.
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1")]})
    raise ConnectionDropped(str(fault))


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
