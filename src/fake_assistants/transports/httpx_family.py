"""One adapter for the httpx family: `httpx` (openai 1.x/2.x) and `httpx2` (openai 3.x) share one API.

This module imports neither library: each of `httpx_transport` and `httpx2_transport` passes its own
module in, so the adapter is written once and each library is imported only by its own transport.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from types import ModuleType
from typing import Any, Protocol
from urllib.parse import parse_qsl

from anyio.lowlevel import checkpoint

from ..api.routes import for_another_api
from ..core.wire import ApiRequest, ApiResponse
from ..layers.faults import TransportFault


class Handler(Protocol):
    def __call__(self, request: ApiRequest) -> ApiResponse: ...


def to_api_request(request: Any) -> ApiRequest:
    url = request.url
    raw_query: bytes = url.query
    query = tuple(parse_qsl(raw_query.decode("ascii", "replace"), keep_blank_values=True)) if raw_query else ()
    return ApiRequest(request.method.upper(), url.path, query, lowered_headers(request.headers), request.content)


def lowered_headers(headers: Any) -> dict[str, str]:
    """`{name.lower(): value for name, value in headers.multi_items()}` (a repeated name keeps its last
    value), read from the raw pairs: `multi_items()` looks the encoding up twice per header. ASCII (the usual
    case) and UTF-8 both read as UTF-8, which `decode()` uses without a codec lookup."""
    encoding = headers.encoding
    if encoding == "ascii" or encoding == "utf-8":
        return {key.decode().lower(): value.decode() for key, value in headers.raw}
    return {key.decode(encoding).lower(): value.decode(encoding) for key, value in headers.raw}


def transport_error(module: ModuleType, fault: TransportFault, request: Any) -> Exception:
    """`ReadTimeout` for an injected timeout, `ConnectError` for a connection error, `RemoteProtocolError` for a
    connection that dropped before the answer (after the fake handled the request), from `module`."""
    kind = (module.ReadTimeout if fault.kind == "timeout"
            else module.RemoteProtocolError if fault.kind == "dropped_response" else module.ConnectError)
    error: Exception = kind(str(fault), request=request)
    return error


def build_transport_class(module: ModuleType, name: str) -> type[Any]:
    """A transport class for `module` (httpx or httpx2) serving sync and async clients alike."""

    class ByteStream(module.SyncByteStream, module.AsyncByteStream):  # type: ignore[misc,name-defined]
        """A real, lazy response stream: chunks are produced as the client reads them."""

        def __init__(self, body: Iterator[bytes]) -> None:
            self._chunks = body

        def __iter__(self) -> Iterator[bytes]:
            return iter(self._chunks)  # the body itself, read straight through: no generator of our own per chunk

        async def __aiter__(self) -> AsyncIterator[bytes]:
            chunks = iter(self._chunks)
            while True:
                await checkpoint()  # other tasks run between two chunks, as between two reads of a socket
                chunk = next(chunks, None)
                if chunk is None:
                    return
                yield chunk

        def close(self) -> None:
            close = getattr(self._chunks, "close", None)
            if close is not None:
                close()

        async def aclose(self) -> None:
            self.close()

    class DroppingByteStream(ByteStream):
        """A stream whose connection may drop part-way (a `drop_stream` fault): the fault becomes the library's
        own read error, as a connection closed mid-body is."""

        def __iter__(self) -> Iterator[bytes]:
            try:
                yield from self._chunks
            except TransportFault as fault:
                raise module.RemoteProtocolError(str(fault)) from None

        async def __aiter__(self) -> AsyncIterator[bytes]:
            try:
                async for chunk in super().__aiter__():
                    yield chunk
            except TransportFault as fault:
                raise module.RemoteProtocolError(str(fault)) from None

    def respond(handler: Handler, request: Any) -> Any:
        try:
            reply = handler(to_api_request(request))
        except TransportFault as fault:  # an injected fault: the library's own exception, as a real failure
            raise transport_error(module, fault, request) from None
        body = reply.body
        # A whole body goes in the library's own one-chunk stream (read as the client reads it, with no content
        # headers added); an event stream in ours, which produces it lazily.
        stream = (module.ByteStream(body) if isinstance(body, bytes)
                  else DroppingByteStream(body) if reply.drops else ByteStream(body))
        return module.Response(reply.status, headers=reply.headers, stream=stream, request=request)

    class Transport(module.BaseTransport, module.AsyncBaseTransport):  # type: ignore[misc,name-defined]
        """The fake's transport; with `other_apis` (a transport of the same library), the requests for the OpenAI
        APIs the fake does not serve (`api/routes.py` `for_another_api`) go there instead of to the fake's 404."""

        serves_a_fake = True  # `fake.intercept()` leaves a client on it alone (transports/intercept.py)

        def __init__(self, handler: Handler, other_apis: Any = None) -> None:
            if other_apis is not None and not isinstance(other_apis, module.BaseTransport | module.AsyncBaseTransport):
                library = type(other_apis).__module__.partition(".")[0]
                raise TypeError(
                    f"other_apis must be a transport of {module.__name__}, the HTTP library of this fake's clients, as "
                    f"{module.__name__}.MockTransport(handler), not a {library}.{type(other_apis).__qualname__}"
                    + (f" (a {library} transport goes with {library} clients: fake.openai_client(http=\"{library}\", "
                       f"other_apis=...), or fake.{library}_transport(other_apis=...))"
                       if library in ("httpx", "httpx2") else ""))
            self.handler = handler
            self.other_apis = other_apis

        def handle_request(self, request: Any) -> Any:
            if self.other_apis is not None and for_another_api(request.url.path):
                return self.other_apis.handle_request(request)
            request.read()
            return respond(self.handler, request)

        def close(self) -> None:
            """The client that owns this transport closes `other_apis` with it, as it would a transport of its own."""
            if self.other_apis is not None:
                self.other_apis.close()

        async def aclose(self) -> None:
            if self.other_apis is not None:
                await self.other_apis.aclose()

        async def handle_async_request(self, request: Any) -> Any:
            if self.other_apis is not None and for_another_api(request.url.path):
                return await self.other_apis.handle_async_request(request)
            await request.aread()
            # Other tasks get a turn before the fake answers, as they do while a request crosses a network:
            # requests of tasks gathered together interleave (and a task cancelled meanwhile sends nothing).
            await checkpoint()
            return respond(self.handler, request)

    Transport.__name__ = Transport.__qualname__ = name
    return Transport
