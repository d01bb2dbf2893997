"""Bad input on every route of the table: always a 4xx with OpenAI's error envelope, never a 500.

Routes come from `fake_assistants.api.routes.V2_ROUTES` (the header tests: `ALL_ROUTES`, with the v1-only routes;
v1 requests have their own file, tests/v1/test_v1_bad_input.py; the helpers both use are in
tests/support/bad_input_support.py), so new routes are covered as they are added. Path
ids are real objects for the families this file knows how to create (assistants, threads, messages,
runs, run steps); a route with a parameter of any other family gets a well-formed id that does not
exist, so it can still be asserted to answer 4xx.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bad_input_support import (
    ANY_VALUE,
    ASSISTANT_LIMITS,
    BAD_METADATA,
    BAD_QUERIES,
    BETA,
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
from fake_assistants.api import file_requests as fr
from fake_assistants.api import request_models as rm
from fake_assistants.api import run_requests as rr
from fake_assistants.api.routes import ALL_ROUTES, V2_ROUTES
from fake_assistants.api.routing import PREFIXED_PARAMS, Route
from fake_assistants.core import error_catalog as catalog

V1_MESSAGE = (
    "The v1 Assistants API has been deprecated. Please try again by setting the header "
    "'OpenAI-Beta: assistants=v2'. See the migration guide for more information: "
    "https://platform.openai.com/docs/assistants/migration."
)


# -- the world: one existing object per known family ----------------------------------------------


ROUTE_NAMES = {route.name for route in V2_ROUTES}


def build_world() -> World:
    world = World(FakeAssistants(seed=0, clock=ManualClock()), {})
    assistant = world.ok("POST", "/v1/assistants", {"model": "gpt-4o", "instructions": "Be brief."})
    thread = world.ok("POST", "/v1/threads", {"messages": [{"role": "user", "content": "Hello"}]})
    world.ids["assistant_id"], world.ids["thread_id"] = assistant["id"], thread["id"]
    messages = world.ok("GET", f"/v1/threads/{thread['id']}/messages")
    world.ids["message_id"] = messages["data"][0]["id"]
    if "runs.create" in ROUTE_NAMES:
        add_run_family(world)
    if "files.create" in ROUTE_NAMES:
        add_file_families(world)
    return world


def add_run_family(world: World) -> None:
    """A finished run and its steps; left to the unknown-id fallback if runs cannot be created."""
    thread_id = world.ids["thread_id"]
    body = json.dumps({"assistant_id": world.ids["assistant_id"]}).encode()
    response = world.send("POST", f"/v1/threads/{thread_id}/runs", body=body)
    if response.status != 200:
        return
    run_id = strict_json(body_bytes(response))["id"]
    world.ids["run_id"] = run_id
    if "runs.steps.list" in ROUTE_NAMES:
        steps = world.send("GET", f"/v1/threads/{thread_id}/runs/{run_id}/steps")
        data = strict_json(body_bytes(steps)).get("data") if steps.status == 200 else None
        if data:
            world.ids["step_id"] = data[0]["id"]


MULTIPART_HEADERS = {**BETA, "content-type": f"multipart/form-data; boundary={MULTIPART_BOUNDARY}"}


def add_file_families(world: World) -> None:
    """An uploaded file, a vector store, and a batch attaching the file to it."""
    body = multipart({"purpose": "assistants"}, ("notes.txt", b"The fake answers deterministically."))
    uploaded = world.expect_ok(world.send("POST", "/v1/files", body=body, headers=MULTIPART_HEADERS))
    world.ids["file_id"] = uploaded["id"]
    if "vector_stores.create" not in ROUTE_NAMES:
        return
    store = world.ok("POST", "/v1/vector_stores", {"name": "Knowledge"})
    world.ids["vector_store_id"] = store["id"]
    if "vector_stores.file_batches.create" in ROUTE_NAMES:
        batch = world.ok("POST", f"/v1/vector_stores/{store['id']}/file_batches", {"file_ids": [uploaded["id"]]})
        world.ids["batch_id"] = batch["id"]


@pytest.fixture
def world() -> World:
    return build_world()


# -- the route table, classified ------------------------------------------------------------------


def param_case_id(value: Any) -> str:
    return route_id(value) if isinstance(value, Route) else str(value)


POST_ROUTES = [r for r in V2_ROUTES if r.method == "POST"]
BAD_BODY_ROUTES = [pytest.param(r, id=route_id(r)) for r in POST_ROUTES]
LIST_ROUTES = [r for r in V2_ROUTES if is_list(r)]
PARAM_CASES = [(r, p) for r in V2_ROUTES for p in path_params(r)]
BETA_REQUIRED = [r for r in ALL_ROUTES if r.beta == "required"]


BODY_SPECS: dict[str, BodySpec] = {
    "assistants.create": BodySpec(rm.CreateAssistant, lambda w: {"model": "gpt-4o"}, ASSISTANT_LIMITS),
    "assistants.update": BodySpec(rm.ModifyAssistant, lambda w: {}, ASSISTANT_LIMITS),
    "threads.create": BodySpec(rm.CreateThread, lambda w: {}),
    "threads.update": BodySpec(rm.ModifyThread, lambda w: {}),
    "messages.create": BodySpec(rm.CreateMessage, lambda w: {"role": "user", "content": "Hi"}),
    "messages.update": BodySpec(rm.ModifyMessage, lambda w: {}),
    "runs.create": BodySpec(rr.CreateRun, lambda w: {"assistant_id": w.id_for("assistant_id")}),
    "threads.create_and_run": BodySpec(rr.CreateThreadAndRun, lambda w: {"assistant_id": w.id_for("assistant_id")}),
    "runs.update": BodySpec(rr.ModifyRun, lambda w: {}),
    "runs.submit_tool_outputs": BodySpec(rr.SubmitToolOutputs, lambda w: {"tool_outputs": []}),
    "vector_stores.create": BodySpec(fr.CreateVectorStore, lambda w: {}),
    "vector_stores.update": BodySpec(fr.ModifyVectorStore, lambda w: {}),
    "vector_stores.search": BodySpec(fr.SearchVectorStore, lambda w: {"query": "answers"}),
    "vector_stores.files.create": BodySpec(fr.CreateVectorStoreFile, lambda w: {"file_id": w.id_for("file_id")}),
    "vector_stores.files.update": BodySpec(fr.UpdateVectorStoreFile, lambda w: {"attributes": {}}),
    "vector_stores.file_batches.create": BodySpec(fr.CreateFileBatch, lambda w: {"file_ids": [w.id_for("file_id")]}),
}


def spec_of(route: Route) -> BodySpec | None:
    return BODY_SPECS.get(route.name)


def base_body(route: Route, world: World) -> dict[str, Any]:
    spec = spec_of(route)
    return spec.base(world) if spec else {}


def post_json(world: World, route: Route, body: dict[str, Any]) -> ApiResponse:
    return world.send("POST", world.path(route), body=json.dumps(body).encode())


# -- every route, every bad body -------------------------------------------------------------------


@pytest.mark.parametrize("route", BAD_BODY_ROUTES)
@pytest.mark.parametrize("raw", MALFORMED, ids=repr)
def test_malformed_json_body(world: World, route: Route, raw: bytes) -> None:
    error = assert_error(world.send("POST", world.path(route), body=raw))
    if spec_of(route) and world.knows(route):
        assert error["message"] == catalog.invalid_json_body().message
        assert error["param"] is None


@pytest.mark.parametrize("route", BAD_BODY_ROUTES)
@pytest.mark.parametrize(("raw", "described"), NOT_OBJECTS, ids=[r for r, _ in NOT_OBJECTS])
def test_json_body_that_is_not_an_object(world: World, route: Route, raw: bytes, described: str) -> None:
    error = assert_error(world.send("POST", world.path(route), body=raw))
    if spec_of(route) and world.knows(route):
        assert error["message"] == f"Invalid type for request body: expected an object, but got {described} instead."


def wrong_type_cases() -> list[Any]:
    """Every field of each known body model; a few common fields for the other POST routes."""
    cases = []
    for route in POST_ROUTES:
        spec = spec_of(route)
        for name in field_names(spec.model) if spec else ["metadata", "model", "name"]:
            cases.append(pytest.param(route, name, id=f"{route_id(route)}-{name}"))
    return cases


def test_every_known_field_has_a_wrong_type_value() -> None:
    known = {name for spec in BODY_SPECS.values() for name in field_names(spec.model)}
    assert known <= set(WRONG_TYPES), f"add wrong-type values for {sorted(known - set(WRONG_TYPES))}"


@pytest.mark.parametrize(("route", "name"), wrong_type_cases())
def test_wrong_type_for_each_field(world: World, route: Route, name: str) -> None:
    body = {**base_body(route, world), name: WRONG_TYPES[name]}
    error = assert_error(post_json(world, route, body))
    if spec_of(route) and world.knows(route):
        assert error["param"] == name
        assert error["code"] in ("invalid_type", "invalid_value", "missing_required_parameter")


OVERSIZE = [("name", 256), ("description", 512), ("instructions", 256_000)]


def oversize_cases() -> list[tuple[Route, str, int]]:
    """Every POST route, except where its body model has the field with no documented length limit
    (run `instructions` overrides: the API reference gives no maximum for them)."""
    cases = []
    for route in POST_ROUTES:
        spec = spec_of(route)
        for name, maximum in OVERSIZE:
            if not (spec and name in field_names(spec.model) and name not in spec.limited):
                cases.append((route, name, maximum))
    return cases


@pytest.mark.parametrize(("route", "name", "maximum"), oversize_cases(), ids=param_case_id)
def test_oversize_strings(world: World, route: Route, name: str, maximum: int) -> None:
    spec = spec_of(route)
    response = post_json(world, route, {**base_body(route, world), name: "x" * (maximum + 1)})
    if spec is None:
        assert response.status < 500  # this family's limits are not known here
        if response.status != 200:
            assert_error(response)
        return
    error = assert_error(response, 400 if world.knows(route) else None)
    if not world.knows(route):
        return
    if name in spec.limited:
        assert error["message"] == (
            f"Invalid '{name}': string too long. Expected a string with maximum length {maximum}, "
            f"but got a string with length {maximum + 1} instead."
        )
        assert (error["param"], error["code"]) == (name, "string_above_max_length")
    else:
        assert (error["param"], error["code"]) == (name, "unknown_parameter")


def test_oversize_message_content(world: World) -> None:
    path = f"/v1/threads/{world.ids['thread_id']}/messages"
    body = json.dumps({"role": "user", "content": "x" * 256_001}).encode()
    error = assert_error(world.send("POST", path, body=body), 400)
    assert (error["param"], error["code"]) == ("content", "string_above_max_length")


@pytest.mark.parametrize("route", BAD_BODY_ROUTES)
@pytest.mark.parametrize(("label", "metadata", "code"), BAD_METADATA, ids=[c[0] for c in BAD_METADATA])
def test_bad_metadata(world: World, route: Route, label: str, metadata: Any, code: str) -> None:
    error = assert_error(post_json(world, route, {**base_body(route, world), "metadata": metadata}))
    spec = spec_of(route)
    if not spec or not world.knows(route):
        return
    if "metadata" not in field_names(spec.model):
        assert (error["param"], error["code"]) == ("metadata", "unknown_parameter")
        return
    assert error["code"] == code
    assert error["param"] is not None and error["param"].startswith("metadata")
    if label == "non-string value":
        assert error["message"] == "Invalid type for 'metadata.modified': expected a string, but got a boolean instead."
        assert error["param"] == "metadata.modified"


def test_bad_metadata_in_a_nested_message(world: World) -> None:
    body = {"messages": [{"role": "user", "content": "hi", "metadata": {"modified": False}}]}
    error = assert_error(world.send("POST", "/v1/threads", body=json.dumps(body).encode()), 400)
    assert error["message"] == (
        "Invalid type for 'messages[0].metadata.modified': expected a string, but got a boolean instead."
    )
    assert (error["param"], error["code"]) == ("messages[0].metadata.modified", "invalid_type")


@pytest.mark.parametrize("route", BAD_BODY_ROUTES)
def test_too_many_tools(world: World, route: Route) -> None:
    tools = [{"type": "code_interpreter"}] * 129
    error = assert_error(post_json(world, route, {**base_body(route, world), "tools": tools}))
    spec = spec_of(route)
    if spec and world.knows(route):
        expected = "array_above_max_length" if "tools" in field_names(spec.model) else "unknown_parameter"
        assert (error["param"], error["code"]) == ("tools", expected)


@pytest.mark.parametrize("route", BAD_BODY_ROUTES)
def test_unknown_body_parameter(world: World, route: Route) -> None:
    error = assert_error(post_json(world, route, {**base_body(route, world), "bogus_param": 1}))
    if spec_of(route) and world.knows(route):
        assert error["message"] == "Unknown parameter: 'bogus_param'."
        assert (error["param"], error["code"]) == ("bogus_param", "unknown_parameter")


def function_tool_body(parameters: bytes) -> bytes:
    """An assistant whose one function takes `parameters`: a free-form JSON object, stored as sent."""
    return b'{"model":"gpt-4o","tools":[{"type":"function","function":{"name":"f","parameters":' + parameters + b"}}]}"


@pytest.mark.parametrize(
    "parameters",
    [
        b'{"x":NaN}',
        b'{"x":Infinity}',
        b'{"x":-Infinity}',
        b'{"x":1e999}',
        b'{"x":"\\ud800"}',
        b'{"\\udfff":1}',
        deep(197, "object"),
    ],
    ids=["NaN", "Infinity", "-Infinity", "1e999", "lone surrogate", "lone surrogate key", "201 levels"],
)
def test_json_that_cannot_be_sent_back_is_refused(world: World, parameters: bytes) -> None:
    """Such values would be stored and then break every response that carries them."""
    before = world.ok("GET", "/v1/assistants")["data"]
    error = assert_error(world.send("POST", "/v1/assistants", body=function_tool_body(parameters)), 400)
    assert error["message"] == catalog.invalid_json_body().message
    assert world.ok("GET", "/v1/assistants")["data"] == before


def test_deep_json_within_the_limit_is_stored_and_served(world: World) -> None:
    created = world.expect_ok(world.send("POST", "/v1/assistants", body=function_tool_body(deep(196, "object"))))
    listed = world.ok("GET", "/v1/assistants")
    assert created in listed["data"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("temperature", 3, "decimal above maximum value. Expected a value <= 2, but got 3 instead."),
        ("temperature", -1, "decimal below minimum value. Expected a value >= 0, but got -1 instead."),
        ("top_p", 1.5, "decimal above maximum value. Expected a value <= 1, but got 1.5 instead."),
        ("temperature", 10**400, f"decimal above maximum value. Expected a value <= 2, but got {10**400} instead."),
    ],
)
def test_number_bounds_are_worded_by_the_field_type(world: World, field: str, value: Any, message: str) -> None:
    body = json.dumps({"model": "gpt-4o", field: value}).encode()
    error = assert_error(world.send("POST", "/v1/assistants", body=body), 400)
    assert error["message"] == f"Invalid '{field}': {message}"
    assert error["code"] == ("decimal_above_max_value" if "above" in message else "decimal_below_min_value")


def test_integer_bounds_stay_integer(world: World) -> None:
    tool = {"type": "file_search", "file_search": {"max_num_results": 51}}
    body = json.dumps({"model": "gpt-4o", "tools": [tool]}).encode()
    error = assert_error(world.send("POST", "/v1/assistants", body=body), 400)
    assert error["message"] == (
        "Invalid 'tools[0].file_search.max_num_results': integer above maximum value. "
        "Expected a value <= 50, but got 51 instead."
    )
    assert error["code"] == "integer_above_max_value"


@pytest.mark.parametrize(
    ("tools", "param", "message"),
    [
        ([5], "tools[0]", "Invalid type for 'tools[0]': expected an object, but got an integer instead."),
        (
            [{"type": 5}],
            "tools[0].type",
            "Invalid type for 'tools[0].type': expected a string, but got an integer instead.",
        ),
        ([{}], "tools[0].type", "Missing required parameter: 'tools[0].type'."),
    ],
)
def test_tagged_unions_report_the_real_problem(world: World, tools: list[Any], param: str, message: str) -> None:
    body = json.dumps({"model": "gpt-4o", "tools": tools}).encode()
    error = assert_error(world.send("POST", "/v1/assistants", body=body), 400)
    assert (error["param"], error["message"]) == (param, message)


# -- path parameters ------------------------------------------------------------------------------


def request_for(world: World, route: Route, **overrides: str) -> ApiResponse:
    body = json.dumps(base_body(route, world)).encode() if route.method == "POST" else b""
    return world.send(route.method, world.path(route, **overrides), body=body)


@pytest.mark.parametrize(("route", "param"), PARAM_CASES, ids=param_case_id)
@pytest.mark.parametrize("value", ["nope", "wrong_prefix_id", "x"])
def test_wrong_id_prefix(world: World, route: Route, param: str, value: str) -> None:
    prefixed = param in PREFIXED_PARAMS
    error = assert_error(request_for(world, route, **{param: value}), 400 if prefixed else None)
    if prefixed:
        prefix = catalog.id_prefix_for(param)
        assert error["message"] == f"Invalid '{param}': '{value}'. Expected an ID that begins with '{prefix}'."
        assert error["param"] == param


def test_wrong_prefix_wording_is_exact(world: World) -> None:
    error = assert_error(world.send("GET", "/v1/threads/nope"), 400)
    assert error["message"] == "Invalid 'thread_id': 'nope'. Expected an ID that begins with 'thread'."
    assert error["param"] == "thread_id"


@pytest.mark.parametrize(("route", "param"), PARAM_CASES, ids=param_case_id)
def test_id_of_another_kind(world: World, route: Route, param: str) -> None:
    other = "thread_id" if param != "thread_id" else "assistant_id"
    value = world.id_for(other)
    error = assert_error(request_for(world, route, **{param: value}))
    if param in PREFIXED_PARAMS:
        assert error["param"] == param
        assert error["message"].startswith(f"Invalid '{param}': '{value}'. Expected an ID that begins with")


@pytest.mark.parametrize(("route", "param"), PARAM_CASES, ids=param_case_id)
def test_unknown_id_with_the_right_prefix(world: World, route: Route, param: str) -> None:
    value = unknown_id(param)
    error = assert_error(request_for(world, route, **{param: value}), 404 if world.knows(route) else None)
    if param == "assistant_id":
        assert error["message"] == f"No assistant found with id '{value}'."
    if param == "thread_id":
        assert error["message"] == f"No thread found with id '{value}'."


@pytest.mark.skipif("runs.create" not in ROUTE_NAMES, reason="runs are not implemented yet")
def test_unknown_assistant_in_a_run_body(world: World) -> None:
    missing = unknown_id("assistant_id")
    body = json.dumps({"assistant_id": missing}).encode()
    error = assert_error(world.send("POST", f"/v1/threads/{world.ids['thread_id']}/runs", body=body), 404)
    assert error["message"] == f"No assistant found with id '{missing}'."


def test_deleted_objects_are_unknown(world: World) -> None:
    assistant_id, thread_id = world.ids["assistant_id"], world.ids["thread_id"]
    world.ok("DELETE", f"/v1/assistants/{assistant_id}")
    world.ok("DELETE", f"/v1/threads/{thread_id}")
    error = assert_error(world.send("GET", f"/v1/assistants/{assistant_id}"), 404)
    assert error["message"] == f"No assistant found with id '{assistant_id}'."
    error = assert_error(world.send("GET", f"/v1/threads/{thread_id}/messages"), 404)
    assert error["message"] == f"No thread found with id '{thread_id}'."


# -- query parameters ------------------------------------------------------------------------------

# Bad only where the list takes at most 100 items and a `before` cursor: not `GET /files` (up to 10,000, no
# `before`), nor lists of families this file does not know.
BAD_QUERIES_LIMIT_100 = [("limit=101", "limit"), (f"before={'x' * 5}_unknown", "before")]
LIMIT_100_LISTS = frozenset(
    {
        "assistants.list",
        "messages.list",
        "runs.list",
        "runs.steps.list",
        "vector_stores.list",
        "vector_stores.files.list",
        "vector_stores.file_batches.list_files",
    }
)
LIST_QUERY_CASES = [(r, q, p) for r in LIST_ROUTES for q, p in BAD_QUERIES] + [
    (r, q, p) for r in LIST_ROUTES if r.name in LIMIT_100_LISTS for q, p in BAD_QUERIES_LIMIT_100
]


@pytest.mark.parametrize(("route", "query", "param"), LIST_QUERY_CASES, ids=lambda v: param_case_id(v)[:40])
def test_bad_list_query(world: World, route: Route, query: str, param: str) -> None:
    error = assert_error(world.send("GET", world.path(route), query=query))
    if world.knows(route):
        assert error["param"] == param


# -- headers and unknown routes --------------------------------------------------------------------


def body_for(route: Route, world: World) -> bytes:
    return json.dumps(base_body(route, world)).encode() if route.method == "POST" else b""


@pytest.mark.parametrize("route", BETA_REQUIRED, ids=route_id)
@pytest.mark.parametrize("headers", [{}, {"OpenAI-Beta": ""}, {"OpenAI-Beta": "realtime=v1"}], ids=repr)
def test_missing_beta_header(world: World, route: Route, headers: dict[str, str]) -> None:
    response = world.send(route.method, world.path(route), body=body_for(route, world), headers=headers)
    error = assert_error(response, 400)
    assert error["message"] == MISSING_BETA_MESSAGE
    assert (error["code"], error["param"]) == ("invalid_beta", None)


@pytest.mark.parametrize("route", ALL_ROUTES, ids=route_id)
def test_v1_beta_header(world: World, route: Route) -> None:
    headers = {"OpenAI-Beta": "assistants=v1"}
    response = world.send(route.method, world.path(route), body=body_for(route, world), headers=headers)
    error = assert_error(response, 400)
    assert error["message"] == V1_MESSAGE
    assert (error["code"], error["param"]) == ("invalid_beta", None)


V1_ONLY_ROUTES = [r for r in ALL_ROUTES if r.versions == {"v1"}]
V1_ENDPOINT_MESSAGE = (
    "The v1 Assistants API has been deprecated. See the migration guide for more information: "
    "https://platform.openai.com/docs/assistants/migration."
)


def test_there_are_six_v1_only_routes() -> None:
    assert len(V1_ONLY_ROUTES) == 6


@pytest.mark.parametrize("route", V1_ONLY_ROUTES, ids=route_id)
def test_v1_only_route_with_the_v2_header(world: World, route: Route) -> None:
    """ERRORS.md #17: what the real service answered on assistant files after v1 was gone."""
    response = world.send(route.method, world.path(route), body=body_for(route, world))
    error = assert_error(response, 400)
    assert error["message"] == V1_ENDPOINT_MESSAGE
    assert (error["code"], error["param"]) == ("invalid_beta", None)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/nope"),
        ("POST", "/v1/nope"),
        ("GET", "/nope"),
        ("PUT", "/v1/assistants"),
        ("PATCH", "/v1/threads"),
        ("GET", "/v1/assistants/asst_x/extra"),
        ("GET", "/v1"),
        ("DELETE", "/v1/threads"),
    ],
)
def test_unknown_route(world: World, method: str, path: str) -> None:
    error = assert_error(world.send(method, path), 404)
    assert error["message"] == f"Invalid URL ({method} {path})"


