"""Streams and state agree: every full object a stream carries is what a retrieve returns at that moment.

Also: errors found before a stream starts are plain JSON 4xx answers, a stream that breaks raises
`openai.APIError` in the SDK, cancellation and expiry during a stream are announced on it, and a long
stream is produced as the client reads it, not before.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from typing import Any

import openai
import pytest

from fake_assistants import FakeAssistants
from fake_assistants.progression import after_polls
from fake_assistants.runs.engine import DELTAS_PER_CHUNK
from runs_support import assistant_and_thread, clock_of, expect_bad_request, messages_of, retrieve, steps_of, text_of
from sdk_matrix import Journal, Sdk, new_fake, open_sdk, settle
from stream_support import collect_events, compress, events_of, opened

SEARCH_CONTENT = "step_details.tool_calls[*].file_search.results[*].content"
OnEvent = Callable[[Any], Awaitable[None]]


async def current(client: Sdk, event: Any, include: list[str]) -> Any:
    """What a retrieve returns now for the object a non-delta event carries."""
    name, data = event.event, event.data
    if name == "thread.created":
        return await client.beta.threads.retrieve(data.id)
    if name.startswith("thread.run.step."):
        return await client.beta.threads.runs.steps.retrieve(
            data.id, thread_id=data.thread_id, run_id=data.run_id, include=include)
    if name.startswith("thread.run."):
        return await client.beta.threads.runs.retrieve(data.id, thread_id=data.thread_id)
    assert name.startswith("thread.message."), name
    return await client.beta.threads.messages.retrieve(data.id, thread_id=data.thread_id)


async def read_checked(client: Sdk, stream: Any, *, include: list[str] | None = None,
                       on_event: OnEvent | None = None) -> list[Any]:
    """Every event of `stream`; at each non-delta one, the object is retrieved and must be identical.

    Once the stream is over, each object whose last word on the stream was a full object must still be
    what a retrieve returns. (A tool step left open at `requires_action` was last described by deltas.)"""
    events: list[Any] = []
    last: dict[str, Any] = {}
    async for event in events_of(stream):
        events.append(event)
        if event.event.endswith(".delta"):
            last.pop(event.data.id, None)
        else:
            assert (await current(client, event, include or [])).model_dump() == event.data.model_dump(), event.event
            last[event.data.id] = event
        if on_event is not None:
            await on_event(event)
    for event in last.values():
        expected = event.data.model_dump()
        if event.event.startswith("thread.run.step."):  # read over REST, a step shares its run's expires_at as the
            run = await client.beta.threads.runs.retrieve(event.data.run_id, thread_id=event.data.thread_id)
            expected["expires_at"] = run.expires_at  # run is now: null once it ended (test_run_timestamps.py)
        assert (await current(client, event, include or [])).model_dump() == expected, event.event
    return events


def names(events: list[Any]) -> list[str]:
    return compress(event.event for event in events)


# -- every full object is what a retrieve returns ---------------------------------------------------


async def test_text_run(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.reply("Hello! How can I help you today?")
    assistant, thread = await assistant_and_thread(client, "Hi")

    stream = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True)
    events = await read_checked(client, stream)

    assert names(events)[-1] == "thread.run.completed"
    message = next(e.data for e in events if e.event == "thread.message.completed")
    assert text_of(message) == "Hello! How can I help you today?"


async def test_function_call_and_resume(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.call_function("get_weather", {"location": "Paris"}).reply("Sunny.")
    assistant = await client.beta.assistants.create(model="gpt-4o", tools=[{"type": "function", "function": {
        "name": "get_weather"}}])

    stream = await client.beta.threads.create_and_run(
        assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "Weather?"}]}, stream=True)
    first = await read_checked(client, stream)
    run = first[-1].data
    (call,) = run.required_action.submit_tool_outputs.tool_calls
    resumed = await read_checked(client, await client.beta.threads.runs.submit_tool_outputs(
        run.id, thread_id=run.thread_id, tool_outputs=[{"tool_call_id": call.id, "output": "22C"}], stream=True))

    assert (first[0].event, first[-1].event) == ("thread.created", "thread.run.requires_action")
    assert (resumed[0].event, resumed[0].data.step_details.tool_calls[0].function.output) == (
        "thread.run.step.completed", "22C")
    assert resumed[-1].data.status == "completed"


async def test_code_interpreter_with_an_image(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.code_interpreter("plot()", logs="done", images=[b"\x89PNG fake"]).reply("Here is the plot.")
    assistant, thread = await assistant_and_thread(client, "Plot it", tools=[{"type": "code_interpreter"}])

    stream = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True)
    events = await read_checked(client, stream)

    message = next(e.data for e in events if e.event == "thread.message.completed")
    assert [part.type for part in message.content] == ["image_file", "text"]
    deltas = [e.data.delta.content[0] for e in events if e.event == "thread.message.delta"]
    assert (deltas[0].index, deltas[0].type, deltas[0].image_file.file_id) == (
        0, "image_file", message.content[0].image_file.file_id)
    assert deltas[1].index == 1 and deltas[1].text.annotations == []


async def test_file_search_with_included_content(client: Sdk, fake: FakeAssistants) -> None:
    uploaded = await client.files.create(file=("foods.txt", b"Filip's favorite food is cake."), purpose="assistants")
    fake.script.file_search().reply("Filip likes cake.")
    assistant = await client.beta.assistants.create(
        model="gpt-4o", tools=[{"type": "file_search"}],
        tool_resources={"file_search": {"vector_stores": [{"file_ids": [uploaded.id]}]}})
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": "What does Filip like?"}])

    stream = await client.beta.threads.runs.create(
        thread_id=thread.id, assistant_id=assistant.id, stream=True, include=[SEARCH_CONTENT])
    events = await read_checked(client, stream, include=[SEARCH_CONTENT])

    step = next(e.data for e in events if e.event == "thread.run.step.completed")
    (result,) = step.step_details.tool_calls[0].file_search.results
    assert (result.file_id, result.content[0].text) == (uploaded.id, "Filip's favorite food is cake.")
    message = next(e.data for e in events if e.event == "thread.message.completed")
    (annotation,) = message.content[0].text.annotations
    assert annotation.file_citation.file_id == uploaded.id


async def test_incomplete_and_failed_endings(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.incomplete("max_completion_tokens", "A long answer that is cut").fail("rate_limit_exceeded")
    assistant, thread = await assistant_and_thread(client, "Hi")

    cut = await read_checked(client, await client.beta.threads.runs.create(
        thread_id=thread.id, assistant_id=assistant.id, stream=True))
    failed = await read_checked(client, await client.beta.threads.runs.create(
        thread_id=thread.id, assistant_id=assistant.id, stream=True))

    assert (cut[-1].event, cut[-1].data.status) == ("thread.run.incomplete", "incomplete")
    message = next(e.data for e in cut if e.event == "thread.message.incomplete")
    assert message.incomplete_details.reason == "max_tokens"
    assert (failed[-1].event, failed[-1].data.last_error.code) == ("thread.run.failed", "rate_limit_exceeded")
    assert names(failed)[-3:] == ["thread.message.incomplete", "thread.run.step.failed", "thread.run.failed"]


# -- cancellation and expiry during a stream ----------------------------------------------------------


async def test_cancel_during_the_stream_is_announced_on_it(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.reply("A long answer that arrives in several pieces, and is cancelled.")
    assistant, thread = await assistant_and_thread(client, "Tell me something")
    cancelled: list[Any] = []

    async def cancel_once(event: Any) -> None:
        if event.event == "thread.message.delta" and not cancelled:
            run_id = event_run_id(fake, thread.id)
            cancelled.append(await client.beta.threads.runs.cancel(run_id, thread_id=thread.id))

    stream = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True)
    events = await read_checked(client, stream, on_event=cancel_once)

    assert names(events)[-6:] == [
        "thread.message.in_progress", "thread.message.delta", "thread.run.cancelling", "thread.message.incomplete",
        "thread.run.step.cancelled", "thread.run.cancelled"]
    cancelling = next(e.data for e in events if e.event == "thread.run.cancelling")
    assert cancelling.model_dump() == cancelled[0].model_dump()
    message = next(e.data for e in events if e.event == "thread.message.incomplete")
    assert message.incomplete_details.reason == "run_cancelled"


async def cancelled_at_the_first_delta(client: Sdk, fake: FakeAssistants, assistant_id: str,
                                       thread_id: str) -> tuple[list[Any], list[Any]]:
    """A run streamed through the SDK's helper (`runs.stream`) and cancelled on reading its first message delta:
    the events read, and the helper's final messages."""
    read: list[Any] = []
    async with opened(client.raw.beta.threads.runs.stream(thread_id=thread_id, assistant_id=assistant_id)) as stream:
        async for event in events_of(stream):
            read.append(event)
            if event.event == "thread.message.delta" and len([e for e in read if e.event == event.event]) == 1:
                await settle(client.raw.beta.threads.runs.cancel(event_run_id(fake, thread_id), thread_id=thread_id))
        messages = await settle(stream.get_final_messages())
    return read, messages


