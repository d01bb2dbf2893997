"""Fault injection: HTTP errors, timeouts, connection errors and broken streams, scheduled per route.

`fake.faults` holds the schedule. Each request takes the first pending fault whose route pattern matches
its route name (`runs.create`, `runs.*`, or None for every request; a name or pattern that matches no route
is an `UnknownRoute` error suggesting the closest names); a fault answers `count` matching
requests (None: every one until `clear()`), then it is spent. A faulted request never reaches the fake's
state: nothing is created or moved. Two kinds are the exception: stream faults let the request through and
break its event stream after `after_events` events, and a timeout or connection error `after_handling` lets the
fake handle the request (its state changes) and loses the answer, as when the service did the work and the
connection failed on the way back: what makes a retried POST create two messages.

The core stays free of HTTP libraries: a timeout or connection error is signalled by raising
`TransportFault`, which the httpx/httpx2 transport turns into its library's `ReadTimeout` or
`ConnectError` (and the SDK into `openai.APITimeoutError` / `openai.APIConnectionError`).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from email.utils import parsedate_to_datetime
from fnmatch import fnmatchcase
from typing import Any, Literal

from ..api.pipeline import Exchange, FaultKind, Respond
from ..api.routes import ALL_ROUTES, check_route
from ..core import error_catalog as catalog
from ..core.envelope import error_response
from ..core.errors import ApiError
from ..core.given import given
from ..core.sse import EventBody
from ..core.types import Event, StreamItem, flattened
from ..core.wire import ApiResponse, utf8_texts
from .headers import ADDED_HEADERS

STREAM_KINDS = frozenset({"stream_error", "dropped_stream"})  # faults that wait for a streamed answer
TransportKind = Literal["timeout", "connection_error", "dropped_stream", "dropped_response"]
# at a stream's break: (thread id, run id), the error, and the text each message's deltas sent (message id -> text)
OnBreak = Callable[[tuple[str, str] | None, ApiError, Mapping[str, str]], None]
ModelOf = Callable[[Exchange], str | None]  # the model a request is for (its body's, its assistant's, its run's)
LOOKAHEAD = 4
SDK_RETRIED = frozenset({408, 409, 429})  # and every 5xx: the statuses the SDKs retry (`_should_retry`)
STREAMING_ROUTES = tuple(route.name for route in ALL_ROUTES if route.streams)  # `stream: true` answers
TRANSPORT_MESSAGES: dict[TransportKind, str] = {
    "timeout": "The read operation timed out",
    "connection_error": "[Errno 111] Connection refused",
    "dropped_stream": "peer closed connection without sending complete message body (incomplete chunked read)",
    "dropped_response": "Server disconnected without sending a response.",
}


class TransportFault(Exception):
    """Raised by `fake.handle` for an injected timeout or connection error: no response at all."""

    def __init__(self, kind: TransportKind) -> None:
        super().__init__(TRANSPORT_MESSAGES[kind])
        self.kind: TransportKind = kind


class FaultArgumentError(ValueError):
    """A value a fault cannot take. `str()` says so as a Python caller needs it (`fake.faults.error: ...; pass
    status=404`); `over_http` as a client of the control API's `POST /__fake__/faults` needs it (the JSON field:
    `send "status": 404`); `param` names the argument, which is that field."""

    def __init__(self, method: str, param: str, python: str, http: str) -> None:
        super().__init__(f"fake.faults.{method}: {python}")
        self.method = method
        self.param = param
        self.over_http = http

    def __reduce__(self) -> tuple[Any, ...]:  # pickles, with notes and other state
        prefix = f"fake.faults.{self.method}: "
        return FaultArgumentError, (self.method, self.param, str(self)[len(prefix):], self.over_http), self.__dict__


@dataclass(eq=False, slots=True)
class Fault:
    """One scheduled fault. `hits` counts the requests it answered; `remaining` is None for "every one"."""

    kind: FaultKind
    route: str | None
    remaining: int | None
    status: int | None = None
    message: str | None = None
    type: str | None = None
    code: str | None = None
    param: str | None = None
    retry_after_ms: int | None = None
    should_retry: bool | None = None
    after_events: int = 0
    hits: int = 0
    retry_after: str | None = None  # the `retry-after` header: seconds, or an HTTP date
    after_handling: bool = False  # a timeout or connection error after the fake handled the request
    headers: tuple[tuple[str, str], ...] = ()  # more headers of an HTTP error's answer (x-ratelimit-*, ...)

    def __post_init__(self) -> None:
        utf8_texts("a fault", message=self.message, type=self.type, code=self.code, param=self.param)

    @property
    def spent(self) -> bool:
        """Whether the fault has answered all the requests it counted (a `count=None` fault never is)."""
        return self.remaining is not None and self.remaining <= 0

    def matches(self, route: str | None) -> bool:
        """Whether a request of route `route` is one this fault answers (its name, its pattern, or every one)."""
        return self.route is None or (route is not None and fnmatchcase(route, self.route))

    def describe(self) -> str:
        """`http_error 429 on runs.create: answered 0 request(s), 1 left`, for messages."""
        status = f" {self.status}" if self.status is not None else ""
        route = "every route" if self.route is None else self.route
        left = "every further one" if self.remaining is None else f"{self.remaining} left"
        after = " after handling" if self.after_handling else ""
        return f"{self.kind}{status}{after} on {route}: answered {self.hits} request(s), {left}"

    @property
    def wait_ms(self) -> int | None:
        """How long the answer tells the client to wait, as its headers say it: `retry-after-ms`, else a
        `retry-after` in seconds (None: neither says; an HTTP date is not read)."""
        if self.retry_after_ms is not None:
            return self.retry_after_ms
        if self.retry_after is not None and self.retry_after.isdigit():
            return int(self.retry_after) * 1000
        return None

    def use(self) -> Fault:
        """Count one request answered; returns the fault."""
        self.hits += 1
        if self.remaining is not None:
            self.remaining -= 1
        return self

    def error(self, request_id: str, model: str | None = None) -> ApiError:
        """The OpenAI error this fault answers with (HTTP errors and broken streams); a rate limit names `model`,
        the request's (gpt-4o when it names none)."""
        if self.status is None or self.status >= 500:  # stream errors too
            error = catalog.server_error(request_id)
            error.status = self.status or error.status
        elif self.status == 429:
            error = catalog.rate_limit_exceeded(self.wait_ms, model=model)
        else:
            error = catalog.injected_error(self.status, self.message or "")
        if self.message is not None:
            error.message = self.message
        for name in ("type", "code", "param"):
            if getattr(self, name) is not None:
                setattr(error, name, getattr(self, name))
        return error

    def response(self, request_id: str, model: str | None = None) -> ApiResponse:
        """The HTTP response this fault answers with: its error envelope and retry headers."""
        error = self.error(request_id, model)
        headers: list[tuple[str, str]] = []
        if self.retry_after_ms is not None:
            headers.append(("retry-after-ms", str(self.retry_after_ms)))
        if self.retry_after is not None:
            headers.append(("retry-after", self.retry_after))
        if self.should_retry is not None:
            headers.append(("x-should-retry", "true" if self.should_retry else "false"))
        headers += self.headers
        return error_response(error, headers)


