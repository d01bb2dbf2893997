"""Assistants v1 through the real openai 1.20.0 SDK, the last release that sends `OpenAI-Beta: assistants=v1`.

Issue 9: with `FakeAssistants(api_versions=("v1", "v2"))` an app pinned to openai<1.21 runs its v1 calls
(the `retrieval` tool, `file_ids`, assistant files, message files, polled and streamed runs with citations
that carry `quote`) with the SDK's strict response validation on; with v1 not enabled, the same calls get
the real 400 `invalid_beta` deprecation error. Every test runs on the sync and the async client (httpx).

This module needs openai 1.20.x: `.ci/run` runs it in its own venv with `openai==1.20.0`; under any
other openai (the main venv has 3.x) it skips at import.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any, cast

import openai
import pytest

OPENAI_VERSION = tuple(int(part) for part in openai.__version__.split(".")[:2])
if OPENAI_VERSION != (1, 20):
    pytest.skip(
        f"Assistants v1 SDK tests need openai 1.20.x, the last SDK that sends 'OpenAI-Beta: assistants=v1' "
        f"(this is openai {openai.__version__}); .ci/run runs them in a venv with openai==1.20.0",
        allow_module_level=True,
    )

from openai import AssistantEventHandler, AsyncAssistantEventHandler  # noqa: E402
from openai.types.beta import Assistant, FunctionTool, RetrievalTool, Thread  # noqa: E402
from openai.types.beta.assistants import AssistantFile, FileDeleteResponse  # noqa: E402
from openai.types.beta.threads import (  # noqa: E402
    FileCitationAnnotation,
    FileCitationDeltaAnnotation,
    Message,
    Run,
    TextContentBlock,
)
from openai.types.beta.threads.messages import MessageFile  # noqa: E402
from openai.types.beta.threads.runs import (  # noqa: E402
    FunctionToolCall,
    MessageCreationStepDetails,
    RetrievalToolCall,
    RunStep,
    ToolCallsStepDetails,
)

from fake_assistants import FakeAssistants  # noqa: E402
from fake_assistants.progression import after_polls  # noqa: E402
from files_support import expect_error, upload  # noqa: E402
from runs_support import WEATHER_TOOL, clock_of, expect_bad_request, text_of  # noqa: E402
from sdk_matrix import START, Sdk, Variant, new_fake, open_sdk, settle  # noqa: E402
from stream_support import opened  # noqa: E402

V1_DEPRECATED = (
    "The v1 Assistants API has been deprecated. Please try again by setting the header "
    "'OpenAI-Beta: assistants=v2'. See the migration guide for more information: "
    "https://platform.openai.com/docs/assistants/migration."
)
FOODS = b"My favorite food is pizza with extra cheese."
DRINKS = b"My favorite drink is green tea with honey."
PETS = b"My cat is called Tom and sleeps all day."
LONG_REPLY = "one two three four five six seven eight nine ten " * 10
V1_VARIANTS = [Variant("sync", "httpx"), Variant("async", "httpx")]  # openai 1.x talks to httpx only


@pytest.fixture
def fake() -> FakeAssistants:
    """Serves v1 and v2 (schema shape, ManualClock at START); overrides the suite's v2-only `fake`."""
    return new_fake(api_versions=("v1", "v2"))


@pytest.fixture(params=[pytest.param(v, id=v.id) for v in V1_VARIANTS])
def variant(request: pytest.FixtureRequest) -> Variant:
    return cast(Variant, request.param)


@pytest.fixture
async def client(fake: FakeAssistants, variant: Variant) -> AsyncIterator[Sdk]:
    """openai 1.20.0 on `fake`, `_strict_response_validation=True`, no retries."""
    async with open_sdk(fake, variant) as sdk:
        yield sdk


# -- helpers ---------------------------------------------------------------------------------------------