async def test_a_cancel_read_by_the_sdk_stream_helper_leaves_the_message_the_text_sent(
        client: Sdk, fake: FakeAssistants) -> None:
    fake.options.stream_chunk_chars = 1  # one delta per character
    fake.script.reply("Sent, then cancelled.")
    assistant, thread = await assistant_and_thread(client, "Tell me something")
    read, messages = await cancelled_at_the_first_delta(client, fake, assistant.id, thread.id)

    # the message ends incomplete with the one delta sent (as a recorded incomplete message holds its text so
    # far): the SDK's helper, which indexes the content its deltas named, reads it to the end
    incomplete = next(e.data for e in read if e.event == "thread.message.incomplete")
    assert incomplete.content[0].text.value == "S" and messages[0].content[0].text.value == "S"
    assert [e.event for e in read][-1] == "thread.run.cancelled"
    assert text_of((await messages_of(client, thread.id))[0]) == "S"


async def test_a_cancel_after_an_image_leaves_the_message_the_image(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.code_interpreter("plot()", images=[b"\x89PNG fake"]).reply("Here is the plot.")
    assistant, thread = await assistant_and_thread(client, "Plot it", tools=[{"type": "code_interpreter"}])
    read, _ = await cancelled_at_the_first_delta(client, fake, assistant.id, thread.id)

    incomplete = next(e.data for e in read if e.event == "thread.message.incomplete")
    assert [part.type for part in incomplete.content] == ["image_file"]
    assert [e.event for e in read][-1] == "thread.run.cancelled"


async def test_a_cancel_at_a_later_delta_comes_after_the_rest_of_its_chunk(client: Sdk, fake: FakeAssistants) -> None:
    fake.options.stream_chunk_chars = 1  # one delta per character
    text = "abcdefghijklmnopqrstuvwxyz0123456789"
    fake.script.reply(text)
    assistant, thread = await assistant_and_thread(client, "Spell it out")
    seen: list[str] = []

    async def cancel_at_the_second(event: Any) -> None:
        if event.event == "thread.message.delta":
            seen.append(event.data.delta.content[0].text.value)
            if len(seen) == 2:
                await client.beta.threads.runs.cancel(event_run_id(fake, thread.id), thread_id=thread.id)

    stream = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True)
    events = await read_checked(client, stream, on_event=cancel_at_the_second)

    # the first delta came alone; the second opened a chunk of DELTAS_PER_CHUNK, all of which arrive
    assert "".join(seen) == text[:1 + DELTAS_PER_CHUNK]
    assert names(events)[-5:] == ["thread.message.delta", "thread.run.cancelling", "thread.message.incomplete",
                                  "thread.run.step.cancelled", "thread.run.cancelled"]
    chunks = fake.calls["runs.create"].last.chunks
    assert [chunk.count(b"event: thread.message.delta") for chunk in chunks if b"message.delta" in chunk] == [
        1, DELTAS_PER_CHUNK]


