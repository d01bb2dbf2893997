"""Scripted runs through the real SDK: function calls, code interpreter, failures, progression, expiry, cancel."""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest

from fake_assistants import FakeAssistants
from fake_assistants.progression import after_polls, after_seconds
from fake_assistants.runs.engine import UNSCRIPTED_MESSAGE
from fake_assistants.runs.script import DEFAULT_FAILURE_MESSAGES, LAST_ERROR_CODES, FunctionCalls, TurnContext
from runs_support import (
    assistant_and_thread,
    clock_of,
    messages_of,
    retrieve,
    steps_of,
    text_of,
)
from sdk_matrix import START, Sdk, new_fake, open_sdk
from stream_support import collect_events, compress, opened

EXPIRY = 600


async def start_run(client: Sdk, text: str = "What's the weather in Paris?", **assistant: Any) -> tuple[Any, Any]:
    """A thread with one user message and a run on it, as `runs.create` returns it (queued)."""
    created, thread = await assistant_and_thread(client, text, **assistant)
    run = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=created.id)
    return thread, run


async def poll_run(client: Sdk, text: str = "What's the weather in Paris?", **assistant: Any) -> tuple[Any, Any]:
    """A thread with one user message and a run on it, polled until it stops."""
    created, thread = await assistant_and_thread(client, text, **assistant)
    run = await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=created.id)
    return thread, run


# -- function calling ------------------------------------------------------------------------------


async def test_function_call_then_reply(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.call_function("get_weather", {"location": "Paris"}).reply("It is 22C and sunny in Paris.")

    thread, run = await poll_run(client)

    assert run.status == "requires_action"
    assert run.required_action.type == "submit_tool_outputs"
    (call,) = run.required_action.submit_tool_outputs.tool_calls
    assert call.type == "function"
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"location": "Paris"}
    assert run.completed_at is None
    assert run.expires_at == run.created_at + EXPIRY

    done = await client.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run.id, thread_id=thread.id, tool_outputs=[{"tool_call_id": call.id, "output": "22C, sunny"}]
    )

    assert done.status == "completed"
    assert done.required_action is None
    reply = (await messages_of(client, thread.id))[0]
    assert (reply.role, reply.run_id, text_of(reply)) == ("assistant", run.id, "It is 22C and sunny in Paris.")
    tool_step, message_step = await steps_of(client, run)
    assert (tool_step.type, tool_step.status) == ("tool_calls", "completed")
    (done_call,) = tool_step.step_details.tool_calls
    assert (done_call.id, done_call.function.name, done_call.function.output) == (call.id, "get_weather", "22C, sunny")
    assert (message_step.type, message_step.status) == ("message_creation", "completed")
    assert message_step.step_details.message_creation.message_id == reply.id
    # a function call's own tokens: its name and arguments, and what wraps them (never 0, as recorded)
    assert tool_step.usage.completion_tokens == -(-len('get_weather{"location": "Paris"}') // 4) + 6
    assert done.usage.completion_tokens == tool_step.usage.completion_tokens + message_step.usage.completion_tokens


async def test_function_step_tokens_match_the_recorded_call(client: Sdk, fake: FakeAssistants) -> None:
    """openai-dotnet's StreamingToolCall: `get_current_weather` called with `{}` counted 12 completion tokens."""
    fake.script.call_function("get_current_weather", {}).reply("Warm and sunny.")
    thread, run = await poll_run(client, tools=[{"type": "function", "function": {
        "name": "get_current_weather", "parameters": {"type": "object", "properties": {}}}}])
    assert run.required_action.submit_tool_outputs.tool_calls[0].function.arguments == "{}"

    (waiting,) = await steps_of(client, run)
    assert waiting.usage is None  # null while the step is in progress

    await client.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run.id, thread_id=thread.id,
        tool_outputs=[{"tool_call_id": run.required_action.submit_tool_outputs.tool_calls[0].id, "output": "warm"}])
    tool_step, _ = await steps_of(client, run)
    assert tool_step.usage.completion_tokens == 12


