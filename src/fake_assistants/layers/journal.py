"""The call journal: every request a fake answered, with its response and the stream events it sent.

Recorded by the sans-IO core (`App.handle`), so every transport and the server see one journal.
A test reads it through `fake.calls`:

    assert fake.calls["runs.create"].call_count == 1
    assert fake.calls.last.status == 200
    assert fake.calls.filter(route="runs.*", method="POST").called

Its memory is bounded three ways (the same defaults in-process and in server mode): the newest `limit` calls
(10,000), at most `body_limit` bytes of each body kept (64 KiB: a larger request body, response body or event
stream keeps its first bytes, its size and its SHA-256), and at most `byte_limit` bytes kept in all (64 MiB:
the oldest calls go first). None lifts a limit; 0 keeps nothing.

In a fake built by `FakeAssistants.from_cassette`, each call also says whether the recording shows its request
(`in_cassette`; `cassettes/matching.py` matches them): `fake.calls.filter(in_cassette=False)` is what the code did
that the recording did not.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import threading
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from typing import Any, NoReturn, Protocol, get_args, overload

from ..api import multipart
from ..api.pipeline import Exchange, FaultKind, Respond
from ..api.routes import check_route
from ..core.errors import ApiError
from ..core.given import given
from ..core.sse import chunk_events, event_count
from ..core.wire import ApiRequest, ApiResponse, Headers

SSE_DONE = "[DONE]"
DEFAULT_CALL_LIMIT = 10_000
DEFAULT_BODY_LIMIT = 64 * 1024
DEFAULT_BYTE_LIMIT = 64 * 1024 * 1024


@dataclass(slots=True, eq=False)
class RecordedCall:
    """One request and what the fake answered.

    `body` is the parsed JSON request body (a multipart upload: its fields, with files as
    `{"filename", "content_type", "bytes"}`); `response` the parsed JSON response (None for a stream);
    `events` the server-sent events as the client read them, chunk by chunk, `(name, data)`. `fault` names the injected
    fault that answered instead of the fake (`"http_error"`, `"timeout"`, `"connection_error"`,
    `"stream_error"`, `"dropped_stream"`), or is None. `in_cassette`, in a fake built by
    `FakeAssistants.from_cassette`: whether the recording shows this request (False: "not in the cassette"; None in
    any other fake); `differs_from_cassette`: where its JSON body differs from the recorded request it matched
    (`request.content: recorded "a", now "b"`), or None.

    A body larger than the journal's `body_limit` is kept up to it: `content_size` and `content_sha256` tell
    the whole request body (`truncated` is True), `body` still reads an upload's form fields, and a JSON body
    too long to keep reads as `{"truncated": True, "bytes": <size>, "sha256": <digest>}`. A stream keeps its
    events in whole chunks up to the limit (`events_dropped` counts the rest).
    """

    method: str
    path: str
    route: str | None
    params: Mapping[str, str]
    query: tuple[tuple[str, str], ...]
    lowered_headers: Mapping[str, str]  # the request's, names lower-cased (`headers` reads them in any case)
    content: bytes
    status: int | None = None
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    response_content: bytes | None = None
    chunks: list[bytes] = field(default_factory=list)
    fault: FaultKind | None = None
    content_size: int = -1
    content_sha256: str | None = None
    form: dict[str, Any] | None = None  # a truncated upload's fields, read before the rest was dropped
    response_size: int = 0
    events_dropped: int = 0
    in_cassette: bool | None = None
    # in a fake built from a cassette: where the request's JSON body differs from the recorded request it matched
    differs_from_cassette: str | None = None
    kept_bytes: int = field(default=0, repr=False)
    in_journal: bool = field(default=False, repr=False)

    def __post_init__(self) -> None:
        if self.content_size < 0:
            self.content_size = len(self.content)

    @property
    def headers(self) -> Headers:
        """The request's headers, read in any case: `call.headers["OpenAI-Beta"]`."""
        return Headers(self.lowered_headers)

    @property
    def truncated(self) -> bool:
        """Only the first bytes of the request body were kept (the journal's `body_limit`)."""
        return self.content_size > len(self.content)

    @property
    def body(self) -> Any:
        if self.truncated:
            if self.form is not None:
                return self.form
            return {"truncated": True, "bytes": self.content_size, "sha256": self.content_sha256}
        return parse_request_body(self.content, self.lowered_headers.get("content-type"))

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
        return [parse_event(event) for chunk in self.chunks for event in chunk_events(chunk)]

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
        body = short_json(self.body)
        shown = f" body={body}" if body else ""
        return f"<RecordedCall {self.method} {self.path} route={self.route} status={status}{fault}{shown}>"

    def __str__(self) -> str:
        """One readable line: method, path, route name, status, a short body, and the error or the stream."""
        route = f" ({self.route})" if self.route else ""
        status = "no answer" if self.status is None else str(self.status)
        parts = [f"{self.method} {self.path}{route} → {status}"]
        if self.fault:
            parts.append(f"injected {self.fault}")
        if self.in_cassette is False:
            parts.append("not in the cassette")
        if self.differs_from_cassette:
            parts.append(f"differs from the recording: {self.differs_from_cassette}")
        body = short_json(self.body)
        if body:
            parts.append(f"body {body}")
        answer = self.response
        error = answer.get("error") if isinstance(answer, dict) else None
        if isinstance(error, dict):
            parts.append(f"{error.get('type') or error.get('code')}: {shorten(str(error.get('message')), 160)}")
        elif self.stream:
            parts.append(f"stream of {sum(event_count(chunk) for chunk in self.chunks)} events")
        elif isinstance(answer, dict) and "id" in answer:
            parts.append(f"{answer.get('object', 'answer')} {answer['id']}")
        return " · ".join(parts)


