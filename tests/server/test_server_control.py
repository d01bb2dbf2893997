"""The control API (`/__fake__/...`): JSON over HTTP, for tests written in any language.

Each test drives a served fake over a real socket, as a Go or Node test would: the control API with plain
HTTP requests, the Assistants API with the real SDK.
"""

from __future__ import annotations

import base64
import contextlib
import email.utils
import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import openai
import pytest

from fake_assistants import FakeAssistants, ManualClock
from fake_assistants.server.threaded import ThreadedServer
from fake_assistants.turns import Reply
from server_support import control, raw_request, sdk

START = 1_700_000_000
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n fake image").decode()


@pytest.fixture(scope="module")
def served() -> Iterator[ThreadedServer]:
    with FakeAssistants(seed=0, clock=ManualClock(START)).serve() as running:
        yield running


@pytest.fixture
def server(served: ThreadedServer) -> ThreadedServer:
    """One server for the module, made new through the control API before each test."""
    ok(served, "POST", "reset")
    ok(served, "POST", "clock", {"set": START})
    ok(served, "POST", "progression", {"policy": "immediate"})
    ok(served, "POST", "ingestion/progression", {"policy": "immediate"})
    return served


@pytest.fixture
def client(server: ThreadedServer) -> Iterator[openai.OpenAI]:
    sdk_client = sdk(server.base_url)
    yield sdk_client
    sdk_client.close()


def ok(server: ThreadedServer, method: str, path: str, body: Any = None) -> Any:
    status, data = control(server.address, method, path, body)
    assert status == 200, data
    return data


def error(server: ThreadedServer, method: str, path: str, body: Any = None) -> tuple[int, dict[str, Any]]:
    status, data = control(server.address, method, path, body)
    return status, data["error"]


def new_run(client: openai.OpenAI, **assistant: Any) -> tuple[str, str]:
    """An assistant and a thread with one user message: (assistant id, thread id)."""
    created = client.beta.assistants.create(model="gpt-4o", **assistant)
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "What is 6 times 7?"}])
    return created.id, thread.id


def test_health(server: ThreadedServer) -> None:
    assert ok(server, "GET", "health") == {"status": "ok"}


def test_unknown_control_routes_are_404_naming_the_routes(server: ThreadedServer) -> None:
    status, body = error(server, "GET", "nothing-here")
    assert status == 404
    assert body["message"].startswith("Invalid URL (GET /__fake__/nothing-here): The control API serves /__fake__/, "
                                      "/__fake__/transcript, ")
    assert "/__fake__/runs/{run_id}/advance" in body["message"] and "/page/" not in body["message"]
    assert (body["type"], body["param"], body["code"]) == ("invalid_request_error", None, None)
    assert error(server, "DELETE", "health") == (404, {
        "message": "Invalid URL (DELETE /__fake__/health): /__fake__/health takes GET.",
        "type": "invalid_request_error", "param": None, "code": None})
    assert error(server, "PUT", "script")[1]["message"] == (
        "Invalid URL (PUT /__fake__/script): /__fake__/script takes GET, POST or DELETE.")
    assert error(server, "POST", "run/run_abc/advance")[1]["message"].startswith(
        "Invalid URL (POST /__fake__/run/run_abc/advance): did you mean /__fake__/runs/{run_id}/advance? ")


# -- scripted turns --------------------------------------------------------------------------------------


def test_reply_turns_are_used_in_order(server: ThreadedServer, client: openai.OpenAI) -> None:
    assert ok(server, "POST", "script", {"turns": [{"type": "reply", "text": "42."},
                                                   {"type": "reply", "text": "Still 42."}]}) == {
        "pending": 2, "consumed": 0, "strict": False, "turns": [
            {"action": "Reply(text='42.')", "assistant_id": None, "turn": {"type": "reply", "text": "42."}},
            {"action": "Reply(text='Still 42.')", "assistant_id": None,
             "turn": {"type": "reply", "text": "Still 42."}}]}
    assistant, thread = new_run(client)
    first = client.beta.threads.runs.create_and_poll(thread_id=thread, assistant_id=assistant)
    client.beta.threads.messages.create(thread, role="user", content="Sure?")
    second = client.beta.threads.runs.create_and_poll(thread_id=thread, assistant_id=assistant)
    answers = [m.content[0].text.value for m in client.beta.threads.messages.list(thread, order="asc")  # type: ignore[union-attr]
               if m.role == "assistant"]

    assert (first.status, second.status) == ("completed", "completed")
    assert answers == ["42.", "Still 42."]
    assert ok(server, "GET", "script") == {"pending": 0, "consumed": 2, "strict": False, "turns": []}