class Faults:
    """The fault schedule of one fake (`fake.faults`)."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._guard = threading.Lock()

    # -- scheduling -------------------------------------------------------------------------------

    def error(self, route: str | None = None, *, status: int, count: int | None = 1, message: str | None = None,
              type: str | None = None, code: str | None = None, param: str | None = None,
              retry_after_ms: int | Literal["auto"] | None = "auto", should_retry: bool | None = None,
              retry_after: int | str | None = None, headers: Mapping[str, str] | None = None) -> Fault:
        """Answer with HTTP `status` and an OpenAI error envelope. 429 and 5xx have the real wordings
        (rate_limit_exceeded, server_error); any other status needs `message`. `retry_after_ms="auto"`: 1 ms for a
        status the SDK retries (408, 409, 429, 5xx: it would back off from 0.5 s without the header, in real
        seconds), no header for any other; None: no header. `headers`: more headers of the answer (say
        `x-ratelimit-remaining-requests`), after the fault's own."""
        if retry_after_ms == "auto":
            retry_after_ms = 1 if status in SDK_RETRIED or (isinstance(status, int) and status >= 500) else None
        return self._http_error("error", route, status, count, message, type, code, param, retry_after_ms,
                                should_retry, retry_after, headers)

    def rate_limit(self, route: str | None = None, *, count: int | None = 1, retry_after_ms: int | None = 1,
                   should_retry: bool | None = None, message: str | None = None,
                   retry_after: int | str | None = None, headers: Mapping[str, str] | None = None) -> Fault:
        """429 `rate_limit_exceeded`. The SDK retries it after `retry-after-ms` (note: it ignores 0 and
        backs off exponentially instead, so the default is 1). `headers`: more headers of the answer, as
        `{"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "20s"}` for code that throttles on
        them (no recording of the Assistants API shows which the service sent)."""
        return self._http_error("rate_limit", route, 429, count, message, None, None, None, retry_after_ms,
                                should_retry, retry_after, headers)

    def server_error(self, route: str | None = None, *, status: int = 500, count: int | None = 1,
                     retry_after_ms: int | None = 1, should_retry: bool | None = None,
                     message: str | None = None, retry_after: int | str | None = None,
                     headers: Mapping[str, str] | None = None) -> Fault:
        """5xx `server_error` with the service's wording. `should_retry=False` sends `x-should-retry: false`."""
        _int("server_error", "status", status, "a 5xx HTTP status (an int)", "status=503")
        if not 500 <= status <= 599:
            problem = f"a server error needs a 5xx status, not {status}"
            python, http = 'pass status=500 (or 502, 503, ...)', 'send "status": 500 (or 502, 503, ...)'
            if 400 <= status <= 499:  # the error it may have meant
                python += f", or use fake.faults.error(status={status}, message=...)"
                http += f', or use {{"kind": "error", "status": {status}, "message": "..."}}'
            raise FaultArgumentError("server_error", "status", f"{problem}; {python}", f"{problem}; {http}")
        return self._http_error("server_error", route, status, count, message, None, None, None, retry_after_ms,
                                should_retry, retry_after, headers)

    def timeout(self, route: str | None = None, *, count: int | None = 1, after_handling: bool = False) -> Fault:
        """No answer in time: the transport raises its `ReadTimeout` (the SDK: `APITimeoutError`, and it retries).
        `after_handling=True`: the fake handles the request first (a message is created, a run started) and the
        answer is lost, so a retry repeats the work, as it does at the service."""
        _route("timeout", route)
        _flag("timeout", "after_handling", after_handling)
        return self._add(Fault("timeout", route, _count("timeout", count), after_handling=after_handling))

    def connection_error(self, route: str | None = None, *, count: int | None = 1,
                         after_handling: bool = False) -> Fault:
        """No connection: the transport raises its `ConnectError` (the SDK: `APIConnectionError`, and it retries).
        `after_handling=True`: the fake handles the request first and the connection drops before the answer
        (the transport's `RemoteProtocolError`, "Server disconnected without sending a response."), so a retry
        repeats the work, as it does at the service."""
        _route("connection_error", route)
        _flag("connection_error", "after_handling", after_handling)
        return self._add(Fault("connection_error", route, _count("connection_error", count),
                               after_handling=after_handling))

    def stream_error(self, route: str | None = None, *, after_events: int = 0, count: int | None = 1,
                     message: str | None = None) -> Fault:
        """Break the next event stream of `route` after `after_events` events: `event: error` with
        `data: {"error": {...}}` (server_error), no `done`; the run fails with server_error, as a scripted
        `break_stream` does. Requests whose answer is not a stream leave this fault pending."""
        _stream_fault("stream_error", route, after_events)
        _texts("stream_error", message=message)
        return self._add(Fault("stream_error", route, _count("stream_error", count), message=message,
                               after_events=after_events))

    def drop_stream(self, route: str | None = None, *, after_events: int = 0, count: int | None = 1) -> Fault:
        """Drop the connection of the next event stream of `route` after `after_events` events: the transport
        raises its read error (httpx's or httpx2's `RemoteProtocolError`, which openai 3.x turns into
        `APIConnectionError` when it iterates a `stream=True` answer), and the run goes on at the fake as at the
        service, moved by its progression policy, for the client to poll or read again. Requests whose answer is
        not a stream leave this fault pending."""
        _stream_fault("drop_stream", route, after_events)
        return self._add(Fault("dropped_stream", route, _count("drop_stream", count), after_events=after_events))

    def clear(self) -> None:
        """Drop every scheduled fault, spent or not."""
        with self._guard:
            self._faults.clear()

    @property
    def pending(self) -> list[Fault]:
        """The faults that will still answer requests, in the order they were scheduled."""
        with self._guard:
            return [f for f in self._faults if not f.spent]

    @property
    def unspent(self) -> list[Fault]:
        """Faults a test scheduled but did not use up: a counted fault with requests left, or a `count=None`
        fault that answered none (the pytest plugin fails a test that leaves any)."""
        return [f for f in self.pending if f.remaining is not None or f.hits == 0]

    def _http_error(self, method: str, route: str | None, status: int, count: int | None, message: str | None,
                    type: str | None, code: str | None, param: str | None, retry_after_ms: int | None,
                    should_retry: bool | None, retry_after: int | str | None = None,
                    headers: Mapping[str, str] | None = None) -> Fault:
        _route(method, route)
        _int(method, "status", status, "a 4xx or 5xx HTTP status (an int)", "status=404")
        if not 400 <= status <= 599:
            problem = f"an HTTP error fault needs a 4xx or 5xx status, not {status}"
            raise FaultArgumentError(method, "status", f"{problem}; pass status=404, 429, 500, ...",
                                     f'{problem}; send "status": 404, 429, 500, ...')
        _texts(method, message=message, type=type, code=code, param=param)
        if message is None and status != 429 and status < 500:
            raise FaultArgumentError(
                method, "message",
                f"a status {status} fault needs a message= (the error's message), as error(status={status}, "
                'message="No assistant found.")',
                f'a status {status} fault needs a "message" (the error\'s message), as {{"kind": "{method}", '
                f'"status": {status}, "message": "No assistant found."}}')
        if should_retry is not None and not isinstance(should_retry, bool):
            raise TypeError(f"fake.faults.{method}: should_retry must be True, False or None, not "
                            f"{given(should_retry)}; pass should_retry=False to send x-should-retry: false")
        return self._add(Fault("http_error", route, _count(method, count), status, message, type, code, param,
                               _delay(method, retry_after_ms), should_retry,
                               retry_after=_retry_after(method, retry_after), headers=_headers(method, headers)))

    def _add(self, fault: Fault) -> Fault:
        if fault.route is not None:
            check_route(fault.route)  # UnknownRoute (a ValueError) suggests the closest names
        with self._guard:
            self._faults.append(fault)
        return fault

    # -- applying (by the fault layer) ---------------------------------------------------------------------

    def take(self, route: str | None, *, stream: bool) -> Fault | None:
        """The first pending fault for `route` of the kind asked for (a stream fault or any other), used once."""
        if not self._faults:  # nothing scheduled (the usual case): no lock to take
            return None
        with self._guard:
            for fault in self._faults:
                if (fault.kind in STREAM_KINDS) == stream and not fault.spent and fault.matches(route):
                    fault.use()
                    self._faults = [f for f in self._faults if not f.spent]
                    return fault
        return None