class Calls:
    """A sequence of recorded calls with the helpers a test reads: `called`, `call_count`, `last`, `filter`.

    `calls["runs.create"]` is `calls.filter(route="runs.create")`; `calls[0]` and `calls[-1]` are calls.
    """

    def __init__(self, calls: list[RecordedCall] | None = None, *, description: str = "",
                 places: list[int] | None = None) -> None:
        self._calls: list[RecordedCall] = calls if calls is not None else []
        self._description = description
        # each call's place in the whole journal (`fake.calls`, the transcript's `#n`), for a filtered sequence
        self._places = places

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
            items = self._items()  # one copy: a request recorded meanwhile changes neither list
            places = self._places if self._places is not None else list(range(len(items)))
            return Calls(items[key], description=self._description, places=places[key])
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
               status: int | None = None, fault: str | None = None, in_cassette: bool | None = None) -> Calls:
        """The calls that match every filter given. `route` is a route name such as `runs.create`, or a
        pattern such as `runs.*` (one that names no route is an `UnknownRoute` error suggesting the closest
        names); `path` may be a pattern too. `in_cassette=False`: the requests a cassette fake's recording
        does not show."""
        if route is not None:
            check_route(route, paths=True)
        _check_filters(method=method, path=path, status=status, fault=fault, in_cassette=in_cassette)
        items = self._items()
        places = self._places if self._places is not None else range(len(items))
        chosen = [
            (place, call) for place, call in zip(places, items, strict=True)
            if (route is None or (call.route is not None and fnmatchcase(call.route, route)))
            and (method is None or call.method == method.upper())
            and (path is None or fnmatchcase(call.path, path))
            and (status is None or call.status == status)
            and (fault is None or call.fault == fault)
            and (in_cassette is None or call.in_cassette is in_cassette)
        ]
        given = {"route": route, "method": method, "path": path, "status": status, "fault": fault,
                 "in_cassette": in_cassette}
        described = ", ".join(f"{k}={v!r}" for k, v in given.items() if v is not None)
        return Calls([call for _, call in chosen], description=f" ({described})" if described else "",
                     places=[place for place, _ in chosen])

    def __repr__(self) -> str:
        return f"<Calls {len(self)}{self._description}: {self.routes!r}>"

    def __str__(self) -> str:
        """One readable line per call (`#index` is its place here), for printing while debugging; a filtered
        sequence also shows each call's place in the whole journal (the transcript's `#n`)."""
        items = self._items()
        if not items:
            return f"no calls{self._description}"
        if self._places is None:
            return "\n".join(f"#{index} {call}" for index, call in enumerate(items))
        return "\n".join(f"#{index} (fake.calls[{place}]) {call}"
                         for index, (place, call) in enumerate(zip(self._places, items, strict=True)))


def _check_filters(*, method: object, path: object, status: object, fault: object, in_cassette: object) -> None:
    """A filter of the wrong type would match nothing, silently (`status="200"`): a TypeError naming it; so
    would a fault no call can have (`fault="rate_limit"`): a ValueError naming the kinds."""
    for name, value, wanted in (("method", method, str), ("path", path, str), ("fault", fault, str),
                                ("status", status, int), ("in_cassette", in_cassette, bool)):
        if value is not None and (not isinstance(value, wanted) or (wanted is int and isinstance(value, bool))):
            example = {"method": "'POST'", "path": "'/v1/threads/*'", "fault": "'http_error'",
                       "status": "200", "in_cassette": "False"}[name]
            kind = {str: "a str", int: "an int", bool: "True or False"}[wanted]
            raise TypeError(f"calls.filter({name}=...) takes {kind} or None, not {given(value)}: "
                            f"as filter({name}={example})")
    problem = unknown_fault_kind(fault) if isinstance(fault, str) else None
    if problem is not None:
        raise ValueError(f"calls.filter(fault={fault!r}): {problem}")


