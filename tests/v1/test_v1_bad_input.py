"""Bad input to Assistants v1 (`OpenAI-Beta: assistants=v1`, `api_versions=("v1", "v2")`): always a 4xx with
OpenAI's error envelope, never a 500 — the v1 counterpart of tests/api/test_bad_input.py (their shared helpers
are tests/support/bad_input_support.py).

Every route v1 had (the shared ones and the six v1-only file routes) is sent malformed, non-object and wrongly
typed bodies, unknown parameters and, in particular, what only v2 accepts (`tool_resources`, `attachments`,
`parallel_tool_calls`, `reasoning_effort`, a `file_search` tool, content parts, `tool_choice: "required"`,
`json_schema` response formats), which v1 refuses in the wording v2 uses for unknown parameters and invalid
values. The v1 limits (20 files per assistant, 10 per message, 1..256,000 content characters, 128/20 tools),
path ids on the v1-only routes, the v1 model check (ERRORS.md #18) and the missing-header wordings (#14, #15)
are pinned; the routes only v2 has answer a v1 request with the v2 missing-header error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bad_input_support import (
    ANY_VALUE,
    ASSISTANT_LIMITS,
    BAD_METADATA,
    BAD_QUERIES,
    FUZZ_SETTINGS,
    MALFORMED,
    MISSING_BETA_MESSAGE,
    MULTIPART_BOUNDARY,
    NASTY_TOKENS,
    NOT_OBJECTS,
    SLOT_VALUES,
    WRONG_TYPES,
    BodySpec,
    World,
    assert_error,
    assert_ok_or_error,
    body_bytes,
    deep,
    field_names,
    is_list,
    json_object,
    multipart,
    path_params,
    route_id,
    splice,
    strict_json,
    unknown_id,
)
from fake_assistants import ApiResponse, FakeAssistants, ManualClock
from fake_assistants.api import run_requests as rr
from fake_assistants.api.routes import ALL_ROUTES
from fake_assistants.api.routing import PREFIXED_PARAMS, Route
from fake_assistants.api.v1 import requests as v1
from fake_assistants.core import error_catalog as catalog
from fake_assistants.core.api_versions import ApiVersion
from fake_assistants.core.errors import ApiError

V1 = {"OpenAI-Beta": "assistants=v1"}
V2 = {"OpenAI-Beta": "assistants=v2"}
MODEL = "gpt-4-turbo"  # a model v1 served
MISSING_V1_BETA_MESSAGE = (
    "You must provide the 'OpenAI-Beta' header to access the Assistants API. "
    "Please try again by setting the header 'OpenAI-Beta: assistants=v1'."
)

V1_ROUTES = [r for r in ALL_ROUTES if "v1" in r.versions]
V1_ONLY_ROUTES = [r for r in ALL_ROUTES if r.versions == {"v1"}]
V2_ONLY_ROUTES = [r for r in ALL_ROUTES if r.versions == {"v2"}]
V1_POST_ROUTES = [r for r in V1_ROUTES if r.method == "POST"]
V1_LIST_ROUTES = [r for r in V1_ROUTES if is_list(r)]
V1_BETA_REQUIRED = [r for r in V1_ROUTES if r.beta == "required"]


# -- the world: v1 objects on a fake serving both versions -----------------------------------------


@dataclass
class V1World(World):
    """test_bad_input's world, whose requests carry the v1 header unless told otherwise."""

    default_headers: dict[str, str] = field(default_factory=lambda: dict(V1))

    def send(self, method: str, path: str, *, body: bytes = b"", query: str = "",
             headers: dict[str, str] | None = None) -> ApiResponse:
        return super().send(method, path, body=body, query=query,
                            headers=self.default_headers if headers is None else headers)


def upload(world: World, name: str = "notes.txt", data: bytes = b"The fake answers deterministically.") -> str:
    body = multipart({"purpose": "assistants"}, (name, data))
    headers = {"content-type": f"multipart/form-data; boundary={MULTIPART_BOUNDARY}"}
    return str(world.expect_ok(world.send("POST", "/v1/files", body=body, headers=headers))["id"])


def build_world(versions: tuple[ApiVersion, ...] = ("v1", "v2")) -> V1World:
    """An uploaded file linked to a v1 assistant (retrieval and code_interpreter), a thread whose message
    carries the file, and a finished run with its steps, all made through v1."""
    world = V1World(FakeAssistants(seed=0, clock=ManualClock(), api_versions=versions), {})
    file_id = upload(world)
    tools = [{"type": "retrieval"}, {"type": "code_interpreter"}]
    assistant = world.ok("POST", "/v1/assistants", {"model": MODEL, "tools": tools, "file_ids": [file_id]})
    message = {"role": "user", "content": "Hello", "file_ids": [file_id]}
    thread = world.ok("POST", "/v1/threads", {"messages": [message]})
    world.ids.update(file_id=file_id, assistant_id=assistant["id"], thread_id=thread["id"])
    world.ids["message_id"] = world.ok("GET", f"/v1/threads/{thread['id']}/messages")["data"][0]["id"]
    run = world.ok("POST", f"/v1/threads/{thread['id']}/runs", {"assistant_id": assistant["id"]})
    world.ids["run_id"] = run["id"]
    steps = world.ok("GET", f"/v1/threads/{thread['id']}/runs/{run['id']}/steps")["data"]
    world.ids["step_id"] = steps[0]["id"]
    assert world.ok("GET", f"/v1/threads/{thread['id']}/runs/{run['id']}")["status"] == "completed"
    return world