class _Record:
    """What a stream's event handler saw."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self.text: list[str] = []
        self.delta_annotations: list[Any] = []
        self.tool_calls: list[Any] = []

    def event(self, event: Any) -> None:
        self.events.append(event.event)

    def text_delta(self, delta: Any) -> None:
        self.text.append(delta.value or "")
        self.delta_annotations.extend(delta.annotations or [])


class Recorder(AssistantEventHandler):
    def __init__(self) -> None:
        super().__init__()
        self.seen = _Record()

    def on_event(self, event: Any) -> None:
        self.seen.event(event)

    def on_text_delta(self, delta: Any, snapshot: Any) -> None:
        self.seen.text_delta(delta)

    def on_tool_call_created(self, tool_call: Any) -> None:
        self.seen.tool_calls.append(tool_call)


class AsyncRecorder(AsyncAssistantEventHandler):
    def __init__(self) -> None:
        super().__init__()
        self.seen = _Record()

    async def on_event(self, event: Any) -> None:
        self.seen.event(event)

    async def on_text_delta(self, delta: Any, snapshot: Any) -> None:
        self.seen.text_delta(delta)

    async def on_tool_call_created(self, tool_call: Any) -> None:
        self.seen.tool_calls.append(tool_call)


def recorder(client: Sdk) -> Any:
    return AsyncRecorder() if client.variant.is_async else Recorder()


async def finish(manager: Any, *, wrote: bool = True) -> tuple[Run, list[Message]]:
    """Read a stream manager (`runs.stream(...)` and friends) to its end: its final run and the messages it
    wrote (`wrote=False`: a stream that writes none, where the SDK's `get_final_messages` would raise)."""
    async with opened(manager) as stream:
        await settle(stream.until_done())
        run = await settle(stream.get_final_run())
        messages = await settle(stream.get_final_messages()) if wrote else []
    return run, messages


async def retrieval_assistant(client: Sdk, *files: Any) -> Assistant:
    return cast(Assistant, await client.beta.assistants.create(
        model="gpt-4-turbo", name="Librarian", instructions="Answer from the files.",
        tools=[{"type": "retrieval"}], file_ids=[f.id for f in files],
    ))


async def newest_message(client: Sdk, thread_id: str) -> Message:
    page = await client.beta.threads.messages.list(thread_id=thread_id)
    return cast(Message, page.data[0])


def citations(message: Message) -> list[FileCitationAnnotation]:
    block = message.content[0]
    assert isinstance(block, TextContentBlock)
    found = block.text.annotations
    assert found, f"no annotations in {block.text.value!r}"
    assert all(isinstance(a, FileCitationAnnotation) for a in found)
    return cast(list[FileCitationAnnotation], found)


def assert_cites(message: Message, quotes: dict[str, bytes]) -> None:
    """Every annotation is a file_citation of one of `quotes` (file id -> content) whose `quote` is a
    non-empty piece of that file, placed at its marker in the text."""
    block = message.content[0]
    assert isinstance(block, TextContentBlock)
    for annotation in citations(message):
        assert annotation.file_citation.file_id in quotes
        assert annotation.file_citation.quote
        assert annotation.file_citation.quote in quotes[annotation.file_citation.file_id].decode()
        assert block.text.value[annotation.start_index:annotation.end_index] == annotation.text
        assert annotation.text.startswith("【") and annotation.text.endswith("】")


# -- the SDK is v1 ---------------------------------------------------------------------------------------


async def test_the_sdk_sends_assistants_v1(client: Sdk, fake: FakeAssistants) -> None:
    await client.beta.assistants.create(model="gpt-4-turbo")
    call = fake.calls.last
    assert call.headers["openai-beta"] == "assistants=v1"
    assert call.headers["x-stainless-package-version"] == openai.__version__


# -- assistants with retrieval and file_ids --------------------------------------------------------------


async def test_assistant_with_retrieval_and_file_ids(client: Sdk) -> None:
    food = await upload(client, "foods.txt", FOODS)
    assert (food.purpose, food.status, food.bytes) == ("assistants", "processed", len(FOODS))

    created = await retrieval_assistant(client, food)

    assert isinstance(created, Assistant)
    assert (created.object, created.created_at, created.model) == ("assistant", START, "gpt-4-turbo")
    assert (created.name, created.instructions, created.description) == ("Librarian", "Answer from the files.", None)
    assert created.tools == [RetrievalTool(type="retrieval")]
    assert created.file_ids == [food.id]
    assert created.metadata == {}
    assert "tool_resources" not in (created.model_extra or {})  # a v2 field
    fetched = await client.beta.assistants.retrieve(created.id)
    assert fetched == created
    listed = await client.beta.assistants.list()
    assert [(a.id, a.file_ids) for a in listed.data] == [(created.id, [food.id])]


async def test_assistant_files_create_list_retrieve_delete(client: Sdk, fake: FakeAssistants) -> None:
    food = await upload(client, "foods.txt", FOODS)
    drink = await upload(client, "drinks.txt", DRINKS)
    assistant = await retrieval_assistant(client, food)
    clock_of(fake).advance(5)

    linked = await client.beta.assistants.files.create(assistant_id=assistant.id, file_id=drink.id)

    assert linked == AssistantFile(id=drink.id, assistant_id=assistant.id, created_at=START + 5,
                                   object="assistant.file")
    assert (await client.beta.assistants.retrieve(assistant.id)).file_ids == [food.id, drink.id]
    newest_first = await client.beta.assistants.files.list(assistant_id=assistant.id)
    assert all(isinstance(item, AssistantFile) for item in newest_first.data)
    assert [item.id for item in newest_first.data] == [drink.id, food.id]
    assert (newest_first.first_id, newest_first.last_id, newest_first.has_more) == (drink.id, food.id, False)
    oldest_first = await client.beta.assistants.files.list(assistant_id=assistant.id, order="asc", limit=1)
    assert [item.id for item in oldest_first.data] == [food.id]
    assert oldest_first.has_more is True
    fetched = await client.beta.assistants.files.retrieve(drink.id, assistant_id=assistant.id)
    assert fetched == linked

    removed = await client.beta.assistants.files.delete(drink.id, assistant_id=assistant.id)

    assert removed == FileDeleteResponse(id=drink.id, deleted=True, object="assistant.file.deleted")
    assert (await client.beta.assistants.retrieve(assistant.id)).file_ids == [food.id]
    remaining = await client.beta.assistants.files.list(assistant_id=assistant.id)
    assert [item.id for item in remaining.data] == [food.id]
    await expect_error(lambda: client.beta.assistants.files.retrieve(drink.id, assistant_id=assistant.id), 404,
                       f"No assistant file found with id '{drink.id}'.")
    assert (await client.files.retrieve(drink.id)).id == drink.id  # only the link went, not the File


async def test_assistant_update_file_ids_replaces_the_list(client: Sdk) -> None:
    food, drink, pet = [await upload(client, name, data) for name, data in
                        (("foods.txt", FOODS), ("drinks.txt", DRINKS), ("pets.txt", PETS))]
    assistant = await retrieval_assistant(client, food, drink)

    updated = await client.beta.assistants.update(assistant.id, file_ids=[drink.id, pet.id])

    assert isinstance(updated, Assistant)
    assert updated.file_ids == [drink.id, pet.id]
    listed = await client.beta.assistants.files.list(assistant_id=assistant.id, order="asc")
    assert sorted(item.id for item in listed.data) == sorted([drink.id, pet.id])
    renamed = await client.beta.assistants.update(assistant.id, name="Renamed")
    assert renamed.file_ids == [drink.id, pet.id]  # no file_ids: the links stay
    cleared = await client.beta.assistants.update(assistant.id, file_ids=[])
    assert cleared.file_ids == []
    assert (await client.beta.assistants.files.list(assistant_id=assistant.id)).data == []


async def test_v1_limits_and_values(client: Sdk) -> None:
    files = [await upload(client, f"note{i}.txt", b"a note") for i in range(21)]
    await expect_error(lambda: client.beta.assistants.create(model="gpt-4", file_ids=[f.id for f in files]), 400,
                       "Invalid 'file_ids': array too long. Expected an array with maximum length 20, but got an "
                       "array with length 21 instead.", param="file_ids", code="array_above_max_length")
    full = await client.beta.assistants.create(model="gpt-4", file_ids=[f.id for f in files[:20]])
    await expect_error(lambda: client.beta.assistants.files.create(assistant_id=full.id, file_id=files[20].id),
                       400, f"Assistant {full.id} already has the maximum of 20 files attached.", param="file_id")
    await expect_error(lambda: client.beta.assistants.create(model="gpt-4", tools=[{"type": "file_search"}]), 400,
                       "Invalid value: 'file_search'. Supported values are: 'code_interpreter', 'retrieval', and "
                       "'function'.", param="tools[0].type", code="invalid_value")
    await expect_bad_request(lambda: client.beta.assistants.create(model="gpt-4o"),
                             "The requested model 'gpt-4o' cannot be used with the Assistants API in v1. Follow the "
                             "migration guide to upgrade to v2: https://platform.openai.com/docs/assistants/migration.")
    thread = await client.beta.threads.create()
    await expect_error(lambda: client.beta.threads.messages.create(
        thread.id, role="user", content="Too many", file_ids=[f.id for f in files[:11]]), 400,
        "Invalid 'file_ids': array too long. Expected an array with maximum length 10, but got an array with "
        "length 11 instead.", param="file_ids", code="array_above_max_length")


# -- threads and messages with file_ids; message files ---------------------------------------------------


async def test_thread_and_messages_carry_file_ids(client: Sdk) -> None:
    food, drink, pet = [await upload(client, name, data) for name, data in
                        (("foods.txt", FOODS), ("drinks.txt", DRINKS), ("pets.txt", PETS))]

    thread = await client.beta.threads.create(
        messages=[{"role": "user", "content": "What is my favorite food?", "file_ids": [food.id]}],
    )

    assert isinstance(thread, Thread)
    assert (thread.object, thread.created_at, thread.metadata) == ("thread", START, {})
    assert "tool_resources" not in (thread.model_extra or {})
    first = await newest_message(client, thread.id)
    assert isinstance(first, Message)
    assert (first.role, first.status, first.file_ids, text_of(first)) == (
        "user", "completed", [food.id], "What is my favorite food?")
    assert (first.assistant_id, first.run_id) == (None, None)
    assert "attachments" not in (first.model_extra or {})  # a v2 field

    added = await client.beta.threads.messages.create(thread.id, role="user", content="And my drink?",
                                                      file_ids=[drink.id, pet.id])

    assert isinstance(added, Message)
    assert (added.thread_id, added.file_ids, text_of(added)) == (thread.id, [drink.id, pet.id], "And my drink?")
    assert await client.beta.threads.messages.retrieve(added.id, thread_id=thread.id) == added


async def test_message_files_list_and_retrieve(client: Sdk) -> None:
    drink = await upload(client, "drinks.txt", DRINKS)
    pet = await upload(client, "pets.txt", PETS)
    thread = await client.beta.threads.create()
    message = await client.beta.threads.messages.create(thread.id, role="user", content="Read these.",
                                                        file_ids=[drink.id, pet.id])
    bare = await client.beta.threads.messages.create(thread.id, role="user", content="No files here.")

    listed = await client.beta.threads.messages.files.list(message.id, thread_id=thread.id, order="asc")

    assert listed.data == [
        MessageFile(id=drink.id, created_at=message.created_at, message_id=message.id, object="thread.message.file"),
        MessageFile(id=pet.id, created_at=message.created_at, message_id=message.id, object="thread.message.file"),
    ]
    assert (listed.first_id, listed.last_id, listed.has_more) == (drink.id, pet.id, False)
    fetched = await client.beta.threads.messages.files.retrieve(pet.id, thread_id=thread.id, message_id=message.id)
    assert fetched == listed.data[1]
    assert (await client.beta.threads.messages.files.list(bare.id, thread_id=thread.id)).data == []
    await expect_error(lambda: client.beta.threads.messages.files.retrieve(
        drink.id, thread_id=thread.id, message_id=bare.id), 404, f"No message file found with id '{drink.id}'.")


# -- runs: polled, streamed, scripted, tools, token limits -----------------------------------------------


async def test_polled_run_completes_with_a_quoted_citation(client: Sdk) -> None:
    food = await upload(client, "foods.txt", FOODS)
    assistant = await retrieval_assistant(client, food)
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": "What is my favorite food?"}])

    run = await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)

    assert isinstance(run, Run)
    assert (run.status, run.assistant_id, run.thread_id, run.model) == (
        "completed", assistant.id, thread.id, "gpt-4-turbo")
    assert run.file_ids == [food.id]
    assert run.tools == [RetrievalTool(type="retrieval")]
    assert run.instructions == "Answer from the files."
    assert (run.incomplete_details, run.last_error, run.required_action) == (None, None, None)
    answer = await newest_message(client, thread.id)
    assert (answer.role, answer.status, answer.run_id, answer.assistant_id) == (
        "assistant", "completed", run.id, assistant.id)
    assert_cites(answer, {food.id: FOODS})
    assert citations(answer)[0].file_citation.quote == FOODS.decode()

    steps = (await client.beta.threads.runs.steps.list(run.id, thread_id=thread.id, order="asc")).data
    assert all(isinstance(step, RunStep) for step in steps)
    assert [step.type for step in steps] == ["tool_calls", "message_creation"]
    searched, wrote = steps
    assert isinstance(searched.step_details, ToolCallsStepDetails)
    [tool_call] = searched.step_details.tool_calls
    assert isinstance(tool_call, RetrievalToolCall)
    assert (tool_call.type, tool_call.retrieval, tool_call.id.startswith("call_")) == ("retrieval", {}, True)
    assert isinstance(wrote.step_details, MessageCreationStepDetails)
    assert wrote.step_details.message_creation.message_id == answer.id
    assert {step.status for step in steps} == {"completed"}