def test_turns_for_one_assistant_wait_for_its_runs(server: ThreadedServer, client: openai.OpenAI) -> None:
    assistant, thread = new_run(client)
    other, other_thread = new_run(client)
    ok(server, "POST", "script", {"turns": [{"type": "reply", "text": "for the other one", "assistant_id": other}]})
    mine = client.beta.threads.runs.create_and_poll(thread_id=thread, assistant_id=assistant)
    theirs = client.beta.threads.runs.create_and_poll(thread_id=other_thread, assistant_id=other)
    mine_text = client.beta.threads.messages.list(thread).data[0].content[0].text.value  # type: ignore[union-attr]
    theirs_text = client.beta.threads.messages.list(other_thread).data[0].content[0].text.value  # type: ignore[union-attr]

    assert mine.status == theirs.status == "completed"
    assert mine_text.startswith("This is a deterministic reply")  # unscripted
    assert theirs_text == "for the other one"


def test_say_turn_writes_a_message_before_the_next_turn(server: ThreadedServer, client: openai.OpenAI) -> None:
    ok(server, "POST", "script", {"turns": [{"type": "say", "text": "One moment."}, {"type": "reply", "text": "42."}]})
    assistant, thread = new_run(client)
    run = client.beta.threads.runs.create_and_poll(thread_id=thread, assistant_id=assistant)
    texts = [m.content[0].text.value for m in client.beta.threads.messages.list(thread, order="asc").data
             if m.role == "assistant" and m.content[0].type == "text"]
    assert (run.status, texts) == ("completed", ["One moment.", "42."])


def test_function_calls_then_tool_outputs(server: ThreadedServer, client: openai.OpenAI) -> None:
    ok(server, "POST", "script", {"turns": [
        {"type": "call_functions", "calls": [{"name": "a", "arguments": {"x": 1}}, {"name": "b"}]},
        {"type": "call_function", "name": "c", "arguments": "{\"y\": 2}"},
        {"type": "reply", "text": "done"},
    ]})
    assistant, thread = new_run(client, tools=[{"type": "function", "function": {"name": n}} for n in "abc"])
    run = client.beta.threads.runs.create_and_poll(thread_id=thread, assistant_id=assistant)
    assert run.required_action is not None
    calls = run.required_action.submit_tool_outputs.tool_calls
    assert [(c.function.name, c.function.arguments) for c in calls] == [("a", '{"x":1}'), ("b", "{}")]
    run = client.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run.id, thread_id=thread, tool_outputs=[{"tool_call_id": c.id, "output": "ok"} for c in calls])
    assert run.required_action is not None
    (call,) = run.required_action.submit_tool_outputs.tool_calls
    assert (call.function.name, call.function.arguments) == ("c", '{"y": 2}')
    run = client.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run.id, thread_id=thread, tool_outputs=[{"tool_call_id": call.id, "output": "ok"}])
    assert run.status == "completed"


def test_code_interpreter_turn_with_logs_and_an_image(server: ThreadedServer, client: openai.OpenAI) -> None:
    ok(server, "POST", "script", {"turns": [
        {"type": "code_interpreter", "input": "print(6 * 7)", "logs": "42\n", "images": [PNG]},
        {"type": "reply", "text": "It is 42."},
    ]})
    assistant, thread = new_run(client, tools=[{"type": "code_interpreter"}])
    run = client.beta.threads.runs.create_and_poll(thread_id=thread, assistant_id=assistant)
    steps = client.beta.threads.runs.steps.list(run.id, thread_id=thread, order="asc").data
    details = steps[0].step_details
    assert details.type == "tool_calls"
    code = details.tool_calls[0].code_interpreter  # type: ignore[union-attr]
    image = code.outputs[1].image.file_id  # type: ignore[union-attr]

    assert run.status == "completed"
    assert code.input == "print(6 * 7)"
    assert code.outputs[0].logs == "42\n"  # type: ignore[union-attr]
    assert client.files.content(image).read() == base64.b64decode(PNG)


def test_code_interpreter_turn_with_a_generated_file(server: ThreadedServer, client: openai.OpenAI) -> None:
    """`files` (name -> base64), as `script.code_interpreter(files=...)`: the answer links each file."""
    ok(server, "POST", "script", {"turns": [
        {"type": "code_interpreter", "input": "df.to_csv('data.csv')", "files": {"data.csv": "YSxiCjEsMgo="}},
        {"type": "reply", "text": "Here is [the CSV](sandbox:/mnt/data/data.csv)."},
    ]})
    assistant, thread = new_run(client, tools=[{"type": "code_interpreter"}])
    run = client.beta.threads.runs.create_and_poll(thread_id=thread, assistant_id=assistant)
    answer = client.beta.threads.messages.list(thread).data[0]
    text = answer.content[0].text  # type: ignore[union-attr]
    (link,) = text.annotations

    assert run.status == "completed"
    assert (link.type, link.text) == ("file_path", "sandbox:/mnt/data/data.csv")
    assert client.files.content(link.file_path.file_id).read() == b"a,b\n1,2\n"  # type: ignore[union-attr]
    assert [a.file_id for a in answer.attachments or []] == [link.file_path.file_id]  # type: ignore[union-attr]