@pytest.fixture
def world() -> V1World:
    return build_world()


# -- the route table --------------------------------------------------------------------------------


def test_v1_had_33_operations() -> None:
    """V1.md section 2: 28 assistants/threads operations (6 of them file links) and 5 for files."""
    assert len(V1_ROUTES) == 33
    assert len(V1_ONLY_ROUTES) == 6
    assert {r.name for r in V2_ONLY_ROUTES} == {
        r.name for r in ALL_ROUTES if r.name.startswith("vector_stores.")} | {"messages.delete"}


@pytest.mark.parametrize("route", V2_ONLY_ROUTES, ids=route_id)
def test_v2_only_routes_ask_a_v1_request_for_the_v2_header(world: V1World, route: Route) -> None:
    """Vector stores and message deletion came with v2: a v1 request is told to send `assistants=v2`."""
    body = b"{}" if route.method == "POST" else b""
    error = assert_error(world.send(route.method, world.path(route), body=body), 400)
    assert error["message"] == MISSING_BETA_MESSAGE
    assert (error["code"], error["param"]) == ("invalid_beta", None)


def test_a_v2_only_route_still_works_with_the_v2_header(world: V1World) -> None:
    path = f"/v1/threads/{world.ids['thread_id']}/messages/{world.ids['message_id']}"
    assert world.expect_ok(world.send("DELETE", path, headers=V2))["deleted"] is True


# -- request bodies: which model each v1 POST route validates against -------------------------------

V1_BODY_SPECS: dict[str, BodySpec] = {
    "assistants.create": BodySpec(v1.CreateAssistant, lambda w: {"model": MODEL}, ASSISTANT_LIMITS),
    "assistants.update": BodySpec(v1.ModifyAssistant, lambda w: {}, ASSISTANT_LIMITS),
    "assistants.files.create": BodySpec(v1.CreateAssistantFile, lambda w: {"file_id": w.id_for("file_id")}),
    "threads.create": BodySpec(v1.CreateThread, lambda w: {}),
    "threads.update": BodySpec(v1.ModifyThread, lambda w: {}),
    "messages.create": BodySpec(v1.CreateMessage, lambda w: {"role": "user", "content": "Hi"}),
    "messages.update": BodySpec(v1.ModifyMessage, lambda w: {}),
    "runs.create": BodySpec(v1.CreateRun, lambda w: {"assistant_id": w.id_for("assistant_id")}),
    "threads.create_and_run": BodySpec(v1.CreateThreadAndRun, lambda w: {"assistant_id": w.id_for("assistant_id")}),
    "runs.update": BodySpec(v1.ModifyRun, lambda w: {}),
    "runs.submit_tool_outputs": BodySpec(rr.SubmitToolOutputs, lambda w: {"tool_outputs": []}),
}
BAD_BODY_ROUTES = [pytest.param(r, id=route_id(r)) for r in V1_POST_ROUTES]


def spec_of(route: Route) -> BodySpec | None:
    return V1_BODY_SPECS.get(route.name)


def base_body(route: Route, world: World) -> dict[str, Any]:
    spec = spec_of(route)
    return spec.base(world) if spec else {}


def post_json(world: World, route: Route, body: dict[str, Any]) -> ApiResponse:
    return world.send("POST", world.path(route), body=json.dumps(body).encode())


def route_named(name: str) -> Route:
    return next(r for r in V1_ROUTES if r.name == name)


def test_every_v1_json_route_has_a_body_spec() -> None:
    """Only the multipart upload and the body-less cancel are left to the generic checks."""
    assert {r.name for r in V1_POST_ROUTES} - set(V1_BODY_SPECS) == {"files.create", "runs.cancel"}


def test_every_v1_field_has_a_wrong_type_value() -> None:
    known = {name for spec in V1_BODY_SPECS.values() for name in field_names(spec.model)}
    assert known <= set(WRONG_TYPES), f"add wrong-type values for {sorted(known - set(WRONG_TYPES))}"


@pytest.mark.parametrize("route", [r for r in V1_POST_ROUTES if spec_of(r)], ids=route_id)
def test_the_base_bodies_are_accepted(world: V1World, route: Route) -> None:
    response = post_json(world, route, base_body(route, world))
    if route.name == "runs.submit_tool_outputs":  # the world's run is finished: a state error, not the body
        assert assert_error(response, 400)["message"] == catalog.tool_outputs_not_accepted("completed").message
    else:
        world.expect_ok(response)


@pytest.mark.parametrize("route", BAD_BODY_ROUTES)
@pytest.mark.parametrize("raw", MALFORMED, ids=repr)
def test_malformed_json_body(world: V1World, route: Route, raw: bytes) -> None:
    error = assert_error(world.send("POST", world.path(route), body=raw))
    if spec_of(route):
        assert (error["message"], error["param"]) == (catalog.invalid_json_body().message, None)