def _int(method: str, name: str, value: object, wanted: str, example: str) -> None:
    """TypeError unless `value` is an int (a bool is not), naming the argument, what it must be (`wanted`) and how
    to pass it."""
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.strip().isdigit():
            example = f"{name}={int(value)}"
        raise TypeError(f"fake.faults.{method}: {name} must be {wanted}, not {given(value)}; pass an int, as "
                        f"{example}")


def _count(method: str, count: int | None) -> int | None:
    """`count` if it is None (every matching request) or an int >= 1, else a TypeError or ValueError naming it."""
    if count is None:
        return None
    _int(method, "count", count, "an int >= 1, or None for every matching request", "count=2")
    if count < 1:
        raise FaultArgumentError(
            method, "count", f"count must be >= 1, or None for every matching request, not {count}; pass count=1 "
            "(the default) or more",
            f'"count" must be >= 1, or null for every matching request, not {count}; send "count": 1 (the '
            "default) or more")
    return count


def _delay(method: str, retry_after_ms: int | None) -> int | None:
    """`retry_after_ms` if it is None or an int >= 0, else a TypeError or ValueError naming it."""
    if retry_after_ms is None:
        return None
    _int(method, "retry_after_ms", retry_after_ms, "an int >= 0 (milliseconds), or None for no retry-after-ms header",
         "retry_after_ms=1")
    if retry_after_ms < 0:
        raise FaultArgumentError(
            method, "retry_after_ms",
            f"retry_after_ms must be >= 0, or None, not {retry_after_ms}; pass retry_after_ms=1 (the SDK ignores 0)",
            f'"retry_after_ms" must be >= 0, or null, not {retry_after_ms}; send "retry_after_ms": 1 (the SDKs '
            "ignore 0)")
    return retry_after_ms