def test_file_search_turn_with_fixed_results(server: ThreadedServer, client: openai.OpenAI) -> None:
    uploaded = client.files.create(file=("facts.txt", b"Six times seven is forty-two."), purpose="assistants")
    ok(server, "POST", "script", {"turns": [
        {"type": "file_search", "results": [{"file_id": uploaded.id, "score": 0.9}]},
        {"type": "reply", "text": "The file says 42."},
    ]})
    assistant, thread = new_run(client, tools=[{"type": "file_search"}])
    run = client.beta.threads.runs.create_and_poll(thread_id=thread, assistant_id=assistant)
    step = client.beta.threads.runs.steps.list(
        run.id, thread_id=thread, order="asc", include=["step_details.tool_calls[*].file_search.results[*].content"]
    ).data[0]
    result = step.step_details.tool_calls[0].file_search.results[0]  # type: ignore[union-attr]

    assert run.status == "completed"
    assert (result.file_id, result.file_name, result.score) == (uploaded.id, "facts.txt", 0.9)


@pytest.mark.parametrize(
    ("turn", "status", "detail"),
    [
        ({"type": "fail", "code": "rate_limit_exceeded"}, "failed", "rate_limit_exceeded"),
        ({"type": "fail", "code": "invalid_prompt", "message": "No."}, "failed", "invalid_prompt"),
        ({"type": "incomplete", "reason": "max_prompt_tokens"}, "incomplete", "max_prompt_tokens"),
        ({"type": "break_stream", "text": "It breaks off here", "after_deltas": 1}, "failed", "server_error"),
    ],
)
def test_failing_turns(server: ThreadedServer, client: openai.OpenAI, turn: dict[str, Any], status: str,
                       detail: str) -> None:
    ok(server, "POST", "script", {"turns": [turn]})
    assistant, thread = new_run(client)
    run = client.beta.threads.runs.create_and_poll(thread_id=thread, assistant_id=assistant)

    assert run.status == status
    if status == "failed":
        assert run.last_error is not None and run.last_error.code == detail
    else:
        assert run.incomplete_details is not None and run.incomplete_details.reason == detail


def test_a_broken_stream_ends_with_an_error_event(server: ThreadedServer, client: openai.OpenAI) -> None:
    ok(server, "POST", "script", {"turns": [{"type": "break_stream", "after_deltas": 1, "message": "gone"}]})
    assistant, thread = new_run(client)
    with pytest.raises(openai.APIError, match="gone"), \
            client.beta.threads.runs.stream(thread_id=thread, assistant_id=assistant) as stream:
        stream.until_done()


def test_clearing_the_script(server: ThreadedServer) -> None:
    ok(server, "POST", "script", {"turns": [{"type": "reply", "text": "unused"}]})
    assert ok(server, "DELETE", "script") == {"pending": 0, "consumed": 0, "strict": False, "turns": []}


@pytest.mark.parametrize(
    ("body", "param", "code"),
    [
        ({}, "turns", "missing_required_parameter"),
        ({"turns": []}, "turns", "empty_array"),
        ({"turns": [{"type": "sing"}]}, "turns[0].type", "invalid_value"),
        ({"turns": [{"type": "reply"}]}, "turns[0].text", "missing_required_parameter"),
        ({"turns": [{"type": "reply", "text": "x", "mood": "happy"}]}, "turns[0].mood", "unknown_parameter"),
        ({"turns": [{"type": "fail", "code": "oops"}]}, "turns[0].code", "invalid_value"),
        ({"turns": [{"type": "code_interpreter", "input": "x", "images": ["not base64!"]}]}, "turns[0].images",
         "invalid_value"),
        ({"turns": [{"type": "reply", "text": "x"}, {"type": "code_interpreter", "input": "x",
                                                     "files": {"data.csv": "not base64!"}}]},
         "turns[1].files.data.csv", "invalid_value"),
        ({"turns": [{"type": "reply", "text": "x"}, {"type": "code_interpreter", "input": "x",
                                                     "files": {"": "aGk="}}]}, "turns[1].files", "invalid_value"),
        ({"turns": [{"type": "reply", "text": "x"}, {"type": "call_function", "name": ""}]}, "turns[1].name",
         "empty_string"),
        ({"turns": [{"type": "call_functions", "calls": [{"name": "get_weather"}, {"name": "get weather"}]}]},
         "turns[0].calls[1].name", "invalid_value"),
    ],
)
def test_bad_turns_are_rejected_whole(server: ThreadedServer, body: dict[str, Any], param: str,
                                      code: str) -> None:
    status, problem = error(server, "POST", "script", body)
    assert (status, problem["param"], problem["code"]) == (400, param, code)
    assert ok(server, "GET", "script")["pending"] == 0


@pytest.mark.parametrize(
    ("turn", "message"),
    [
        ({"type": "reply", "content": "Hi"},
         "Missing required parameter: 'turns[0].text'. The object also has 'content', which it does not take."),
        ({"type": "call_function", "function": "f", "args": {}},
         "Missing required parameter: 'turns[0].name'. The object also has 'function', 'args', which it does not "
         "take."),
        ({"type": "reply"}, "Missing required parameter: 'turns[0].text'."),
    ],
)
def test_a_missing_field_names_the_unknown_ones_beside_it(server: ThreadedServer, turn: dict[str, Any],
                                                          message: str) -> None:
    """A field sent under another name is one mistake: the 400 for the missing field names what came instead."""
    status, problem = error(server, "POST", "script", {"turns": [turn]})
    assert (status, problem["message"]) == (400, message)