@pytest.mark.parametrize("route", BAD_BODY_ROUTES)
@pytest.mark.parametrize(("raw", "described"), NOT_OBJECTS, ids=[r.decode() for r, _ in NOT_OBJECTS])
def test_json_body_that_is_not_an_object(world: V1World, route: Route, raw: bytes, described: str) -> None:
    error = assert_error(world.send("POST", world.path(route), body=raw))
    if spec_of(route):
        assert error["message"] == f"Invalid type for request body: expected an object, but got {described} instead."


def fields_of(route: Route) -> list[str]:
    spec = spec_of(route)
    return field_names(spec.model) if spec else ["metadata", "model", "name"]


def wrong_type_cases() -> list[Any]:
    return [pytest.param(route, name, id=f"{route_id(route)}-{name}")
            for route in V1_POST_ROUTES for name in fields_of(route)]


@pytest.mark.parametrize(("route", "name"), wrong_type_cases())
def test_wrong_type_for_each_field(world: V1World, route: Route, name: str) -> None:
    error = assert_error(post_json(world, route, {**base_body(route, world), name: WRONG_TYPES[name]}))
    if spec_of(route):
        assert error["param"] == name
        assert error["code"] in ("invalid_type", "invalid_value", "missing_required_parameter")


@pytest.mark.parametrize("route", BAD_BODY_ROUTES)
def test_unknown_body_parameter(world: V1World, route: Route) -> None:
    error = assert_error(post_json(world, route, {**base_body(route, world), "bogus_param": 1}))
    if spec_of(route):
        assert error["message"] == "Unknown parameter: 'bogus_param'."
        assert (error["param"], error["code"]) == ("bogus_param", "unknown_parameter")


# v1 took boolean and number values as their Python str() (test_v1_metadata_scalars_become_strings).
V1_BAD_METADATA = [case for case in BAD_METADATA if case[0] not in ("non-string value", "integer value")]


@pytest.mark.parametrize("route", BAD_BODY_ROUTES)
@pytest.mark.parametrize(("label", "metadata", "code"), V1_BAD_METADATA, ids=[c[0] for c in V1_BAD_METADATA])
def test_bad_metadata(world: V1World, route: Route, label: str, metadata: Any, code: str) -> None:
    error = assert_error(post_json(world, route, {**base_body(route, world), "metadata": metadata}))
    spec = spec_of(route)
    if spec is None:
        return
    if "metadata" not in field_names(spec.model):
        assert (error["param"], error["code"]) == ("metadata", "unknown_parameter")
        return
    assert error["code"] == code
    assert error["param"] is not None and error["param"].startswith("metadata")


METADATA_ROUTES = [pytest.param(r, id=route_id(r)) for r in V1_POST_ROUTES
                   if (spec := spec_of(r)) is not None and "metadata" in field_names(spec.model)]


@pytest.mark.parametrize("route", METADATA_ROUTES)
def test_v1_metadata_scalars_become_strings(world: V1World, route: Route) -> None:
    """ruby-openai v1 cassettes (2023-11, 2024-04): `{"modified": true}` came back as `{"modified": "True"}`."""
    metadata = {"modified": True, "count": 3, "ratio": 0.5, "off": False}
    response = post_json(world, route, {**base_body(route, world), "metadata": metadata})
    if route.name == "runs.update" and response.status == 400:  # v1 refused to modify a run in progress
        error = assert_error(response, 400)
        assert error["message"].startswith("Cannot update run with status ")
        return
    assert response.status == 200, body_bytes(response)[:300]
    if response.header("content-type") == "application/json":  # a run create answers the run (metadata included)
        stored = strict_json(body_bytes(response))["metadata"]
        assert stored == {"modified": "True", "count": "3", "ratio": "0.5", "off": "False"}


# -- what only v2 accepts, sent to v1 ---------------------------------------------------------------

FILE_SEARCH_TOOL = [{"type": "file_search"}]
PARTS = [{"type": "text", "text": "Hi"}]
JSON_SCHEMA = {"type": "json_schema", "json_schema": {"name": "answer", "schema": {"type": "object"}}}
TOOL_KINDS = ["code_interpreter", "retrieval", "function"]


def unknown(param: str) -> ApiError:
    return catalog.unknown_parameter(param)


def invalid(param: str, got: Any, supported: list[str]) -> ApiError:
    return catalog.invalid_value(param, got, supported)


def parts_type(param: str) -> ApiError:
    return catalog.invalid_type(param, "a string", "an array")


# v1's response_format objects are text and json_object: json_schema is the object's wrong type
V1_FORMAT_REFUSED = invalid("response_format.type", "json_schema", ["text", "json_object"])