def test_unknown_route_exact_wording(world: World) -> None:
    error = assert_error(world.send("GET", "/v1/nope", headers={}), 404)
    assert error == {
        "message": "Invalid URL (GET /v1/nope)",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }



@pytest.mark.parametrize(("method", "path", "api"), [
    ("POST", "/v1/responses", "Responses API"),
    ("POST", "/v1/chat/completions", "Chat Completions API"),
    ("GET", "/v1/models", "Models API"),
    ("POST", "/openai/embeddings", "Embeddings API"),
])
def test_another_openai_api_is_named(world: World, method: str, path: str, api: str) -> None:
    """The service's 404 for an unknown URL, its wording first, then that the fake serves the Assistants API."""
    error = assert_error(world.send(method, path), 404)
    assert error["message"] == (f"Invalid URL ({method} {path}): fake-assistants serves the Assistants API "
                                f"(assistants, threads, messages, runs, files and vector stores), not the {api}.")
    assert (error["type"], error["param"], error["code"]) == ("invalid_request_error", None, None)


@pytest.mark.parametrize(("method", "path"), [("POST", "/assistants"), ("GET", "/threads/thread_abc/runs")])
def test_a_route_without_its_v1_says_where_the_api_is(world: World, method: str, path: str) -> None:
    """A client whose base URL lacks /v1 (`http://127.0.0.1:8000`): the service's 404, then the fix."""
    error = assert_error(world.send(method, path), 404)
    assert error["message"] == (f"Invalid URL ({method} {path}): the API is served under /v1 ({method} /v1{path}): "
                                "give the client a base URL that ends in /v1.")