async def test_tool_step_stays_open_while_action_is_required(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.call_function("get_weather", {"location": "Paris"})

    _, run = await poll_run(client)

    (step,) = await steps_of(client, run)
    assert (step.type, step.status, step.usage) == ("tool_calls", "in_progress", None)
    assert step.step_details.tool_calls[0].function.output is None


async def test_parallel_function_calls(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.call_functions([("get_weather", {"location": "Paris"}), ("get_time", {"tz": "CET"})])
    fake.script.reply("Sunny, and it is noon.")
    thread, run = await poll_run(client)

    calls = run.required_action.submit_tool_outputs.tool_calls
    assert [(c.function.name, json.loads(c.function.arguments)) for c in calls] == [
        ("get_weather", {"location": "Paris"}),
        ("get_time", {"tz": "CET"}),
    ]
    assert len({c.id for c in calls}) == 2
    outputs = [{"tool_call_id": calls[1].id, "output": "12:00"}, {"tool_call_id": calls[0].id, "output": "sunny"}]
    done = await client.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run.id, thread_id=thread.id, tool_outputs=outputs
    )

    assert done.status == "completed"
    tool_step, _ = await steps_of(client, run)
    assert [(c.id, c.function.output) for c in tool_step.step_details.tool_calls] == [
        (calls[0].id, "sunny"),
        (calls[1].id, "12:00"),
    ]
    assert text_of((await messages_of(client, thread.id))[0]) == "Sunny, and it is noon."


async def test_function_calls_can_follow_each_other(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.call_function("get_weather", {"location": "Paris"}).call_function("get_time").reply("Done.")
    thread, run = await poll_run(client)

    for name in ("get_weather", "get_time"):
        assert run.status == "requires_action"
        (call,) = run.required_action.submit_tool_outputs.tool_calls
        assert call.function.name == name
        run = await client.beta.threads.runs.submit_tool_outputs_and_poll(
            run_id=run.id, thread_id=thread.id, tool_outputs=[{"tool_call_id": call.id, "output": "ok"}]
        )

    assert run.status == "completed"
    assert [s.type for s in await steps_of(client, run)] == ["tool_calls", "tool_calls", "message_creation"]


# -- code interpreter ------------------------------------------------------------------------------


async def test_code_interpreter_turn(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.code_interpreter("print((14 - 11) / 3)", logs="1.0").reply("x = 1")

    thread, run = await poll_run(client, "Solve 3x + 11 = 14", tools=[{"type": "code_interpreter"}])

    assert run.status == "completed"
    code_step, message_step = await steps_of(client, run)
    assert (code_step.type, code_step.status) == ("tool_calls", "completed")
    (call,) = code_step.step_details.tool_calls
    assert call.type == "code_interpreter"
    assert call.code_interpreter.input == "print((14 - 11) / 3)"
    assert [(o.type, o.logs) for o in call.code_interpreter.outputs] == [("logs", "1.0")]
    assert message_step.type == "message_creation"
    assert text_of((await messages_of(client, thread.id))[0]) == "x = 1"


async def test_code_interpreter_without_logs(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.code_interpreter("x = 1")

    _, run = await poll_run(client, tools=[{"type": "code_interpreter"}])

    code_step, _ = await steps_of(client, run)
    assert code_step.step_details.tool_calls[0].code_interpreter.outputs == []
    assert run.status == "completed"


# -- failure and incompleteness ----------------------------------------------------------------------


@pytest.mark.parametrize("code", LAST_ERROR_CODES)
async def test_fail_with_each_code(client: Sdk, fake: FakeAssistants, code: str) -> None:
    fake.script.fail(code=code)

    thread, run = await poll_run(client)

    assert run.status == "failed"
    assert run.failed_at == START
    assert (run.last_error.code, run.last_error.message) == (code, DEFAULT_FAILURE_MESSAGES[code])
    assert (run.completed_at, run.cancelled_at, run.expires_at, run.required_action) == (None, None, None, None)
    steps = await steps_of(client, run)
    messages = await messages_of(client, thread.id)
    if code == "invalid_prompt":  # the prompt is refused before the model writes anything
        assert (steps, [m.role for m in messages]) == ([], ["user"])
        return
    (step,) = steps
    assert (step.type, step.status, step.failed_at) == ("message_creation", "failed", START)
    assert (step.last_error.code, step.last_error.message) == (code, DEFAULT_FAILURE_MESSAGES[code])
    reply = messages[0]
    assert (reply.id, reply.role, reply.run_id) == (step.step_details.message_creation.message_id, "assistant", run.id)
    assert (reply.status, reply.incomplete_details.reason, reply.content) == ("incomplete", "run_failed", [])
    assert (step.usage.completion_tokens, step.usage.prompt_tokens > 0) == (0, True)  # null only while in progress
    assert run.usage.model_dump() == step.usage.model_dump()


async def test_fail_with_own_message_after_a_tool_call(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.call_function("get_weather", {"location": "Paris"}).fail("server_error", "The model broke.")
    thread, run = await poll_run(client)
    call = run.required_action.submit_tool_outputs.tool_calls[0]

    run = await client.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run.id, thread_id=thread.id, tool_outputs=[{"tool_call_id": call.id, "output": "sunny"}]
    )

    assert run.status == "failed"
    assert run.last_error.message == "The model broke."
    assert [(s.type, s.status) for s in await steps_of(client, run)] == [
        ("tool_calls", "completed"),
        ("message_creation", "failed"),
    ]


def test_fail_rejects_unknown_codes(fake: FakeAssistants) -> None:
    with pytest.raises(ValueError, match="last_error code"):
        fake.script.fail(code="model_not_found")


async def test_incomplete_at_max_completion_tokens(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.incomplete(reason="max_completion_tokens", text="The answer is long. " * 10)

    thread, run = await poll_run(client)

    assert run.status == "incomplete"
    assert run.incomplete_details.reason == "max_completion_tokens"
    # completed_at is set on an incomplete run, as recorded (ruby-openai runs_streamed_create, v2)
    assert (run.completed_at, run.failed_at, run.expires_at) == (START, None, None)
    reply = (await messages_of(client, thread.id))[0]
    assert (reply.run_id, reply.status) == (run.id, "incomplete")
    assert reply.incomplete_details.reason == "max_tokens"
    assert reply.incomplete_at == START
    assert 0 < len(text_of(reply)) < len("The answer is long. " * 10)
    (step,) = await steps_of(client, run)
    assert (step.type, step.status) == ("message_creation", "completed")
    assert step.usage.completion_tokens == run.usage.completion_tokens == -(-len(text_of(reply)) // 4)


async def test_incomplete_at_the_runs_limit_reports_the_limit(client: Sdk, fake: FakeAssistants) -> None:
    """A run cut off by its max_completion_tokens wrote that many tokens, whatever the scripted text's length
    (ruby-openai's runs_streamed_create: 16 of 16, on the step and the run)."""
    fake.script.incomplete(reason="max_completion_tokens", text="Short, as scripted.")
    created, thread = await assistant_and_thread(client, "Tell me everything.")

    run = await client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=created.id, max_completion_tokens=300)

    assert (run.status, run.usage.completion_tokens) == ("incomplete", 300)
    (step,) = await steps_of(client, run)
    assert step.usage.completion_tokens == 300
    assert text_of((await messages_of(client, thread.id))[0]) == "Short, as scripted."


async def test_incomplete_at_max_prompt_tokens_writes_nothing(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.incomplete(reason="max_prompt_tokens")

    thread, run = await poll_run(client)

    assert run.status == "incomplete"
    assert run.incomplete_details.reason == "max_prompt_tokens"
    assert [m.role for m in await messages_of(client, thread.id)] == ["user"]
    assert await steps_of(client, run) == []


# -- respond_with, assistant scoping, strict scripts ---------------------------------------------------


async def test_respond_with_sees_the_thread(client: Sdk, fake: FakeAssistants) -> None:
    seen: list[TurnContext] = []

    def echo(context: TurnContext) -> str:
        seen.append(context)
        return f"You said {len(context.messages)} thing(s), last: {context.last_user_text}"

    fake.script.respond_with(echo)

    thread, run = await poll_run(client, "Bonjour")

    assert run.status == "completed"
    assert text_of((await messages_of(client, thread.id))[0]) == "You said 1 thing(s), last: Bonjour"
    (context,) = seen
    assert context.run["id"] == run.id
    assert [m["role"] for m in context.messages] == ["user"]
    assert [t["type"] for t in context.tools] == ["function", "function"]


async def test_a_responder_that_changes_its_context_changes_nothing_in_the_fake(
        client: Sdk, fake: FakeAssistants) -> None:
    kept: list[TurnContext] = []

    def meddle(context: TurnContext) -> str:
        kept.append(context)
        context.messages[0]["content"].clear()
        context.messages[0]["metadata"]["seen"] = "yes"
        context.tools.clear()
        context.run["tools"].clear()
        return "Done meddling."

    fake.script.respond_with(meddle)
    thread, run = await poll_run(client, "Leave this alone")

    assert run.status == "completed"
    assert [t.type for t in run.tools] == ["function", "function"]
    question = (await messages_of(client, thread.id))[-1]
    assert (text_of(question), question.metadata) == ("Leave this alone", {})
    assert (await client.beta.threads.runs.retrieve(run.id, thread_id=thread.id)).tools == run.tools
    (context,) = kept  # a context kept for later shows the turn as it was, not the run as it is now
    assert (context.run["status"], context.messages[0]["content"]) == ("in_progress", [])


async def test_respond_with_may_return_an_action(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.respond_with(_weather_for)

    _, run = await poll_run(client, "Lyon")

    (call,) = run.required_action.submit_tool_outputs.tool_calls
    assert json.loads(call.function.arguments) == {"location": "Lyon"}


def _weather_for(context: TurnContext) -> FunctionCalls:
    return FunctionCalls((("get_weather", json.dumps({"location": context.last_user_text})),))


async def test_repeating_responder_answers_every_run(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.respond_with(lambda context: context.last_user_text.upper(), repeat=True)
    created, thread = await assistant_and_thread(client, "one")

    for text in ("one", "two"):
        if text != "one":
            await client.beta.threads.messages.create(thread.id, role="user", content=text)
        await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=created.id)
        assert text_of((await messages_of(client, thread.id))[0]) == text.upper()


async def test_turns_scoped_to_an_assistant(client: Sdk, fake: FakeAssistants) -> None:
    first, thread = await assistant_and_thread(client, "hi")
    second = await client.beta.assistants.create(model="gpt-4o")
    fake.script.reply("from the first", assistant_id=first.id).reply("from the second", assistant_id=second.id)

    run = await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=second.id)
    assert text_of((await messages_of(client, thread.id))[0]) == "from the second"
    assert run.status == "completed"
    run = await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=first.id)
    assert text_of((await messages_of(client, thread.id))[0]) == "from the first"
    assert fake.script.pending == []


async def test_unscripted_run_replies_by_default(client: Sdk) -> None:
    thread, run = await poll_run(client, "ping")

    assert run.status == "completed"
    assert "ping" in text_of((await messages_of(client, thread.id))[0])


async def test_strict_script_fails_unscripted_runs(client: Sdk) -> None:
    strict = new_fake(strict_script=True)
    strict.script.reply("scripted")
    async with open_sdk(strict, client.variant) as sdk:
        created, thread = await assistant_and_thread(sdk, "first")
        run = await sdk.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=created.id)
        assert (run.status, text_of((await messages_of(sdk, thread.id))[0])) == ("completed", "scripted")

        await sdk.beta.threads.messages.create(thread.id, role="user", content="second")
        run = await sdk.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=created.id)

    assert run.status == "failed"
    assert (run.last_error.code, run.last_error.message) == ("server_error", UNSCRIPTED_MESSAGE)


# -- create_and_run ----------------------------------------------------------------------------------


async def test_create_and_run_poll(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.reply("Paris is the capital.")
    created = await client.beta.assistants.create(model="gpt-4o", instructions="Answer briefly.")

    run = await client.beta.threads.create_and_run_poll(
        assistant_id=created.id, thread={"messages": [{"role": "user", "content": "Capital of France?"}]}
    )

    assert run.status == "completed"
    assert run.instructions == "Answer briefly."
    messages = await messages_of(client, run.thread_id)
    assert [(m.role, text_of(m)) for m in messages] == [
        ("assistant", "Paris is the capital."),
        ("user", "Capital of France?"),
    ]


# -- progression policies --------------------------------------------------------------------------


async def test_after_polls_shows_in_progress_that_many_times(client: Sdk, fake: FakeAssistants) -> None:
    fake.set_progression(after_polls(3))
    _thread, run = await start_run(client)
    assert run.status == "queued"

    statuses = [(await retrieve(client, run)).status for _ in range(5)]

    assert statuses == ["in_progress", "in_progress", "in_progress", "completed", "completed"]


async def test_after_polls_counts_again_after_tool_outputs(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.call_function("get_weather", {"location": "Paris"}).reply("Sunny.")
    fake.set_progression(after_polls(2))
    thread, run = await start_run(client)
    assert [(await retrieve(client, run)).status for _ in range(3)] == ["in_progress"] * 2 + ["requires_action"]
    call = (await retrieve(client, run)).required_action.submit_tool_outputs.tool_calls[0]

    submitted = await client.beta.threads.runs.submit_tool_outputs(
        run.id, thread_id=thread.id, tool_outputs=[{"tool_call_id": call.id, "output": "sunny"}]
    )

    assert submitted.status == "queued"
    assert [(await retrieve(client, run)).status for _ in range(3)] == ["in_progress"] * 2 + ["completed"]


async def test_other_reads_do_not_count_as_polls(client: Sdk, fake: FakeAssistants) -> None:
    fake.set_progression(after_polls(1))
    thread, run = await start_run(client)

    await messages_of(client, thread.id)
    await steps_of(client, run)
    await client.beta.threads.runs.list(thread.id)

    assert [(await retrieve(client, run)).status for _ in range(2)] == ["in_progress", "completed"]


async def test_progression_for_one_run(client: Sdk, fake: FakeAssistants) -> None:
    _thread, run = await start_run(client)
    fake.set_progression("manual", run_id=run.id)

    assert (await retrieve(client, run)).status == "queued"
    fake.set_progression(after_polls(1), run_id=run.id)
    assert [(await retrieve(client, run)).status for _ in range(2)] == ["in_progress", "completed"]


async def test_immediate_run_shows_its_outcome_on_the_first_read(client: Sdk) -> None:
    _thread, run = await start_run(client)
    assert run.status == "queued"
    assert (run.started_at, run.completed_at) == (None, None)

    read = await retrieve(client, run)

    assert read.status == "completed"
    assert read.started_at == read.completed_at == START


async def test_manual_progression_moves_only_on_advance(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.call_function("get_weather", {"location": "Paris"}).reply("Sunny.")
    fake.set_progression("manual")
    thread, run = await start_run(client)

    assert (await retrieve(client, run)).status == "queued"
    assert fake.advance(run.id) == "in_progress"
    assert (await retrieve(client, run)).status == "in_progress"
    assert fake.advance(run.id) == "requires_action"
    read = await retrieve(client, run)
    assert read.status == "requires_action"
    call = read.required_action.submit_tool_outputs.tool_calls[0]
    submitted = await client.beta.threads.runs.submit_tool_outputs(
        run.id, thread_id=thread.id, tool_outputs=[{"tool_call_id": call.id, "output": "sunny"}]
    )
    assert submitted.status == "queued"
    assert (await retrieve(client, run)).status == "queued"
    assert [fake.advance(run.id), fake.advance(run.id), fake.advance(run.id)] == [
        "in_progress",
        "completed",
        "completed",
    ]
    assert (await retrieve(client, run)).status == "completed"


async def test_advance_through_a_broken_stream_shows_the_failed_run(client: Sdk, fake: FakeAssistants) -> None:
    """A polled run's broken stream is its failure, as a poll sees it: `advance` returns it, it does not raise the
    stream's error (which only a stream reading the run gets)."""
    fake.script.break_stream("Breaks off", after_deltas=1)
    fake.set_progression("manual")
    _thread, run = await start_run(client)

    assert [fake.advance(run.id), fake.advance(run.id)] == ["in_progress", "failed"]
    assert (await retrieve(client, run)).last_error.code == "server_error"


async def test_after_seconds_uses_the_fake_clock(client: Sdk, fake: FakeAssistants) -> None:
    fake.set_progression(after_seconds(30))
    _thread, run = await start_run(client)

    clock_of(fake).advance(10)
    started = await retrieve(client, run)  # the service started a run at once: in progress until its outcome
    clock_of(fake).advance(19)
    assert (await retrieve(client, run)).status == "in_progress"
    clock_of(fake).advance(1)
    done = await retrieve(client, run)

    assert (started.status, started.started_at) == ("in_progress", START + 10)
    assert done.status == "completed"
    assert (done.started_at, done.completed_at) == (START + 10, START + 30)


async def test_after_seconds_a_run_first_read_past_its_expiry_expires_unstarted(client: Sdk,
                                                                                fake: FakeAssistants) -> None:
    fake.set_progression(after_seconds(10_000))
    _thread, run = await start_run(client)

    clock_of(fake).advance(EXPIRY + 100)
    expired = await retrieve(client, run)

    assert (expired.status, expired.started_at, expired.expires_at) == ("expired", None, START + EXPIRY)


async def test_a_poll_loop_that_could_never_end_is_told_why(client: Sdk, fake: FakeAssistants) -> None:
    """create_and_poll under `manual` would poll for ever (no poll moves the run): after `options.idle_polls`
    polls in a row that find it unchanged, the poll is a 400 saying why and what moves the run."""
    fake.options.idle_polls = 5
    fake.set_progression("manual")
    assistant = await client.beta.assistants.create(model="gpt-4o")
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])

    with pytest.raises(openai.BadRequestError) as raised:
        await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)

    message = raised.value.message
    assert "is still 'queued' after 5 polls in a row under the 'manual' progression" in message
    assert "move it with fake.advance('run_" in message and raised.value.param == "run_id"
    assert fake.calls["runs.retrieve"].call_count == 5
    run_id = fake.calls["runs.create"].last.response["id"]
    assert fake.advance(run_id) == "in_progress"  # the run is as it was: a test that catches the error goes on
    assert (await client.beta.threads.runs.retrieve(run_id, thread_id=thread.id)).status == "in_progress"


async def test_a_loop_over_the_runs_list_is_told_why_too(client: Sdk, fake: FakeAssistants) -> None:
    """An app that waits for its run by listing the thread's runs (not retrieving it) loops for ever under
    `manual` as well."""
    fake.options.idle_polls = 5
    fake.set_progression("manual")
    thread, run = await start_run(client)

    with pytest.raises(openai.BadRequestError, match="is still 'queued' after 5 polls in a row under the 'manual'"):
        for _ in range(5):
            listed = await client.beta.threads.runs.list(thread_id=thread.id, limit=1)
            assert listed.data[0].status == "queued"
    assert fake.calls["runs.list"].call_count == 5
    assert fake.advance(run.id) == "in_progress"


class Stopwatch:
    """Real time as the fake's poll guard reads it (`World.monotonic`), moved by the test."""

    def __init__(self) -> None:
        self.seconds = 1_000.0

    def __call__(self) -> float:
        return self.seconds


async def test_a_poll_loop_that_sleeps_is_told_why_after_a_minute(client: Sdk, fake: FakeAssistants) -> None:
    """An app's own loop that sleeps between polls (every 0.5 s) would take more than an hour to reach
    `options.idle_polls`: `options.idle_seconds` of real time (60 by default) end it too."""
    stopwatch = Stopwatch()
    fake.engine.world.monotonic = stopwatch
    fake.set_progression("manual")
    _thread, run = await start_run(client)

    for _ in range(120):  # a minute of polls every half second, less one
        assert (await retrieve(client, run)).status == "queued"
        stopwatch.seconds += 0.5
    with pytest.raises(openai.BadRequestError) as raised:
        await retrieve(client, run)

    message = raised.value.body["message"]  # type: ignore[index]
    assert message.startswith(
        f"fake-assistants: run {run.id} is still 'queued' after 60 s of polls in a row (121 polls) under the 'manual' "
        "progression")
    assert "move it with fake.advance(" in message
    fake.options.idle_seconds = None  # never: the count of polls alone (10,000) is left
    stopwatch.seconds += 3_600
    assert (await retrieve(client, run)).status == "queued"


async def test_reads_with_pauses_between_them_are_not_a_loop(client: Sdk, fake: FakeAssistants) -> None:
    """Real time counts only for a loop (ten polls or more, each within 10 s of the last): a test that reads the
    run now and then, or stops at a breakpoint after nine quick reads, is not one."""
    stopwatch = Stopwatch()
    fake.engine.world.monotonic = stopwatch
    fake.set_progression("manual")
    _thread, run = await start_run(client)

    for _ in range(9):
        assert (await retrieve(client, run)).status == "queued"
    stopwatch.seconds += 90  # a breakpoint
    for _ in range(12):
        assert (await retrieve(client, run)).status == "queued"
        stopwatch.seconds += 600  # ten minutes between reads
    for _ in range(9):  # then a loop again: 50 s of polls 5 s apart is not yet a minute
        assert (await retrieve(client, run)).status == "queued"
        stopwatch.seconds += 5
    stopwatch.seconds += 5
    with pytest.raises(openai.BadRequestError, match=r"after 50 s of polls in a row \(31 polls\)"):
        fake.options.idle_seconds = 50
        await retrieve(client, run)


class TickingClock:
    """A clock that moves a second at every read, as the system clock does under a long poll loop."""

    def __init__(self) -> None:
        self.time = START

    def now(self) -> int:
        self.time += 1
        return self.time


def test_the_clock_moving_does_not_hide_a_manual_poll_loop() -> None:
    fake = FakeAssistants(progression="manual", clock=TickingClock())
    fake.options.idle_polls = 5
    sdk = fake.openai_client(max_retries=0)
    assistant = sdk.beta.assistants.create(model="gpt-4o")

    with pytest.raises(openai.BadRequestError, match="after 5 polls in a row under the 'manual' progression"):
        sdk.beta.threads.create_and_run_poll(
            assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "Hi"}]})