# (route, extra body fields, the error v1 gives). Each body is one v2 accepts (see the test below).
V2_ONLY_FIELDS: list[tuple[str, dict[str, Any], ApiError]] = [
    ("assistants.create", {"tool_resources": {"code_interpreter": {"file_ids": []}}}, unknown("tool_resources")),
    ("assistants.create", {"reasoning_effort": "low"}, unknown("reasoning_effort")),
    ("assistants.create", {"tools": FILE_SEARCH_TOOL}, invalid("tools[0].type", "file_search", TOOL_KINDS)),
    ("assistants.create", {"response_format": JSON_SCHEMA}, V1_FORMAT_REFUSED),
    ("assistants.update", {"tool_resources": {"code_interpreter": {"file_ids": []}}}, unknown("tool_resources")),
    ("assistants.update", {"reasoning_effort": "low"}, unknown("reasoning_effort")),
    ("assistants.update", {"tools": FILE_SEARCH_TOOL}, invalid("tools[0].type", "file_search", TOOL_KINDS)),
    ("assistants.update", {"response_format": JSON_SCHEMA}, V1_FORMAT_REFUSED),
    ("threads.create", {"tool_resources": {"code_interpreter": {"file_ids": []}}}, unknown("tool_resources")),
    ("threads.create", {"messages": [{"role": "user", "content": "Hi", "attachments": []}]},
     unknown("messages[0].attachments")),
    ("threads.create", {"messages": [{"role": "user", "content": PARTS}]}, parts_type("messages[0].content")),
    ("threads.update", {"tool_resources": {"code_interpreter": {"file_ids": []}}}, unknown("tool_resources")),
    ("messages.create", {"attachments": []}, unknown("attachments")),
    ("messages.create", {"content": PARTS}, parts_type("content")),
    ("runs.create", {"parallel_tool_calls": False}, unknown("parallel_tool_calls")),
    ("runs.create", {"reasoning_effort": "low"}, unknown("reasoning_effort")),
    ("runs.create", {"tools": FILE_SEARCH_TOOL}, invalid("tools[0].type", "file_search", TOOL_KINDS)),
    ("runs.create", {"tool_choice": "required"}, invalid("tool_choice", "required", ["none", "auto"])),
    ("runs.create", {"tool_choice": {"type": "file_search"}},
     invalid("tool_choice.type", "file_search", ["code_interpreter", "retrieval"])),
    ("runs.create", {"response_format": JSON_SCHEMA}, V1_FORMAT_REFUSED),
    ("runs.create", {"additional_messages": [{"role": "user", "content": "Hi", "attachments": []}]},
     unknown("additional_messages[0].attachments")),
    ("runs.create", {"additional_messages": [{"role": "user", "content": PARTS}]},
     parts_type("additional_messages[0].content")),
    ("threads.create_and_run", {"tool_resources": {"code_interpreter": {"file_ids": []}}}, unknown("tool_resources")),
    ("threads.create_and_run", {"thread": {"tool_resources": {}}}, unknown("thread.tool_resources")),
    ("threads.create_and_run", {"thread": {"messages": [{"role": "user", "content": PARTS}]}},
     parts_type("thread.messages[0].content")),
    ("threads.create_and_run", {"parallel_tool_calls": True}, unknown("parallel_tool_calls")),
    ("threads.create_and_run", {"tool_choice": "required"}, invalid("tool_choice", "required", ["none", "auto"])),
    ("threads.create_and_run", {"tools": FILE_SEARCH_TOOL}, invalid("tools[0].type", "file_search", TOOL_KINDS)),
]


def v2_only_id(case: Any) -> str:
    return f"{case[0]}-{'.'.join(case[1])}-{case[2].param}"


@pytest.mark.parametrize(("name", "extra", "expected"), V2_ONLY_FIELDS, ids=[v2_only_id(c) for c in V2_ONLY_FIELDS])
def test_v2_only_fields_are_refused_by_v1(world: V1World, name: str, extra: dict[str, Any],
                                          expected: ApiError) -> None:
    route = route_named(name)
    error = assert_error(post_json(world, route, {**base_body(route, world), **extra}), 400)
    assert error == {"message": expected.message, "type": "invalid_request_error", "param": expected.param,
                     "code": expected.code}


@pytest.mark.parametrize(("name", "extra", "expected"), V2_ONLY_FIELDS, ids=[v2_only_id(c) for c in V2_ONLY_FIELDS])
def test_the_same_fields_are_accepted_by_v2(world: V1World, name: str, extra: dict[str, Any],
                                            expected: ApiError) -> None:
    """So the refusals above are about the version, not the values."""
    route = route_named(name)
    body = json.dumps({**base_body(route, world), **extra}).encode()
    world.expect_ok(world.send("POST", world.path(route), body=body, headers=V2))


@pytest.mark.parametrize("name", ["assistants.create", "assistants.update", "runs.create", "threads.create_and_run"])
@pytest.mark.parametrize("value", ["none", "auto", {"type": "text"}, {"type": "json_object"}], ids=str)
def test_v1_response_formats_are_accepted(world: V1World, name: str, value: Any) -> None:
    route = route_named(name)
    shown = world.expect_ok(post_json(world, route, {**base_body(route, world), "response_format": value}))
    assert shown["response_format"] == ("auto" if value == "none" else value)  # "none" is v2's default, "auto"


@pytest.mark.parametrize("choice", ["none", "auto", {"type": "retrieval"}, {"type": "code_interpreter"},
                                    {"type": "function", "function": {"name": "f"}}], ids=str)
def test_v1_tool_choices_are_accepted(world: V1World, choice: Any) -> None:
    route = route_named("threads.create_and_run")
    assert world.expect_ok(post_json(world, route, {**base_body(route, world), "tool_choice": choice}))[
        "tool_choice"] == choice