@pytest.mark.parametrize(("method", "path", "prefix"), [
    ("POST", "/v1/v1/assistants", "/v1"),
    ("GET", "/v1/v1/threads/thread_abc/runs", "/v1"),
    ("GET", "/openai/openai/assistants", "/openai"),
])
def test_a_route_with_its_prefix_twice_says_so(world: World, method: str, path: str, prefix: str) -> None:
    """A client that adds /v1 itself, given a base URL that ends in /v1: the service's 404, then the fix."""
    error = assert_error(world.send(method, path), 404)
    assert error["message"] == (f"Invalid URL ({method} {path}): the path has the API's prefix twice "
                                f"({prefix}{prefix}/...): the client adds {prefix} itself, so give it a base URL "
                                "without it.")


@pytest.mark.parametrize(("path", "prefixes"), [("/openai/v1/assistants", ("/openai", "/v1")),
                                              ("/v1/openai/threads/thread_abc/runs", ("/v1", "/openai"))])
def test_two_different_prefixes_say_either(world: World, path: str, prefixes: tuple[str, str]) -> None:
    first, second = prefixes
    assert assert_error(world.send("GET", path), 404)["message"] == (
        f"Invalid URL (GET {path}): the path has two API prefixes ({first}{second}/...): the API is served under "
        f"either ({first}/... or {second}/...), not both.")