def test_a_body_that_is_not_json(server: ThreadedServer) -> None:
    status, _, data = raw_request(server.address, "POST", "/__fake__/script", raw=b"{no")
    assert status == 400
    assert b"We could not parse the JSON body of your request." in data


# -- runs: progression and advancing ----------------------------------------------------------------------


def test_manual_progression_and_advance(server: ThreadedServer, client: openai.OpenAI) -> None:
    ok(server, "POST", "progression", {"policy": "manual"})
    assistant, thread = new_run(client)
    run = client.beta.threads.runs.create(thread_id=thread, assistant_id=assistant)
    polled = client.beta.threads.runs.retrieve(run.id, thread_id=thread)
    moves = [ok(server, "POST", f"runs/{run.id}/advance")["status"] for _ in range(2)]

    assert polled.status == "queued"  # nothing moves it but the control API
    assert moves == ["in_progress", "completed"]
    assert client.beta.threads.runs.retrieve(run.id, thread_id=thread).status == "completed"


def test_progression_for_one_run(server: ThreadedServer, client: openai.OpenAI) -> None:
    ok(server, "POST", "progression", {"policy": "manual"})
    assistant, thread = new_run(client)
    run = client.beta.threads.runs.create(thread_id=thread, assistant_id=assistant)
    assert ok(server, "POST", "progression", {"policy": "after_polls", "polls": 1, "run_id": run.id}) == {
        "policy": "after_polls", "polls": 1, "run_id": run.id}
    statuses = [client.beta.threads.runs.retrieve(run.id, thread_id=thread).status for _ in range(2)]
    assert statuses == ["in_progress", "completed"]


def test_the_progression_reads_as_it_is_set(server: ThreadedServer, client: openai.OpenAI) -> None:
    assert ok(server, "GET", "progression") == {"policy": "immediate", "runs": {}}
    ok(server, "POST", "progression", {"policy": "manual"})
    assistant, thread = new_run(client)
    run = client.beta.threads.runs.create(thread_id=thread, assistant_id=assistant)
    ok(server, "POST", "progression", {"policy": "after_seconds", "seconds": 30, "run_id": run.id})

    assert ok(server, "GET", "progression") == {
        "policy": "manual", "runs": {run.id: {"policy": "after_seconds", "seconds": 30}}}
    ok(server, "POST", "reset")  # keeps the policy of every run; the runs are gone
    assert ok(server, "GET", "progression") == {"policy": "manual", "runs": {}}
    assert ok(server, "GET", "ingestion/progression") == {"policy": "immediate"}
    ok(server, "POST", "ingestion/progression", {"policy": "after_polls", "polls": 2})
    assert ok(server, "GET", "ingestion/progression") == {"policy": "after_polls", "polls": 2}


def test_progression_errors(server: ThreadedServer) -> None:
    assert error(server, "POST", "runs/run_nope/advance") == (404, {
        "message": "No run found with id 'run_nope'.", "type": "invalid_request_error", "param": None, "code": None})
    assert error(server, "POST", "progression", {"policy": "manual", "run_id": "run_nope"})[0] == 404
    status, problem = error(server, "POST", "progression", {"policy": "after_polls"})
    assert (status, problem["param"], problem["code"]) == (400, "polls", "missing_required_parameter")
    status, problem = error(server, "POST", "progression", {"policy": "eventually"})
    assert (status, problem["param"], problem["code"]) == (400, "policy", "invalid_value")


# -- vector-store file ingestion -------------------------------------------------------------------------


def test_manual_ingestion_finishes_when_told(server: ThreadedServer, client: openai.OpenAI) -> None:
    assert ok(server, "POST", "ingestion/progression", {"policy": "manual"}) == {"policy": "manual"}
    uploaded = client.files.create(file=("notes.txt", b"Forty-two."), purpose="assistants")
    store = client.vector_stores.create(name="notes")
    attached = client.vector_stores.files.create(vector_store_id=store.id, file_id=uploaded.id)
    waiting = client.vector_stores.files.retrieve(uploaded.id, vector_store_id=store.id).status
    finished = ok(server, "POST", "ingestion/finish", {"vector_store_id": store.id})
    done = client.vector_stores.files.retrieve(uploaded.id, vector_store_id=store.id).status

    assert (attached.status, waiting, finished, done) == ("in_progress", "in_progress", {"finished": 1}, "completed")


def test_finishing_an_unknown_store_or_file_is_a_404(server: ThreadedServer) -> None:
    assert error(server, "POST", "ingestion/finish", {"vector_store_id": "vs_typo"}) == (404, {
        "message": "No vector store found with id 'vs_typo'.", "type": "invalid_request_error", "param": None,
        "code": None})
    status, problem = error(server, "POST", "ingestion/finish", {"file_id": "file-typo"})
    assert (status, problem["message"]) == (404, "No such File object: file-typo")