def _headers(method: str, headers: Mapping[str, str] | None) -> tuple[tuple[str, str], ...]:
    """`headers` as the answer's (name, value) pairs, names in lower case; a TypeError or ValueError naming what is
    wrong: not str, a character no header takes, or a header the fault sets itself."""
    if headers is None:
        return ()
    if not isinstance(headers, Mapping):
        raise TypeError(f"fake.faults.{method}: headers must be a dict of header names to values (str), not "
                        f"{given(headers)}; pass headers={{\"x-ratelimit-remaining-requests\": \"0\"}}")
    pairs: list[tuple[str, str]] = []
    for name, value in headers.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise TypeError(f"fake.faults.{method}: headers takes str names and values, not {name!r}: {value!r}; "
                            f"pass the value as a str, as {{{str(name)!r}: {str(value)!r}}}")
        if (not _HEADER_NAME.fullmatch(name) or not value.isprintable() or not value.isascii()
                or value != value.strip()):
            raise FaultArgumentError(method, "headers", f"{name!r}: {value!r} is not a header a response can carry "
                                     "(a name of letters, digits and -, a value of printable ASCII with no space at "
                                     "either end)",
                                     f'"headers": {json.dumps(name)}: {json.dumps(value)} is not a header a response '
                                     "can carry (a name of letters, digits and -, a value of printable ASCII with no "
                                     "space at either end)")
        lowered = name.lower()
        problem = _NOT_GIVEN.get(lowered)
        if problem is not None:
            python, http = problem
            raise FaultArgumentError(method, "headers", f"{name!r} {python}", f'"headers": {json.dumps(name)} {http}')
        if any(lowered == given_name for given_name, _ in pairs):
            raise FaultArgumentError(method, "headers", f"{name!r} is given twice (header names are the same in any "
                                     "case)", f'"headers": {json.dumps(name)} is given twice (header names are the '
                                     "same in any case)")
        pairs.append((lowered, value))
    return tuple(pairs)