async def test_a_run_waiting_for_tool_outputs_is_not_a_poll_loop(client: Sdk, fake: FakeAssistants) -> None:
    """No poll helper waits on a run in requires_action, and advance does not move it: polls of it never count."""
    fake.options.idle_polls = 3
    fake.script.call_function("get_weather", {"location": "Paris"})
    _thread, run = await start_run(client)
    fake.set_progression("manual", run_id=run.id)
    assert [fake.advance(run), fake.advance(run)] == ["in_progress", "requires_action"]

    for _ in range(6):
        assert (await retrieve(client, run)).status == "requires_action"


async def test_polls_that_see_the_run_or_the_clock_move_are_not_counted(client: Sdk, fake: FakeAssistants) -> None:
    fake.options.idle_polls = 3
    fake.set_progression(after_seconds(30))
    _thread, run = await start_run(client)
    for _ in range(4):  # two polls, then the clock moves: never three in a row that find the run unchanged
        await retrieve(client, run)
        await retrieve(client, run)
        clock_of(fake).advance(1)

    with pytest.raises(openai.BadRequestError, match=r"under the after_seconds\(30\) progression.*has not moved"):
        for _ in range(3):
            await retrieve(client, run)
    fake.options.idle_polls = None  # never
    for _ in range(5):
        assert (await retrieve(client, run)).status == "in_progress"  # since the first read