@pytest.mark.parametrize("path", ["/v1/v1/nothing", "/openai/v1/nothing"])
def test_a_doubled_prefix_is_named_only_before_a_route(world: World, path: str) -> None:
    assert assert_error(world.send("GET", path), 404)["message"] == f"Invalid URL (GET {path})"


@pytest.mark.parametrize(("method", "path", "said"), [
    ("POST", "/openai/deployments/gpt-4o/chat/completions",
     "fake-assistants serves the Assistants API (assistants, threads, messages, runs, files and vector stores), "
     "not the Chat Completions API."),
    ("POST", "/openai/deployments/gpt-4o/assistants",
     "the Assistants API's Azure paths have no deployment (POST /openai/assistants)."),
])
def test_azure_deployment_paths_are_named(world: World, method: str, path: str, said: str) -> None:
    assert assert_error(world.send(method, path), 404)["message"] == f"Invalid URL ({method} {path}): {said}"


@pytest.mark.parametrize(("field", "value", "message"), [
    ("max_prompt_tokens", 255, "Invalid 'max_prompt_tokens': integer below minimum value. Expected a value >= 256, "
                               "but got 255 instead."),
    ("max_prompt_tokens", 256, None),
    ("max_completion_tokens", 16, None),  # below the spec's 256: the service took it (ruby-openai, 2024-04)
    ("max_completion_tokens", 0, "Invalid 'max_completion_tokens': integer below minimum value. Expected a value "
                                 ">= 1, but got 0 instead."),
])
def test_the_token_limits_keep_the_spec_where_no_recording_contradicts_it(world: World, field: str, value: int,
                                                                           message: str | None) -> None:
    thread = world.ok("POST", "/v1/threads", {"messages": [{"role": "user", "content": "Hi"}]})["id"]
    body = {"assistant_id": world.ids["assistant_id"], field: value}
    response = world.send("POST", f"/v1/threads/{thread}/runs", body=json.dumps(body).encode())
    if message is None:
        assert world.expect_ok(response)[field] == value
    else:
        assert assert_error(response, 400)["message"] == message