def test_an_ingestion_failure_rule(server: ThreadedServer, client: openai.OpenAI) -> None:
    rule = ok(server, "POST", "ingestion/failures", {"filename": "*.txt", "code": "invalid_file"})
    uploaded = client.files.create(file=("broken.txt", b"..."), purpose="assistants")
    store = client.vector_stores.create(file_ids=[uploaded.id])
    vs_file = client.vector_stores.files.retrieve(uploaded.id, vector_store_id=store.id)

    assert rule["code"] == "invalid_file"
    assert vs_file.status == "failed"
    assert vs_file.last_error is not None and vs_file.last_error.code == "invalid_file"
    status, problem = error(server, "POST", "ingestion/failures", {"code": "gremlins"})
    assert (status, problem["param"]) == (400, "code")


# -- the clock -------------------------------------------------------------------------------------------


def test_moving_a_manual_clock(server: ThreadedServer, client: openai.OpenAI) -> None:
    assert ok(server, "GET", "clock") == {"now": 1_700_000_000, "manual": True}
    assert ok(server, "POST", "clock", {"advance": 90}) == {"now": 1_700_000_090, "manual": True}
    assert client.beta.threads.create().created_at == 1_700_000_090
    assert ok(server, "POST", "clock", {"set": 1_800_000_000})["now"] == 1_800_000_000


def test_after_seconds_progression_follows_the_clock(server: ThreadedServer, client: openai.OpenAI) -> None:
    ok(server, "POST", "progression", {"policy": "after_seconds", "seconds": 30})
    assistant, thread = new_run(client)
    run = client.beta.threads.runs.create(thread_id=thread, assistant_id=assistant)
    before = client.beta.threads.runs.retrieve(run.id, thread_id=thread).status
    ok(server, "POST", "clock", {"advance": 30})
    after = client.beta.threads.runs.retrieve(run.id, thread_id=thread)
    assert before == "in_progress"  # from the first read, until the clock reaches its outcome
    assert (after.status, after.completed_at) == ("completed", 1_700_000_030)


def test_the_system_clock_cannot_be_moved() -> None:
    with FakeAssistants(seed=0).serve() as server:
        status, problem = error(server, "POST", "clock", {"advance": 5})
        assert ok(server, "GET", "clock")["manual"] is False
    assert status == 400
    assert "--clock manual" in problem["message"]


@pytest.mark.parametrize(
    ("body", "param", "code"),
    [({}, "advance", "missing_required_parameter"), ({"advance": -1}, "advance", "decimal_below_min_value"),
     ({"advance": "soon"}, "advance", "invalid_type")],
)
def test_bad_clock_moves(server: ThreadedServer, body: dict[str, Any], param: str, code: str) -> None:
    status, problem = error(server, "POST", "clock", body)
    assert (status, problem["param"], problem["code"]) == (400, param, code)


# -- reset and state -------------------------------------------------------------------------------------


def test_reset_empties_the_fake_and_restarts_ids(server: ThreadedServer, client: openai.OpenAI) -> None:
    first = client.beta.assistants.create(model="gpt-4o")
    ok(server, "POST", "script", {"turns": [{"type": "reply", "text": "unused"}]})
    ok(server, "POST", "progression", {"policy": "manual"})
    assert ok(server, "POST", "reset") == {"reset": True, "kept": {  # what a test that changed it sets back
        "progression": {"policy": "manual"}, "ingestion_progression": {"policy": "immediate"},
        "clock": ok(server, "GET", "clock"), "strict_script": False}}
    assert client.beta.assistants.list().data == []
    assert ok(server, "GET", "script") == {"pending": 0, "consumed": 0, "strict": False, "turns": []}
    assert client.beta.assistants.create(model="gpt-4o").id == first.id  # same seed, same ids again


def test_dump_and_load_state(server: ThreadedServer, client: openai.OpenAI) -> None:
    assistant, thread = new_run(client)
    client.beta.threads.runs.create_and_poll(thread_id=thread, assistant_id=assistant)
    state = ok(server, "GET", "state")
    ok(server, "POST", "reset")
    counts = ok(server, "PUT", "state", state)
    messages = client.beta.threads.messages.list(thread, order="asc").data
    next_assistant = client.beta.assistants.create(model="gpt-4o")

    assert state["format"] == "fake-assistants-state"
    assert counts == {"assistants": 1, "threads": 1, "messages": 2, "runs": 1, "files": 0, "vector_stores": 0}
    assert [m.role for m in messages] == ["user", "assistant"]
    assert next_assistant.id != assistant  # the id streams went on from where the dump was


def test_loading_a_hand_written_seed(server: ThreadedServer, client: openai.OpenAI) -> None:
    ok(server, "PUT", "state", {"assistants": [{"id": "asst_seeded", "model": "gpt-4o", "name": "Seeded"}]})
    assert client.beta.assistants.retrieve("asst_seeded").name == "Seeded"


