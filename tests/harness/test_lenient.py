"""Lenient mode: unknown ids are created on first use, as placeholder-id suites (the SDKs' generated tests) need.

The SDK calls below are the kinds the openai-python generated suite makes, with its placeholder ids; each runs
in every cell of the matrix (sync | async) x (httpx | httpx2) with strict response validation.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import openai
import pytest

from fake_assistants import ApiRequest, FakeAssistants
from fake_assistants.progression import after_polls
from sdk_matrix import START, Sdk, Variant, new_fake, open_sdk
from stream_support import events_of


@pytest.fixture
def lenient_fake() -> FakeAssistants:
    return new_fake(lenient=True)


@pytest.fixture
async def lenient(lenient_fake: FakeAssistants, variant: Variant) -> AsyncIterator[Sdk]:
    async with open_sdk(lenient_fake, variant) as sdk:
        yield sdk


async def test_placeholder_ids_are_created_on_first_use(lenient: Sdk) -> None:
    assistant = await lenient.beta.assistants.retrieve("assistant_id")
    message = await lenient.beta.threads.messages.retrieve("message_id", thread_id="thread_id")
    step = await lenient.beta.threads.runs.steps.retrieve("step_id", thread_id="thread_id", run_id="run_id")
    vs_file = await lenient.vector_stores.files.retrieve("file-abc123", vector_store_id="vs_abc123")
    batch = await lenient.vector_stores.file_batches.retrieve("batch_id", vector_store_id="vector_store_id")
    stored = await lenient.files.retrieve("file_id")

    assert (assistant.id, assistant.model, assistant.created_at) == ("assistant_id", "gpt-4o", START)
    assert (message.id, message.thread_id, message.role) == ("message_id", "thread_id", "user")
    assert (step.id, step.run_id, step.status) == ("step_id", "run_id", "completed")
    run = await lenient.beta.threads.runs.retrieve("run_id", thread_id="thread_id")
    assert (run.status, step.assistant_id) == ("completed", run.assistant_id)
    assert (vs_file.id, vs_file.vector_store_id, vs_file.status) == ("file-abc123", "vs_abc123", "completed")
    assert (batch.id, batch.vector_store_id, batch.status) == ("batch_id", "vector_store_id", "completed")
    assert (stored.id, stored.filename, stored.bytes) == ("file_id", "file_id.txt", 0)


async def test_stand_ins_are_ordinary_objects_afterwards(lenient: Sdk) -> None:
    await lenient.beta.threads.update("thread_id", metadata={"seen": "yes"})
    await lenient.beta.threads.messages.create("thread_id", role="user", content="Hello")

    assert (await lenient.beta.threads.retrieve("thread_id")).metadata == {"seen": "yes"}
    assert [m.content[0].text.value for m in (await lenient.beta.threads.messages.list("thread_id")).data] == ["Hello"]
    assert (await lenient.beta.threads.delete("thread_id")).deleted
    assert (await lenient.beta.threads.retrieve("thread_id")).metadata == {}  # made again: a new stand-in


async def test_ids_in_bodies_are_created_too(lenient: Sdk) -> None:
    run = await lenient.beta.threads.runs.create(thread_id="thread_id", assistant_id="assistant_id")
    store = await lenient.vector_stores.create(file_ids=["file-abc123"])
    batch = await lenient.vector_stores.file_batches.create("vs_abc123", file_ids=["string"])

    assert (run.assistant_id, run.instructions) == ("assistant_id", "You are a helpful assistant.")
    assert store.file_counts.total == 1
    assert batch.file_counts.total == 1
    assert (await lenient.files.retrieve("string")).id == "string"


async def test_runs_on_one_placeholder_thread_follow_each_other(lenient: Sdk) -> None:
    for _ in range(3):
        run = await lenient.beta.threads.runs.create(thread_id="thread_id", assistant_id="assistant_id")
        await lenient.beta.threads.messages.create("thread_id", role="user", content="next")  # a write moves it

    runs = (await lenient.beta.threads.runs.list("thread_id")).data
    assert [r.status for r in runs] == ["completed"] * 3
    assert runs[0].id == run.id


async def test_a_write_takes_the_run_back_from_a_stream_still_reading_it(lenient: Sdk) -> None:
    stream = await lenient.beta.threads.runs.create(thread_id="thread_id", assistant_id="assistant_id", stream=True)
    events: Any = stream.__aiter__() if hasattr(stream, "__aiter__") else iter(stream)
    first = await events.__anext__() if hasattr(events, "__anext__") else next(events)

    second = await lenient.beta.threads.runs.create(thread_id="thread_id", assistant_id="assistant_id")
    rest = [e.event async for e in events] if hasattr(events, "__anext__") else [e.event for e in events]

    assert (first.event, rest) == ("thread.run.created", ["thread.run.queued"])  # then `done`: the run moved on
    runs = (await lenient.beta.threads.runs.list("thread_id")).data
    assert [(r.id, r.status) for r in runs] == [(second.id, "completed"), (first.data.id, "completed")]


@pytest.mark.parametrize("progression", ["manual", "after_polls"])
async def test_a_write_mid_stream_ends_the_stream_where_the_run_got_to(
        lenient_fake: FakeAssistants, lenient: Sdk, progression: str) -> None:
    """Under a policy that does not finish the run on the write, the stream still just ends (it used to go on
    reading the run it no longer held, and failed on the events it made for nobody)."""
    lenient_fake.set_progression("manual" if progression == "manual" else after_polls(5))
    lenient_fake.script.reply("word " * 200)
    stream = await lenient.beta.threads.runs.create(thread_id="thread_id", assistant_id="assistant_id", stream=True)
    names: list[str] = []
    async for event in events_of(stream):
        names.append(event.event)
        if names.count("thread.message.delta") == 2:
            await lenient.beta.threads.update("thread_id", metadata={"k": "v"})

    assert names[-1] == "thread.message.delta"  # the rest of the burst it was in, then `done`
    run = lenient_fake.store.find_run("thread_id", str(lenient_fake.store.active_runs["thread_id"]))
    assert run is not None and run.status == "in_progress"
    assert lenient_fake.advance(run.id) == "completed"


async def test_a_stand_in_run_takes_the_state_a_request_needs(lenient: Sdk) -> None:
    for _ in range(2):
        cancelled = await lenient.beta.threads.runs.cancel("run_id", thread_id="thread_id")
        assert (cancelled.id, cancelled.status) == ("run_id", "cancelling")
    for outputs in ([{}], [{}], [{"tool_call_id": "call_1", "output": "42"}]):
        submitted = await lenient.beta.threads.runs.submit_tool_outputs(
            "run_id", thread_id="thread_id", tool_outputs=outputs)  # type: ignore[arg-type]
        assert (submitted.id, submitted.status) == ("run_id", "queued")

    assert (await lenient.beta.threads.runs.retrieve("run_id", thread_id="thread_id")).status == "completed"


async def test_runs_the_fake_made_keep_their_history(lenient: Sdk) -> None:
    run = await lenient.beta.threads.runs.create_and_poll(thread_id="thread_id", assistant_id="assistant_id")

    with pytest.raises(openai.BadRequestError, match="Cannot cancel run with status 'completed'"):
        await lenient.beta.threads.runs.cancel(run.id, thread_id="thread_id")
    with pytest.raises(openai.BadRequestError, match='Runs in status "completed" do not accept tool outputs'):
        await lenient.beta.threads.runs.submit_tool_outputs(run.id, thread_id="thread_id", tool_outputs=[{}])


async def test_lists_ignore_unknown_cursors_and_a_zero_limit(lenient: Sdk) -> None:
    first = await lenient.beta.assistants.create(model="gpt-4o")
    second = await lenient.beta.assistants.create(model="gpt-4o")

    page = await lenient.beta.assistants.list(after="after", before="before", limit=0, order="asc")
    assert [a.id for a in page.data] == [first.id]
    assert [a.id for a in (await lenient.beta.assistants.list(after=first.id, order="asc")).data] == [second.id]
    steps = await lenient.beta.threads.runs.steps.list("run_id", thread_id="thread_id", after="after", limit=0)
    assert steps.data == []


async def test_file_batches_with_both_or_neither_file_lists(lenient: Sdk) -> None:
    both = await lenient.vector_stores.file_batches.create(
        "vs_abc123", file_ids=["file-a"], extra_body={"files": [{"file_id": "file-b", "attributes": {"k": "v"}}]})
    neither = await lenient.vector_stores.file_batches.create("vs_abc123")

    assert both.file_counts.total == 2
    assert (neither.file_counts.total, neither.status) == (0, "completed")
    files = await lenient.vector_stores.file_batches.list_files(both.id, vector_store_id="vs_abc123")
    assert sorted(f.id for f in files.data) == ["file-a", "file-b"]


async def test_stand_in_files_can_be_downloaded(lenient: Sdk) -> None:
    content = await lenient.files.content("file-abc123")

    assert content.content == b""


# -- the strictness the modes keep -----------------------------------------------------------------------


def get(fake: FakeAssistants, path: str) -> tuple[int, dict[str, Any]]:
    route, _, query = path.partition("?")
    response = fake.handle(ApiRequest.build("GET", route, query=query, headers={"OpenAI-Beta": "assistants=v2"}))
    assert isinstance(response.body, bytes)
    return response.status, json.loads(response.body)


def test_prefixed_mode_creates_only_ids_with_the_real_prefix() -> None:
    fake = FakeAssistants(lenient="prefixed")

    assert get(fake, "/v1/assistants/asst_abc123")[1]["id"] == "asst_abc123"
    status, body = get(fake, "/v1/assistants/assistant_id")
    assert status == 400
    assert body["error"]["message"] == "Invalid 'assistant_id': 'assistant_id'. Expected an ID that begins with 'asst'."
    assert get(fake, "/v1/files/file-abc123")[0] == 200
    assert get(fake, "/v1/files/file_id")[1] == {"error": {"message": "No such File object: file_id", "type":
                                                           "invalid_request_error", "param": "id", "code": None},
                                                 "detail": {"message": "No such File object: file_id", "code": None}}


def test_without_lenient_unknown_ids_are_404s_and_bad_input_is_still_rejected() -> None:
    strict, lenient = FakeAssistants(), FakeAssistants(lenient=True)

    assert get(strict, "/v1/threads/thread_id")[0] == 404
    assert get(strict, "/v1/assistants?limit=0")[0] == 400
    assert get(lenient, "/v1/assistants?limit=101")[0] == 400  # only a limit below 1 is relaxed
    assert get(lenient, "/v1/assistants?order=sideways")[0] == 400


def test_lenient_must_be_a_known_mode() -> None:
    with pytest.raises(ValueError, match="lenient must be True, False or 'prefixed'"):
        FakeAssistants(lenient="very")  # type: ignore[arg-type]


def post(fake: FakeAssistants, path: str, body: bytes) -> int:
    return fake.handle(ApiRequest.build("POST", path, headers={"OpenAI-Beta": "assistants=v2"}, body=body)).status


@pytest.mark.parametrize("limit", ["%C2%B2", "-" + "9" * 4400, "99999999999999999999999"])
def test_a_limit_lenient_mode_cannot_read_as_a_number_goes_to_the_handler(limit: str) -> None:
    """"²" is a digit to str.isdigit, and int() refuses 4,300 digits: they answered 500. A whole number below 1
    is relaxed to 1, however long; anything else is the handler's 400."""
    fake = FakeAssistants(lenient=True)
    status, body = get(fake, f"/v1/assistants?limit={limit}")
    assert status == (200 if limit.startswith("-") else 400), body
    assert get(fake, "/v1/assistants?limit=-0")[0] == 200