def test_a_message_of_empty_text_is_refused(world: World) -> None:
    """The 2024 v2 spec's `content` took 1 to 256,000 characters; the fake took the upper bound alone."""
    thread = world.ok("POST", "/v1/threads")["id"]
    response = world.send("POST", f"/v1/threads/{thread}/messages", body=b'{"role": "user", "content": ""}')
    error = assert_error(response, 400)
    assert (error["param"], error["code"]) == ("content", "empty_string")
    assert error["message"].startswith("Invalid 'content': empty string.")


def test_the_control_api_under_v1_says_where_it_is(world: World) -> None:
    error = assert_error(world.send("POST", "/v1/__fake__/reset"), 404)
    assert error["message"] == ("Invalid URL (POST /v1/__fake__/reset): a served fake's control API is at "
                                "/__fake__/reset, beside the API, not under it.")


# -- fuzzing the POST bodies ------------------------------------------------------------------------


FREE_FORM = b'{"type":"object","x":'  # an object that takes any JSON value: only the value is under test
# (field, before, after): the fuzzed value goes deep inside a field, between `before` and `after`.
NESTED_SLOTS: list[tuple[str, bytes, bytes]] = [
    ("tools", b'[{"type":"function","function":{"name":"f","parameters":' + FREE_FORM, b"}}}]"),
    ("response_format", b'{"type":"json_schema","json_schema":{"name":"s","schema":' + FREE_FORM, b"}}}"),
    ("metadata", b'{"k":', b"}"),
    ("tool_resources", b'{"code_interpreter":{"file_ids":', b"}}"),
    ("messages", b'[{"role":"user","content":', b"}]"),
    ("messages", b'[{"role":"user","content":[{"type":"text","text":', b"}]}]"),
    ("additional_messages", b'[{"role":"user","content":', b"}]"),
    ("content", b'[{"type":"text","text":', b"}]"),
    ("thread", b'{"messages":[{"role":"user","content":', b"}]}"),
    ("tool_outputs", b'[{"tool_call_id":"call_1","output":', b"}]"),
    ("tool_choice", b'{"type":"function","function":{"name":', b"}}"),
]


