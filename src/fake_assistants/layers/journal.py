"""The call journal: every request a fake answered, with its response and the stream events it sent.

Recorded by the sans-IO core (`App.handle`), so every transport and the server see one journal.
A test reads it through `fake.calls`:

    assert fake.calls["runs.create"].call_count == 1
    assert fake.calls.last.status == 200
    assert fake.calls.filter(route="runs.*", method="POST").called
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from typing import Any, overload

from ..api import multipart
from ..api.pipeline import Exchange, Respond
from ..core.errors import ApiError
from ..core.wire import ApiRequest, ApiResponse

SSE_DONE = "[DONE]"


@dataclass(slots=True, eq=False)
class RecordedCall:
    """One request and what the fake answered.

    `body` is the parsed JSON request body (a multipart upload: its fields, with files as
    `{"filename", "content_type", "bytes"}`); `response` the parsed JSON response (None for a stream);
    `events` the server-sent events as the client read them, `(name, data)`. `fault` names the injected
    fault that answered instead of the fake (`"http_error"`, `"timeout"`, `"connection_error"`,
    `"stream_error"`), or is None.
    """

    method: str
    path: str
    route: str | None
    params: Mapping[str, str]
    query: tuple[tuple[str, str], ...]
    headers: Mapping[str, str]
    content: bytes
    status: int | None = None
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    response_content: bytes | None = None
    chunks: list[bytes] = field(default_factory=list)
    fault: str | None = None

    @property
    def body(self) -> Any:
        return parse_request_body(self.content, self.headers.get("content-type"))

    @property
    def response(self) -> Any:
        if self.response_content is None:
            return None
        try:
            return json.loads(self.response_content)
        except ValueError:
            return None

    @property
    def stream(self) -> bool:
        return self.response_content is None and self.status is not None

    @property
    def events(self) -> list[tuple[str, Any]]:
        return [parse_event(chunk) for chunk in self.chunks]

    @property
    def event_names(self) -> list[str]:
        return [name for name, _ in self.events]

    @property
    def request_id(self) -> str | None:
        return self.response_header("x-request-id")

    def response_header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.response_headers if k.lower() == lowered), None)

    def query_value(self, name: str) -> str | None:
        return next((v for k, v in self.query if k == name), None)

    def __repr__(self) -> str:
        status = "-" if self.status is None else self.status
        fault = f" fault={self.fault}" if self.fault else ""
        return f"<RecordedCall {self.method} {self.path} route={self.route} status={status}{fault}>"


class Calls:
    """A sequence of recorded calls with the helpers a test reads: `called`, `call_count`, `last`, `filter`.

    `calls["runs.create"]` is `calls.filter(route="runs.create")`; `calls[0]` and `calls[-1]` are calls.
    """

    def __init__(self, calls: list[RecordedCall] | None = None, *, description: str = "") -> None:
        self._calls: list[RecordedCall] = calls if calls is not None else []
        self._description = description

    def _items(self) -> list[RecordedCall]:
        return self._calls

    def _at(self, index: int) -> RecordedCall:
        return self._calls[index]

    def __iter__(self) -> Iterator[RecordedCall]:
        return iter(self._items())

    def __len__(self) -> int:
        return len(self._items())

    @overload
    def __getitem__(self, key: int) -> RecordedCall: ...

    @overload
    def __getitem__(self, key: str | slice) -> Calls: ...

    def __getitem__(self, key: int | str | slice) -> RecordedCall | Calls:
        if isinstance(key, str):
            return self.filter(route=key)
        if isinstance(key, slice):
            return Calls(self._items()[key], description=self._description)
        return self._at(key)

    @property
    def called(self) -> bool:
        return len(self) > 0

    @property
    def call_count(self) -> int:
        return len(self)

    @property
    def last(self) -> RecordedCall:
        try:
            return self._at(-1)
        except IndexError:
            raise IndexError(f"no calls were recorded{self._description}") from None

    @property
    def routes(self) -> list[str | None]:
        """The route name of each call, in order (None for a path no route matches)."""
        return [call.route for call in self._items()]

    def filter(self, route: str | None = None, *, method: str | None = None, path: str | None = None,
               status: int | None = None, fault: str | None = None) -> Calls:
        """The calls that match every filter given. `route` is a route name such as `runs.create`, or a
        pattern such as `runs.*`; `path` may be a pattern too."""
        chosen = [
            call for call in self._items()
            if (route is None or (call.route is not None and fnmatchcase(call.route, route)))
            and (method is None or call.method == method.upper())
            and (path is None or fnmatchcase(call.path, path))
            and (status is None or call.status == status)
            and (fault is None or call.fault == fault)
        ]
        given = {"route": route, "method": method, "path": path, "status": status, "fault": fault}
        described = ", ".join(f"{k}={v!r}" for k, v in given.items() if v is not None)
        return Calls(chosen, description=f" ({described})" if described else "")

    def __repr__(self) -> str:
        return f"<Calls {len(self)}{self._description}: {self.routes!r}>"


class Journal(Calls):
    """The live journal of one fake (`fake.calls`): appended to by the core, cleared by `clear()`.

    `limit` keeps only the newest calls (None, the default, keeps them all).
    """

    def __init__(self, limit: int | None = None) -> None:
        super().__init__()
        self._log: deque[RecordedCall] = deque(maxlen=limit)
        self._guard = threading.Lock()

    def _items(self) -> list[RecordedCall]:
        with self._guard:
            return list(self._log)

    def __len__(self) -> int:
        return len(self._log)

    def _at(self, index: int) -> RecordedCall:
        with self._guard:
            return self._log[index]

    @property
    def limit(self) -> int | None:
        return self._log.maxlen

    @limit.setter
    def limit(self, value: int | None) -> None:
        with self._guard:
            self._log = deque(self._log, maxlen=value)

    def clear(self) -> None:
        with self._guard:
            self._log.clear()

    # -- recording (called by the core) -------------------------------------------------------------

    def begin(self, request: ApiRequest, route: str | None, params: Mapping[str, str]) -> RecordedCall:
        call = RecordedCall(request.method, request.path, route, dict(params), request.query,
                            request.headers, request.body)
        with self._guard:
            self._log.append(call)
        return call

    def finish(self, call: RecordedCall, response: ApiResponse) -> ApiResponse:
        """Record the response; a stream's events are recorded as the client reads them (the answer to send
        is then one whose body records them)."""
        call.status = response.status
        call.response_headers = list(response.headers)
        if isinstance(response.body, bytes):
            call.response_content = response.body
            return response
        return replace(response, body=_recorded(response.body, call.chunks))


class Journaling:
    """The journal layer: every request is recorded with the route it matched, then its answer (a stream's
    events as the client reads them) and the fault that answered or broke it."""

    def __init__(self, inner: Respond, journal: Journal) -> None:
        self.inner = inner
        self.journal = journal

    def __call__(self, exchange: Exchange) -> ApiResponse:
        route = exchange.route.name if exchange.route is not None else None
        call = self.journal.begin(exchange.request, route, exchange.params)
        try:
            response = self.inner(exchange)
        finally:  # a timeout or a dropped connection has no answer, but the journal names its fault
            call.fault = exchange.fault
        return self.journal.finish(call, response)


def _recorded(chunks: Iterator[bytes], sink: list[bytes]) -> Iterator[bytes]:
    try:
        for chunk in chunks:
            sink.append(chunk)
            yield chunk
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()


def parse_event(chunk: bytes) -> tuple[str, Any]:
    """One SSE event as sent (`event: <name>\\ndata: <json>\\n\\n`): its name and decoded data."""
    name, data = "", ""
    for line in chunk.decode("utf-8", "replace").split("\n"):
        if line.startswith("event:"):
            name = line[len("event:"):].strip()
        elif line.startswith("data:"):
            data = line[len("data:"):].strip()
    if data == SSE_DONE:
        return name, data
    try:
        return name, json.loads(data)
    except ValueError:
        return name, data


def parse_request_body(content: bytes, content_type: str | None) -> Any:
    """The request body as a test wants to read it: JSON decoded, multipart fields, or None."""
    if not content:
        return None
    if (content_type or "").startswith("multipart/form-data"):
        return _form_fields(content, content_type)
    try:
        return json.loads(content)
    except ValueError:
        return None


def _form_fields(content: bytes, content_type: str | None) -> dict[str, Any] | None:
    try:
        parts = multipart.parse(content, content_type)
    except ApiError:
        return None
    fields: dict[str, Any] = {}
    for part in parts:
        if part.filename is None:
            fields[part.name] = part.data.decode("utf-8", "replace")
        else:
            fields[part.name] = {"filename": part.filename, "content_type": part.content_type,
                                 "bytes": len(part.data)}
    return fields


def event_name(chunk: bytes) -> str:
    """The name of one SSE event chunk, without decoding its data."""
    first = chunk.split(b"\n", 1)[0]
    return first[len(b"event:"):].strip().decode("utf-8", "replace") if first.startswith(b"event:") else ""