@pytest.mark.parametrize("tool", ["function", "code_interpreter"])
async def test_a_cancel_part_way_through_a_tool_call_leaves_the_step_what_was_sent(
        client: Sdk, fake: FakeAssistants, tool: str) -> None:
    fake.options.stream_chunk_chars = 1  # one delta per character of the arguments or the code
    if tool == "function":
        fake.script.call_function("get_weather", {"location": "Paris"}).reply("Sunny.")
        tools: list[Any] = [{"type": "function", "function": {"name": "get_weather"}}]
    else:
        fake.script.code_interpreter("print(6 * 7)", logs="42").reply("42.")
        tools = [{"type": "code_interpreter"}]
    assistant, thread = await assistant_and_thread(client, "Go", tools=tools)
    deltas: list[Any] = []

    async def cancel_at_the_third(event: Any) -> None:
        if event.event == "thread.run.step.delta":
            deltas.append(event.data.delta.step_details.tool_calls[0])
            if len(deltas) == 3:
                await client.beta.threads.runs.cancel(event_run_id(fake, thread.id), thread_id=thread.id)

    stream = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True)
    events = await read_checked(client, stream, on_event=cancel_at_the_third)

    # the step keeps the call as its deltas showed it (read_checked: the event is what a retrieve returns)
    assert names(events)[-3:] == ["thread.run.cancelling", "thread.run.step.cancelled", "thread.run.cancelled"]
    step = next(e.data for e in events if e.event == "thread.run.step.cancelled")
    (call,) = step.step_details.tool_calls
    assert call.id == deltas[0].id
    if tool == "function":
        assert (call.function.name, call.function.arguments, call.function.output) == ("get_weather", '{"', None)
    else:
        assert (call.code_interpreter.input, call.code_interpreter.outputs) == ("pr", [])
    assert step.usage is not None and step.usage.completion_tokens > 0  # what the model had written of it