# -- expiry ----------------------------------------------------------------------------------------


async def test_run_left_in_requires_action_expires(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.call_function("get_weather", {"location": "Paris"})
    _thread, run = await poll_run(client)
    assert run.expires_at == START + EXPIRY

    clock_of(fake).advance(EXPIRY - 1)
    assert (await retrieve(client, run)).status == "requires_action"
    clock_of(fake).advance(1)
    expired = await retrieve(client, run)

    assert expired.status == "expired"
    assert expired.expires_at == START + EXPIRY
    assert (expired.completed_at, expired.failed_at, expired.cancelled_at) == (None, None, None)
    (step,) = await steps_of(client, run)
    assert (step.status, step.expired_at) == ("expired", START + EXPIRY)
    # usage is null only while a run or step is not over (the spec): the expired step counts the call it wrote
    assert step.usage.completion_tokens == -(-len('get_weather{"location": "Paris"}') // 4) + 6
    assert expired.usage.model_dump() == step.usage.model_dump()


async def test_expired_run_frees_its_thread_without_a_read(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.call_function("get_weather", {"location": "Paris"})
    thread, run = await poll_run(client)
    clock_of(fake).advance(EXPIRY)

    message = await client.beta.threads.messages.create(thread.id, role="user", content="Still there?")

    assert message.thread_id == thread.id
    assert (await retrieve(client, run)).status == "expired"


@pytest.mark.parametrize(("policy", "outcome"), [("immediate", "completed"), ("manual", "expired")])
async def test_a_write_after_expiry_settles_the_run_as_a_read_would(
    client: Sdk, fake: FakeAssistants, policy: str, outcome: str
) -> None:
    fake.set_progression(policy)
    thread, run = await start_run(client)
    clock_of(fake).advance(EXPIRY)

    message = await client.beta.threads.messages.create(thread.id, role="user", content="Anyone?")

    assert message.thread_id == thread.id  # accepted: the run is no longer active
    fake.set_progression("manual")  # the read below must show the run as the write left it
    assert (await retrieve(client, run)).status == outcome


@pytest.mark.parametrize("advances", [0, 1])
async def test_held_run_expires(client: Sdk, fake: FakeAssistants, advances: int) -> None:
    fake.set_progression("manual")
    _thread, run = await start_run(client)
    for _ in range(advances):
        fake.advance(run.id)

    clock_of(fake).advance(EXPIRY)

    assert fake.advance(run.id) == "expired"
    assert (await retrieve(client, run)).status == "expired"


async def test_run_that_would_finish_does_not_expire(client: Sdk, fake: FakeAssistants) -> None:
    fake.set_progression(after_seconds(30))
    _thread, run = await start_run(client)

    clock_of(fake).advance(EXPIRY + 60)

    assert (await retrieve(client, run)).status == "completed"


# -- cancellation -----------------------------------------------------------------------------------


async def test_cancel_a_queued_run(client: Sdk, fake: FakeAssistants) -> None:
    fake.set_progression("manual")
    thread, run = await start_run(client)

    cancelling = await client.beta.threads.runs.cancel(run.id, thread_id=thread.id)

    assert cancelling.status == "cancelling"
    assert cancelling.cancelled_at is None
    fake.set_progression("immediate")
    cancelled = await retrieve(client, run)
    assert cancelled.status == "cancelled"
    assert cancelled.cancelled_at == START
    assert (cancelled.started_at, cancelled.expires_at) == (None, None)
    assert await steps_of(client, run) == []


async def test_cancel_an_in_progress_run(client: Sdk, fake: FakeAssistants) -> None:
    fake.set_progression("manual")
    thread, run = await start_run(client)
    fake.advance(run.id)

    cancelling = await client.beta.threads.runs.cancel(run.id, thread_id=thread.id)

    assert cancelling.status == "cancelling"
    assert (await retrieve(client, run)).status == "cancelling"  # manual: the cancellation waits too
    fake.set_progression("immediate", run_id=run.id)
    cancelled = await retrieve(client, run)
    assert (cancelled.status, cancelled.cancelled_at, cancelled.started_at) == ("cancelled", START, START)
    assert [m.role for m in await messages_of(client, thread.id)] == ["user"]


async def test_cancel_a_run_that_requires_action(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.call_function("get_weather", {"location": "Paris"})
    thread, run = await poll_run(client)
    clock_of(fake).advance(5)

    cancelling = await client.beta.threads.runs.cancel(run.id, thread_id=thread.id)

    assert cancelling.status == "cancelling"
    cancelled = await retrieve(client, run)
    assert (cancelled.status, cancelled.cancelled_at) == ("cancelled", START + 5)
    assert (cancelled.required_action, cancelled.expires_at) == (None, None)
    (step,) = await steps_of(client, run)
    assert (step.status, step.cancelled_at) == ("cancelled", START + 5)
    assert step.usage.completion_tokens == -(-len('get_weather{"location": "Paris"}') // 4) + 6
    assert cancelled.usage.model_dump() == step.usage.model_dump()


async def test_poll_follows_a_cancellation_to_its_end(client: Sdk, fake: FakeAssistants) -> None:
    fake.set_progression(after_polls(2))
    thread, run = await start_run(client)
    await client.beta.threads.runs.cancel(run.id, thread_id=thread.id)

    done = await client.beta.threads.runs.poll(run.id, thread_id=thread.id)

    assert done.status == "cancelled"


async def test_cancel_while_the_reply_streams(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.reply("A fairly long answer that arrives in several pieces.")
    created, thread = await assistant_and_thread(client, "Tell me something")
    stream = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=created.id, stream=True)
    events: list[str] = []
    async for event in _events(stream):
        events.append(event.event)
        if event.event == "thread.run.created":
            run_id = event.data.id
        if event.event == "thread.message.delta" and "thread.run.cancelling" not in events:
            cancelling = await client.beta.threads.runs.cancel(run_id, thread_id=thread.id)
            assert cancelling.status == "cancelling"

    assert events[-3:] == ["thread.message.incomplete", "thread.run.step.cancelled", "thread.run.cancelled"]
    run = await client.beta.threads.runs.retrieve(run_id, thread_id=thread.id)
    assert (run.status, run.cancelled_at) == ("cancelled", START)
    (step,) = await steps_of(client, run)
    assert (step.status, step.cancelled_at) == ("cancelled", START)
    reply = (await messages_of(client, thread.id))[0]
    assert (reply.status, reply.incomplete_details.reason) == ("incomplete", "run_cancelled")


async def _events(stream: Any) -> Any:
    """Iterate a sync `Stream` or an `AsyncStream` alike."""
    if hasattr(stream, "__aiter__"):
        async for event in stream:
            yield event
    else:
        for event in stream:
            yield event


# -- a message part-way through a run ----------------------------------------------------------------


async def test_say_writes_a_message_and_the_run_goes_on(client: Sdk, fake: FakeAssistants) -> None:
    """message -> tool_calls -> message in one run, as the model did (openllmetry 2024-03 stream)."""
    fake.script.say("Let me compute that.").code_interpreter("print(1)", logs="1").reply("x = 1")

    thread, run = await poll_run(client, "Solve 3x + 11 = 14", tools=[{"type": "code_interpreter"}])

    assert run.status == "completed"
    steps = await steps_of(client, run)
    assert [s.type for s in steps] == ["message_creation", "tool_calls", "message_creation"]
    assert all(s.status == "completed" for s in steps)
    answer, first, question = await messages_of(client, thread.id)
    assert (text_of(first), text_of(answer), question.role) == ("Let me compute that.", "x = 1", "user")
    assert first.run_id == answer.run_id == run.id
    assert [s.step_details.message_creation.message_id for s in (steps[0], steps[2])] == [first.id, answer.id]


async def test_say_then_function_call_streams_the_message_before_requires_action(
    client: Sdk, fake: FakeAssistants
) -> None:
    fake.script.say("Checking the weather.").call_function("get_weather", {"location": "Paris"})
    assistant, thread = await assistant_and_thread(client, "Weather in Paris?")

    manager = client.raw.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id)
    async with opened(manager) as stream:
        names = compress([event.event for event in await collect_events(stream)])

    assert names == [
        "thread.run.created", "thread.run.queued", "thread.run.in_progress",
        "thread.run.step.created", "thread.run.step.in_progress", "thread.message.created",
        "thread.message.in_progress", "thread.message.delta", "thread.message.completed",
        "thread.run.step.completed",
        "thread.run.step.created", "thread.run.step.in_progress", "thread.run.step.delta",
        "thread.run.requires_action",
    ]


async def test_a_bad_tool_choice_type_is_answered_with_the_whole_enum(client: Sdk) -> None:
    """AssistantsNamedToolChoice.type: 'function', 'code_interpreter', 'file_search' (the spec's order)."""
    assistant, thread = await assistant_and_thread(client, "Hi")
    choice: Any = {"type": "web"}
    with pytest.raises(openai.BadRequestError) as caught:
        await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, tool_choice=choice)
    assert caught.value.body == {
        "message": "Invalid value: 'web'. Supported values are: 'function', 'code_interpreter', and 'file_search'.",
        "type": "invalid_request_error", "param": "tool_choice.type", "code": "invalid_value"}
    run = await client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, tool_choice={"type": "function", "function": {"name": "f"}})
    assert run.tool_choice.model_dump(exclude_none=True) == {"type": "function", "function": {"name": "f"}}


@pytest.mark.parametrize("where", ["assistant", "run"])
async def test_a_bad_response_format_type_is_answered_with_the_objects_enum(client: Sdk, where: str) -> None:
    """`"auto"` or `{type: text | json_object | json_schema}`: a wrong type in the object is the object's error (the
    spec's order), not the string branch's "Supported values are: 'auto'"."""
    assistant, thread = await assistant_and_thread(client, "Hi")
    wrong: Any = {"type": "json"}
    with pytest.raises(openai.BadRequestError) as caught:
        if where == "assistant":
            await client.beta.assistants.create(model="gpt-4o", response_format=wrong)
        else:
            await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, response_format=wrong)
    assert caught.value.body == {
        "message": "Invalid value: 'json'. Supported values are: 'text', 'json_object', and 'json_schema'.",
        "type": "invalid_request_error", "param": "response_format.type", "code": "invalid_value"}