def nested_bodies(route: Route, world: World) -> list[Callable[[bytes], bytes]]:
    """One body builder per nested slot whose field this route's body model has."""
    spec = spec_of(route)
    names = set(field_names(spec.model)) if spec else set()
    base = base_body(route, world)

    def builder(name: str, before: bytes, after: bytes) -> Callable[[bytes], bytes]:
        return lambda value: splice(base, name, before + value + after)

    return [builder(name, before, after) for name, before, after in NESTED_SLOTS if name in names]


def fuzz_bodies(route: Route, world: World) -> st.SearchStrategy[bytes]:
    """Arbitrary bytes and JSON; most often a valid body with one field (or nested slot) made nasty."""
    spec = spec_of(route)
    names = field_names(spec.model) if spec else sorted(WRONG_TYPES)
    base = base_body(route, world)
    anything = st.one_of(
        st.binary(max_size=200),
        ANY_VALUE,
        st.dictionaries(st.sampled_from(names) | st.text(max_size=8), ANY_VALUE, max_size=4).map(json_object),
    )
    one_field = st.builds(lambda n, v: splice(base, n, v), st.sampled_from(names), SLOT_VALUES)
    nested = [SLOT_VALUES.map(build) for build in nested_bodies(route, world)]
    return st.one_of(anything, one_field, *nested)


