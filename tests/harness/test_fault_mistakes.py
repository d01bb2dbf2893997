"""Mistakes in scheduling a fault are refused at the call that makes them, naming the method, the argument, what
was given and what to pass: `fake.faults.rate_limit(count="2")` is a TypeError there, not `'<' not supported`
at the next request. Nothing is scheduled."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fake_assistants import FakeAssistants, Faults
from fake_assistants.layers.faults import FaultArgumentError

Mistake = Callable[[Faults], object]

TYPE_MISTAKES: list[tuple[Mistake, str]] = [
    (lambda f: f.rate_limit("runs.create", count="2"),
     "fake.faults.rate_limit: count must be an int >= 1, or None for every matching request, not str '2'; "
     "pass an int, as count=2"),
    (lambda f: f.timeout(count=True),
     "fake.faults.timeout: count must be an int >= 1, or None for every matching request, not bool True; "
     "pass an int, as count=2"),
    (lambda f: f.connection_error(count=1.0),
     "fake.faults.connection_error: count must be an int >= 1, or None for every matching request, not float 1.0; "
     "pass an int, as count=2"),
    (lambda f: f.error(status="404", message="No assistant found."),
     "fake.faults.error: status must be a 4xx or 5xx HTTP status (an int), not str '404'; pass an int, as status=404"),
    (lambda f: f.server_error(status="503"),
     "fake.faults.server_error: status must be a 5xx HTTP status (an int), not str '503'; pass an int, as status=503"),
    (lambda f: f.rate_limit(retry_after_ms=1.5),
     "fake.faults.rate_limit: retry_after_ms must be an int >= 0 (milliseconds), or None for no retry-after-ms "
     "header, not float 1.5; pass an int, as retry_after_ms=1"),
    (lambda f: f.stream_error(after_events="1"),
     "fake.faults.stream_error: after_events must be an int >= 0 (the events sent before the break), not str '1'; "
     "pass an int, as after_events=1"),
    (lambda f: f.error(status=503, message="Busy.", retry_after=1.5),
     "fake.faults.error: retry_after must be whole seconds (an int >= 0) or an HTTP date (a str), not float 1.5; "
     "pass an int, as retry_after=2"),
    (lambda f: f.rate_limit(42),
     "fake.faults.rate_limit: route must be a route name or pattern (a str), or None for every request, not int 42; "
     'pass a name from fake_assistants.ROUTES, as rate_limit("runs.create") or rate_limit("runs.*")'),
    (lambda f: f.error(status=400, message=400),
     'fake.faults.error: message must be a str or None, not int 400; pass the text, as message="..."'),
    (lambda f: f.server_error(should_retry="no"),
     "fake.faults.server_error: should_retry must be True, False or None, not str 'no'; pass should_retry=False "
     "to send x-should-retry: false"),
    (lambda f: f.rate_limit(headers=[("x-ratelimit-remaining-requests", "0")]),
     "fake.faults.rate_limit: headers must be a dict of header names to values (str), not list "
     "[('x-ratelimit-remaining-requests', '0')]; pass headers={\"x-ratelimit-remaining-requests\": \"0\"}"),
    (lambda f: f.rate_limit(headers={"x-ratelimit-remaining-requests": 0}),
     "fake.faults.rate_limit: headers takes str names and values, not 'x-ratelimit-remaining-requests': 0; pass "
     "the value as a str, as {'x-ratelimit-remaining-requests': '0'}"),
    (lambda f: f.timeout(after_handling=1),
     "fake.faults.timeout: after_handling must be True or False, not int 1; pass after_handling=True"),
]

VALUE_MISTAKES: list[tuple[Mistake, str]] = [
    (lambda f: f.rate_limit(count=0),
     "fake.faults.rate_limit: count must be >= 1, or None for every matching request, not 0; "
     "pass count=1 (the default) or more"),
    (lambda f: f.server_error(retry_after_ms=-1),
     "fake.faults.server_error: retry_after_ms must be >= 0, or None, not -1; pass retry_after_ms=1 "
     "(the SDK ignores 0)"),
    (lambda f: f.stream_error(after_events=-1),
     "fake.faults.stream_error: after_events must be >= 0 (the events sent before the break), not -1; "
     "pass after_events=0 to break before the first"),
    (lambda f: f.server_error(status=404),
     "fake.faults.server_error: a server error needs a 5xx status, not 404; pass status=500 (or 502, 503, ...), "
     "or use fake.faults.error(status=404, message=...)"),
    (lambda f: f.server_error(status=600),  # no 4xx: no error(...) to suggest instead
     "fake.faults.server_error: a server error needs a 5xx status, not 600; pass status=500 (or 502, 503, ...)"),
    (lambda f: f.error(status=302, message="Found"),
     "fake.faults.error: an HTTP error fault needs a 4xx or 5xx status, not 302; pass status=404, 429, 500, ..."),
    (lambda f: f.error(status=404),
     'fake.faults.error: a status 404 fault needs a message= (the error\'s message), as '
     'error(status=404, message="No assistant found.")'),
    (lambda f: f.rate_limit(retry_after="soon"),
     "fake.faults.rate_limit: retry_after must be whole seconds (an int) or an HTTP date, as "
     "'Wed, 21 Oct 2026 07:28:00 GMT', not 'soon'"),
    (lambda f: f.server_error(retry_after=-2),
     "fake.faults.server_error: retry_after must be >= 0 seconds, not -2; pass retry_after=2"),
    (lambda f: f.drop_stream("runs.retrieve", after_events=2),
     "fake.faults.drop_stream: 'runs.retrieve' never answers with an event stream, so this fault could never "
     "break one; the routes that stream are threads.create_and_run, runs.create, runs.submit_tool_outputs (with "
     "stream=True), or leave route out for the next stream of any"),
    (lambda f: f.rate_limit(headers={"x ratelimit": "0"}),
     "fake.faults.rate_limit: 'x ratelimit': '0' is not a header a response can carry (a name of letters, digits "
     "and -, a value of printable ASCII with no space at either end)"),
    (lambda f: f.rate_limit(headers={"x-ratelimit-reset-requests": "20s "}),
     "fake.faults.rate_limit: 'x-ratelimit-reset-requests': '20s ' is not a header a response can carry (a name of "
     "letters, digits and -, a value of printable ASCII with no space at either end)"),
    (lambda f: f.rate_limit(headers={"OpenAI-Processing-Ms": "900"}),
     "fake.faults.rate_limit: 'OpenAI-Processing-Ms' is a header the fake sends on every answer itself"),
    (lambda f: f.server_error(headers={"content-encoding": "gzip"}),
     "fake.faults.server_error: 'content-encoding' says how the answer is sent (the HTTP library and the server "
     "set it); a fault cannot change it"),
    (lambda f: f.rate_limit(headers={"X-A": "1", "x-a": "2"}),
     "fake.faults.rate_limit: 'x-a' is given twice (header names are the same in any case)"),
    (lambda f: f.error(status=503, message="Busy.", headers={"Retry-After": "3"}),
     "fake.faults.error: 'Retry-After' is a header the fault sets itself; use its own argument (retry_after_ms=, "
     "retry_after=, should_retry=)"),
    (lambda f: f.stream_error("assistants.create"),
     "fake.faults.stream_error: 'assistants.create' never answers with an event stream, so this fault could never "
     "break one; the routes that stream are threads.create_and_run, runs.create, runs.submit_tool_outputs (with "
     "stream=True), or leave route out for the next stream of any"),
]


MISTAKES = [(call, said, TypeError) for call, said in TYPE_MISTAKES] + [
    (call, said, FaultArgumentError) for call, said in VALUE_MISTAKES]


@pytest.mark.parametrize(("call", "said", "error"), MISTAKES, ids=[said.split(":")[0] for _, said, _ in MISTAKES])
def test_a_mistake_is_refused_naming_the_fix(call: Mistake, said: str, error: type[Exception]) -> None:
    """A wrong type is a TypeError, a wrong value a ValueError (a FaultArgumentError); either says what to pass, and
    schedules nothing."""
    faults = FakeAssistants().faults

    with pytest.raises(error) as raised:
        call(faults)

    assert type(raised.value) is error and str(raised.value) == said
    assert faults.pending == []


@pytest.mark.parametrize("call", [call for call, _ in VALUE_MISTAKES],
                         ids=[said.split(":")[0] for _, said in VALUE_MISTAKES])
def test_a_wrong_value_also_says_what_to_send_over_http(call: Mistake) -> None:
    """The control API (`POST /__fake__/faults`) answers the same mistake with `over_http`: the JSON field it names
    as `param`, and no Python call."""
    with pytest.raises(FaultArgumentError) as raised:
        call(FakeAssistants().faults)

    error = raised.value
    assert isinstance(error, ValueError)
    assert error.param in ("count", "retry_after_ms", "after_events", "status", "message", "retry_after", "route",
                           "headers")
    assert "fake.faults" not in error.over_http and "pass " not in error.over_http
    assert f'"{error.param}"' in error.over_http  # the field, as JSON spells it


def test_valid_faults_are_scheduled_as_before() -> None:
    faults = FakeAssistants().faults
    limited = faults.rate_limit("runs.create", count=2)
    every = faults.server_error(status=503, count=None, retry_after_ms=None, should_retry=False)
    broken = faults.stream_error("runs.*", after_events=0)

    assert [fault.describe() for fault in faults.pending] == [
        "http_error 429 on runs.create: answered 0 request(s), 2 left",
        "http_error 503 on every route: answered 0 request(s), every further one",
        "stream_error on runs.*: answered 0 request(s), 1 left",
    ]
    assert (limited.retry_after_ms, every.retry_after_ms, every.should_retry, broken.after_events) == (
        1, None, False, 0)


@pytest.mark.parametrize(("status", "header"), [(500, 1), (503, 1), (429, 1), (408, 1), (409, 1), (400, None),
                                                (404, None)])
def test_an_error_fault_sends_a_short_retry_after_where_the_sdk_retries(status: int, header: int | None) -> None:
    """Without `retry-after-ms` the SDK backs off from 0.5 s in real seconds: `error()` sends 1 ms by default
    for a status it retries, as `rate_limit` and `server_error` do, and nothing for another."""
    faults = FakeAssistants().faults

    assert faults.error(status=status, message="Injected.").retry_after_ms == header
    assert faults.error(status=status, message="Injected.", retry_after_ms=None).retry_after_ms is None
    assert faults.error(status=status, message="Injected.", retry_after_ms=250).retry_after_ms == 250