async def test_calls_cut_by_max_completion_tokens_end_the_stream_incomplete(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.call_function("save", {"text": "b" * 2000})
    assistant, thread = await assistant_and_thread(client, "Save it", tools=[
        {"type": "function", "function": {"name": "save"}}])

    stream = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True,
                                                   max_completion_tokens=256)
    events = await read_checked(client, stream)

    assert names(events)[-4:] == ["thread.run.step.in_progress", "thread.run.step.delta",
                                  "thread.run.step.completed", "thread.run.incomplete"]
    sent = "".join(e.data.delta.step_details.tool_calls[0].function.arguments or ""
                   for e in events if e.event == "thread.run.step.delta")
    step = next(e.data for e in events if e.event == "thread.run.step.completed")
    assert step.step_details.tool_calls[0].function.arguments == sent == '{"text":"' + "b" * (sent.count("b"))
    assert events[-1].data.incomplete_details.reason == "max_completion_tokens"


async def test_expiry_during_the_stream_is_announced_on_it(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.reply("An answer that takes longer than the run may.")
    assistant, thread = await assistant_and_thread(client, "Tell me something")
    clock = clock_of(fake)

    async def time_passes(event: Any) -> None:
        if event.event == "thread.message.delta" and clock.now() < event_run_expiry(fake, thread.id):
            clock.advance(601)

    stream = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True)
    events = await read_checked(client, stream, on_event=time_passes)

    assert names(events)[-4:] == [
        "thread.message.delta", "thread.message.incomplete", "thread.run.step.expired", "thread.run.expired"]
    run = events[-1].data
    assert (run.status, run.expires_at) == ("expired", run.created_at + 600)
    message = next(e.data for e in events if e.event == "thread.message.incomplete")
    assert message.incomplete_details.reason == "run_expired"


def event_run_expiry(fake: FakeAssistants, thread_id: str) -> int:
    (run,) = fake.store.runs[thread_id].values()
    assert run.expires_at is not None
    return int(run.expires_at)


# -- streamed and polled runs are one thing -------------------------------------------------------------


async def test_streaming_or_polling_gives_the_same_run_steps_and_messages(client: Sdk) -> None:
    """The same script, seed and clock: a polled run and a streamed one end with identical objects, except
    for the empty code_interpreter list that every recorded stream added to the run's `tool_resources`."""
    outcomes = []
    for streamed in (False, True):
        fake = new_fake()
        fake.script.call_function("get_weather", {"location": "Paris"}).reply("It is sunny in Paris.")
        async with open_sdk(fake, client.variant) as sdk:
            assistant, thread = await assistant_and_thread(sdk, "Weather in Paris?")
            run = await start(sdk, thread.id, assistant.id, streamed=streamed)
            (call,) = run.required_action.submit_tool_outputs.tool_calls
            outputs = [{"tool_call_id": call.id, "output": "sunny"}]
            if streamed:
                events = await collect_events(await sdk.beta.threads.runs.submit_tool_outputs(
                    run.id, thread_id=thread.id, tool_outputs=outputs, stream=True))
                assert events[-1].event == "thread.run.completed"
            else:
                await sdk.beta.threads.runs.submit_tool_outputs_and_poll(
                    run_id=run.id, thread_id=thread.id, tool_outputs=outputs)
            final = await retrieve(sdk, run)
            outcomes.append((
                {**final.model_dump(), "tool_resources": None},
                [step.model_dump() for step in await steps_of(sdk, final)],
                [message.model_dump() for message in await messages_of(sdk, thread.id)],
            ))

    polled, streamed_outcome = outcomes
    assert streamed_outcome == polled
    assert polled[0]["status"] == "completed"


async def start(sdk: Sdk, thread_id: str, assistant_id: str, *, streamed: bool) -> Any:
    """A run up to requires_action, streamed or polled."""
    if not streamed:
        return await sdk.beta.threads.runs.create_and_poll(thread_id=thread_id, assistant_id=assistant_id)
    events = await collect_events(await sdk.beta.threads.runs.create(
        thread_id=thread_id, assistant_id=assistant_id, stream=True))
    return events[-1].data


async def test_a_stream_moves_the_run_whatever_the_policy(client: Sdk, fake: FakeAssistants) -> None:
    fake.set_progression("manual")
    fake.script.reply("Streamed without being advanced.")
    assistant, thread = await assistant_and_thread(client, "Hi")
    advanced: list[str] = []

    async def try_to_advance(event: Any) -> None:
        if event.event == "thread.message.delta" and not advanced:
            advanced.append(fake.advance(event_run_id(fake, thread.id)))

    stream = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True)
    events = await read_checked(client, stream, on_event=try_to_advance)

    assert advanced == ["in_progress"]  # the stream is moving it: advance changes nothing
    assert names(events) == [
        "thread.run.created", "thread.run.queued", "thread.run.in_progress", "thread.run.step.created",
        "thread.run.step.in_progress", "thread.message.created", "thread.message.in_progress",
        "thread.message.delta", "thread.message.completed", "thread.run.step.completed", "thread.run.completed"]