@pytest.mark.parametrize("body", [b'{"file_ids": 5, "files": []}', b'{"file_ids": [], "files": 5}',
                                  b'{"file_ids": ["file-a"], "files": true}',
                                  b'{"a":' + b"[" * 5000 + b"]" * 5000 + b"}",
                                  b'{"a":' + b"[" * 300 + b"]" * 300 + b"}", b'{"a": NaN}', b'{"a": "\\ud800"}'],
                         ids=["file_ids-not-a-list", "files-not-a-list", "files-true", "nested-5000-deep",
                              "nested-300-deep", "nan", "lone-surrogate"])
def test_a_file_batch_lenient_mode_cannot_join_goes_to_the_handler(body: bytes) -> None:
    """They answered 500 (joining what is not two lists; json.loads's RecursionError): now the handler's 400. A body
    nested past the handler's depth limit (200) but not past json.loads' (which Python 3.13 lifted) was taken as
    one with neither list, an empty batch: lenient mode decodes as the handler does."""
    fake = FakeAssistants(lenient=True)
    assert post(fake, "/v1/vector_stores/vs_abc/file_batches", body) == 400
    assert post(fake, "/v1/threads/thread_a/runs/run_a/submit_tool_outputs",
                b'{"tool_outputs":' + b"[" * 5000 + b"]" * 5000 + b"}") == 400
    assert all(call.status == 400 for call in fake.calls)