_HEADER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")
_OWN_ARGUMENT = ("is a header the fault sets itself; use its own argument (retry_after_ms=, retry_after=, "
                 "should_retry=)",
                 'is a header the fault sets itself; send its own field ("retry_after_ms", "retry_after", '
                 '"should_retry")')
_EVERY_ANSWER = ("is a header the fake sends on every answer itself",) * 2
_FRAMING = ("says how the answer is sent (the HTTP library and the server set it); a fault cannot change it",) * 2
# the headers a fault's `headers=` cannot give, and why (as a Python caller and as a control API client read it)
_NOT_GIVEN: dict[str, tuple[str, str]] = {
    **dict.fromkeys(("retry-after-ms", "retry-after", "x-should-retry"), _OWN_ARGUMENT),
    **dict.fromkeys(("content-type", *ADDED_HEADERS), _EVERY_ANSWER),
    **dict.fromkeys(("content-length", "content-encoding", "transfer-encoding", "connection", "keep-alive",
                     "upgrade", "trailer", "te"), _FRAMING),
}


def _retry_after(method: str, value: int | str | None) -> str | None:
    """The `retry-after` header for `value`: whole seconds (an int >= 0) or an HTTP date (a str), else a TypeError
    or ValueError naming it."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            parsedate_to_datetime(value)
        except (TypeError, ValueError):
            raise FaultArgumentError(
                method, "retry_after",
                "retry_after must be whole seconds (an int) or an HTTP date, as 'Wed, 21 Oct 2026 07:28:00 GMT', "
                f"not {value!r}",
                '"retry_after" must be whole seconds (an integer) or an HTTP date, as "Wed, 21 Oct 2026 07:28:00 '
                f'GMT", not {json.dumps(value)}') from None
        return value
    _int(method, "retry_after", value, "whole seconds (an int >= 0) or an HTTP date (a str)", "retry_after=2")
    if value < 0:
        raise FaultArgumentError(method, "retry_after",
                                 f"retry_after must be >= 0 seconds, not {value}; pass retry_after=2",
                                 f'"retry_after" must be >= 0 seconds, not {value}; send "retry_after": 2')
    return str(value)


def _stream_fault(method: str, route: str | None, after_events: int) -> None:
    """A stream fault's route (one that streams, or a pattern matching one) and `after_events`, else a TypeError or
    ValueError naming them."""
    _route(method, route)
    if route is not None:
        check_route(route)  # an unknown name first: UnknownRoute suggests the closest
        if not any(fnmatchcase(name, route) for name in STREAMING_ROUTES):
            problem = (f"{route!r} never answers with an event stream, so this fault could never break one; the "
                       f"routes that stream are {', '.join(STREAMING_ROUTES)}")
            raise FaultArgumentError(
                method, "route", f"{problem} (with stream=True), or leave route out for the next stream of any",
                f'{problem} (with "stream": true), or leave "route" out for the next stream of any')
    _int(method, "after_events", after_events, "an int >= 0 (the events sent before the break)", "after_events=2")
    if after_events < 0:
        problem = f"must be >= 0 (the events sent before the break), not {after_events}"
        raise FaultArgumentError(method, "after_events",
                                 f"after_events {problem}; pass after_events=0 to break before the first",
                                 f'"after_events" {problem}; send "after_events": 0 to break before the first')


def _route(method: str, route: object) -> None:
    """TypeError unless `route` is a str or None (which name is a route is `check_route`'s to say)."""
    if route is not None and not isinstance(route, str):
        raise TypeError(f"fake.faults.{method}: route must be a route name or pattern (a str), or None for every "
                        f"request, not {given(route)}; pass a name from fake_assistants.ROUTES, as "
                        f"{method}(\"runs.create\") or {method}(\"runs.*\")")


def _flag(method: str, name: str, value: object) -> None:
    """TypeError unless `value` is True or False."""
    if not isinstance(value, bool):
        raise TypeError(f"fake.faults.{method}: {name} must be True or False, not {given(value)}; pass {name}=True")


def lost(response: ApiResponse) -> None:
    """An answer nobody will read: a stream's events are closed, as a stream whose client went away is (its run
    goes on as its progression policy moves it)."""
    close = getattr(response.body, "close", None)
    if close is not None:
        close()


def _texts(method: str, **fields: object) -> None:
    """TypeError unless each of `fields` is a str or None."""
    for name, value in fields.items():
        if value is not None and not isinstance(value, str):
            raise TypeError(f"fake.faults.{method}: {name} must be a str or None, not {given(value)}; pass the "
                            f"text, as {name}=\"...\"")


def broken_events(items: Iterator[StreamItem], fault: Fault, error: ApiError, on_break: OnBreak) -> Iterator[Event]:
    """`items`' events (a burst's one by one) until `fault.after_events` have gone (or until they end), then
    `error` is raised, which the SSE encoder sends as `event: error` with no `done`. `on_break(run, error, texts)`
    runs at the break, before the error event, with the (thread id, run id) of the run the stream carries and the
    text the sent deltas gave each message (a message cut off keeps that much, although the fake had made the rest of
    a burst of deltas cut in two). No event after the break is made, unless the run is not named yet. A stream that
    breaks by itself (its own events raise) is left alone."""
    events = flattened(items)
    sent: list[Event] = []
    try:
        while len(sent) < fault.after_events:
            event = next(events, None)
            if event is None:
                break
            sent.append(event)
            yield event
        streamed = _run_of(sent, events)
        _close(events)  # the fake's stream is over: the run is handed back before it fails
        on_break(streamed, error, _texts_sent(sent))
        raise error
    finally:
        _close(events)


def dropped_events(items: Iterator[StreamItem], fault: Fault) -> Iterator[Event]:
    """`items`' events (a burst's one by one) until `fault.after_events` have gone, then the connection drops:
    `TransportFault("dropped_stream")`, which a transport raises as its own read error. The events not sent are
    never made: the stream is closed, which hands its run back to the progression policy, and the run goes on as a
    run whose stream was closed part-way does. A stream that ends first ends whole."""
    events = flattened(items)
    try:
        for _ in range(fault.after_events):
            event = next(events, None)
            if event is None:
                return  # the stream ended before the drop
            yield event
        _close(events)
        raise TransportFault("dropped_stream")
    finally:
        _close(events)


def _texts_sent(events: list[Event]) -> dict[str, str]:
    """Message id -> the text its `thread.message.delta` events carried, in order."""
    texts: dict[str, str] = {}
    for name, data in events:
        if name == "thread.message.delta" and isinstance(data, dict):
            for part in data["delta"].get("content", ()):
                if part.get("type") == "text":
                    texts[data["id"]] = texts.get(data["id"], "") + part["text"].get("value", "")
    return texts


def _close(events: Iterator[Event]) -> None:
    close = getattr(events, "close", None)
    if close is not None:
        close()


def _run_of(sent: list[Event], events: Iterator[Event]) -> tuple[str, str] | None:
    """The run a stream carries: from the events sent, or else from the next few (each stream names its
    run within its first events, which the fake produced when it answered: reading them moves nothing)."""
    found = streamed_run(sent)
    for _ in range(LOOKAHEAD):
        if found is not None:
            break
        event = next(events, None)
        if event is None:
            break
        found = streamed_run([event])
    return found


def streamed_run(events: list[Event]) -> tuple[str, str] | None:
    """(thread id, run id) of the run whose events a stream carried, from its first run event."""
    for name, data in events:
        if name.startswith("thread.run.") and not name.startswith("thread.run.step.") and isinstance(data, dict):
            return str(data["thread_id"]), str(data["id"])
    return None


class FaultInjection:
    """The fault layer: a due fault answers instead of the fake (nothing reaches its state), or breaks the
    stream the fake answered. A timeout or a dropped connection raises TransportFault, which the transport
    turns into its library's exception."""

    def __init__(self, inner: Respond, faults: Faults, on_break: OnBreak,
                 model_of: ModelOf = lambda exchange: None) -> None:
        self.inner = inner
        self.faults = faults
        self.on_break = on_break
        self.model_of = model_of  # the model a request is for, which a rate limit names

    def __call__(self, exchange: Exchange) -> ApiResponse:
        route = exchange.route.name if exchange.route is not None else None
        fault = self.faults.take(route, stream=False)
        if fault is not None:
            exchange.fault = fault.kind
            if fault.kind == "timeout" or fault.kind == "connection_error":
                if fault.after_handling:
                    lost(self.inner(exchange))
                    raise TransportFault("timeout" if fault.kind == "timeout" else "dropped_response")
                raise TransportFault(fault.kind)
            return fault.response(exchange.request_id, self.model_of(exchange) if fault.status == 429 else None)
        response = self.inner(exchange)
        if not isinstance(response.body, EventBody):
            return response
        fault = self.faults.take(route, stream=True)
        if fault is None:
            return response
        exchange.fault = fault.kind
        if fault.kind == "dropped_stream":
            return replace(response, body=EventBody(dropped_events(response.body.events, fault)), drops=True)
        broken = broken_events(response.body.events, fault, fault.error(exchange.request_id), self.on_break)
        return replace(response, body=EventBody(broken))
