"""What a run's tools, `tool_choice` and `parallel_tool_calls` allow its turns, through the real SDK: the reference's
AssistantsApiToolChoiceOption ("`none` ... will not call any tools", "`required` ... must call one or more tools
before responding", a named tool "forces the model to call that tool"); a turn they rule out fails the run and is
kept in `script.mistakes`."""

from __future__ import annotations

from typing import Any

import pytest

from fake_assistants import FakeAssistants
from runs_support import WEATHER_TOOL, assistant_and_thread, steps_of
from sdk_matrix import Sdk

FILE_SEARCH = {"type": "file_search"}
CODE = {"type": "code_interpreter"}
FORCED_WEATHER = {"type": "function", "function": {"name": "get_weather"}}


async def run_with(client: Sdk, tools: list[Any], *, files: bool = False, **run: Any) -> Any:
    """A run, polled until it stops, of an assistant with `tools` (and a store of one file with `files`)."""
    resources: dict[str, Any] = {}
    if files:
        store = await client.vector_stores.create(name="kb")
        await client.vector_stores.files.upload_and_poll(vector_store_id=store.id,
                                                         file=("apples.txt", b"Apples are red."))
        resources = {"tool_resources": {"file_search": {"vector_store_ids": [store.id]}}}
    created, thread = await assistant_and_thread(client, "What colour are apples?", tools=tools, **resources)
    return await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=created.id, **run)


async def step_kinds(client: Sdk, run: Any) -> list[str]:
    return [step.type if step.type == "message_creation" else step.step_details.tool_calls[0].type
            for step in await steps_of(client, run)]


def failed_on(fake: FakeAssistants, run: Any, *parts: str) -> None:
    """The run failed with server_error on a mistake the script keeps, whose message holds each of `parts`."""
    assert (run.status, run.last_error.code) == ("failed", "server_error")
    message = run.last_error.message.removeprefix("fake-assistants: ")
    assert fake.script.mistakes == [f"run {run.id}: {message}"]
    for part in parts:
        assert part in message
    fake.script.clear()  # the plugin's check after the test has nothing left to report


# -- none -----------------------------------------------------------------------------------------------------


async def test_none_answers_without_searching(client: Sdk, fake: FakeAssistants) -> None:
    run = await run_with(client, [FILE_SEARCH], files=True, tool_choice="none")

    assert run.status == "completed"
    assert await step_kinds(client, run) == ["message_creation"]


async def test_auto_searches_first_as_before(client: Sdk, fake: FakeAssistants) -> None:
    run = await run_with(client, [FILE_SEARCH], files=True)

    assert await step_kinds(client, run) == ["file_search", "message_creation"]


@pytest.mark.parametrize("turn", ["function", "file_search", "code_interpreter"])
async def test_none_refuses_a_scripted_tool_turn(client: Sdk, fake: FakeAssistants, turn: str) -> None:
    {"function": lambda: fake.script.call_function("get_weather", {"city": "Paris"}),
     "file_search": lambda: fake.script.file_search(),
     "code_interpreter": lambda: fake.script.code_interpreter("print(1)")}[turn]()

    run = await run_with(client, [WEATHER_TOOL, FILE_SEARCH, CODE], tool_choice="none")

    failed_on(fake, run, 'but the run\'s tool_choice is "none" (the model calls no tool): script a reply')
    assert await steps_of(client, run) == []


# -- forced ---------------------------------------------------------------------------------------------------


async def test_a_forced_function_is_called_before_the_answer(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.call_function("get_weather", {"city": "Paris"}).reply("Sunny.")

    run = await run_with(client, [WEATHER_TOOL, FILE_SEARCH], files=True, tool_choice=FORCED_WEATHER)

    assert run.status == "requires_action"  # no search first: the forced function comes first
    assert await step_kinds(client, run) == ["function"]
    (call,) = run.required_action.submit_tool_outputs.tool_calls
    run = await client.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run.id, thread_id=run.thread_id, tool_outputs=[{"tool_call_id": call.id, "output": "22C"}])
    assert run.status == "completed"  # once called, the model may answer


@pytest.mark.parametrize("scripted", [True, False], ids=["scripted-reply", "unscripted"])
async def test_an_answer_before_a_forced_function_fails(client: Sdk, fake: FakeAssistants, scripted: bool) -> None:
    if scripted:
        fake.script.reply("Sunny.")

    run = await run_with(client, [WEATHER_TOOL, FILE_SEARCH], files=True, tool_choice=FORCED_WEATHER)

    first = "the script answers with a message" if scripted else "no turn is scripted for the run"
    failed_on(fake, run, f"{first}, but the run's tool_choice forces function 'get_weather', which the model calls "
                         "before it answers: script that call first, with "
                         "fake.script.call_function('get_weather', ...)")
    assert await steps_of(client, run) == []


async def test_a_forced_function_the_run_does_not_declare(client: Sdk, fake: FakeAssistants) -> None:
    run = await run_with(client, [WEATHER_TOOL], tool_choice={"type": "function", "function": {"name": "nope"}})

    failed_on(fake, run, "tool_choice forces function 'nope', which this run does not declare (its function tools: "
                         "'get_weather'): declare it among the assistant's (or the run's) tools, or fix the name in "
                         "tool_choice")