# -- a run being streamed is moved by its stream -----------------------------------------------------------


async def test_reads_during_a_stream_see_it_as_far_as_it_got(client: Sdk, fake: FakeAssistants) -> None:
    fake.set_progression(after_polls(0))  # a poll would otherwise finish the run at once
    fake.script.reply("One two three four five.")
    assistant, thread = await assistant_and_thread(client, "Count")
    seen: list[tuple[str, str]] = []

    async def poll(event: Any) -> None:
        if event.event in ("thread.run.in_progress", "thread.message.delta"):
            run = (await client.beta.threads.runs.list(thread.id)).data[0]
            polled = await client.beta.threads.runs.retrieve(run.id, thread_id=thread.id)
            seen.append((event.event, polled.status))

    stream = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True)
    events = await read_checked(client, stream, on_event=poll)

    assert set(seen) == {("thread.run.in_progress", "in_progress"), ("thread.message.delta", "in_progress")}
    assert names(events)[-1] == "thread.run.completed"


STREAMED_TEXT_RUN = [
    "thread.run.created", "thread.run.queued", "thread.run.in_progress", "thread.run.step.created",
    "thread.run.step.in_progress", "thread.message.created", "thread.message.in_progress", "thread.message.delta",
    "thread.message.completed", "thread.run.step.completed", "thread.run.completed"]


async def test_reads_before_a_streams_first_read_move_the_run_and_the_stream_sends_it_all(
        client: Sdk, fake: FakeAssistants) -> None:
    """A client that lists the thread's messages after starting a stream, before reading it, sees the reply (the
    run went on, as the service's did), and the stream still sends every event, as it had them waiting."""
    fake.script.reply("Waiting on the wire.")
    assistant, thread = await assistant_and_thread(client, "Hi")

    stream = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True)
    listed = await messages_of(client, thread.id)
    assert [(m.role, m.status) for m in listed] == [("assistant", "completed"), ("user", "completed")]
    events = [event async for event in events_of(stream)]

    assert names(events) == STREAMED_TEXT_RUN
    assert "".join(e.data.delta.content[0].text.value for e in events if e.event == "thread.message.delta") == (
        "Waiting on the wire.")
    assert events[-1].data.model_dump() == (await retrieve(client, events[-1].data)).model_dump()
    message = next(e.data for e in events if e.event == "thread.message.completed")
    assert message.model_dump() == listed[0].model_dump()


async def test_polls_before_a_streams_first_read_count_and_the_stream_sends_it_all(
        client: Sdk, fake: FakeAssistants) -> None:
    fake.set_progression(after_polls(1))
    fake.script.reply("Polled while the stream waited.")
    assistant, thread = await assistant_and_thread(client, "Hi")

    stream = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True)
    run_id = event_run_id(fake, thread.id)
    assert (await client.beta.threads.runs.retrieve(run_id, thread_id=thread.id)).status == "in_progress"
    events = [event async for event in events_of(stream)]

    assert names(events) == STREAMED_TEXT_RUN
    assert (await client.beta.threads.runs.retrieve(run_id, thread_id=thread.id)).status == "completed"


async def test_advance_before_a_streams_first_read_moves_the_run_into_the_stream(
        client: Sdk, fake: FakeAssistants) -> None:
    fake.set_progression("manual")
    fake.script.reply("Advanced by hand.")
    assistant, thread = await assistant_and_thread(client, "Hi")

    stream = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True)
    run_id = event_run_id(fake, thread.id)
    assert fake.advance(run_id) == "in_progress"
    events = [event async for event in events_of(stream)]

    assert names(events) == STREAMED_TEXT_RUN  # from its first read, the stream moved the rest
    assert events[2].data.status == "in_progress"


async def test_a_stream_read_after_its_segment_ended_ends_at_requires_action(
        client: Sdk, fake: FakeAssistants) -> None:
    fake.script.call_function("get_weather", {"location": "Paris"}).reply("Sunny.")
    assistant, thread = await assistant_and_thread(client, "Weather?")

    stream = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True)
    run_id = event_run_id(fake, thread.id)
    run = await client.beta.threads.runs.retrieve(run_id, thread_id=thread.id)
    assert run.status == "requires_action"
    call = run.required_action.submit_tool_outputs.tool_calls[0]
    done = await client.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run_id, thread_id=thread.id, tool_outputs=[{"tool_call_id": call.id, "output": "sunny"}])
    assert done.status == "completed"
    events = [event async for event in events_of(stream)]

    assert names(events)[-1] == "thread.run.requires_action"  # that stream's part of the run, as it was sent
    assert events[-1].data.required_action.submit_tool_outputs.tool_calls[0].id == call.id