def test_a_retrieval_tool_takes_no_settings(world: V1World) -> None:
    route = route_named("assistants.create")
    body = {"model": MODEL, "tools": [{"type": "retrieval", "retrieval": {}}]}
    error = assert_error(post_json(world, route, body), 400)
    assert (error["message"], error["param"]) == ("Unknown parameter: 'tools[0].retrieval'.", "tools[0].retrieval")


# -- v1 limits ------------------------------------------------------------------------------------------


def too_long(param: str, maximum: int) -> tuple[str, str]:
    message = (f"Invalid '{param}': array too long. Expected an array with maximum length {maximum}, "
               f"but got an array with length {maximum + 1} instead.")
    return message, "array_above_max_length"


MANY_FILES: list[tuple[str, dict[str, Any], str, int]] = [
    ("assistants.create", {"file_ids": ["file-x"] * 21}, "file_ids", 20),
    ("assistants.update", {"file_ids": ["file-x"] * 21}, "file_ids", 20),
    ("messages.create", {"file_ids": ["file-x"] * 11}, "file_ids", 10),
    ("threads.create", {"messages": [{"role": "user", "content": "Hi", "file_ids": ["file-x"] * 11}]},
     "messages[0].file_ids", 10),
    ("runs.create", {"additional_messages": [{"role": "user", "content": "Hi", "file_ids": ["file-x"] * 11}]},
     "additional_messages[0].file_ids", 10),
    ("threads.create_and_run",
     {"thread": {"messages": [{"role": "user", "content": "Hi", "file_ids": ["file-x"] * 11}]}},
     "thread.messages[0].file_ids", 10),
    ("assistants.create", {"tools": [{"type": "code_interpreter"}] * 129}, "tools", 128),
    ("assistants.update", {"tools": [{"type": "code_interpreter"}] * 129}, "tools", 128),
    ("runs.create", {"tools": [{"type": "code_interpreter"}] * 21}, "tools", 20),
    ("threads.create_and_run", {"tools": [{"type": "retrieval"}] * 21}, "tools", 20),
]


@pytest.mark.parametrize(("name", "extra", "param", "maximum"), MANY_FILES,
                         ids=[f"{c[0]}-{c[2]}" for c in MANY_FILES])
def test_array_limits(world: V1World, name: str, extra: dict[str, Any], param: str, maximum: int) -> None:
    route = route_named(name)
    error = assert_error(post_json(world, route, {**base_body(route, world), **extra}), 400)
    assert (error["message"], error["code"]) == too_long(param, maximum)
    assert error["param"] == param


def test_twenty_files_and_128_tools_are_accepted(world: V1World) -> None:
    files = [upload(world, f"f{n}.txt", f"Document number {n}.".encode()) for n in range(20)]
    tools = [{"type": "code_interpreter"}] * 127 + [{"type": "retrieval"}]
    assistant = world.ok("POST", "/v1/assistants", {"model": MODEL, "file_ids": files, "tools": tools})
    assert assistant["file_ids"] == files
    listed = world.ok("GET", f"/v1/assistants/{assistant['id']}/files", None)
    assert len(listed["data"]) == 20


def test_a_21st_assistant_file_is_refused(world: V1World) -> None:
    files = [upload(world, f"f{n}.txt", f"Document number {n}.".encode()) for n in range(21)]
    assistant = world.ok("POST", "/v1/assistants", {"model": MODEL, "file_ids": files[:20]})
    path = f"/v1/assistants/{assistant['id']}/files"
    error = assert_error(world.send("POST", path, body=json.dumps({"file_id": files[20]}).encode()), 400)
    assert error["message"] == f"Assistant {assistant['id']} already has the maximum of 20 files attached."
    assert error["param"] == "file_id"
    assert world.expect_ok(world.send("POST", path, body=json.dumps({"file_id": files[0]}).encode()))["id"] == files[0]
    assert len(world.ok("GET", path)["data"]) == 20


def test_ten_message_files_are_accepted(world: V1World) -> None:
    files = [upload(world, f"f{n}.txt", f"Document number {n}.".encode()) for n in range(10)]
    path = f"/v1/threads/{world.ids['thread_id']}/messages"
    message = world.ok("POST", path, {"role": "user", "content": "Hi", "file_ids": files})
    assert message["file_ids"] == files


@pytest.mark.parametrize(
    ("content", "message", "code"),
    [
        ("", "Invalid 'content': empty string. Expected a string with minimum length 1, but got an empty string "
             "instead.", "empty_string"),
        ("x" * 256_001, "Invalid 'content': string too long. Expected a string with maximum length 256000, but got "
                        "a string with length 256001 instead.", "string_above_max_length"),
    ],
    ids=["empty", "256001"],
)
def test_message_content_length(world: V1World, content: str, message: str, code: str) -> None:
    path = f"/v1/threads/{world.ids['thread_id']}/messages"
    error = assert_error(world.send("POST", path, body=json.dumps({"role": "user", "content": content}).encode()), 400)
    assert (error["message"], error["param"], error["code"]) == (message, "content", code)


def test_message_content_of_256000_characters_is_accepted(world: V1World) -> None:
    path = f"/v1/threads/{world.ids['thread_id']}/messages"
    assert world.ok("POST", path, {"role": "user", "content": "x" * 256_000})["object"] == "thread.message"