def test_a_bad_state_is_refused_and_leaves_the_fake_as_it_was(server: ThreadedServer, client: openai.OpenAI) -> None:
    kept = client.beta.assistants.create(model="gpt-4o")
    status, problem = error(server, "PUT", "state", {"format": "something-else"})
    assert status == 400
    assert problem["message"].startswith("The state could not be loaded: format must be")
    assert [a.id for a in client.beta.assistants.list().data] == [kept.id]


# -- faults ----------------------------------------------------------------------------------------------


def test_an_http_error_fault(server: ThreadedServer, client: openai.OpenAI) -> None:
    fault = ok(server, "POST", "faults", {"kind": "rate_limit", "route": "assistants.create"})
    assert (fault["kind"], fault["route"], fault["remaining"]) == ("http_error", "assistants.create", 1)
    assert ok(server, "GET", "faults")["data"] == [fault]
    client.beta.assistants.list()  # another route: untouched
    with pytest.raises(openai.RateLimitError):
        client.beta.assistants.create(model="gpt-4o")
    assert client.beta.assistants.create(model="gpt-4o").object == "assistant"  # spent
    assert ok(server, "GET", "faults")["data"] == []


def test_a_custom_error_and_clearing_faults(server: ThreadedServer, client: openai.OpenAI) -> None:
    ok(server, "POST", "faults", {"kind": "error", "status": 403, "message": "Not for you.", "count": None})
    for _ in range(2):
        with pytest.raises(openai.PermissionDeniedError, match=r"Not for you\."):
            client.beta.threads.create()
    assert ok(server, "DELETE", "faults") == {"object": "list", "data": []}
    assert client.beta.threads.create().object == "thread"


def test_a_connection_error_fault_drops_the_connection(server: ThreadedServer, client: openai.OpenAI) -> None:
    ok(server, "POST", "faults", {"kind": "connection_error", "route": "threads.create"})
    with pytest.raises(openai.APIConnectionError):
        client.beta.threads.create()
    assert client.beta.threads.create().object == "thread"