FAULT_KINDS = get_args(FaultKind)
# fake.faults' methods whose faults the journal names `http_error`, and the status each answers with (by default)
HTTP_FAULT_METHODS = {"rate_limit": "status 429", "server_error": "its status, 500 by default",
                      "error": "the status it was given"}


def unknown_fault_kind(fault: str | None) -> str | None:
    """What is wrong with `fault` as a journal filter, or None: it must be a fault's kind, as `RecordedCall.fault`
    holds it (a filter naming none would match nothing, silently)."""
    if fault is None or fault in FAULT_KINDS:
        return None
    kinds = ", ".join(repr(kind) for kind in FAULT_KINDS)
    if fault in HTTP_FAULT_METHODS:
        return (f"the journal names a fault by its kind, not by the method that scheduled it: a fault scheduled "
                f"as {fault!r} is recorded as kind 'http_error' with {HTTP_FAULT_METHODS[fault]} (filter by both "
                f"to keep only those). The kinds: {kinds}")
    if fault == "break_stream":  # fake.script.break_stream is a scripted turn, not a fault
        return (f"a scripted break_stream is a turn of the script, not a fault: its call has no fault (its stream "
                f"ends with `event: error`). The kinds: {kinds}")
    close = difflib.get_close_matches(fault, [*FAULT_KINDS, *HTTP_FAULT_METHODS], n=1)
    hint = f" (did you mean {close[0]!r}?)" if close and close[0] in FAULT_KINDS else ""
    return f"{fault!r} is not a fault kind{hint}. The kinds: {kinds}"


def _one_call_only(name: str) -> property:
    """What one call has (`body`, `status`, ...) asked of many: an AttributeError that says how to pick one."""

    def read(calls: Calls) -> NoReturn:
        raise AttributeError(
            f"'{type(calls).__name__}' object has no attribute {name!r}: it holds calls, not one call. Read one of "
            f"them: .last.{name} (the newest), [0].{name} (the first), or [call.{name} for call in ...] (each)",
            name=name, obj=calls)

    return property(read)


# As properties, not a __getattr__, which would slow every attribute read of the journal (several per request).
for _name in dir(RecordedCall):
    if not _name.startswith("_") and not hasattr(Calls, _name):
        setattr(Calls, _name, _one_call_only(_name))
del _name


class CassetteRequests(Protocol):
    """What tells the journal whether a request was in a cassette (`cassettes/matching.py`'s `CassetteMatcher`):
    `match` uses the recorded request up, and says where the body differs from the recorded one (or None)."""

    def match(self, method: str, path: str, body: bytes) -> tuple[bool, str | None]: ...