@pytest.mark.parametrize(("route", "wrap"), [
    ("/v1/assistants", lambda resources, assistant: {"model": "gpt-4o", "tool_resources": resources}),
    ("/v1/threads", lambda resources, assistant: {"tool_resources": resources}),
    ("/v1/threads/runs",
     lambda resources, assistant: {"assistant_id": assistant, "thread": {"tool_resources": resources}}),
], ids=["assistants.create", "threads.create", "threads.create_and_run"])
def test_file_search_with_both_or_neither_is_taken_as_the_sdk_suites_send_it(route: str, wrap: Any) -> None:
    """The generated suites send every parameter at once: both the ids and the helper. Strict mode answers the
    spec's oneOf with a 400; lenient mode keeps the ids (both) or leaves file_search out (neither)."""
    both = {"file_search": {"vector_store_ids": ["vs_abc"], "vector_stores": [{"file_ids": ["file-abc"]}]}}
    neither: dict[str, Any] = {"file_search": {}}
    for lenient in (False, True):
        fake = FakeAssistants(lenient=lenient)
        assistant = json.loads(fake.handle(ApiRequest.build("POST", "/v1/assistants", headers={
            "OpenAI-Beta": "assistants=v2"}, body=b'{"model": "gpt-4o"}')).body)["id"]  # type: ignore[arg-type]
        statuses = [post(fake, route, json.dumps(wrap(resources, assistant)).encode()) for resources in (both, neither)]
        assert statuses == ([200, 200] if lenient else [400, 400])
        if lenient and route != "/v1/threads/runs":
            made = json.loads(fake.calls[1].response_content or b"")
            assert made["tool_resources"]["file_search"] == {"vector_store_ids": ["vs_abc"]}
            assert get(fake, "/v1/vector_stores")[1]["data"] == []  # the helper made no store
