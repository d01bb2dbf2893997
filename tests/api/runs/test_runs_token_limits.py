"""max_prompt_tokens / max_completion_tokens end a run `incomplete` with the real incomplete_details."""

from __future__ import annotations

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
