"""The control API: JSON over HTTP under `/__fake__/`, so tests in any language can steer a served fake.

Sans-IO like the rest of the core: `ControlApi.handle(ApiRequest) -> ApiResponse`. Every operation runs under
the fake's lock, so it is atomic with respect to the Assistants API requests being served at the same time.
Errors use the OpenAI envelope and wordings from `error_catalog`.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from ..api.context import Context
from ..api.multipart import MAX_FILE_BYTES
from ..api.params import query_value
from ..api.routes import ALL_ROUTES, API_PREFIX, CONTROL_PREFIX, UnknownRoute
from ..api.routing import RouteTable
from ..api.validation import decode_json_object
from ..app import App
from ..cassettes.plan import CassetteReport
from ..core import error_catalog as catalog
from ..core.clock import Clock, ManualClock
from ..core.envelope import error_response, json_response
from ..core.errors import ApiError, InternalError, StateError, note_internal_error
from ..core.types import Json
from ..core.wire import ApiRequest, ApiResponse
from ..layers.faults import Fault, FaultArgumentError, Faults
from ..layers.journal import Journal, RecordedCall, unknown_fault_kind
from ..runs.ingestion import Ingestion, unknown_target
from ..runs.progression import (
    AfterPolls,
    AfterSeconds,
    AsRecorded,
    Manual,
    Policy,
    PolicyName,
    RunPolicy,
    after_polls,
    after_seconds,
    as_policy,
)
from ..runs.script import Script, SearchResult, blank_file_name
from ..store.store import Store
from . import live_page
from .control_requests import (
    BreakStreamTurn,
    CallFunctionsTurn,
    CallFunctionTurn,
    ClockBody,
    CodeInterpreterTurn,
    FailTurn,
    FaultBody,
    FileSearchTurn,
    FinishIngestionBody,
    IncompleteTurn,
    IngestionFailureBody,
    PolicyBody,
    ProgressionBody,
    ReplyTurn,
    SayTurn,
    ScriptBody,
    SearchResultSpec,
    TurnSpec,
    turn_spec,
    validate_control,
)

ControlHandler = Callable[["ControlApi", ApiRequest, dict[str, str]], "Json | ApiResponse"]
# what each kind of fault takes besides `kind` (the arguments of the `fake.faults` method of that name)
FAULT_PARAMS: dict[str, frozenset[str]] = {
    "error": frozenset({"route", "count", "status", "message", "type", "code", "param", "retry_after_ms",
                       "should_retry", "retry_after", "headers"}),
    "rate_limit": frozenset({"route", "count", "retry_after_ms", "should_retry", "message", "retry_after",
                             "headers"}),
    "server_error": frozenset({"route", "count", "status", "retry_after_ms", "should_retry", "message",
                              "retry_after", "headers"}),
    "timeout": frozenset({"route", "count", "after_handling"}),
    "connection_error": frozenset({"route", "count", "after_handling"}),
    "stream_error": frozenset({"route", "count", "after_events", "message"}),
    "drop_stream": frozenset({"route", "count", "after_events"}),
}
NOT_NULL = frozenset({"status", "after_events"})  # fault fields whose methods take no None (a null count: every one)
CALL_FILTERS = ("route", "method", "path", "status", "fault", "in_cassette")
CHECK_SWITCHES = ("unconsumed_script", "unspent_faults")  # GET /__fake__/check's, as fake.check() takes them
MAX_STATE_BYTES = MAX_FILE_BYTES  # a state document holds its files as base64


def is_control_path(path: str) -> bool:
    return path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/")


class Reported(Protocol):
    """What `fake.findings()` gives (`state/checks.py`'s `Findings`): false when all is well, and its message."""

    def __bool__(self) -> bool: ...

    def message(self, *, over_http: bool = False) -> str: ...


class Steerable(Protocol):
    """The fake the control API steers: its parts and the operations it offers (`FakeAssistants` is one).

    server/ ranks below the facade, so it names what it uses rather than importing the facade.
    """

    @property
    def app(self) -> App: ...

    @property
    def ctx(self) -> Context: ...

    @property
    def store(self) -> Store: ...

    @property
    def script(self) -> Script: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def ingestion(self) -> Ingestion: ...

    @property
    def calls(self) -> Journal: ...

    @property
    def faults(self) -> Faults: ...

    @property
    def internal_errors(self) -> list[InternalError]: ...

    def reset(self) -> None: ...

    def findings(self, *, unconsumed_script: bool = True, unspent_faults: bool = True) -> Reported: ...

    def dump(self) -> str: ...

    def load_state(self, state: Mapping[str, Any], *, replace: bool = False) -> None: ...

    def advance(self, run_id: str) -> str: ...

    def set_progression(self, policy: Policy | PolicyName, *, run_id: str | None = None) -> None: ...

    def finish_ingestion(self, *, vector_store_id: str | None = None, file_id: str | None = None) -> int: ...

    def transcript(self, thread_id: str | None = None, *, format: Literal["text", "json"] = "text") -> str: ...

    def cassette_report(self) -> CassetteReport: ...


@dataclass(frozen=True, slots=True)
class ControlRoute:
    """One operation of the control API: its method, its path under `/__fake__` and its handler."""

    method: str
    template: str
    handler: ControlHandler
    query: tuple[str, ...] = ()  # the query parameters it takes; any other is a 400


class ControlApi:
    """Steers `fake`: scripts turns, moves runs and the clock, chooses progression."""

    def __init__(self, fake: Steerable) -> None:
        self.fake = fake

    def handle(self, request: ApiRequest) -> ApiResponse:
        try:
            matched = ROUTE_TABLE.match(request.method, request.path[len(CONTROL_PREFIX):])
            if matched is None:
                raise unknown_control_path(request.method, request.path)
            route, params = matched
            check_query(request.query, route.query)
            with self.fake.app.lock:
                answer = route.handler(self, request, params)
                return answer if isinstance(answer, ApiResponse) else json_response(200, answer)
        except ApiError as error:
            return error_response(error)
        except Exception as error:  # never a traceback over the wire: kept and logged instead
            request_id = self.fake.ctx.ids.request_id()
            where = f"{request.method} {request.path}"
            note_internal_error(self.fake.internal_errors, InternalError(request_id, where, error))
            return error_response(catalog.server_error(request_id))


# -- handlers --------------------------------------------------------------------------------------


def read_cassette_report(api: ControlApi, request: ApiRequest, params: dict[str, str]) -> Json:
    """What `serve --cassette` imported, what it could not (and why), and the recorded runs not replayed yet."""
    try:
        report = api.fake.cassette_report()
    except ValueError:
        raise catalog.invalid_value_message(
            "cassette", "this server was not started from a cassette: fake-assistants serve --cassette FILE.") from None
    return {"object": "fake.cassette_report", "cassettes": list(report.cassettes), "imported": list(report.imported),
            "not_imported": [{"what": what, "why": why} for what, why in report.not_imported],
            "never_replayed": list(report.never_replayed), "ids_taken": list(report.ids_taken)}


def health(api: ControlApi, request: ApiRequest, params: dict[str, str]) -> Json:
    return {"status": "ok"}


def reset(api: ControlApi, request: ApiRequest, params: dict[str, str]) -> Json:
    """Empty the fake; the answer says what a reset keeps, as `fake.reset()` keeps it, for a test to set back."""
    api.fake.reset()
    fake = api.fake
    return {"reset": True, "kept": {"progression": _policy_json(fake.ctx.engine.policy),
                                    "ingestion_progression": _policy_json(fake.ingestion.policy),
                                    "clock": _clock_status(fake), "strict_script": fake.script.strict}}


def read_state(api: ControlApi, request: ApiRequest, params: dict[str, str]) -> Json:
    try:
        state: Json = json.loads(api.fake.dump())
    except StateError as error:
        raise catalog.state_not_dumpable(str(error)) from None
    return state


def replace_state(api: ControlApi, request: ApiRequest, params: dict[str, str]) -> Json:
    """Load a dump (GET /__fake__/state) or a hand-written seed in place of the state: reset, then load, once it
    has loaded; a document that does not load leaves the fake as it was."""
    document = decode_json_object(request.body, allow_empty=False, max_bytes=MAX_STATE_BYTES)
    try:
        api.fake.load_state(document, replace=True)
    except StateError as error:
        raise catalog.state_not_loadable(str(error)) from None
    return _counts(api.fake)


def read_check(api: ControlApi, request: ApiRequest, params: dict[str, str]) -> Json:
    """`fake.check()` over HTTP, for an `afterEach`: what went wrong that the fake's clients may not have shown."""
    switches = {name: parse_flag(name, value) for name in CHECK_SWITCHES
                if (value := query_value(request.query, name)) is not None}
    findings = api.fake.findings(**switches)
    if findings:
        return {"object": "fake.check", "passed": False, "message": findings.message(over_http=True)}
    return {"object": "fake.check", "passed": True, "message": None}


def read_script(api: ControlApi, request: ApiRequest, params: dict[str, str]) -> Json:
    return _script_status(api.fake)


def add_turns(api: ControlApi, request: ApiRequest, params: dict[str, str]) -> Json:
    body = validate_control(ScriptBody, decode_json_object(request.body, allow_empty=False))
    outputs = [_decode_outputs(turn, f"turns[{i}]") for i, turn in enumerate(body.turns)]
    for turn, (images, files) in zip(body.turns, outputs, strict=True):
        _add_turn(api.fake, turn, images, files)
    return _script_status(api.fake)


def clear_script(api: ControlApi, request: ApiRequest, params: dict[str, str]) -> Json:
    api.fake.script.clear()
    return _script_status(api.fake)


def advance_run(api: ControlApi, request: ApiRequest, params: dict[str, str]) -> Json:
    run_id = params["run_id"]
    try:
        status = api.fake.advance(run_id)
    except KeyError:
        raise catalog.not_found("run", run_id) from None
    return {"id": run_id, "status": status}


def set_progression(api: ControlApi, request: ApiRequest, params: dict[str, str]) -> Json:
    body = validate_control(ProgressionBody, decode_json_object(request.body, allow_empty=False))
    if body.run_id is not None and api.fake.store.run_by_id(body.run_id) is None:
        raise catalog.not_found("run", body.run_id)
    api.fake.set_progression(_policy(body), run_id=body.run_id)
    return body.model_dump(exclude_none=True)


def read_progression(api: ControlApi, request: ApiRequest, params: dict[str, str]) -> Json:
    """When runs move: the policy of every run, and the runs given one of their own (`POST /progression` with a
    `run_id`), in the form `POST /progression` takes."""
    engine = api.fake.ctx.engine
    return {**_policy_json(engine.policy),
            "runs": {run_id: _policy_json(policy) for run_id, policy in engine.run_policies.items()}}


def read_ingestion_progression(api: ControlApi, request: ApiRequest, params: dict[str, str]) -> Json:
    return _policy_json(api.fake.ingestion.policy)


def set_ingestion_progression(api: ControlApi, request: ApiRequest, params: dict[str, str]) -> Json:
    body = validate_control(PolicyBody, decode_json_object(request.body, allow_empty=False))
    api.fake.ingestion.set_policy(_policy(body))
    return body.model_dump(exclude_none=True)


def finish_ingestion(api: ControlApi, request: ApiRequest, params: dict[str, str]) -> Json:
    body = validate_control(FinishIngestionBody, decode_json_object(request.body))
    unknown = unknown_target(api.fake.store, vector_store_id=body.vector_store_id, file_id=body.file_id)
    if unknown is not None:
        kind, unknown_id = unknown
        raise catalog.not_found("vector_store", unknown_id) if kind == "vector_store" else catalog.file_not_found(
            unknown_id)
    return {"finished": api.fake.finish_ingestion(vector_store_id=body.vector_store_id, file_id=body.file_id)}


def add_ingestion_failure(api: ControlApi, request: ApiRequest, params: dict[str, str]) -> Json:
    body = validate_control(IngestionFailureBody, decode_json_object(request.body))
    rule = api.fake.ingestion.fail(file_id=body.file_id, filename=body.filename, code=body.code,
                                   message=body.message)
    return {"code": rule.code, "message": rule.message, "file_id": rule.file_id, "filename": rule.filename}


def read_clock(api: ControlApi, request: ApiRequest, params: dict[str, str]) -> Json:
    return _clock_status(api.fake)


def move_clock(api: ControlApi, request: ApiRequest, params: dict[str, str]) -> Json:
    body = validate_control(ClockBody, decode_json_object(request.body, allow_empty=False))
    clock = api.fake.clock
    if not isinstance(clock, ManualClock):
        raise catalog.clock_not_manual()
    if body.advance is None and body.set is None:
        raise catalog.missing_parameter("advance")
    if body.set is not None:
        clock.set(body.set)
    if body.advance is not None:
        clock.advance(body.advance)
    return _clock_status(api.fake)


ROUTE_LISTING: list[Json] = [
    {"name": route.name, "method": route.method, "path": API_PREFIX + route.template, "streams": route.streams,
     "versions": sorted(route.versions)}
    for route in ALL_ROUTES
]


def read_routes(api: ControlApi, request: ApiRequest, params: dict[str, str]) -> Json:
    """Every route the fake serves, by the name faults and the journal take (`fake_assistants.ROUTES`' order)."""
    return {"object": "list", "data": ROUTE_LISTING}


def read_faults(api: ControlApi, request: ApiRequest, params: dict[str, str]) -> Json:
    return {"object": "list", "data": [_fault_json(f) for f in api.fake.faults.pending]}


def add_fault(api: ControlApi, request: ApiRequest, params: dict[str, str]) -> Json:
    body = validate_control(FaultBody, decode_json_object(request.body, allow_empty=False))
    given = body.model_fields_set - {"kind"}
    refused = sorted(given - FAULT_PARAMS[body.kind])
    if refused:
        raise catalog.fault_not_allowed(body.kind, refused)
    if body.kind == "error" and body.status is None:
        raise catalog.missing_parameter("status")
    arguments = {name: getattr(body, name) for name in given}
    for name in NOT_NULL & given:  # null given where the method takes only a number (leaving it out takes the default)
        if arguments[name] is None:
            raise catalog.invalid_type(name, "an integer", "null")
    try:
        fault = _fault_method(api.fake, body.kind)(**arguments)
    except UnknownRoute as error:
        raise catalog.invalid_fault(error.over_http, "route") from None
    except FaultArgumentError as error:  # in the JSON's terms, not the Python method's
        raise catalog.invalid_fault(error.over_http, error.param) from None
    return _fault_json(fault)


def clear_faults(api: ControlApi, request: ApiRequest, params: dict[str, str]) -> Json:
    api.fake.faults.clear()
    return {"object": "list", "data": []}


def read_calls(api: ControlApi, request: ApiRequest, params: dict[str, str]) -> Json:
    filters: dict[str, Any] = {name: query_value(request.query, name) for name in CALL_FILTERS}
    if filters["status"] is not None:
        filters["status"] = parse_status(filters["status"])
    if filters["in_cassette"] is not None:
        filters["in_cassette"] = parse_flag("in_cassette", filters["in_cassette"])
    problem = unknown_fault_kind(filters["fault"])
    if problem is not None:
        raise catalog.invalid_value_message("fault", problem)
    try:
        calls = api.fake.calls.filter(**filters)
    except UnknownRoute as error:  # the message suggests the closest names
        raise catalog.invalid_value_message("route", error.over_http) from None
    return {"object": "list", "data": [_call_json(call) for call in calls]}


def clear_calls(api: ControlApi, request: ApiRequest, params: dict[str, str]) -> Json:
    api.fake.calls.clear()
    return {"object": "list", "data": []}


def read_transcript(api: ControlApi, request: ApiRequest, params: dict[str, str]) -> ApiResponse:
    """`fake.transcript()` as text (`?thread_id=`: that thread's)."""
    return live_page.text_response(api.fake.transcript(_thread_id(api, request)))


def read_overview(api: ControlApi, request: ApiRequest, params: dict[str, str]) -> Json:
    """What the live page draws: the transcript as JSON, the newest calls, pending faults and turns, the clock."""
    fake = api.fake
    transcript = fake.transcript(_thread_id(api, request), format="json")
    return live_page.overview(transcript, list(fake.calls), fake.faults.pending, fake.script.pending,
                              fake.script.consumed, fake.clock.now(), isinstance(fake.clock, ManualClock))


def page(api: ControlApi, request: ApiRequest, params: dict[str, str]) -> ApiResponse:
    return live_page.asset("")


def page_asset(api: ControlApi, request: ApiRequest, params: dict[str, str]) -> ApiResponse:
    return live_page.asset(params["name"])


def _thread_id(api: ControlApi, request: ApiRequest) -> str | None:
    thread_id = query_value(request.query, "thread_id")
    if thread_id is not None and api.fake.store.threads.get(thread_id) is None:
        raise catalog.not_found("thread", thread_id)
    return thread_id


# paths under CONTROL_PREFIX
ROUTES: tuple[ControlRoute, ...] = (
    ControlRoute("GET", "/", page),
    ControlRoute("GET", "/page/{name}", page_asset),
    ControlRoute("GET", "/transcript", read_transcript, ("thread_id",)),
    ControlRoute("GET", "/overview", read_overview, ("thread_id",)),
    ControlRoute("GET", "/health", health),
    ControlRoute("GET", "/cassette", read_cassette_report),
    ControlRoute("POST", "/reset", reset),
    ControlRoute("GET", "/state", read_state),
    ControlRoute("PUT", "/state", replace_state),
    ControlRoute("GET", "/routes", read_routes),
    ControlRoute("GET", "/faults", read_faults),
    ControlRoute("POST", "/faults", add_fault),
    ControlRoute("DELETE", "/faults", clear_faults),
    ControlRoute("GET", "/calls", read_calls, CALL_FILTERS),
    ControlRoute("DELETE", "/calls", clear_calls),
    ControlRoute("GET", "/check", read_check, CHECK_SWITCHES),
    ControlRoute("GET", "/script", read_script),
    ControlRoute("POST", "/script", add_turns),
    ControlRoute("DELETE", "/script", clear_script),
    ControlRoute("POST", "/runs/{run_id}/advance", advance_run),
    ControlRoute("GET", "/progression", read_progression),
    ControlRoute("POST", "/progression", set_progression),
    ControlRoute("GET", "/ingestion/progression", read_ingestion_progression),
    ControlRoute("POST", "/ingestion/progression", set_ingestion_progression),
    ControlRoute("POST", "/ingestion/finish", finish_ingestion),
    ControlRoute("POST", "/ingestion/failures", add_ingestion_failure),
    ControlRoute("GET", "/clock", read_clock),
    ControlRoute("POST", "/clock", move_clock),
)
ROUTE_TABLE = RouteTable(ROUTES)
METHODS = ("GET", "POST", "PUT", "DELETE")


def unknown_control_path(method: str, path: str) -> ApiError:
    """404 for a control path no route serves, naming the methods the path takes, or the closest paths."""
    under = path[len(CONTROL_PREFIX):]
    methods = [other for other in METHODS if ROUTE_TABLE.match(other, under) is not None]
    if methods:
        named = " or ".join(methods) if len(methods) < 3 else f"{', '.join(methods[:-1])} or {methods[-1]}"
        return catalog.invalid_url_because(method, path, f"{path} takes {named}.")
    templates = list(dict.fromkeys(route.template for route in ROUTES))
    close = difflib.get_close_matches(under, templates, n=2, cutoff=0.5)
    guess = f"did you mean {' or '.join(CONTROL_PREFIX + each for each in close)}? " if close else ""
    return catalog.invalid_url_because(method, path, f"{guess}The control API serves " + ", ".join(
        CONTROL_PREFIX + each for each in templates if each != "/page/{name}") + ".")


# -- helpers ---------------------------------------------------------------------------------------


def _script_status(fake: Steerable) -> Json:
    pending = fake.script.pending
    return {"pending": len(pending), "consumed": fake.script.consumed, "strict": fake.script.strict,
            "turns": [{**live_page.turn_json(turn), "turn": turn_spec(turn.action)} for turn in pending]}


def _clock_status(fake: Steerable) -> Json:
    return {"now": fake.clock.now(), "manual": isinstance(fake.clock, ManualClock)}


def _policy_json(policy: RunPolicy) -> Json:
    if isinstance(policy, AfterPolls):
        return {"policy": "after_polls", "polls": policy.polls}
    if isinstance(policy, AfterSeconds):
        return {"policy": "after_seconds", "seconds": policy.seconds}
    if isinstance(policy, AsRecorded):  # a run of a cassette fake, read as the recording read it
        return {"policy": "as_recorded"}
    return {"policy": "manual" if isinstance(policy, Manual) else "immediate"}


def _policy(body: PolicyBody) -> Policy:
    if body.policy == "after_polls":
        if body.polls is None:
            raise catalog.missing_parameter("polls")
        return after_polls(body.polls)
    if body.policy == "after_seconds":
        if body.seconds is None:
            raise catalog.missing_parameter("seconds")
        return after_seconds(body.seconds)
    return as_policy(body.policy)


def _decode_outputs(turn: TurnSpec, param: str) -> tuple[list[bytes], dict[str, bytes]]:
    """A code_interpreter turn's images and files (name -> bytes), decoded from base64 (all before any turn is
    added: a request with a bad one adds none)."""
    if not isinstance(turn, CodeInterpreterTurn):
        return [], {}
    if any(blank_file_name(name) for name in turn.files):
        raise catalog.invalid_value_message(f"{param}.files", "a file's name must not be empty (the answer links "
                                                               "each file as sandbox:/mnt/data/<name>).")
    return ([_base64(image, f"{param}.images", "images") for image in turn.images],
            {name: _base64(content, f"{param}.files.{name}", "file contents") for name, content in turn.files.items()})


def _base64(text: str, param: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise catalog.invalid_value_message(param, f"expected base64-encoded {what}.") from None


def _add_turn(fake: Steerable, turn: TurnSpec, images: list[bytes], files: dict[str, bytes]) -> None:
    script, owner = fake.script, turn.assistant_id
    if isinstance(turn, ReplyTurn):
        script.reply(turn.text, assistant_id=owner, search=turn.search)
    elif isinstance(turn, SayTurn):
        script.say(turn.text, assistant_id=owner)
    elif isinstance(turn, CallFunctionTurn):
        script.call_function(turn.name, turn.arguments, assistant_id=owner)
    elif isinstance(turn, CallFunctionsTurn):
        script.call_functions([(call.name, call.arguments) for call in turn.calls], assistant_id=owner)
    elif isinstance(turn, CodeInterpreterTurn):
        script.code_interpreter(turn.input, turn.logs, images=images, files=files, assistant_id=owner)
    elif isinstance(turn, FileSearchTurn):
        results = None if turn.results is None else [_search_result(r) for r in turn.results]
        script.file_search(turn.query, results, assistant_id=owner)
    elif isinstance(turn, FailTurn):
        script.fail(turn.code, turn.message, assistant_id=owner)
    elif isinstance(turn, IncompleteTurn):
        script.incomplete(turn.reason, turn.text, assistant_id=owner)
    elif isinstance(turn, BreakStreamTurn):
        script.break_stream(turn.text, turn.after_deltas, turn.message, assistant_id=owner)


def _search_result(result: SearchResultSpec | str) -> SearchResult | str:
    if isinstance(result, str):
        return result
    return SearchResult(result.file_id, result.score, result.text)


def _counts(fake: Steerable) -> Json:
    store = fake.store
    return {
        "assistants": len(store.assistants),
        "threads": len(store.threads),
        "messages": sum(len(table) for table in store.messages.values()),
        "runs": sum(len(table) for table in store.runs.values()),
        "files": len(store.files),
        "vector_stores": len(store.vector_stores),
    }


def _fault_method(fake: Steerable, kind: str) -> Callable[..., Fault]:
    faults = fake.faults
    methods: dict[str, Callable[..., Fault]] = {
        "error": faults.error, "rate_limit": faults.rate_limit, "server_error": faults.server_error,
        "timeout": faults.timeout, "connection_error": faults.connection_error, "stream_error": faults.stream_error,
        "drop_stream": faults.drop_stream,
    }
    return methods[kind]


def _fault_json(fault: Fault) -> Json:
    return {
        "kind": fault.kind, "route": fault.route, "remaining": fault.remaining, "hits": fault.hits,
        "status": fault.status, "message": fault.message, "type": fault.type, "code": fault.code,
        "param": fault.param, "retry_after_ms": fault.retry_after_ms, "should_retry": fault.should_retry,
        "retry_after": fault.retry_after, "after_events": fault.after_events, "after_handling": fault.after_handling,
        "headers": dict(fault.headers),
    }


def check_query(query: tuple[tuple[str, str], ...], known: tuple[str, ...]) -> None:
    """Every query parameter is one the route takes, given once."""
    seen: set[str] = set()
    for name, _ in query:
        if name not in known:
            raise catalog.unknown_parameter(name)
        if name in seen:
            raise catalog.invalid_value_message(name, "give it once.")
        seen.add(name)


def parse_status(raw: str) -> int:
    """An HTTP status, 100 to 599 (checked before any conversion: a string of 5,000 digits is just refused)."""
    value = raw.strip()
    if not value.isascii() or not value.isdigit():
        raise catalog.invalid_type("status", "an integer", "a string")
    if len(value) != 3 or not 100 <= int(value) <= 599:
        raise catalog.invalid_value_message("status", "expected an HTTP status code, from 100 to 599.")
    return int(value)


def parse_flag(name: str, raw: str) -> bool:
    """`true` or `false`, as a query parameter spells a boolean."""
    value = raw.strip().lower()
    if value not in ("true", "false"):
        raise catalog.invalid_value(name, raw, ["true", "false"])
    return value == "true"


def _call_json(call: RecordedCall) -> Json:
    return {
        "method": call.method,
        "path": call.path,
        "route": call.route,
        "params": dict(call.params),
        "query": [list(pair) for pair in call.query],
        "body": _plain(call.body),
        "status": call.status,
        "request_id": call.request_id,
        "response": call.response,
        "stream": call.stream,
        "events": [{"event": name, "data": data} for name, data in call.events],
        "fault": call.fault,
        "in_cassette": call.in_cassette,
        "differs_from_cassette": call.differs_from_cassette,
    }


def _plain(value: Any) -> Any:
    """JSON for a recorded request body: uploaded bytes become base64 text."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value