def assert_everything_still_readable(world: World) -> None:
    """Whatever a fuzzed request stored must still serialize: every GET route answers strict JSON."""
    for route in V2_ROUTES:
        if route.method == "GET" and world.knows(route):
            response = world.send("GET", world.path(route))
            if response.status != 200:
                assert_error(response)
            elif response.header("content-type") == "application/json":
                strict_json(body_bytes(response))


@pytest.mark.parametrize("route", POST_ROUTES, ids=route_id)
@FUZZ_SETTINGS
@given(data=st.data())
def test_fuzzed_bodies_never_cause_a_server_error(route: Route, data: st.DataObject) -> None:
    world = build_world()
    raw = data.draw(fuzz_bodies(route, world), label="body")
    response = world.send("POST", world.path(route), body=raw)
    assert response.status == 200 or 400 <= response.status < 500, body_bytes(response)[:300]
    assert_ok_or_error(response)
    assert_everything_still_readable(world)


@pytest.mark.parametrize("route", POST_ROUTES, ids=route_id)
@pytest.mark.parametrize(
    "value",
    [
        *NASTY_TOKENS,
        deep(1000, "array"),
        deep(1000, "object"),
        deep(300, "object"),
        deep(240, "array"),
        b'"' + b"x" * 300_000 + b'"',
    ],
    ids=lambda v: repr(v[:12]) + f"..{len(v)}",
)
def test_pathological_values_in_every_field(world: World, route: Route, value: bytes) -> None:
    spec = spec_of(route)
    names = field_names(spec.model) if spec else ["metadata"]
    for name in names:
        response = world.send("POST", world.path(route), body=splice(base_body(route, world), name, value))
        assert response.status == 200 or 400 <= response.status < 500, (name, body_bytes(response)[:300])
        assert_ok_or_error(response)
    for build in nested_bodies(route, world):
        response = world.send("POST", world.path(route), body=build(value))
        assert response.status == 200 or 400 <= response.status < 500, body_bytes(response)[:300]
        assert_ok_or_error(response)
    response = world.send("POST", world.path(route), body=value)
    assert_ok_or_error(response)
    assert_everything_still_readable(world)