class Journal(Calls):
    """The live journal of one fake (`fake.calls`): appended to by the core, cleared by `clear()`.

    `limit` keeps only the newest calls, `body_limit` the first bytes of each body, `byte_limit` the newest
    calls whose kept bytes fit (None lifts a limit; 0 keeps nothing). `cassette` (set by
    `FakeAssistants.from_cassette`) marks each call `in_cassette`; `clear()` leaves it as it is.
    """

    def __init__(self, limit: int | None = DEFAULT_CALL_LIMIT, *, body_limit: int | None = DEFAULT_BODY_LIMIT,
                 byte_limit: int | None = DEFAULT_BYTE_LIMIT) -> None:
        super().__init__()
        self._log: deque[RecordedCall] = deque()
        self._guard = threading.Lock()
        self._limit = _checked("limit", limit)
        self._body_limit = _checked("body_limit", body_limit)
        self._byte_limit = _checked("byte_limit", byte_limit)
        self._kept = 0
        self._room = self._rooms()
        self.cassette: CassetteRequests | None = None

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
        """How many calls are kept, the newest (None: no limit on the count)."""
        return self._limit

    @limit.setter
    def limit(self, value: int | None) -> None:
        with self._guard:
            self._limit = _checked("limit", value)
            self._room = self._rooms()
            self._evict()

    @property
    def body_limit(self) -> int | None:
        """How many bytes of each body are kept (None: whole bodies)."""
        return self._body_limit

    @body_limit.setter
    def body_limit(self, value: int | None) -> None:
        with self._guard:
            self._body_limit = _checked("body_limit", value)

    @property
    def byte_limit(self) -> int | None:
        """How many bytes all kept calls may hold together; the oldest calls go first (None: no limit)."""
        return self._byte_limit

    @byte_limit.setter
    def byte_limit(self, value: int | None) -> None:
        with self._guard:
            self._byte_limit = _checked("byte_limit", value)
            self._room = self._rooms()
            self._evict()

    @property
    def kept_bytes(self) -> int:
        """The bytes of bodies, responses and events the journal holds now."""
        return self._kept

    def clear(self) -> None:
        with self._guard:
            for call in self._log:
                call.in_journal = False
            self._log.clear()
            self._kept = 0

    # -- recording (called by the core) -------------------------------------------------------------

    def begin(self, request: ApiRequest, route: str | None, params: Mapping[str, str]) -> RecordedCall:
        """Record `request`. The call keeps references, not copies: the request is frozen, its headers and the
        path parameters (a dict the route match made for this request) are not changed after it."""
        content = request.body
        size = len(content)
        cap = self._body_limit
        if cap is not None and size > cap:
            call = RecordedCall(request.method, request.path, route, params, request.query, request.headers,
                                content[:cap], content_size=size, content_sha256=hashlib.sha256(content).hexdigest())
            content_type = request.headers.get("content-type")
            if (content_type or "").startswith("multipart/form-data"):
                call.form = _form_fields(content, content_type)
            content = call.content
        else:
            call = RecordedCall(request.method, request.path, route, params, request.query, request.headers,
                                content, content_size=size)
        if self.cassette is not None:
            call.in_cassette, call.differs_from_cassette = self.cassette.match(request.method, request.path,
                                                                               request.body)
        with self._guard:
            if self._limit == 0 or self._byte_limit == 0:
                return call
            call.in_journal = True
            self._log.append(call)
            call.kept_bytes = len(content)  # what `_charge` counts, inline on the path every request takes
            self._kept += call.kept_bytes
            calls, kept = self._room
            if len(self._log) > calls or self._kept > kept:
                self._evict()
        return call

    def finish(self, call: RecordedCall, response: ApiResponse) -> ApiResponse:
        """Record the response; a stream's events are recorded as the client reads them (the answer to send
        is then one whose body records them)."""
        call.status = response.status
        call.response_headers = list(response.headers)
        body = response.body
        if isinstance(body, bytes):
            call.response_size = len(body)
            cap = self._body_limit
            content = call.response_content = body if cap is None else body[:cap]
            with self._guard:
                if call.in_journal:  # what `_charge` does, inline on the path every request takes
                    call.kept_bytes += len(content)
                    self._kept += len(content)
                    if self._kept > self._room[1]:
                        self._evict()
            return response
        return replace(response, body=self._recorded(body, call))

    def _recorded(self, chunks: Iterator[bytes], call: RecordedCall) -> Iterator[bytes]:
        kept = 0
        kept_chunks = call.chunks
        try:
            for chunk in chunks:
                cap = self._body_limit
                size = len(chunk)
                if cap is None or kept + size <= cap:
                    kept += size
                    kept_chunks.append(chunk)
                    if call.in_journal:
                        with self._guard:
                            self._charge(call, size)
                else:
                    call.events_dropped += event_count(chunk)  # one event, or a burst's
                yield chunk
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()

    def _charge(self, call: RecordedCall, size: int) -> None:
        """Count `size` more bytes kept for `call` (under the guard), then drop what the limits leave out."""
        if not call.in_journal:
            return
        call.kept_bytes += size
        self._kept += size
        calls, kept = self._room
        if len(self._log) > calls or self._kept > kept:
            self._evict()

    def _rooms(self) -> tuple[float, float]:
        """The limits on the number of calls and on the bytes kept, with infinity for no limit."""
        return (math.inf if self._limit is None else self._limit,
                math.inf if self._byte_limit is None else self._byte_limit)

    def _evict(self) -> None:
        while self._log and (
            (self._limit is not None and len(self._log) > self._limit)
            or (self._byte_limit is not None and self._kept > self._byte_limit)
        ):
            oldest = self._log.popleft()
            oldest.in_journal = False
            self._kept -= oldest.kept_bytes


def _checked(name: str, value: int | None) -> int | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise ValueError(f"the journal's {name} is a whole number of at least 0, or None, not {value!r}")
    return value


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


def shorten(text: str, limit: int) -> str:
    """`text`, or its first `limit` characters and a marker saying how many more there were."""
    return text if len(text) <= limit else f"{text[:limit]}… [+{len(text) - limit} chars]"


def short_json(value: Any, limit: int = 100) -> str:
    """A request body as compact JSON, shortened (empty for no body)."""
    if value is None:
        return ""
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    except ValueError:
        text = repr(value)
    return shorten(text, limit)


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
        return multipart.describe(content, content_type)
    except ApiError:
        return None


def event_name(chunk: bytes) -> str:
    """The name of one SSE event chunk, without decoding its data."""
    first = chunk.split(b"\n", 1)[0]
    return first[len(b"event:"):].strip().decode("utf-8", "replace") if first.startswith(b"event:") else ""