OVERSIZE = [("name", 256), ("description", 512), ("instructions", 256_000)]


@pytest.mark.parametrize("name", ["assistants.create", "assistants.update"])
@pytest.mark.parametrize(("param", "maximum"), OVERSIZE, ids=[p for p, _ in OVERSIZE])
def test_oversize_assistant_strings(world: V1World, name: str, param: str, maximum: int) -> None:
    route = route_named(name)
    error = assert_error(post_json(world, route, {**base_body(route, world), param: "x" * (maximum + 1)}), 400)
    assert error["message"] == (
        f"Invalid '{param}': string too long. Expected a string with maximum length {maximum}, "
        f"but got a string with length {maximum + 1} instead."
    )
    assert (error["param"], error["code"]) == (param, "string_above_max_length")


# -- the v1 model check (ERRORS.md #18) ---------------------------------------------------------------

NEW_MODELS = ["gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.5-preview", "gpt-5", "o1-mini", "o3", "o4-mini",
              "chatgpt-4o-latest"]
V1_MODELS = ["gpt-4-turbo", "gpt-4", "gpt-3.5-turbo", "gpt-4-0125-preview"]
MODEL_ROUTES = ["assistants.create", "assistants.update", "runs.create", "threads.create_and_run"]


def model_error(model: str) -> str:
    return (f"The requested model '{model}' cannot be used with the Assistants API in v1. "
            "Follow the migration guide to upgrade to v2: https://platform.openai.com/docs/assistants/migration.")


@pytest.mark.parametrize("name", MODEL_ROUTES)
@pytest.mark.parametrize("model", NEW_MODELS)
def test_models_newer_than_v1_are_refused(world: V1World, name: str, model: str) -> None:
    route = route_named(name)
    error = assert_error(post_json(world, route, {**base_body(route, world), "model": model}), 400)
    assert error == {"message": model_error(model), "type": "invalid_request_error", "param": None, "code": None}


def test_the_model_error_is_the_recorded_one(world: V1World) -> None:
    error = assert_error(post_json(world, route_named("assistants.create"), {"model": "gpt-4o"}), 400)
    assert error["message"] == (
        "The requested model 'gpt-4o' cannot be used with the Assistants API in v1. Follow the migration guide "
        "to upgrade to v2: https://platform.openai.com/docs/assistants/migration."
    )


@pytest.mark.parametrize("name", MODEL_ROUTES)
@pytest.mark.parametrize("model", V1_MODELS)
def test_v1_models_are_accepted(world: V1World, name: str, model: str) -> None:
    route = route_named(name)
    assert world.expect_ok(post_json(world, route, {**base_body(route, world), "model": model}))["model"] == model


def test_the_same_new_model_is_fine_in_v2(world: V1World) -> None:
    body = json.dumps({"model": "gpt-4o"}).encode()
    assert world.expect_ok(world.send("POST", "/v1/assistants", body=body, headers=V2))["model"] == "gpt-4o"


# -- path parameters on the v1-only routes --------------------------------------------------------------

V1_ONLY_PARAM_CASES = [(r, p) for r in V1_ONLY_ROUTES for p in path_params(r)]


def param_case_id(value: Any) -> str:
    return route_id(value) if isinstance(value, Route) else str(value)


def request_for(world: World, route: Route, **overrides: str) -> ApiResponse:
    body = json.dumps(base_body(route, world)).encode() if route.method == "POST" else b""
    return world.send(route.method, world.path(route, **overrides), body=body)


@pytest.mark.parametrize(("route", "param"), [c for c in V1_ONLY_PARAM_CASES if c[1] in PREFIXED_PARAMS],
                         ids=param_case_id)
@pytest.mark.parametrize("value", ["nope", "wrong_prefix_id", "file-abc"])
def test_wrong_id_prefix_on_v1_only_routes(world: V1World, route: Route, param: str, value: str) -> None:
    error = assert_error(request_for(world, route, **{param: value}), 400)
    prefix = catalog.id_prefix_for(param)
    assert error["message"] == f"Invalid '{param}': '{value}'. Expected an ID that begins with '{prefix}'."
    assert error["param"] == param


NOUNS = {"assistant_id": "assistant", "thread_id": "thread", "message_id": "message"}


@pytest.mark.parametrize(("route", "param"), V1_ONLY_PARAM_CASES, ids=param_case_id)
def test_unknown_ids_on_v1_only_routes(world: V1World, route: Route, param: str) -> None:
    value = unknown_id(param)
    error = assert_error(request_for(world, route, **{param: value}), 404)
    if param in NOUNS:
        noun = NOUNS[param]
    else:
        noun = "assistant file" if route.name.startswith("assistants.") else "message file"
    assert error == {"message": f"No {noun} found with id '{value}'.", "type": "invalid_request_error",
                     "param": None, "code": None}


@pytest.mark.parametrize("route", [r for r in V1_ONLY_ROUTES if "file_id" in path_params(r)], ids=route_id)
def test_a_file_that_exists_but_is_not_linked(world: V1World, route: Route) -> None:
    other = upload(world, "other.txt", b"Not linked to anything.")
    error = assert_error(world.send(route.method, world.path(route, file_id=other)), 404)
    noun = "assistant file" if route.name.startswith("assistants.") else "message file"
    assert error["message"] == f"No {noun} found with id '{other}'."