# -- fuzzing the multipart upload ------------------------------------------------------------------

PART_NAMES = st.one_of(
    st.sampled_from(["file", "purpose", "expires_after[anchor]", "expires_after[seconds]"]),
    st.text(max_size=8),
)
PART_VALUES = st.one_of(
    st.sampled_from([b"assistants", b"user_data", b"created_at", b"3600", b"-1", b"9" * 50, b""]),
    st.binary(max_size=40),
)
PART = st.tuples(PART_NAMES, PART_VALUES, st.none() | st.text(max_size=12))
UPLOAD_PARTS = st.builds(  # an upload that is nearly right: a purpose, a file, maybe more
    lambda purpose, data, filename, extra: [("purpose", purpose, None), ("file", data, filename), *extra],
    st.sampled_from([b"assistants", b"user_data", b"vision", b"batch", b"fine-tune", b"nope", b""]),
    st.binary(max_size=40),
    st.none() | st.text(max_size=12),
    st.lists(PART, max_size=2),
)
PARTS = st.one_of(UPLOAD_PARTS, UPLOAD_PARTS, st.lists(PART, max_size=4))
VALID_CONTENT_TYPE = f"multipart/form-data; boundary={MULTIPART_BOUNDARY}"
CONTENT_TYPES = st.sampled_from(
    [
        VALID_CONTENT_TYPE,
        VALID_CONTENT_TYPE,
        VALID_CONTENT_TYPE,
        f'multipart/form-data; boundary="{MULTIPART_BOUNDARY}"',
        "multipart/form-data",
        "multipart/form-data; boundary=",
        "application/json",
        "text/plain; boundary=x",
    ]
)
TAILS = st.one_of(st.just(b""), st.just(b""), st.binary(max_size=20))
CLOSED = st.sampled_from([True, True, True, False])


def multipart_bytes(parts: list[tuple[str, bytes, str | None]], tail: bytes, close: bool) -> bytes:
    out = b""
    for name, value, filename in parts:
        disposition = f'form-data; name="{name}"' + ("" if filename is None else f'; filename="{filename}"')
        out += f"--{MULTIPART_BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + value + b"\r\n"
    return out + (f"--{MULTIPART_BOUNDARY}--\r\n".encode() if close else b"") + tail


@pytest.mark.skipif("files.create" not in ROUTE_NAMES, reason="files are not implemented yet")
@FUZZ_SETTINGS
@given(
    body=st.one_of(st.builds(multipart_bytes, PARTS, TAILS, CLOSED), st.binary(max_size=300)),
    content_type=CONTENT_TYPES,
)
def test_fuzzed_uploads_never_cause_a_server_error(body: bytes, content_type: str) -> None:
    world = build_world()
    response = world.send("POST", "/v1/files", body=body, headers={**BETA, "content-type": content_type})
    assert response.status == 200 or 400 <= response.status < 500, body_bytes(response)[:300]
    assert_ok_or_error(response)
    assert_everything_still_readable(world)
