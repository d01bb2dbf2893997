"""max_prompt_tokens / max_completion_tokens end a run `incomplete` with the real incomplete_details."""

from __future__ import annotations

import json
import math

from fake_assistants import FakeAssistants
from sdk_matrix import Sdk


async def test_reply_longer_than_max_completion_tokens_is_cut(client: Sdk, fake: FakeAssistants) -> None:
    assistant = await client.beta.assistants.create(model="gpt-4o")
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": "Tell me a story."}])
    fake.script.reply("word " * 400)

    run = await client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, max_completion_tokens=256
    )

    assert (run.status, run.incomplete_details.reason) == ("incomplete", "max_completion_tokens")
    message = (await client.beta.threads.messages.list(thread_id=thread.id)).data[0]
    assert (message.status, message.incomplete_details.reason) == ("incomplete", "max_tokens")
    assert len(message.content[0].text.value) == 256 * 4


async def test_prompt_over_max_prompt_tokens_ends_incomplete(client: Sdk) -> None:
    assistant = await client.beta.assistants.create(model="gpt-4o", instructions="Be thorough. " * 200)
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])

    run = await client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, max_prompt_tokens=256
    )

    assert (run.status, run.incomplete_details.reason) == ("incomplete", "max_prompt_tokens")


async def test_auto_truncation_keeps_a_long_thread_within_max_prompt_tokens(client: Sdk) -> None:
    assistant = await client.beta.assistants.create(model="gpt-4o")
    thread = await client.beta.threads.create(
        messages=[{"role": "user", "content": "Some earlier context. " * 50} for _ in range(5)]
    )
    await client.beta.threads.messages.create(thread_id=thread.id, role="user", content="Short question?")

    run = await client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, max_prompt_tokens=256
    )
    assert run.status == "completed"

    run = await client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, max_prompt_tokens=256,
        truncation_strategy={"type": "last_messages", "last_messages": 8},
    )
    assert (run.status, run.incomplete_details.reason) == ("incomplete", "max_prompt_tokens")


async def test_max_completion_tokens_holds_over_the_whole_run(client: Sdk, fake: FakeAssistants) -> None:
    """"used over the course of the run" (the spec): a function call's tokens count, so the answer after it gets
    what is left, and the run's usage is the limit, not more."""
    weather = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
    assistant = await client.beta.assistants.create(model="gpt-4o", tools=[weather])  # type: ignore[list-item]
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": "Weather, at length?"}])
    fake.script.call_function("get_weather", {"location": "Paris"}).reply("word " * 400)

    run = await client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, max_completion_tokens=256)
    call = run.required_action.submit_tool_outputs.tool_calls[0]
    run = await client.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run.id, thread_id=thread.id, tool_outputs=[{"tool_call_id": call.id, "output": "sunny"}])

    assert (run.status, run.incomplete_details.reason) == ("incomplete", "max_completion_tokens")
    assert run.usage.completion_tokens == 256
    tool_step, message_step = (await client.beta.threads.runs.steps.list(run.id, thread_id=thread.id,
                                                                          order="asc")).data
    assert tool_step.usage.completion_tokens + message_step.usage.completion_tokens == 256
    message = (await client.beta.threads.messages.list(thread_id=thread.id)).data[0]
    assert len(message.content[0].text.value) == message_step.usage.completion_tokens * 4


async def test_a_message_on_the_way_counts_against_max_completion_tokens(client: Sdk, fake: FakeAssistants) -> None:
    """A `say(...)` before the answer is written by the model too: past the run's limit, the run ends there."""
    assistant = await client.beta.assistants.create(model="gpt-4o")
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": "Think aloud."}])
    fake.script.say("hmm " * 300).reply("Done.")

    run = await client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, max_completion_tokens=256)

    assert (run.status, run.incomplete_details.reason, run.usage.completion_tokens) == (
        "incomplete", "max_completion_tokens", 256)
    (message,) = [m for m in (await client.beta.threads.messages.list(thread_id=thread.id)).data
                  if m.role == "assistant"]
    assert (message.status, len(message.content[0].text.value)) == ("incomplete", 256 * 4)


async def test_function_calls_past_max_completion_tokens_are_cut_and_not_asked_for(
        client: Sdk, fake: FakeAssistants) -> None:
    """The model writes its calls with the run's tokens too: calls past what is left are cut where the tokens ran
    out, and the run ends incomplete instead of asking for their outputs (its usage is the limit, not more)."""
    tool = {"type": "function", "function": {"name": "save", "parameters": {"type": "object"}}}
    assistant = await client.beta.assistants.create(model="gpt-4o", tools=[tool])  # type: ignore[list-item]
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": "Save it all."}])
    short, long = {"text": "a" * 100}, {"text": "b" * 2000}
    fake.script.call_functions([("save", short), ("save", long)])

    run = await client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, max_completion_tokens=256)

    assert (run.status, run.incomplete_details.reason, run.required_action) == (
        "incomplete", "max_completion_tokens", None)
    assert run.usage.completion_tokens == 256
    (step,) = (await client.beta.threads.runs.steps.list(run.id, thread_id=thread.id)).data
    assert (step.status, step.usage.completion_tokens) == ("completed", 256)
    first, second = step.step_details.tool_calls
    assert json.loads(first.function.arguments) == short  # whole
    first_tokens = math.ceil(len(first.function.name + first.function.arguments) / 4) + 6  # 6: the call's frame
    # the rest of the 256: 6 for the second call's frame, and 4 characters a token of its name and arguments
    assert len(second.function.name + second.function.arguments) == (256 - first_tokens - 6) * 4
    assert long["text"].startswith(second.function.arguments[len('{"text": "'):])
    assert second.function.output is None


async def test_code_past_max_completion_tokens_is_cut_and_not_run(client: Sdk, fake: FakeAssistants) -> None:
    assistant = await client.beta.assistants.create(model="gpt-4o", tools=[{"type": "code_interpreter"}])
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": "Compute."}])
    fake.script.code_interpreter("x = 1\n" * 300, logs="done").reply("Done.")

    run = await client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, max_completion_tokens=256)

    assert (run.status, run.incomplete_details.reason, run.usage.completion_tokens) == (
        "incomplete", "max_completion_tokens", 256)
    (step,) = (await client.beta.threads.runs.steps.list(run.id, thread_id=thread.id)).data
    (call,) = step.step_details.tool_calls
    assert (step.status, call.code_interpreter.input, call.code_interpreter.outputs) == (
        "completed", ("x = 1\n" * 300)[:256 * 4], [])
    assert [m.role for m in (await client.beta.threads.messages.list(thread_id=thread.id)).data] == ["user"]