def test_linking_an_unknown_file(world: V1World) -> None:
    missing = unknown_id("file_id")
    path = f"/v1/assistants/{world.ids['assistant_id']}/files"
    error = assert_error(world.send("POST", path, body=json.dumps({"file_id": missing}).encode()), 404)
    assert error["message"] == f"No such File object: {missing}"
    assert world.ok("GET", path)["data"][0]["id"] == world.ids["file_id"]


@pytest.mark.parametrize("name", ["assistants.create", "assistants.update"])
def test_unknown_files_in_an_assistant_body_change_nothing(world: V1World, name: str) -> None:
    missing = unknown_id("file_id")
    route = route_named(name)
    before = world.ok("GET", "/v1/assistants")
    body = {**base_body(route, world), "file_ids": [world.ids["file_id"], missing]}
    error = assert_error(post_json(world, route, body), 404)
    assert error["message"] == f"No such File object: {missing}"
    assert world.ok("GET", "/v1/assistants") == before


def test_an_assistant_file_deleted_twice(world: V1World) -> None:
    path = f"/v1/assistants/{world.ids['assistant_id']}/files/{world.ids['file_id']}"
    assert world.ok("DELETE", path) == {"id": world.ids["file_id"], "object": "assistant.file.deleted",
                                        "deleted": True}
    error = assert_error(world.send("DELETE", path), 404)
    assert error["message"] == f"No assistant file found with id '{world.ids['file_id']}'."
    assert world.ok("GET", f"/v1/files/{world.ids['file_id']}")["id"] == world.ids["file_id"]  # the File stays


def test_files_of_a_deleted_assistant(world: V1World) -> None:
    world.ok("DELETE", f"/v1/assistants/{world.ids['assistant_id']}")
    error = assert_error(world.send("GET", f"/v1/assistants/{world.ids['assistant_id']}/files"), 404)
    assert error["message"] == f"No assistant found with id '{world.ids['assistant_id']}'."


# -- query parameters ------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", V1_LIST_ROUTES, ids=route_id)
@pytest.mark.parametrize(("query", "param"), BAD_QUERIES, ids=[q[:20] for q, _ in BAD_QUERIES])
def test_bad_list_query(world: V1World, route: Route, query: str, param: str) -> None:
    error = assert_error(world.send("GET", world.path(route), query=query), 400)
    assert error["param"] == param


@pytest.mark.parametrize("route", [r for r in V1_ONLY_ROUTES if is_list(r)], ids=route_id)
@pytest.mark.parametrize(("query", "param"), [("limit=101", "limit"), ("before=file-unknown", "before")])
def test_v1_file_lists_take_at_most_100(world: V1World, route: Route, query: str, param: str) -> None:
    error = assert_error(world.send("GET", world.path(route), query=query), 400)
    assert error["param"] == param


# -- the OpenAI-Beta header -------------------------------------------------------------------------------


def body_for(route: Route, world: World) -> bytes:
    return json.dumps(base_body(route, world)).encode() if route.method == "POST" else b""


@pytest.mark.parametrize("route", V1_BETA_REQUIRED, ids=route_id)
@pytest.mark.parametrize("headers", [{}, {"OpenAI-Beta": ""}, {"OpenAI-Beta": "assistants=v3"}], ids=repr)
def test_missing_header_when_only_v1_is_served(route: Route, headers: dict[str, str]) -> None:
    """ERRORS.md #15: a v1-era service asked for `assistants=v1`."""
    world = build_world(("v1",))
    error = assert_error(world.send(route.method, world.path(route), body=body_for(route, world), headers=headers),
                         400)
    assert error["message"] == MISSING_V1_BETA_MESSAGE
    assert (error["code"], error["param"]) == ("invalid_beta", None)


@pytest.mark.parametrize("route", V1_BETA_REQUIRED, ids=route_id)
@pytest.mark.parametrize("headers", [{}, {"OpenAI-Beta": ""}, {"OpenAI-Beta": "assistants=v3"}], ids=repr)
def test_missing_header_when_both_are_served(world: V1World, route: Route, headers: dict[str, str]) -> None:
    """ERRORS.md #14: the newest version served is the one asked for."""
    error = assert_error(world.send(route.method, world.path(route), body=body_for(route, world), headers=headers),
                         400)
    assert error["message"] == MISSING_BETA_MESSAGE
    assert (error["code"], error["param"]) == ("invalid_beta", None)


def test_a_v2_request_to_a_v1_only_fake() -> None:
    world = build_world(("v1",))
    error = assert_error(world.send("GET", "/v1/assistants", headers=V2), 400)
    assert error["message"] == MISSING_V1_BETA_MESSAGE


def test_a_v1_only_fake_serves_v1(world: V1World) -> None:
    only = build_world(("v1",))
    assert only.ok("GET", f"/v1/assistants/{only.ids['assistant_id']}/files")["data"][0]["id"] == only.ids["file_id"]


def test_files_need_no_header_in_v1(world: V1World) -> None:
    assert world.expect_ok(world.send("GET", "/v1/files", headers={}))["data"][0]["id"] == world.ids["file_id"]