def test_a_dropped_connection_sends_no_response_at_all(server: ThreadedServer) -> None:
    """Not even a status line: a client that has seen a response's start may not call it a connection error
    (openai-node did not retry it, or waited for ever)."""
    ok(server, "POST", "faults", {"kind": "connection_error", "route": "threads.create"})
    url = urlsplit(server.base_url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as connection:
        connection.sendall(b"POST /v1/threads HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                           b"Content-Length: 2\r\nOpenAI-Beta: assistants=v2\r\n\r\n{}")
        received = b""
        with contextlib.suppress(ConnectionResetError):
            while chunk := connection.recv(4096):
                received += chunk
    assert received == b""
    assert ok(server, "GET", "calls?route=threads.create")["data"][0]["fault"] == "connection_error"


def test_a_connection_lost_after_handling_drops_the_connection_after_the_work(server: ThreadedServer,
                                                                              client: openai.OpenAI) -> None:
    fault = ok(server, "POST", "faults", {"kind": "connection_error", "route": "threads.create",
                                          "after_handling": True})
    assert fault["after_handling"] is True
    retrying = client.with_options(max_retries=1)

    retrying.beta.threads.create()

    assert len(ok(server, "GET", "state")["threads"]) == 2  # the lost answer's thread and the retry's
    assert [call["fault"] for call in ok(server, "GET", "calls?route=threads.create")["data"]] == [
        "connection_error", None]


def test_a_timeout_fault_is_not_answered(server: ThreadedServer) -> None:
    ok(server, "POST", "faults", {"kind": "timeout"})
    impatient = sdk(server.base_url, timeout=0.2)
    with pytest.raises(openai.APITimeoutError):
        impatient.beta.threads.create()
    assert impatient.beta.threads.create().object == "thread"
    impatient.close()


def test_a_stream_error_fault(server: ThreadedServer, client: openai.OpenAI) -> None:
    ok(server, "POST", "faults", {"kind": "stream_error", "route": "runs.create", "after_events": 2})
    assistant, thread = new_run(client)
    with pytest.raises(openai.APIError), \
            client.beta.threads.runs.stream(thread_id=thread, assistant_id=assistant) as stream:
        stream.until_done()


def test_a_drop_stream_fault_drops_the_connection_and_the_run_goes_on(server: ThreadedServer,
                                                                      client: openai.OpenAI) -> None:
    ok(server, "POST", "faults", {"kind": "drop_stream", "route": "runs.create", "after_events": 3})
    assistant, thread = new_run(client)
    names: list[str] = []
    with pytest.raises(openai.APIConnectionError):  # not the service's `event: error`: the connection is gone
        for event in client.beta.threads.runs.create(thread_id=thread, assistant_id=assistant, stream=True):
            names.append(event.event)

    assert names == ["thread.run.created", "thread.run.queued", "thread.run.in_progress"]
    (run,) = client.beta.threads.runs.list(thread).data
    assert client.beta.threads.runs.poll(run.id, thread_id=thread).status == "completed"
    assert [call["fault"] for call in ok(server, "GET", "calls")["data"] if call["route"] == "runs.create"] == [
        "dropped_stream"]


@pytest.mark.parametrize(
    ("body", "status", "param"),
    [({"kind": "timeout", "status": 500}, 400, "status"), ({"kind": "error"}, 400, "status"),
     ({"kind": "server_error", "status": None}, 400, "status"),
     ({"kind": "drop_stream", "after_events": None}, 400, "after_events"),
     ({"kind": "error", "status": 404, "message": "x", "route": "/v1/assistants"}, 400, "route"),
     ({"kind": "error", "status": 200, "message": "x"}, 400, "status"), ({"kind": "lightning"}, 400, "kind"),
     ({"kind": "timeout", "count": 0}, 400, "count")],
)
def test_bad_faults(server: ThreadedServer, body: dict[str, Any], status: int, param: str | None) -> None:
    got_status, problem = error(server, "POST", "faults", body)
    assert (got_status, problem["param"]) == (status, param)
    assert ok(server, "GET", "faults")["data"] == []


@pytest.mark.parametrize(
    ("body", "param", "message"),
    [({"kind": "error", "status": 404}, "message",
      'a status 404 fault needs a "message" (the error\'s message), as {"kind": "error", "status": 404, '
      '"message": "No assistant found."}'),
     ({"kind": "server_error", "status": 404}, "status",
      'a server error needs a 5xx status, not 404; send "status": 500 (or 502, 503, ...), or use '
      '{"kind": "error", "status": 404, "message": "..."}'),
     ({"kind": "rate_limit", "retry_after": "soon"}, "retry_after",
      '"retry_after" must be whole seconds (an integer) or an HTTP date, as "Wed, 21 Oct 2026 07:28:00 GMT", '
      'not "soon"'),
     ({"kind": "drop_stream", "route": "assistants.create"}, "route",
      "'assistants.create' never answers with an event stream, so this fault could never break one; the routes "
      'that stream are threads.create_and_run, runs.create, runs.submit_tool_outputs (with "stream": true), or '
      'leave "route" out for the next stream of any')],
)
def test_a_bad_fault_is_explained_in_the_json_s_terms(server: ThreadedServer, body: dict[str, Any], param: str,
                                                     message: str) -> None:
    """A client in any language reads what to send (`"status": 500`), not the Python call
    (`fake.faults.error(status=404, message=...)`) the same mistake names in Python."""
    got_status, problem = error(server, "POST", "faults", body)

    assert (got_status, problem["param"], problem["message"]) == (400, param, f"Invalid fault: {message}")
    assert "fake.faults" not in problem["message"] and "=" not in problem["message"]


# -- the call journal ------------------------------------------------------------------------------------


def test_reading_and_clearing_the_journal(server: ThreadedServer, client: openai.OpenAI) -> None:
    assistant, thread = new_run(client)
    with client.beta.threads.runs.stream(thread_id=thread, assistant_id=assistant) as stream:
        stream.until_done()
    calls = ok(server, "GET", "calls")["data"]
    (streamed,) = ok(server, "GET", "calls?route=runs.create")["data"]
    posts = ok(server, "GET", "calls?method=POST&status=200")["data"]

    assert [c["route"] for c in calls] == ["assistants.create", "threads.create", "runs.create"]
    assert calls[0]["body"] == {"model": "gpt-4o"}
    assert calls[0]["response"]["id"] == assistant
    assert calls[0]["request_id"].startswith("req_")
    assert streamed["stream"] is True and streamed["response"] is None
    assert streamed["events"][0]["event"] == "thread.run.created"
    assert streamed["events"][-1] == {"event": "done", "data": "[DONE]"}
    assert len(posts) == 3
    assert ok(server, "DELETE", "calls") == {"object": "list", "data": []}
    assert ok(server, "GET", "calls")["data"] == []


def test_control_calls_are_not_journaled(server: ThreadedServer) -> None:
    ok(server, "GET", "health")
    assert ok(server, "GET", "calls")["data"] == []


def test_a_bad_status_filter(server: ThreadedServer) -> None:
    status, problem = error(server, "GET", "calls?status=ok")
    assert (status, problem["param"], problem["code"]) == (400, "status", "invalid_type")


def test_a_fault_filter_no_call_can_have(server: ThreadedServer) -> None:
    status, problem = error(server, "GET", "calls?fault=rate_limit")
    assert (status, problem["param"], problem["code"]) == (400, "fault", "invalid_value")
    assert "a fault scheduled as 'rate_limit' is recorded as kind 'http_error' with status 429" in problem["message"]


def test_a_served_answer_carries_one_date_the_fakes(server: ThreadedServer, client: openai.OpenAI) -> None:
    """uvicorn's own `date` header is off: the fake's, from its clock, is the only one."""
    response = client.beta.assistants.with_raw_response.list()

    (date,) = response.headers.get_list("date")
    assert date == email.utils.formatdate(START, usegmt=True)
    assert "server" not in response.headers
    # the control API's answers and the server's refusals too
    _, control_headers, _ = raw_request(server.address, "GET", "/__fake__/clock")
    refused, refused_headers, _ = raw_request(server.address, "GET", "/v1/assistants",
                                              headers={"Origin": "http://evil.example"})
    assert refused == 403
    assert control_headers["date"] == refused_headers["date"] == date


def test_check_says_what_went_wrong_that_the_clients_did_not_see(server: ThreadedServer,
                                                                  client: openai.OpenAI) -> None:
    """`fake.check()` over HTTP, for a test runner's afterEach in another language."""
    assert ok(server, "GET", "check") == {"object": "fake.check", "passed": True, "message": None}
    ok(server, "POST", "script", {"turns": [{"type": "call_function", "name": "get_wether", "arguments": {}},
                                            {"type": "reply", "text": "never used"}]})
    ok(server, "POST", "faults", {"kind": "timeout", "route": "files.create"})
    tools = [{"type": "function", "function": {"name": "get_weather"}}]
    assistant = client.beta.assistants.create(model="gpt-4o", tools=tools)  # type: ignore[arg-type]
    run = client.beta.threads.create_and_run_poll(
        assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "hi"}]})
    assert run.status == "failed"  # all the client sees

    checked = ok(server, "GET", "check")
    quiet = ok(server, "GET", "check?unconsumed_script=false&unspent_faults=false")

    assert checked["passed"] is False
    assert "the script calls function 'get_wether', which this run does not declare" in checked["message"]
    assert "Reply(text='never used')" in checked["message"]
    assert "remove them (DELETE /__fake__/script), or leave them out of the check with " \
           "GET /__fake__/check?unconsumed_script=false" in checked["message"]
    assert "GET /__fake__/check?unspent_faults=false" in checked["message"]
    assert quiet["passed"] is False and "never used" not in quiet["message"]  # the mistake has no switch
    status, body = error(server, "GET", "check?unspent_faults=maybe")
    assert (status, body["message"], body["param"]) == (
        400, "Invalid value: 'maybe'. Supported values are: 'true' and 'false'.", "unspent_faults")