@pytest.mark.parametrize("then", ["cancel", "expire"])
async def test_a_stream_read_after_its_run_required_action_ends_there(
        client: Sdk, fake: FakeAssistants, then: str) -> None:
    """A stream ends with `thread.run.requires_action`, as the service's did: what happened to the run after it
    (a cancel, an expiry), before the stream was read, is not on it."""
    fake.script.call_function("get_weather", {"location": "Paris"})
    assistant, thread = await assistant_and_thread(client, "Weather?")
    stream = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True)
    run_id = event_run_id(fake, thread.id)
    assert (await client.beta.threads.runs.retrieve(run_id, thread_id=thread.id)).status == "requires_action"
    if then == "cancel":
        await client.beta.threads.runs.cancel(run_id, thread_id=thread.id)
    else:
        clock_of(fake).advance(600)
    assert (await client.beta.threads.runs.retrieve(run_id, thread_id=thread.id)).status in ("cancelled", "expired")

    events = [event async for event in events_of(stream)]

    assert names(events)[-1] == "thread.run.requires_action"


async def test_a_cancel_sent_on_reading_requires_action_is_not_on_the_stream(
        client: Sdk, fake: FakeAssistants) -> None:
    fake.script.call_function("get_weather", {"location": "Paris"})
    assistant, thread = await assistant_and_thread(client, "Weather?")
    stream = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True)

    events = []
    async for event in events_of(stream):
        events.append(event)
        if event.event == "thread.run.requires_action":
            await client.beta.threads.runs.cancel(event.data.id, thread_id=thread.id)

    assert names(events)[-1] == "thread.run.requires_action"
    run = await client.beta.threads.runs.poll(events[-1].data.id, thread_id=thread.id)
    assert run.status == "cancelled"


async def test_a_stream_that_breaks_before_its_first_read_still_ends_with_the_error(
        client: Sdk, fake: FakeAssistants) -> None:
    fake.script.break_stream("This answer breaks off after a few words", after_deltas=2)
    assistant, thread = await assistant_and_thread(client, "Hi")
    stream = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True)
    assert (await client.beta.threads.runs.retrieve(event_run_id(fake, thread.id), thread_id=thread.id)).status == (
        "failed")
    received: list[str] = []

    with pytest.raises(openai.APIError) as caught:
        async for event in events_of(stream):
            received.append(event.event)

    assert received.count("thread.message.delta") == 2
    assert caught.value.body["type"] == "server_error"  # type: ignore[index]


async def test_a_stream_whose_run_ended_before_its_thread_was_deleted_is_sent_whole(
        client: Sdk, fake: FakeAssistants) -> None:
    fake.script.reply("Sent before the thread went.")
    assistant, thread = await assistant_and_thread(client, "Hi")
    stream = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True)
    await messages_of(client, thread.id)  # the run ends, into the stream's backlog
    await client.beta.threads.delete(thread.id)

    events = [event async for event in events_of(stream)]

    assert names(events) == STREAMED_TEXT_RUN


async def test_a_stream_closed_unread_leaves_the_run_to_the_policy(client: Sdk, fake: FakeAssistants) -> None:
    """A guard: closing a stream never read does not keep its run from the policy (it held before the stream
    claimed its run when made, and holds now; tests/unit/runs/test_unread_events.py checks the claim is let go)."""
    fake.script.reply("Never streamed.")
    assistant, thread = await assistant_and_thread(client, "Hi")

    stream = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True)
    await settle(stream.close())
    del stream
    run = await client.beta.threads.runs.poll(event_run_id(fake, thread.id), thread_id=thread.id)

    assert run.status == "completed"
    assert text_of((await messages_of(client, thread.id))[0]) == "Never streamed."


async def test_a_stream_closed_part_way_hands_the_run_back(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.reply("An answer nobody reads to the end.")
    assistant, thread = await assistant_and_thread(client, "Hi")

    async with opened(client.raw.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id)) as stream:
        async for event in events_of(stream):
            if event.event == "thread.message.delta":
                run_id = event_run_id(fake, thread.id)
                break

    run = await client.beta.threads.runs.poll(run_id, thread_id=thread.id)
    assert run.status == "completed"
    assert text_of((await messages_of(client, thread.id))[0]) == "An answer nobody reads to the end."