async def test_message_file_ids_are_searched(client: Sdk) -> None:
    """A retrieval assistant without files of its own reads the files attached to the message."""
    drink = await upload(client, "drinks.txt", DRINKS)
    assistant = await retrieval_assistant(client)
    thread = await client.beta.threads.create(
        messages=[{"role": "user", "content": "What is my favorite drink?", "file_ids": [drink.id]}],
    )

    run = await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)

    assert (run.status, run.file_ids) == ("completed", [])  # a run's file_ids are the assistant's
    assert_cites(await newest_message(client, thread.id), {drink.id: DRINKS})


async def test_scripted_retrieval_turn(client: Sdk, fake: FakeAssistants) -> None:
    food = await upload(client, "foods.txt", FOODS)
    drink = await upload(client, "drinks.txt", DRINKS)
    assistant = await retrieval_assistant(client, food, drink)
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": "What should I drink?"}])
    scripted = getattr(fake.script, "retrieval", fake.script.file_search)  # v1's name, where the fake has it
    scripted(query="favorite drink").reply("You like green tea.")

    run = await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)

    assert run.status == "completed"
    answer = await newest_message(client, thread.id)
    assert text_of(answer).startswith("You like green tea")
    assert_cites(answer, {food.id: FOODS, drink.id: DRINKS})
    assert citations(answer)[0].file_citation.file_id == drink.id  # the best match comes first
    steps = (await client.beta.threads.runs.steps.list(run.id, thread_id=thread.id, order="asc")).data
    assert isinstance(steps[0].step_details, ToolCallsStepDetails)
    assert [call.type for call in steps[0].step_details.tool_calls] == ["retrieval"]
    assert fake.script.pending == []


