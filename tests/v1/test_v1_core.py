"""The sans-IO pieces of Assistants v1, one at a time: which version a request asks for (`api_versions`), the
v1 view of v2 wire objects and stream events (`v1_view`), and v1 request bodies rewritten in v2 terms
(`v1_requests`)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from fake_assistants import ApiRequest, FakeAssistants, ManualClock
from fake_assistants.api import request_models as rm
from fake_assistants.api import run_requests as rr
from fake_assistants.api.v1 import requests as v1
from fake_assistants.api.v1 import view as v1_view
from fake_assistants.core.api_versions import (
    BOTH,
    V1_ONLY,
    V2_ONLY,
    ApiVersion,
    check_route_version,
    check_versions,
    requested_version,
)
from fake_assistants.core.errors import ApiError
from fake_assistants.core.types import Burst, Json, Shape, StreamItem

MIGRATION = "https://platform.openai.com/docs/assistants/migration"
MISSING = ("You must provide the 'OpenAI-Beta' header to access the Assistants API. "
           "Please try again by setting the header 'OpenAI-Beta: assistants={}'.")
DEPRECATED = ("The v1 Assistants API has been deprecated. Please try again by setting the header "
              f"'OpenAI-Beta: assistants=v2'. See the migration guide for more information: {MIGRATION}.")
ENDPOINT_DEPRECATED = ("The v1 Assistants API has been deprecated. "
                       f"See the migration guide for more information: {MIGRATION}.")
BOTH_VERSIONS: tuple[ApiVersion, ...] = ("v1", "v2")


# -- api_versions.check_versions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (("v2",), ("v2",)),
        (("v1",), ("v1",)),
        (("v1", "v2"), ("v1", "v2")),
        (["v2", "v1"], ("v1", "v2")),  # always oldest first: the last one is the newest served
        (("v2", "v2"), ("v2",)),
        ("v1,v2", ("v1", "v2")),
        (" v2 , v1 ", ("v1", "v2")),
        ("v1", ("v1",)),
        pytest.param(iter(["v1"]), ("v1",), id="an-iterator"),
    ],
    ids=repr,
)
def test_check_versions(given: Any, expected: tuple[str, ...]) -> None:
    assert check_versions(given) == expected


@pytest.mark.parametrize(("given", "items"), [((), []), ("", [""]), ("v3", ["v3"]), (("v1", "V2"), ["v1", "V2"]),
                                              ("v1,,v2", ["v1", "", "v2"])], ids=repr)
def test_check_versions_refuses(given: Any, items: list[str]) -> None:
    with pytest.raises(ValueError) as caught:
        check_versions(given)
    assert str(caught.value) == f"api_versions must name 'v1' and/or 'v2', got {items!r}"


def test_the_fake_checks_its_option() -> None:
    assert FakeAssistants(api_versions="v2,v1").options.api_versions == BOTH_VERSIONS
    assert FakeAssistants().options.api_versions == ("v2",)
    with pytest.raises(ValueError):
        FakeAssistants(api_versions=("v0",))  # type: ignore[arg-type]


# -- api_versions.requested_version ------------------------------------------------------------------------

SERVED = [
    # (header, versions served, the version asked for)
    ("assistants=v2", ("v2",), "v2"),
    ("assistants=v2", BOTH_VERSIONS, "v2"),
    ("assistants=v1", BOTH_VERSIONS, "v1"),
    ("assistants=v1", ("v1",), "v1"),
    ("assistants=v1, assistants=v2", BOTH_VERSIONS, "v2"),  # both named: the newest served
    ("assistants=v2,assistants=v1", BOTH_VERSIONS, "v2"),
    ("assistants=v1, assistants=v2", ("v2",), "v2"),
    ("assistants=v1, assistants=v2", ("v1",), "v1"),
    ("realtime=v1, assistants=v1", BOTH_VERSIONS, "v1"),
    ("assistants= v1 ", BOTH_VERSIONS, "v1"),
    ("  assistants=v2", ("v2",), "v2"),
    ("assistants=v3, assistants=v1", BOTH_VERSIONS, "v1"),
]


@pytest.mark.parametrize("required", [True, False], ids=["required", "optional"])
@pytest.mark.parametrize(("header", "served", "version"), SERVED, ids=[f"{h!r}-{'+'.join(s)}" for h, s, _ in SERVED])
def test_requested_version(header: str, served: tuple[Any, ...], version: str, required: bool) -> None:
    assert requested_version(header, served, required=required) == version


@pytest.mark.parametrize("served", [("v2",), ("v1",), BOTH_VERSIONS], ids="+".join)
@pytest.mark.parametrize("header", [None, "", "realtime=v1", "assistants"], ids=repr)
def test_no_version_named(header: str | None, served: tuple[Any, ...]) -> None:
    """Optional (the Files API): nothing asked; required: the missing-header error naming the newest served."""
    assert requested_version(header, served, required=False) is None
    with pytest.raises(ApiError) as caught:
        requested_version(header, served, required=True)
    assert_invalid_beta(caught.value, MISSING.format(served[-1]))


REFUSED = [
    # (header, versions served, the error)
    ("assistants=v1", ("v2",), DEPRECATED),  # ERRORS.md #16: v1 after the shutdown
    ("realtime=v1, assistants=v1", ("v2",), DEPRECATED),
    ("assistants=v3", ("v2",), MISSING.format("v2")),
    ("assistants=v3", BOTH_VERSIONS, MISSING.format("v2")),
    ("assistants=v3", ("v1",), MISSING.format("v1")),  # ERRORS.md #15: a v1-era service
    ("assistants=v2", ("v1",), MISSING.format("v1")),
    ("assistants=", ("v2",), MISSING.format("v2")),
    ("assistants=V2", ("v2",), MISSING.format("v2")),
]


@pytest.mark.parametrize("required", [True, False], ids=["required", "optional"])
@pytest.mark.parametrize(("header", "served", "message"), REFUSED, ids=[f"{h!r}-{'+'.join(s)}" for h, s, _ in REFUSED])
def test_refused_versions(header: str, served: tuple[Any, ...], message: str, required: bool) -> None:
    """A version named but not served is refused even where the header is optional."""
    with pytest.raises(ApiError) as caught:
        requested_version(header, served, required=required)
    assert_invalid_beta(caught.value, message)


def assert_invalid_beta(error: ApiError, message: str) -> None:
    assert (error.status, error.message, error.code, error.param) == (400, message, "invalid_beta", None)


# -- api_versions.check_route_version ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "served_by"),
    [(None, BOTH), ("v1", BOTH), ("v2", BOTH), (None, V2_ONLY), ("v2", V2_ONLY), ("v1", V1_ONLY)],
    ids=lambda value: ",".join(sorted(value)) if isinstance(value, frozenset) else repr(value),  # stable order
)
def test_route_served(version: Any, served_by: frozenset[Any]) -> None:
    check_route_version(version, served_by)


@pytest.mark.parametrize(
    ("version", "served_by", "message"),
    [
        ("v1", V2_ONLY, MISSING.format("v2")),  # vector stores, message delete: ask for v2
        ("v2", V1_ONLY, ENDPOINT_DEPRECATED),  # ERRORS.md #17: assistant and message files after v1
        (None, V1_ONLY, ENDPOINT_DEPRECATED),
    ],
    ids=lambda value: ",".join(sorted(value)) if isinstance(value, frozenset) else repr(value)[:40],
)
def test_route_of_the_other_version(version: Any, served_by: frozenset[Any], message: str) -> None:
    with pytest.raises(ApiError) as caught:
        check_route_version(version, served_by)
    assert_invalid_beta(caught.value, message)


# -- objects to view: made through v2 on a fake serving both versions ----------------------------------------


class Objects:
    """A fake serving both versions, and v2 requests straight into its app."""

    def __init__(self, shape: Shape = "recorded") -> None:
        self.fake = FakeAssistants(seed=0, clock=ManualClock(), shape=shape, api_versions=BOTH_VERSIONS)

    @property
    def ctx(self) -> Any:
        return self.fake.ctx

    def v2(self, method: str, path: str, body: Json | None = None) -> Any:
        raw = b"" if body is None else json.dumps(body).encode()
        response = self.fake.handle(ApiRequest.build(method, "/v1" + path, headers={"OpenAI-Beta": "assistants=v2"},
                                                     body=raw))
        data = response.body if isinstance(response.body, bytes) else b"".join(response.body)
        assert response.status == 200, data
        return json.loads(data)


@pytest.fixture(params=["recorded", "schema"])
def objects(request: pytest.FixtureRequest) -> Objects:
    return Objects(request.param)


ASSISTANT_KEYS = ["id", "object", "created_at", "name", "description", "model", "instructions", "tools", "top_p",
                  "temperature", "file_ids", "metadata", "response_format"]


def test_an_assistant(objects: Objects) -> None:
    made = objects.v2("POST", "/assistants", {
        "model": "gpt-4-turbo", "name": "A", "tools": [{"type": "file_search"}, {"type": "code_interpreter"}],
        "metadata": {"k": "v"}, "response_format": {"type": "json_object"}})
    objects.ctx.store.assistant(made["id"]).v1_files.update({"file-b": 5, "file-a": 7})

    shown = v1_view.render(objects.ctx, made)

    assert list(shown) == ASSISTANT_KEYS
    assert shown["tools"] == [{"type": "retrieval"}, {"type": "code_interpreter"}]  # no file_search settings
    assert shown["file_ids"] == ["file-b", "file-a"]  # in link order
    assert {k: shown[k] for k in ("name", "model", "metadata", "response_format")} == {
        "name": "A", "model": "gpt-4-turbo", "metadata": {"k": "v"}, "response_format": {"type": "json_object"}}


def test_an_assistant_no_longer_stored(objects: Objects) -> None:
    made = objects.v2("POST", "/assistants", {"model": "gpt-4-turbo"})
    objects.v2("DELETE", f"/assistants/{made['id']}")
    assert v1_view.render(objects.ctx, made)["file_ids"] == []


def test_a_thread(objects: Objects) -> None:
    made = objects.v2("POST", "/threads", {"tool_resources": {"code_interpreter": {"file_ids": []}},
                                            "metadata": {"k": "v"}})
    assert v1_view.render(objects.ctx, made) == {"id": made["id"], "object": "thread",
                                                 "created_at": made["created_at"], "metadata": {"k": "v"}}


def a_message(objects: Objects, attachments: list[Json] | None = None) -> tuple[Json, Any]:
    thread = objects.v2("POST", "/threads")
    body: Json = {"role": "user", "content": "Hi"}
    if attachments is not None:
        body["attachments"] = attachments
    made = objects.v2("POST", f"/threads/{thread['id']}/messages", body)
    return made, objects.ctx.store.message(thread["id"], made["id"])


def test_a_message_shows_its_attachments_as_file_ids(objects: Objects) -> None:
    files = [upload(objects, name) for name in ("a.txt", "b.txt")]
    made, _ = a_message(objects, [{"file_id": files[0], "tools": [{"type": "code_interpreter"}]},
                                  {"file_id": files[1], "tools": [{"type": "file_search"}]}])

    shown = v1_view.render(objects.ctx, made)

    status = ["status", "incomplete_details", "incomplete_at", "completed_at"] if "status" in made else []
    assert list(shown) == ["id", "object", "created_at", "assistant_id", "thread_id", "run_id", *status, "role",
                           "content", "file_ids", "metadata"]
    assert shown["file_ids"] == files
    assert shown["content"] == made["content"]


def test_message_file_ids() -> None:
    assert v1_view.message_file_ids({"attachments": [{"file_id": "file-a", "tools": []}]}) == ["file-a"]
    assert v1_view.message_file_ids({"attachments": None}) == []
    assert v1_view.message_file_ids({"file_ids": ["file-b"]}) == ["file-b"]  # the recorded modify answer
    assert v1_view.message_file_ids({}) == []


def upload(objects: Objects, name: str) -> str:
    boundary = "b"
    raw = (f'--{boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nassistants\r\n'
           f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
           f"Content-Type: text/plain\r\n\r\nSome text in {name}.\r\n--{boundary}--\r\n").encode()
    headers = {"content-type": f"multipart/form-data; boundary={boundary}"}
    response = objects.fake.handle(ApiRequest.build("POST", "/v1/files", headers=headers, body=raw))
    assert response.status == 200
    return str(json.loads(response.body)["id"])  # type: ignore[arg-type]


def citation(file_id: str, **extra: Any) -> Json:
    return {"type": "file_citation", "text": "\u30100:0\u2020a.txt\u3011", "start_index": 2, "end_index": 13,
            "file_citation": {"file_id": file_id}, **extra}


FILE_PATH = {"type": "file_path", "text": "sandbox:/mnt/data/x.csv", "start_index": 0, "end_index": 5,
             "file_path": {"file_id": "file-out"}}


def test_a_message_citation_carries_its_quote(objects: Objects) -> None:
    made, message = a_message(objects)
    message.quotes = {"file-a": "the cited text"}
    wire = copy.deepcopy(made)
    wire["content"] = [
        {"type": "text", "text": {"value": "x", "annotations": [citation("file-a"), citation("file-z"), FILE_PATH]}},
        {"type": "image_file", "image_file": {"file_id": "file-img"}},
    ]

    shown = v1_view.render(objects.ctx, wire)

    first, second, path = shown["content"][0]["text"]["annotations"]
    assert first == citation("file-a") | {"file_citation": {"file_id": "file-a", "quote": "the cited text"}}
    assert second["file_citation"] == {"file_id": "file-z", "quote": ""}  # quote is required in v1
    assert path == FILE_PATH
    assert shown["content"][1] == wire["content"][1]
    assert wire["content"][0]["text"]["annotations"][0] == citation("file-a")  # the input is not changed


def run_wire(objects: Objects) -> tuple[Json, Any]:
    assistant = objects.v2("POST", "/assistants", {"model": "gpt-4-turbo", "tools": [{"type": "file_search"}]})
    thread = objects.v2("POST", "/threads", {"messages": [{"role": "user", "content": "Hi"}]})
    made = objects.v2("POST", f"/threads/{thread['id']}/runs", {
        "assistant_id": assistant["id"], "tool_choice": {"type": "file_search"}})
    return made, objects.ctx.store.find_run(thread["id"], made["id"])


def test_a_run(objects: Objects) -> None:
    made, run = run_wire(objects)
    run.file_ids = ["file-a", "file-b"]
    wire = {**made, "status": "incomplete", "incomplete_details": {"reason": "max_completion_tokens"},
            "usage": {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7,
                      "prompt_token_details": {"cached_tokens": 0}}}

    shown = v1_view.render(objects.ctx, wire)

    assert list(shown) == list(v1_view._RUN_KEYS)
    assert shown["status"] == "completed"  # v1 had no `incomplete` status
    assert shown["incomplete_details"] == {"reason": "max_completion_tokens"}
    assert shown["tools"] == [{"type": "retrieval"}]
    assert shown["tool_choice"] == {"type": "retrieval"}
    assert shown["file_ids"] == ["file-a", "file-b"]
    assert shown["usage"] == {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}
    assert not {"tool_resources", "parallel_tool_calls", "reasoning_effort"} & set(shown)


@pytest.mark.parametrize("status", ["queued", "in_progress", "requires_action", "cancelling", "cancelled", "failed",
                                    "completed", "expired"])
def test_v1_run_statuses_are_kept(objects: Objects, status: str) -> None:
    made, _ = run_wire(objects)
    assert v1_view.render(objects.ctx, {**made, "status": status})["status"] == status


@pytest.mark.parametrize("choice", ["auto", "none", {"type": "code_interpreter"},
                                    {"type": "function", "function": {"name": "f"}}], ids=str)
def test_other_tool_choices_are_kept(objects: Objects, choice: Any) -> None:
    made, _ = run_wire(objects)
    assert v1_view.render(objects.ctx, {**made, "tool_choice": choice})["tool_choice"] == choice


def test_a_run_no_longer_stored(objects: Objects) -> None:
    made, _ = run_wire(objects)
    assert v1_view.render(objects.ctx, {**made, "id": "run_gone"})["file_ids"] == []


FILE_SEARCH_CALL = {"id": "call_s", "type": "file_search",
                    "file_search": {"ranking_options": {"ranker": "auto", "score_threshold": 0.0},
                                    "results": [{"file_id": "file-a", "file_name": "a.txt", "score": 1.0}]}}
CODE_CALL = {"id": "call_c", "type": "code_interpreter", "code_interpreter": {"input": "1+1", "outputs": []}}
FUNCTION_CALL = {"id": "call_f", "type": "function", "function": {"name": "f", "arguments": "{}", "output": None}}


def step(details: Json, usage: Json | None) -> Json:
    return {"id": "step_1", "object": "thread.run.step", "created_at": 1, "run_id": "run_1", "assistant_id": "asst_1",
            "thread_id": "thread_1", "type": details["type"], "status": "completed", "cancelled_at": None,
            "completed_at": 2, "expires_at": None, "failed_at": None, "last_error": None, "step_details": details,
            "usage": usage}


def test_a_file_search_step_is_a_retrieval_step(objects: Objects) -> None:
    usage = {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3, "prompt_token_details": {}}
    wire = step({"type": "tool_calls", "tool_calls": [FILE_SEARCH_CALL, CODE_CALL, FUNCTION_CALL]}, usage)

    shown = v1_view.render(objects.ctx, wire)

    assert shown["step_details"]["tool_calls"] == [
        {"id": "call_s", "type": "retrieval", "retrieval": {}}, CODE_CALL, FUNCTION_CALL]
    assert shown["usage"] == {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}
    assert {k: v for k, v in shown.items() if k not in ("step_details", "usage")} == {
        k: v for k, v in wire.items() if k not in ("step_details", "usage")}
    assert wire["step_details"]["tool_calls"][0] == FILE_SEARCH_CALL


def test_a_message_creation_step(objects: Objects) -> None:
    wire = step({"type": "message_creation", "message_creation": {"message_id": "msg_1"}}, None)
    assert v1_view.render(objects.ctx, wire) == wire


def test_a_list_shows_each_item(objects: Objects) -> None:
    made, _ = run_wire(objects)
    listed = objects.v2("GET", f"/threads/{made['thread_id']}/runs")

    shown = v1_view.render(objects.ctx, listed)

    assert shown["data"] == [v1_view.render(objects.ctx, item) for item in listed["data"]]
    assert shown["data"][0]["tools"] == [{"type": "retrieval"}]
    assert {k: v for k, v in shown.items() if k != "data"} == {k: v for k, v in listed.items() if k != "data"}


@pytest.mark.parametrize(
    "body",
    [
        {"id": "asst_1", "object": "assistant.deleted", "deleted": True},
        {"id": "thread_1", "object": "thread.deleted", "deleted": True},
        {"id": "file-1", "object": "file", "bytes": 3, "created_at": 1, "filename": "a.txt", "purpose": "assistants"},
        {"id": "vs_1", "object": "vector_store"},
        {"object": "list", "data": [], "first_id": None, "last_id": None, "has_more": False},
        {"error": {"message": "x", "type": "invalid_request_error", "param": None, "code": None}},
    ],
    ids=lambda b: str(b.get("object", "error")),
)
def test_other_objects_are_unchanged(objects: Objects, body: Json) -> None:
    assert v1_view.render(objects.ctx, body) == body


# -- v1_view: deltas and streams ---------------------------------------------------------------------------


def step_delta(call: Json) -> Json:
    return {"id": "step_1", "object": "thread.run.step.delta",
            "delta": {"step_details": {"type": "tool_calls", "tool_calls": [call]}}}


def test_a_file_search_step_delta_is_a_retrieval_delta(objects: Objects) -> None:
    delta = step_delta({"index": 0, "id": "call_s", "type": "file_search",
                        "file_search": {"ranking_options": {}, "results": []}})
    shown = v1_view.render(objects.ctx, delta)
    assert shown["delta"]["step_details"]["tool_calls"] == [
        {"index": 0, "id": "call_s", "type": "retrieval", "retrieval": {}}]


@pytest.mark.parametrize(
    "delta",
    [
        step_delta({"index": 0, "id": "call_c", "type": "code_interpreter", "code_interpreter": {"input": "1"}}),
        {"id": "step_1", "object": "thread.run.step.delta", "delta": {}},
        {"id": "step_1", "object": "thread.run.step.delta",
         "delta": {"step_details": {"type": "message_creation", "message_creation": {"message_id": "msg_1"}}}},
    ],
    ids=["code_interpreter", "empty", "message_creation"],
)
def test_other_step_deltas_are_unchanged(objects: Objects, delta: Json) -> None:
    assert v1_view.render(objects.ctx, delta) == delta


def message_delta(message_id: str, *annotations: Json) -> Json:
    text: Json = {"value": "x"}
    if annotations:
        text["annotations"] = [{"index": n, **a} for n, a in enumerate(annotations)]
    return {"id": message_id, "object": "thread.message.delta",
            "delta": {"content": [{"index": 0, "type": "text", "text": text}]}}


def test_message_delta_quotes() -> None:
    delta = message_delta("msg_1", citation("file-a"), FILE_PATH)
    shown = v1_view.message_delta(delta, {"file-a": "quoted"})
    first, second = shown["delta"]["content"][0]["text"]["annotations"]
    assert first["file_citation"] == {"file_id": "file-a", "quote": "quoted"}
    assert second == {"index": 1, **FILE_PATH}
    plain = message_delta("msg_1")
    assert v1_view.message_delta(plain, {"file-a": "quoted"}) == plain
    no_content: Json = {"id": "msg_1", "object": "thread.message.delta", "delta": {"role": "assistant"}}
    assert v1_view.message_delta(no_content, {}) == no_content


def test_stream_events(objects: Objects) -> None:
    made, message = a_message(objects)
    message.quotes = {"file-a": "quoted text"}
    run, _ = run_wire(objects)
    incomplete = {**run, "status": "incomplete", "incomplete_details": {"reason": "max_prompt_tokens"}}
    error = {"error": {"message": "boom", "type": "server_error", "param": None, "code": None}}
    search = {"index": 0, "id": "call_s", "type": "file_search", "file_search": {}}
    stream = [
        ("thread.run.created", run),
        ("thread.message.delta", message_delta(made["id"], citation("file-a"))),  # before it is created: no quote
        ("thread.message.created", made),
        ("thread.message.delta", message_delta(made["id"], citation("file-a"))),
        ("thread.run.step.delta", step_delta(search)),
        ("thread.run.incomplete", incomplete),
        ("error", error),
        ("done", "[DONE]"),
    ]

    shown = list(v1_view.events(objects.ctx, iter(stream)))

    assert [name for name, _ in shown] == [
        "thread.run.created", "thread.message.delta", "thread.message.created", "thread.message.delta",
        "thread.run.step.delta", "thread.run.completed", "error", "done"]
    assert shown[0][1] == v1_view.render(objects.ctx, run)
    assert shown[1][1]["delta"]["content"][0]["text"]["annotations"][0]["file_citation"]["quote"] == ""
    assert shown[2][1] == v1_view.render(objects.ctx, made)
    assert shown[3][1]["delta"]["content"][0]["text"]["annotations"][0]["file_citation"] == {
        "file_id": "file-a", "quote": "quoted text"}
    assert shown[4][1]["delta"]["step_details"]["tool_calls"] == [
        {"index": 0, "id": "call_s", "type": "retrieval", "retrieval": {}}]
    assert (shown[5][1]["status"], shown[5][1]["incomplete_details"]) == ("completed", {"reason": "max_prompt_tokens"})
    assert shown[6:] == [("error", error), ("done", "[DONE]")]


def test_a_burst_of_deltas_is_shown_delta_by_delta(objects: Objects) -> None:
    made, message = a_message(objects)
    message.quotes = {"file-a": "quoted text"}
    texts = ({"value": "x"}, {"value": "y", "annotations": [{"index": 0, **citation("file-a")}]})
    burst = Burst(made["id"], 0, texts)
    stream: list[StreamItem] = [("thread.message.created", made), burst]

    shown = list(v1_view.events(objects.ctx, iter(stream)))

    assert shown == list(v1_view.events(objects.ctx, iter([("thread.message.created", made), *burst.events])))
    assert [name for name, _ in shown] == ["thread.message.created", "thread.message.delta", "thread.message.delta"]
    assert shown[2][1]["delta"]["content"][0]["text"]["annotations"][0]["file_citation"] == {
        "file_id": "file-a", "quote": "quoted text"}


def test_events_are_lazy(objects: Objects) -> None:
    """The view pulls one event at a time, as the engine makes them."""
    pulled: list[str] = []

    def source() -> Any:
        for name in ("thread.run.created", "thread.run.queued"):
            pulled.append(name)
            yield name, {"object": "other"}

    shown = v1_view.events(objects.ctx, source())
    assert next(shown)[0] == "thread.run.created"
    assert pulled == ["thread.run.created"]


# -- v1_requests: v1 bodies in v2 terms -----------------------------------------------------------------------

BOTH_TOOLS = [{"type": "code_interpreter"}, {"type": "file_search"}]
FUNCTION = {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}


def test_v2_tools() -> None:
    assert v1.v2_tools([{"type": "retrieval"}, {"type": "code_interpreter"}, FUNCTION]) == [
        {"type": "file_search"}, {"type": "code_interpreter"}, FUNCTION]
    assert v1.v2_tools([]) == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"role": "user", "content": "Hi", "file_ids": ["file-a", "file-b"], "metadata": {"k": "v"}},
         {"role": "user", "content": "Hi", "metadata": {"k": "v"}, "attachments": [
             {"file_id": "file-a", "tools": BOTH_TOOLS}, {"file_id": "file-b", "tools": BOTH_TOOLS}]}),
        ({"role": "user", "content": "Hi", "file_ids": []}, {"role": "user", "content": "Hi"}),
        ({"role": "assistant", "content": "Hi"}, {"role": "assistant", "content": "Hi"}),
    ],
    ids=["files", "no files", "no file_ids"],
)
def test_v2_message(body: Json, expected: Json) -> None:
    before = copy.deepcopy(body)
    assert v1.v2_message(body) == expected
    assert body == before


def test_v2_thread() -> None:
    body = {"messages": [{"role": "user", "content": "Hi", "file_ids": ["file-a"]}], "metadata": {"k": "v"}}
    assert v1.v2_thread(body) == {"messages": [{"role": "user", "content": "Hi", "attachments": [
        {"file_id": "file-a", "tools": BOTH_TOOLS}]}], "metadata": {"k": "v"}}
    assert v1.v2_thread({}) == {}
    assert v1.v2_thread({"messages": []}) == {"messages": []}


def test_v2_assistant() -> None:
    body = {"model": "gpt-4-turbo", "tools": [{"type": "retrieval"}], "file_ids": ["file-a"], "response_format": "none",
            "name": "A"}
    before = copy.deepcopy(body)
    assert v1.v2_assistant(body) == {"model": "gpt-4-turbo", "tools": [{"type": "file_search"}],
                                     "response_format": "auto", "name": "A"}
    assert body == before
    assert v1.v2_assistant({"file_ids": [], "response_format": {"type": "json_object"}}) == {
        "response_format": {"type": "json_object"}}


@pytest.mark.parametrize(
    ("choice", "expected"),
    [({"type": "retrieval"}, {"type": "file_search"}), ({"type": "code_interpreter"}, {"type": "code_interpreter"}),
     ({"type": "function", "function": {"name": "f"}}, {"type": "function", "function": {"name": "f"}}),
     ("none", "none"), ("auto", "auto")],
    ids=str,
)
def test_v2_run_tool_choice(choice: Any, expected: Any) -> None:
    assert v1.v2_run({"assistant_id": "asst_1", "tool_choice": choice})["tool_choice"] == expected


FORMATS = [("none", "auto"), ("auto", "auto"), ({"type": "text"}, {"type": "text"}),
           ({"type": "json_object"}, {"type": "json_object"})]


@pytest.mark.parametrize(("value", "expected"), FORMATS, ids=str)
def test_v2_run_response_format(value: Any, expected: Any) -> None:
    """v1's "none" meant no particular format: v2's default, "auto"."""
    assert v1.v2_run({"assistant_id": "asst_1", "response_format": value})["response_format"] == expected


def test_v2_run_messages_and_thread() -> None:
    body = {
        "assistant_id": "asst_1", "tools": [{"type": "retrieval"}, FUNCTION],
        "additional_messages": [{"role": "user", "content": "Hi", "file_ids": ["file-a"]}],
        "thread": {"messages": [{"role": "user", "content": "Yo", "file_ids": ["file-b"]}]},
    }
    before = copy.deepcopy(body)
    assert v1.v2_run(body) == {
        "assistant_id": "asst_1", "tools": [{"type": "file_search"}, FUNCTION],
        "additional_messages": [{"role": "user", "content": "Hi", "attachments": [
            {"file_id": "file-a", "tools": BOTH_TOOLS}]}],
        "thread": {"messages": [{"role": "user", "content": "Yo", "attachments": [
            {"file_id": "file-b", "tools": BOTH_TOOLS}]}]},
    }
    assert body == before


FULL_MESSAGE = {"role": "user", "content": "Hi", "file_ids": ["file-a"], "metadata": {"k": "v"}}
FULL_RUN = {
    "assistant_id": "asst_1", "model": "gpt-4-turbo", "instructions": "Be brief.",
    "tools": [{"type": "retrieval"}, {"type": "code_interpreter"}, FUNCTION], "metadata": {"k": "v"},
    "temperature": 0.5, "top_p": 0.9, "stream": False, "max_prompt_tokens": 500, "max_completion_tokens": 100,
    "truncation_strategy": {"type": "last_messages", "last_messages": 3}, "tool_choice": {"type": "retrieval"},
    "response_format": "none",
}
REWRITES: list[tuple[type[Any], Any, type[Any], Json]] = [
    (v1.CreateAssistant, v1.v2_assistant, rm.CreateAssistant, {
        "model": "gpt-4-turbo", "name": "A", "description": "d", "instructions": "i",
        "tools": [{"type": "retrieval"}, {"type": "code_interpreter"}, FUNCTION], "file_ids": ["file-a"],
        "metadata": {"k": "v"}, "temperature": 1, "top_p": 1, "response_format": "none"}),
    (v1.ModifyAssistant, v1.v2_assistant, rm.ModifyAssistant, {
        "tools": [{"type": "retrieval"}], "file_ids": [], "response_format": {"type": "json_object"}}),
    (v1.CreateMessage, v1.v2_message, rm.CreateMessage, FULL_MESSAGE),
    (v1.CreateThread, v1.v2_thread, rm.CreateThread, {"messages": [FULL_MESSAGE], "metadata": {"k": "v"}}),
    (v1.CreateRun, v1.v2_run, rr.CreateRun, {
        **FULL_RUN, "additional_instructions": "More.", "additional_messages": [FULL_MESSAGE]}),
    (v1.CreateThreadAndRun, v1.v2_run, rr.CreateThreadAndRun, {
        **FULL_RUN, "thread": {"messages": [FULL_MESSAGE], "metadata": {"k": "v"}}}),
]


@pytest.mark.parametrize(("v1_model", "rewrite", "v2_model", "body"), REWRITES, ids=[r[0].__name__ for r in REWRITES])
def test_every_v1_field_rewritten_is_a_valid_v2_body(v1_model: Any, rewrite: Any, v2_model: Any, body: Json) -> None:
    """A valid v1 body, rewritten, is a valid v2 body (so the v2 handlers never refuse what v1 accepted)."""
    v1_model.model_validate(body)
    rewritten = rewrite(body)
    v2_model.model_validate(rewritten)
    assert "file_ids" not in json.dumps(rewritten)
    assert "retrieval" not in json.dumps(rewritten)