async def test_polling_inside_the_loop_over_the_stream_is_told_to_close_it(client: Sdk, fake: FakeAssistants) -> None:
    """A poll inside the `for` over a stream (after a cancel, say) would wait for ever: the stream moves the run,
    and its reader is polling. After `options.idle_polls` polls that find it unchanged, the poll is a 400."""
    fake.options.idle_polls = 5
    fake.script.reply("An answer cancelled at its first delta.")
    assistant, thread = await assistant_and_thread(client, "Hi")

    async with opened(client.raw.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id)) as stream:
        async for event in events_of(stream):
            if event.event == "thread.message.delta":
                run_id = event_run_id(fake, thread.id)
                await client.beta.threads.runs.cancel(run_id, thread_id=thread.id)
                with pytest.raises(openai.BadRequestError) as caught:
                    await client.beta.threads.runs.poll(run_id, thread_id=thread.id)
                break

    message = str(caught.value.body["message"])  # type: ignore[index]
    polls = 5 + DELTAS_PER_CHUNK  # the limit, and the reads a client may make between the events of one burst
    assert message.startswith(f"fake-assistants: run {run_id} is still 'cancelling' after {polls} polls in a row "
                              "while a stream of it is open.")
    assert "close the stream before polling" in message
    assert fake.calls["runs.retrieve"].call_count == polls
    run = await client.beta.threads.runs.poll(run_id, thread_id=thread.id)  # the stream closed: polls move it
    assert run.status == "cancelled"


def test_reads_of_a_streamed_run_that_the_stream_moves_meanwhile_are_not_counted() -> None:
    """Only a poll loop that the stream's own reader is stuck in is counted: a read per event (the stream moves
    the run between them), reads from another thread, and reads while the run's model answers are not."""
    fake = new_fake()
    fake.options.idle_polls = 3
    client = fake.openai_client(max_retries=0)
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])

    def answer(ctx: Any) -> str:  # the model, meanwhile, looks at the run five times
        for _ in range(5):
            client.beta.threads.runs.retrieve(ctx.run["id"], thread_id=thread.id)
        return "word " * 40

    fake.script.respond_with(answer)
    other_thread_read = threading.Event()

    def read_elsewhere(run_id: str) -> None:
        for _ in range(5):
            client.beta.threads.runs.retrieve(run_id, thread_id=thread.id)
        other_thread_read.set()

    deltas = 0
    with client.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id) as stream:
        for event in stream:
            if event.event == "thread.message.delta":
                deltas += 1
                run_id = event_run_id(fake, thread.id)
                client.beta.threads.runs.retrieve(run_id, thread_id=thread.id)  # one read per event
                if deltas == 1:
                    reader = threading.Thread(target=read_elsewhere, args=(run_id,))
                    reader.start()
                    reader.join()

    assert other_thread_read.is_set()
    assert deltas > 3
    assert client.beta.threads.runs.retrieve(run_id, thread_id=thread.id).status == "completed"
    client.close()


async def test_a_stream_closed_inside_a_burst_hands_the_run_back(client: Sdk, fake: FakeAssistants) -> None:
    fake.options.stream_chunk_chars = 1
    text = "abcdefghijklmnopqrstuvwxyz0123456789"
    fake.script.reply(text)
    assistant, thread = await assistant_and_thread(client, "Spell it out")

    deltas = 0
    async with opened(client.raw.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id)) as stream:
        async for event in events_of(stream):
            deltas += event.event == "thread.message.delta"
            if deltas == 3:  # the second of a burst
                run_id = event_run_id(fake, thread.id)
                break

    run = await client.beta.threads.runs.poll(run_id, thread_id=thread.id)
    assert run.status == "completed"
    assert text_of((await messages_of(client, thread.id))[0]) == text
    # the journal shows what was sent: the first delta, then the burst the client stopped reading
    assert fake.calls["runs.create"].last.event_names.count("thread.message.delta") == 1 + DELTAS_PER_CHUNK


def event_run_id(fake: FakeAssistants, thread_id: str) -> str:
    (run,) = fake.store.runs[thread_id].values()
    return str(run.id)


# -- errors ------------------------------------------------------------------------------------------