async def test_streamed_run_completes_with_a_quoted_citation(client: Sdk) -> None:
    food = await upload(client, "foods.txt", FOODS)
    assistant = await retrieval_assistant(client, food)
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": "What is my favorite food?"}])
    handler = recorder(client)

    run, messages = await finish(await client.beta.threads.runs.stream(
        thread_id=thread.id, assistant_id=assistant.id, event_handler=handler))

    seen = handler.seen
    assert seen.events[:3] == ["thread.run.created", "thread.run.queued", "thread.run.in_progress"]
    assert seen.events[-1] == "thread.run.completed"
    assert "thread.run.step.delta" in seen.events and "thread.message.delta" in seen.events
    assert [type(call) for call in seen.tool_calls] == [RetrievalToolCall]
    assert (run.status, run.file_ids) == ("completed", [food.id])
    [answer] = messages
    assert answer.status == "completed"
    assert "".join(seen.text) == text_of(answer)
    assert_cites(answer, {food.id: FOODS})
    assert all(isinstance(a, FileCitationDeltaAnnotation) for a in seen.delta_annotations)
    assert [(a.file_citation.file_id, a.file_citation.quote) for a in seen.delta_annotations] == [
        (c.file_citation.file_id, c.file_citation.quote) for c in citations(answer)]
    assert await newest_message(client, thread.id) == answer