# -- fuzzing the v1 POST bodies ---------------------------------------------------------------------------

# (field, before, after): the fuzzed value goes deep inside a field of a v1 body.
FREE_FORM = b'{"type":"object","x":'
V1_NESTED_SLOTS: list[tuple[str, bytes, bytes]] = [
    ("tools", b'[{"type":"function","function":{"name":"f","parameters":' + FREE_FORM, b"}}}]"),
    ("tools", b'[{"type":', b"}]"),
    ("file_ids", b"[", b"]"),
    ("metadata", b'{"k":', b"}"),
    ("response_format", b'{"type":', b"}"),
    ("messages", b'[{"role":"user","content":', b"}]"),
    ("messages", b'[{"role":"user","content":"hi","file_ids":', b"}]"),
    ("additional_messages", b'[{"role":"user","content":', b"}]"),
    ("additional_messages", b'[{"role":"user","content":"hi","file_ids":[', b"]}]"),
    ("thread", b'{"messages":[{"role":"user","content":', b"}]}"),
    ("thread", b'{"messages":[{"role":"user","content":"hi","file_ids":', b"}]}"),
    ("tool_outputs", b'[{"tool_call_id":"call_1","output":', b"}]"),
    ("tool_choice", b'{"type":"function","function":{"name":', b"}}"),
    ("tool_choice", b'{"type":', b"}"),
]


def nested_bodies(route: Route, world: World) -> list[Any]:
    spec = spec_of(route)
    names = set(field_names(spec.model)) if spec else set()
    base = base_body(route, world)

    def builder(name: str, before: bytes, after: bytes) -> Any:
        return lambda value: splice(base, name, before + value + after)

    return [builder(name, before, after) for name, before, after in V1_NESTED_SLOTS if name in names]


def fuzz_bodies(route: Route, world: World) -> st.SearchStrategy[bytes]:
    """Arbitrary bytes and JSON; most often a valid v1 body with one field (or nested slot) made nasty,
    including the fields only v2 has."""
    spec = spec_of(route)
    names = field_names(spec.model) if spec else sorted(WRONG_TYPES)
    names_and_v2 = [*names, "tool_resources", "attachments", "parallel_tool_calls", "reasoning_effort", "file_ids"]
    base = base_body(route, world)
    anything = st.one_of(
        st.binary(max_size=200),
        ANY_VALUE,
        st.dictionaries(st.sampled_from(names_and_v2) | st.text(max_size=8), ANY_VALUE, max_size=4).map(json_object),
    )
    one_field = st.builds(lambda n, v: splice(base, n, v), st.sampled_from(names_and_v2), SLOT_VALUES)
    known = [*world.ids.values(), "retrieval", "gpt-4o", "file-x"]
    known_ids = st.sampled_from(known).map(lambda value: json.dumps(value).encode())
    one_id = st.builds(lambda n, v: splice(base, n, v), st.sampled_from(names), known_ids)
    nested = [st.one_of(SLOT_VALUES, known_ids).map(build) for build in nested_bodies(route, world)]
    return st.one_of(anything, one_field, one_id, *nested)


def assert_everything_still_readable(world: V1World) -> None:
    """Whatever a fuzzed request stored must still serialize in both versions: every GET answers strict JSON."""
    for route in ALL_ROUTES:
        if route.method != "GET" or not world.knows(route):
            continue
        for headers in ([V1] if "v1" in route.versions else []) + ([V2] if "v2" in route.versions else []):
            response = world.send("GET", world.path(route), headers=headers)
            if response.status != 200:
                assert_error(response)
            elif response.header("content-type") == "application/json":
                strict_json(body_bytes(response))


@pytest.mark.parametrize("route", V1_POST_ROUTES, ids=route_id)
@FUZZ_SETTINGS
@given(data=st.data())
def test_fuzzed_v1_bodies_never_cause_a_server_error(route: Route, data: st.DataObject) -> None:
    world = build_world()
    raw = data.draw(fuzz_bodies(route, world), label="body")
    response = world.send("POST", world.path(route), body=raw)
    assert response.status == 200 or 400 <= response.status < 500, body_bytes(response)[:300]
    assert_ok_or_error(response)
    assert_everything_still_readable(world)


@pytest.mark.parametrize("route", [r for r in V1_POST_ROUTES if spec_of(r)], ids=route_id)
@pytest.mark.parametrize(
    "value",
    [*NASTY_TOKENS, deep(1000, "array"), deep(300, "object"), b'"' + b"x" * 300_000 + b'"'],
    ids=lambda v: repr(v[:12]) + f"..{len(v)}",
)
def test_pathological_values_in_every_v1_field(world: V1World, route: Route, value: bytes) -> None:
    spec = spec_of(route)
    assert spec is not None
    for name in field_names(spec.model):
        response = world.send("POST", world.path(route), body=splice(base_body(route, world), name, value))
        assert response.status == 200 or 400 <= response.status < 500, (name, body_bytes(response)[:300])
        assert_ok_or_error(response)
    for build in nested_bodies(route, world):
        response = world.send("POST", world.path(route), body=build(value))
        assert response.status == 200 or 400 <= response.status < 500, body_bytes(response)[:300]
        assert_ok_or_error(response)
    assert_everything_still_readable(world)