async def test_another_call_before_the_forced_one_fails(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.code_interpreter("print(1)").call_function("get_weather", {})

    run = await run_with(client, [WEATHER_TOOL, CODE], tool_choice=FORCED_WEATHER)

    failed_on(fake, run, "the script runs a code_interpreter step, but the run's tool_choice forces function "
                         "'get_weather' first: script that call before any other")


@pytest.mark.parametrize("files", [True, False], ids=["files", "no-files"])
async def test_forced_file_search_searches_before_the_answer(client: Sdk, fake: FakeAssistants, files: bool) -> None:
    fake.script.reply("Red.")

    run = await run_with(client, [FILE_SEARCH], files=files, tool_choice={"type": "file_search"})

    assert run.status == "completed"
    assert await step_kinds(client, run) == ["file_search", "message_creation"]
    (search,) = (await steps_of(client, run))[0].step_details.tool_calls
    assert len(search.file_search.results or []) == (1 if files else 0)


async def test_forced_code_interpreter_needs_its_step(client: Sdk, fake: FakeAssistants) -> None:
    run = await run_with(client, [CODE], tool_choice={"type": "code_interpreter"})
    failed_on(fake, run, "the run's tool_choice forces code_interpreter, which the model runs before it answers: "
                         "script that step first, with fake.script.code_interpreter(...)")

    fake.script.code_interpreter("print(1)", logs="1").reply("One.")
    run = await run_with(client, [CODE], tool_choice={"type": "code_interpreter"})
    assert await step_kinds(client, run) == ["code_interpreter", "message_creation"]


# -- required -------------------------------------------------------------------------------------------------


async def test_required_with_file_search_searches_first(client: Sdk, fake: FakeAssistants) -> None:
    run = await run_with(client, [WEATHER_TOOL, FILE_SEARCH], tool_choice="required")

    assert run.status == "completed"
    assert await step_kinds(client, run) == ["file_search", "message_creation"]


async def test_required_without_file_search_needs_a_scripted_call(client: Sdk, fake: FakeAssistants) -> None:
    run = await run_with(client, [WEATHER_TOOL], tool_choice="required")
    failed_on(fake, run, "no turn is scripted for the run, but the run's tool_choice is \"required\": the model "
                         "calls a tool before it answers")

    fake.script.call_function("get_weather", {"city": "Paris"})
    run = await run_with(client, [WEATHER_TOOL], tool_choice="required")
    assert run.status == "requires_action"


# -- the run's tools, parallel_tool_calls -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["file_search", "code_interpreter"])
async def test_a_step_of_a_tool_the_run_lacks_fails(client: Sdk, fake: FakeAssistants, kind: str) -> None:
    if kind == "file_search":
        fake.script.file_search().reply("Red.")
    else:
        fake.script.code_interpreter("print(1)").reply("One.")

    run = await run_with(client, [WEATHER_TOOL])

    v1 = ' (in Assistants v1, {"type": "retrieval"})' if kind == "file_search" else ""
    failed_on(fake, run, f"the script runs a {kind} step, but this run's tools do not include {kind} (its tools: "
                         f"function 'get_weather'): add {{\"type\": \"{kind}\"}}{v1} to the assistant's (or the run's) "
                         "tools, or script another turn")


@pytest.mark.parametrize("parallel", [False, True])
async def test_parallel_calls_need_parallel_tool_calls(client: Sdk, fake: FakeAssistants, parallel: bool) -> None:
    fake.script.call_functions([("get_weather", {"city": "Paris"}), ("get_weather", {"city": "Rome"})])

    run = await run_with(client, [WEATHER_TOOL], parallel_tool_calls=parallel)

    if parallel:
        assert len(run.required_action.submit_tool_outputs.tool_calls) == 2
    else:
        failed_on(fake, run, "the script calls functions 'get_weather', 'get_weather' at once, but the run's "
                             "parallel_tool_calls is false (one call at a time): script each call as a turn of its own")


async def test_a_responders_answer_is_taken_as_the_model_gave_it(client: Sdk, fake: FakeAssistants) -> None:
    """A model behind `respond_with` was sent the tool_choice: what it answers is the model's, not checked."""
    fake.script.respond_with(lambda ctx: "Sunny, without asking the tool.")

    run = await run_with(client, [WEATHER_TOOL], tool_choice=FORCED_WEATHER)

    assert (run.status, fake.script.mistakes) == ("completed", [])


@pytest.mark.parametrize("kind", ["file_search", "code_interpreter"])
async def test_a_forced_tool_the_run_lacks_fails_naming_it(client: Sdk, fake: FakeAssistants, kind: str) -> None:
    """No step of a tool the run does not have, not even the fake's own search before an answer."""
    run = await run_with(client, [WEATHER_TOOL], tool_choice={"type": kind})

    failed_on(fake, run, f"no turn is scripted for the run, and the run's tool_choice forces {kind}, which this run's "
                         "tools do not include (its tools: function 'get_weather'): add")
    assert await steps_of(client, run) == []


@pytest.mark.parametrize("choice", ["required", {"type": "file_search"}], ids=["required", "forced"])
async def test_a_message_part_way_waits_for_the_search_too(client: Sdk, fake: FakeAssistants, choice: Any) -> None:
    fake.script.say("Let me look.").reply("Red.")

    run = await run_with(client, [FILE_SEARCH], files=True, tool_choice=choice)

    assert run.status == "completed"
    assert await step_kinds(client, run) == ["file_search", "message_creation", "message_creation"]


async def test_a_scripted_reply_under_none_does_not_search_or_cite(client: Sdk, fake: FakeAssistants) -> None:
    """Its marker stays as written, with no annotation: nothing was searched (the CHANGELOG says so)."""
    fake.script.reply("Red【4:0†apples.txt】.")

    run = await run_with(client, [FILE_SEARCH], files=True, tool_choice="none")

    assert await step_kinds(client, run) == ["message_creation"]
    answer = (await client.beta.threads.messages.list(run.thread_id)).data[0]
    assert (answer.content[0].text.value, answer.content[0].text.annotations) == ("Red【4:0†apples.txt】.", [])