async def test_create_and_stream_the_deprecated_helper(client: Sdk) -> None:
    food = await upload(client, "foods.txt", FOODS)
    assistant = await retrieval_assistant(client, food)
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": "What is my favorite food?"}])

    with pytest.warns(DeprecationWarning, match="use `stream` instead"):
        manager = await client.beta.threads.runs.create_and_stream(
            thread_id=thread.id, assistant_id=assistant.id, event_handler=recorder(client))
    run, [answer] = await finish(manager)

    assert run.status == "completed"
    assert_cites(answer, {food.id: FOODS})


async def test_create_and_run_stream_with_file_ids(client: Sdk) -> None:
    pet = await upload(client, "pets.txt", PETS)
    assistant = await retrieval_assistant(client)
    handler = recorder(client)

    run, [answer] = await finish(await client.beta.threads.create_and_run_stream(
        assistant_id=assistant.id, event_handler=handler,
        thread={"messages": [{"role": "user", "content": "What is my cat called?", "file_ids": [pet.id]}]},
    ))

    assert handler.seen.events[0] == "thread.created"
    assert run.status == "completed"
    assert_cites(answer, {pet.id: PETS})
    question = (await client.beta.threads.messages.list(thread_id=run.thread_id, order="asc")).data[0]
    assert question.file_ids == [pet.id]