async def test_a_broken_stream_raises_api_error(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.break_stream("This answer breaks off after a few words", after_deltas=2)
    assistant, thread = await assistant_and_thread(client, "Hi")
    stream = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True)
    received: list[str] = []

    with pytest.raises(openai.APIError) as caught:
        async for event in events_of(stream):
            received.append(event.event)

    assert compress(received)[-2:] == ["thread.message.in_progress", "thread.message.delta"]
    assert received.count("thread.message.delta") == 2
    assert caught.value.message.startswith("The server had an error processing your request.")
    assert caught.value.body["type"] == "server_error"  # type: ignore[index]
    run = (await client.beta.threads.runs.list(thread.id)).data[0]
    assert (run.status, run.last_error.code) == ("failed", "server_error")
    assert run.last_error.message == caught.value.message
    (step,) = await steps_of(client, run)
    assert (step.status, step.last_error.code) == ("failed", "server_error")
    reply = (await messages_of(client, thread.id))[0]
    assert (reply.status, reply.incomplete_details.reason) == ("incomplete", "run_failed")
    assert text_of(reply) == "This answer"  # what the two deltas sent, as a cancel part-way leaves it
    assert step.usage.completion_tokens == 3  # what was written of it


async def test_a_broken_stream_raises_through_the_helpers(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.break_stream(after_deltas=1, message="The model went away.")
    assistant, thread = await assistant_and_thread(client, "Hi")

    with pytest.raises(openai.APIError, match=r"^The model went away\.$"):
        async with opened(client.raw.beta.threads.runs.stream(
                thread_id=thread.id, assistant_id=assistant.id)) as stream:
            await settle(stream.until_done())


async def test_a_failing_responder_fails_the_run_on_the_stream(client: Sdk, fake: FakeAssistants) -> None:
    """Issue 20: a responder that raises fails its run (server_error, naming the exception) instead of breaking
    the stream and leaving the run in_progress."""
    def responder(context: Any) -> str:
        raise RuntimeError("a bug in the test's responder")

    fake.script.respond_with(responder)
    assistant, thread = await assistant_and_thread(client, "Hi")
    stream = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True)

    received = [event async for event in events_of(stream)]

    assert received[-1].event == "thread.run.failed"
    assert received[-1].data.last_error.message == (
        "fake-assistants: the responder raised RuntimeError: a bug in the test's responder")


async def test_errors_before_a_stream_are_json(client: Sdk, fake: FakeAssistants, journal: Journal) -> None:
    fake.script.call_function("get_weather", {"location": "Paris"})
    assistant, thread = await assistant_and_thread(client, "Weather?")
    run = await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)

    await expect_bad_request(lambda: client.beta.threads.runs.create(
        thread_id=thread.id, assistant_id=assistant.id, stream=True),
        f"Thread {thread.id} already has an active run {run.id}.")
    await client.beta.threads.runs.cancel(run.id, thread_id=thread.id)
    assert (await retrieve(client, run)).status == "cancelled"
    await expect_bad_request(lambda: client.beta.threads.runs.submit_tool_outputs(
        run.id, thread_id=thread.id, tool_outputs=[{"tool_call_id": "call_x", "output": "x"}], stream=True),
        'Runs in status "cancelled" do not accept tool outputs.')
    with pytest.raises(openai.BadRequestError) as invalid:
        await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True,
                                              temperature=3)
    with pytest.raises(openai.NotFoundError):
        await client.beta.threads.runs.create(thread_id="thread_" + "x" * 24, assistant_id=assistant.id,
                                              stream=True)

    assert invalid.value.body["param"] == "temperature"  # type: ignore[index]
    refused = [(response.status, response.header("content-type")) for request, response in journal.calls
               if b'"stream":true' in request.body.replace(b" ", b"")]
    assert refused == [(400, "application/json")] * 3 + [(404, "application/json")]


# -- a long stream is produced as it is read -------------------------------------------------------------


async def test_ten_thousand_deltas_are_produced_as_they_are_read(client: Sdk, fake: FakeAssistants) -> None:
    fake.options.stream_chunk_chars = 1
    text = "".join("0123456789"[i % 10] for i in range(10_000))
    fake.script.reply(text)
    assistant, thread = await assistant_and_thread(client, "Count to ten thousand")
    during: list[tuple[str, int, int]] = []

    stream = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True)
    deltas = 0
    async for event in events_of(stream):
        if event.event == "thread.message.delta":
            deltas += 1
            if deltas in (1, 5_000):
                (run,) = fake.store.runs[thread.id].values()
                reply = fake.store.messages[thread.id].get(event.data.id)
                assert reply is not None
                during.append((run.status, len(reply.content), len(fake.store.steps[run.id])))

    assert deltas == 10_000
    # Halfway through, the run is still being written: nothing was produced ahead of the reader.
    assert during == [("in_progress", 0, 1), ("in_progress", 0, 1)]
    run = (await client.beta.threads.runs.list(thread.id)).data[0]
    assert run.status == "completed"
    assert text_of((await messages_of(client, thread.id))[0]) == text