def test_a_fault_over_http_can_carry_more_headers(server: ThreadedServer, client: openai.OpenAI) -> None:
    fault = ok(server, "POST", "faults", {"kind": "rate_limit", "route": "threads.create",
                                          "headers": {"x-ratelimit-remaining-requests": "0"}})
    assert fault["headers"] == {"x-ratelimit-remaining-requests": "0"}

    with pytest.raises(openai.RateLimitError) as limited:
        client.beta.threads.create()
    status, refused = error(server, "POST", "faults", {"kind": "timeout", "headers": {"a": "b"}})

    assert limited.value.response.headers["x-ratelimit-remaining-requests"] == "0"
    assert status == 400 and refused["param"] == "headers"
    status, refused = error(server, "POST", "faults", {"kind": "rate_limit", "headers": {"retry-after": "3"}})
    assert (status, refused["param"], refused["message"]) == (
        400, "headers", 'Invalid fault: "headers": "retry-after" is a header the fault sets itself; send its own '
                        'field ("retry_after_ms", "retry_after", "should_retry")')


def test_a_reply_turn_over_http_can_answer_without_a_search(server: ThreadedServer) -> None:
    ok(server, "POST", "script", {"turns": [{"type": "reply", "text": "Hello!", "search": False}]})
    assert ok(server, "GET", "script")["turns"][0]["action"] == "Reply(text='Hello!')"
    assert server.fake.script.pending[0].action == Reply("Hello!", search_first=False)


def test_the_script_lists_each_turn_as_the_json_that_made_it(server: ThreadedServer) -> None:
    posted = [
        {"type": "reply", "text": "Hi", "search": False},
        {"type": "say", "text": "Let me look."},
        {"type": "call_function", "name": "get_weather", "arguments": {"city": "Paris"}},
        {"type": "call_function", "name": "get_weather", "arguments": '{"city": "Par'},
        {"type": "call_functions", "calls": [{"name": "a", "arguments": {}}, {"name": "b", "arguments": {"x": 1}}]},
        {"type": "code_interpreter", "input": "1+1", "logs": "2", "images": [base64.b64encode(b"png").decode()],
         "files": {"out.csv": base64.b64encode(b"a,b").decode()}},
        {"type": "file_search", "query": "q", "results": None},
        {"type": "fail", "code": "rate_limit_exceeded", "message": "Slow down."},
        {"type": "incomplete", "reason": "max_prompt_tokens", "text": None},
        {"type": "break_stream", "text": "Cut", "after_deltas": 2, "message": None},
        {"type": "reply", "text": "Bye", "assistant_id": "asst_x"},
    ]
    ok(server, "POST", "script", {"turns": posted})

    listed = ok(server, "GET", "script")["turns"]

    expected = [{k: v for k, v in turn.items() if k != "assistant_id"} for turn in posted]
    assert [turn["turn"] for turn in listed] == expected
    assert listed[-1]["assistant_id"] == "asst_x"
    server.fake.script.respond_with(lambda context: "made by a function")
    assert ok(server, "GET", "script")["turns"][-1]["turn"] is None