async def test_function_call_run(client: Sdk, fake: FakeAssistants) -> None:
    assistant = await client.beta.assistants.create(model="gpt-4-turbo", tools=[WEATHER_TOOL])
    assert [type(tool) for tool in assistant.tools] == [FunctionTool]
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": "Weather in Paris?"}])
    fake.script.call_function("get_weather", {"location": "Paris"}).reply("It is sunny in Paris.")

    waiting = await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)

    assert waiting.status == "requires_action"
    assert waiting.required_action is not None
    [call] = waiting.required_action.submit_tool_outputs.tool_calls
    assert (call.type, call.function.name, json.loads(call.function.arguments)) == (
        "function", "get_weather", {"location": "Paris"})
    done = await client.beta.threads.runs.submit_tool_outputs_and_poll(
        thread_id=thread.id, run_id=waiting.id, tool_outputs=[{"tool_call_id": call.id, "output": "sunny"}])
    assert (done.status, done.required_action) == ("completed", None)
    assert text_of(await newest_message(client, thread.id)) == "It is sunny in Paris."
    steps = (await client.beta.threads.runs.steps.list(done.id, thread_id=thread.id, order="asc")).data
    assert isinstance(steps[0].step_details, ToolCallsStepDetails)
    [tool_call] = steps[0].step_details.tool_calls
    assert isinstance(tool_call, FunctionToolCall)
    assert (tool_call.id, tool_call.function.output) == (call.id, "sunny")


async def test_function_call_outputs_streamed(client: Sdk, fake: FakeAssistants) -> None:
    assistant = await client.beta.assistants.create(model="gpt-4-turbo", tools=[WEATHER_TOOL])
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": "Weather in Oslo?"}])
    fake.script.call_function("get_weather", {"location": "Oslo"}).reply("It snows in Oslo.")
    waiting, none = await finish(await client.beta.threads.runs.stream(
        thread_id=thread.id, assistant_id=assistant.id, event_handler=recorder(client)), wrote=False)
    assert (waiting.status, none) == ("requires_action", [])
    assert waiting.required_action is not None
    [call] = waiting.required_action.submit_tool_outputs.tool_calls
    handler = recorder(client)

    run, [answer] = await finish(await client.beta.threads.runs.submit_tool_outputs_stream(
        thread_id=thread.id, run_id=waiting.id, tool_outputs=[{"tool_call_id": call.id, "output": "snow"}],
        event_handler=handler))

    assert run.status == "completed"
    assert "".join(handler.seen.text) == text_of(answer) == "It snows in Oslo."
    assert handler.seen.events[-1] == "thread.run.completed"


async def test_token_limited_run_completes_with_incomplete_details(client: Sdk, fake: FakeAssistants) -> None:
    """v1 had no `incomplete` run status: a cut-off run is `completed` with `incomplete_details`, which is
    what lets 1.20's `runs.poll` (terminal: requires_action, cancelled, completed, failed, expired) stop."""
    assistant = await client.beta.assistants.create(model="gpt-4-turbo")
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": "Count to a hundred."}])
    fake.script.reply(LONG_REPLY)
    fake.set_progression(after_polls(2))

    run = await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id,
                                                         max_completion_tokens=16)

    assert run.status == "completed"
    assert run.incomplete_details is not None
    assert run.incomplete_details.reason == "max_completion_tokens"
    assert run.max_completion_tokens == 16
    assert run.usage is not None and run.usage.completion_tokens == 16
    assert len(fake.calls.filter(route="runs.retrieve")) == 3  # in_progress, in_progress, completed
    answer = await newest_message(client, thread.id)
    assert answer.status == "incomplete"
    assert answer.incomplete_details is not None and answer.incomplete_details.reason == "max_tokens"
    assert (answer.incomplete_at, answer.completed_at) == (START, None)
    assert LONG_REPLY.startswith(text_of(answer)) and text_of(answer) != LONG_REPLY


async def test_token_limited_stream_ends_with_run_completed(client: Sdk, fake: FakeAssistants) -> None:
    assistant = await client.beta.assistants.create(model="gpt-4-turbo")
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": "Count to a hundred."}])
    fake.script.reply(LONG_REPLY)
    handler = recorder(client)

    run, [answer] = await finish(await client.beta.threads.runs.stream(
        thread_id=thread.id, assistant_id=assistant.id, max_completion_tokens=16, event_handler=handler))

    events = handler.seen.events
    assert "thread.run.incomplete" not in events  # not a v1 event
    assert events[-3:] == ["thread.message.incomplete", "thread.run.step.completed", "thread.run.completed"]
    assert run.status == "completed"
    assert run.incomplete_details is not None and run.incomplete_details.reason == "max_completion_tokens"
    assert answer.status == "incomplete"
    assert "".join(handler.seen.text) == text_of(answer)


# -- v1 not enabled: the real deprecation error ----------------------------------------------------------


async def test_v1_not_enabled_gets_the_deprecation_error(variant: Variant) -> None:
    fake = new_fake()  # api_versions defaults to ("v2",): what the last real service did
    async with open_sdk(fake, variant) as client:
        food = await upload(client, "foods.txt", FOODS)  # /files needs no OpenAI-Beta header
        beta = client.beta
        messages = [{"role": "user", "content": "What is my favorite food?", "file_ids": [food.id]}]
        calls = [
            lambda: beta.assistants.create(model="gpt-4-turbo", tools=[{"type": "retrieval"}], file_ids=[food.id]),
            lambda: beta.assistants.list(),
            lambda: beta.assistants.files.create(assistant_id="asst_abc123", file_id=food.id),
            lambda: beta.assistants.files.list(assistant_id="asst_abc123"),
            lambda: beta.assistants.files.retrieve(food.id, assistant_id="asst_abc123"),
            lambda: beta.assistants.files.delete(food.id, assistant_id="asst_abc123"),
            lambda: beta.threads.create(messages=messages),
            lambda: beta.threads.messages.create("thread_abc123", role="user", content="Hi", file_ids=[food.id]),
            lambda: beta.threads.messages.files.list("msg_abc123", thread_id="thread_abc123"),
            lambda: beta.threads.messages.files.retrieve(food.id, thread_id="thread_abc123",
                                                         message_id="msg_abc123"),
            lambda: beta.threads.runs.create_and_poll(thread_id="thread_abc123", assistant_id="asst_abc123"),
            lambda: finish(client.raw.beta.threads.runs.stream(
                thread_id="thread_abc123", assistant_id="asst_abc123", event_handler=recorder(client))),
        ]
        for call in calls:
            await expect_bad_request(call, V1_DEPRECATED, code="invalid_beta")
        answered = [(call.route, call.status) for call in fake.calls if call.route != "files.create"]
        assert len(answered) == len(calls)
        assert {status for _, status in answered} == {400}
        assert len(fake.store.assistants) == 0
