"""The SDK's assistant stream helpers on the fake: sync and async clients, over httpx and httpx2.

`runs.stream(...)` with an `AssistantEventHandler`, `until_done()`, `get_final_run()`,
`get_final_messages()`, `get_final_run_steps()`, `current_event`, `text_deltas`, and
`submit_tool_outputs_stream` called from inside a handler, as the API's own guides use them.
"""

from __future__ import annotations

import json
import re
from typing import Any

from openai import AssistantEventHandler, AsyncAssistantEventHandler
from typing_extensions import override

from fake_assistants import FakeAssistants
from project_paths import README
from runs_support import TIME_TOOL, WEATHER_TOOL, assistant_and_thread, messages_of, retrieve, steps_of, text_of
from sdk_matrix import Sdk, settle
from stream_support import collect_events, compress, opened

REPLY = "Hello Jane Doe! The answer is x = 1."
CODE = "from sympy import symbols, solve\nx = symbols('x')\nprint(solve(3*x + 11 - 14, x))"


# -- the streaming quickstart ------------------------------------------------------------------------


async def test_streaming_quickstart(client: Sdk, fake: FakeAssistants, capsys: Any) -> None:
    """The Assistants quickstart, streamed: only the line that builds `client` differs from the real one."""
    fake.script.code_interpreter(CODE, logs="[1]").reply(REPLY)
    raw = client.raw
    if client.variant.is_async:
        await async_quickstart(raw)
    else:
        sync_quickstart(raw)

    printed = capsys.readouterr().out
    assert printed == f"\nassistant > code_interpreter\n\n{CODE}\n\noutput >\n\n[1]\n\nassistant > {REPLY}"


def sync_quickstart(client: Any) -> None:
    assistant = client.beta.assistants.create(
      name="Math Tutor",
      instructions="You are a personal math tutor. Write and run code to answer math questions.",
      tools=[{"type": "code_interpreter"}],
      model="gpt-4o",
    )
    thread = client.beta.threads.create()
    client.beta.threads.messages.create(
      thread_id=thread.id,
      role="user",
      content="I need to solve the equation `3x + 11 = 14`. Can you help me?"
    )

    # First, we create a EventHandler class to define
    # how we want to handle the events in the response stream.

    class EventHandler(AssistantEventHandler):
      @override
      def on_text_created(self, text) -> None:  # type: ignore[no-untyped-def]
        print("\nassistant > ", end="", flush=True)

      @override
      def on_text_delta(self, delta, snapshot):  # type: ignore[no-untyped-def]
        print(delta.value, end="", flush=True)

      def on_tool_call_created(self, tool_call):  # type: ignore[no-untyped-def]
        print(f"\nassistant > {tool_call.type}\n", flush=True)

      def on_tool_call_delta(self, delta, snapshot):  # type: ignore[no-untyped-def]
        if delta.type == 'code_interpreter':
          if delta.code_interpreter.input:
            print(delta.code_interpreter.input, end="", flush=True)
          if delta.code_interpreter.outputs:
            print("\n\noutput >", flush=True)
            for output in delta.code_interpreter.outputs:
              if output.type == "logs":
                print(f"\n{output.logs}", flush=True)

    # Then, we use the `stream` SDK helper
    # with the `EventHandler` class to create the Run
    # and stream the response.

    with client.beta.threads.runs.stream(
      thread_id=thread.id,
      assistant_id=assistant.id,
      instructions="Please address the user as Jane Doe. The user has a premium account.",
      event_handler=EventHandler(),
    ) as stream:
      stream.until_done()


async def async_quickstart(client: Any) -> None:
    """The same with `AsyncOpenAI` and `AsyncAssistantEventHandler`."""
    assistant = await client.beta.assistants.create(
        name="Math Tutor",
        instructions="You are a personal math tutor. Write and run code to answer math questions.",
        tools=[{"type": "code_interpreter"}],
        model="gpt-4o",
    )
    thread = await client.beta.threads.create()
    await client.beta.threads.messages.create(
        thread_id=thread.id, role="user", content="I need to solve the equation `3x + 11 = 14`. Can you help me?"
    )

    class EventHandler(AsyncAssistantEventHandler):
        @override
        async def on_text_created(self, text: Any) -> None:
            print("\nassistant > ", end="", flush=True)

        @override
        async def on_text_delta(self, delta: Any, snapshot: Any) -> None:
            print(delta.value, end="", flush=True)

        @override
        async def on_tool_call_created(self, tool_call: Any) -> None:
            print(f"\nassistant > {tool_call.type}\n", flush=True)

        @override
        async def on_tool_call_delta(self, delta: Any, snapshot: Any) -> None:
            if delta.type == "code_interpreter":
                if delta.code_interpreter.input:
                    print(delta.code_interpreter.input, end="", flush=True)
                if delta.code_interpreter.outputs:
                    print("\n\noutput >", flush=True)
                    for output in delta.code_interpreter.outputs:
                        if output.type == "logs":
                            print(f"\n{output.logs}", flush=True)

    async with client.beta.threads.runs.stream(
        thread_id=thread.id,
        assistant_id=assistant.id,
        instructions="Please address the user as Jane Doe. The user has a premium account.",
        event_handler=EventHandler(),
    ) as stream:
        await stream.until_done()


# -- final objects ---------------------------------------------------------------------------------------


async def test_final_run_messages_and_steps_are_what_retrieve_returns(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.code_interpreter("print(2)", logs="2").reply(REPLY)
    assistant, thread = await assistant_and_thread(client, "Compute something", tools=[{"type": "code_interpreter"}])

    async with opened(client.raw.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id)) as stream:
        run = await settle(stream.get_final_run())
        messages = await settle(stream.get_final_messages())
        steps = await settle(stream.get_final_run_steps())

    assert (run.status, run.usage is not None) == ("completed", True)
    assert run.model_dump() == (await retrieve(client, run)).model_dump()
    (message,) = messages
    assert message.model_dump() == (await messages_of(client, thread.id))[0].model_dump()
    assert text_of(message) == REPLY
    # The SDK builds its step snapshots from `step.created` and the deltas only (it never reads the
    # `step.completed` objects), so they are the steps as they were while being written.
    retrieved = await steps_of(client, run)
    assert [(s.id, s.type) for s in steps] == [(s.id, s.type) for s in retrieved]
    assert [step.type for step in steps] == ["tool_calls", "message_creation"]
    (written,), (done,) = steps[0].step_details.tool_calls, retrieved[0].step_details.tool_calls
    assert (written.id, written.code_interpreter.input) == (done.id, "print(2)")
    assert done.code_interpreter.input == "print(2)"
    assert [o.logs for o in written.code_interpreter.outputs] == ["2"]
    assert [o.logs for o in done.code_interpreter.outputs] == ["2"]


async def test_text_deltas(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.reply(REPLY)
    assistant, thread = await assistant_and_thread(client, "Hello")

    async with opened(client.raw.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id)) as stream:
        deltas = await collect_events(stream.text_deltas)

    assert deltas == ["Hello", " Jane", " Doe", "!", " The", " answer", " is", " x", " =", " 1", "."]
    assert "".join(deltas) == REPLY


async def test_chunk_size_is_configurable(client: Sdk, fake: FakeAssistants) -> None:
    fake.options.stream_chunk_chars = 10
    fake.script.reply(REPLY)
    assistant, thread = await assistant_and_thread(client, "Hello")

    async with opened(client.raw.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id)) as stream:
        deltas = await collect_events(stream.text_deltas)

    assert deltas == [REPLY[i:i + 10] for i in range(0, len(REPLY), 10)]


async def test_current_event_inside_callbacks(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.call_function("get_weather", {"location": "Paris"})
    assistant, thread = await assistant_and_thread(client, "Weather in Paris?")
    handler = recorder(client)

    async with opened(client.raw.beta.threads.runs.stream(
            thread_id=thread.id, assistant_id=assistant.id, event_handler=handler)) as stream:
        await settle(stream.until_done())

    once = [entry for position, entry in enumerate(handler.log) if entry not in handler.log[:position]]
    assert handler.log.count(("on_tool_call_delta", "thread.run.step.delta")) > 1  # the argument fragments
    assert once == [
        ("on_run_step_created", "thread.run.step.created"),
        ("on_tool_call_created", "thread.run.step.delta"),
        ("on_tool_call_delta", "thread.run.step.delta"),
        ("on_tool_call_done", "thread.run.requires_action"),
    ]
    assert handler.arguments == '{"location":"Paris"}'
    assert compress(handler.events) == [
        "thread.run.created", "thread.run.queued", "thread.run.in_progress", "thread.run.step.created",
        "thread.run.step.in_progress", "thread.run.step.delta", "thread.run.requires_action",
    ]
    assert handler.current_event is None  # only set while an event is being handled


class SyncRecorder(AssistantEventHandler):
    def __init__(self) -> None:
        super().__init__()
        self.log: list[tuple[str, str | None]] = []
        self.events: list[str] = []
        self.arguments = ""

    def _note(self, callback: str) -> None:
        self.log.append((callback, self.current_event.event if self.current_event else None))

    @override
    def on_event(self, event: Any) -> None:
        self.events.append(event.event)

    @override
    def on_run_step_created(self, run_step: Any) -> None:
        self._note("on_run_step_created")

    @override
    def on_tool_call_created(self, tool_call: Any) -> None:
        self._note("on_tool_call_created")

    @override
    def on_tool_call_delta(self, delta: Any, snapshot: Any) -> None:
        self._note("on_tool_call_delta")

    @override
    def on_tool_call_done(self, tool_call: Any) -> None:
        self._note("on_tool_call_done")
        self.arguments = tool_call.function.arguments


class AsyncRecorder(AsyncAssistantEventHandler):
    def __init__(self) -> None:
        super().__init__()
        self.log: list[tuple[str, str | None]] = []
        self.events: list[str] = []
        self.arguments = ""

    def _note(self, callback: str) -> None:
        self.log.append((callback, self.current_event.event if self.current_event else None))

    @override
    async def on_event(self, event: Any) -> None:
        self.events.append(event.event)

    @override
    async def on_run_step_created(self, run_step: Any) -> None:
        self._note("on_run_step_created")

    @override
    async def on_tool_call_created(self, tool_call: Any) -> None:
        self._note("on_tool_call_created")

    @override
    async def on_tool_call_delta(self, delta: Any, snapshot: Any) -> None:
        self._note("on_tool_call_delta")

    @override
    async def on_tool_call_done(self, tool_call: Any) -> None:
        self._note("on_tool_call_done")
        self.arguments = tool_call.function.arguments


def recorder(client: Sdk) -> Any:
    return AsyncRecorder() if client.variant.is_async else SyncRecorder()


# -- submitting tool outputs from inside a handler ----------------------------------------------------


async def test_submit_tool_outputs_stream_from_on_event(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.call_function("get_weather", {"location": "Paris"}).reply("It is warm and sunny in Paris.")
    assistant, thread = await assistant_and_thread(client, "Weather in Paris?")
    handler = (AsyncSubmitOnEvent if client.variant.is_async else SubmitOnEvent)(client.raw)

    async with opened(client.raw.beta.threads.runs.stream(
            thread_id=thread.id, assistant_id=assistant.id, event_handler=handler)) as stream:
        first = await settle(stream.get_final_run())

    assert first.status == "requires_action"
    await expect_resumed(client, handler, thread.id, "It is warm and sunny in Paris.")


async def test_submit_tool_outputs_stream_from_on_tool_call_done(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.call_function("get_weather", {"location": "Oslo"}).reply("It is cold in Oslo.")
    assistant, thread = await assistant_and_thread(client, "Weather in Oslo?")
    handler = (AsyncSubmitOnToolCallDone if client.variant.is_async else SubmitOnToolCallDone)(client.raw)

    async with opened(client.raw.beta.threads.runs.stream(
            thread_id=thread.id, assistant_id=assistant.id, event_handler=handler)) as stream:
        await settle(stream.until_done())

    await expect_resumed(client, handler, thread.id, "It is cold in Oslo.")


async def expect_resumed(client: Sdk, handler: Any, thread_id: str, reply: str) -> None:
    """The inner stream resumed the run to its end, and the fake agrees with what it carried."""
    assert handler.outputs == [json.dumps({"forecast": "sunny"})]
    assert handler.resumed_text == reply
    assert handler.resumed_events[0] == "thread.run.step.completed"
    assert "thread.run.created" not in handler.resumed_events
    final = handler.resumed_run
    assert (final.status, final.required_action) == ("completed", None)
    assert final.model_dump() == (await retrieve(client, final)).model_dump()
    assert text_of((await messages_of(client, thread_id))[0]) == reply
    tool_step, message_step = await steps_of(client, final)
    assert tool_step.step_details.tool_calls[0].function.output == handler.outputs[0]
    assert message_step.status == "completed"


class SubmitOnEvent(AssistantEventHandler):
    """The API guide's function-calling handler: answer `requires_action` with a nested stream."""

    def __init__(self, client: Any) -> None:
        super().__init__()
        self.client = client
        self.outputs: list[str] = []

    @override
    def on_event(self, event: Any) -> None:
        if event.event == "thread.run.requires_action":
            self.submit(event.data)

    def submit(self, run: Any) -> None:
        calls = run.required_action.submit_tool_outputs.tool_calls
        self.outputs = [json.dumps({"forecast": "sunny"}) for _ in calls]
        inner = SyncCollector()
        with self.client.beta.threads.runs.submit_tool_outputs_stream(
            thread_id=run.thread_id, run_id=run.id, event_handler=inner,
            tool_outputs=[{"tool_call_id": c.id, "output": o} for c, o in zip(calls, self.outputs, strict=True)],
        ) as stream:
            self.resumed_text = "".join(stream.text_deltas)
            self.resumed_run = stream.get_final_run()
        self.resumed_events = inner.events


class SubmitOnToolCallDone(SubmitOnEvent):
    @override
    def on_event(self, event: Any) -> None:
        pass

    @override
    def on_tool_call_done(self, tool_call: Any) -> None:
        run = self.current_run
        if run is not None and run.status == "requires_action" and not self.outputs:
            self.submit(run)


class SyncCollector(AssistantEventHandler):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[str] = []

    @override
    def on_event(self, event: Any) -> None:
        self.events.append(event.event)


class AsyncSubmitOnEvent(AsyncAssistantEventHandler):
    def __init__(self, client: Any) -> None:
        super().__init__()
        self.client = client
        self.outputs: list[str] = []

    @override
    async def on_event(self, event: Any) -> None:
        if event.event == "thread.run.requires_action":
            await self.submit(event.data)

    async def submit(self, run: Any) -> None:
        calls = run.required_action.submit_tool_outputs.tool_calls
        self.outputs = [json.dumps({"forecast": "sunny"}) for _ in calls]
        inner = AsyncCollector()
        async with self.client.beta.threads.runs.submit_tool_outputs_stream(
            thread_id=run.thread_id, run_id=run.id, event_handler=inner,
            tool_outputs=[{"tool_call_id": c.id, "output": o} for c, o in zip(calls, self.outputs, strict=True)],
        ) as stream:
            self.resumed_text = "".join([text async for text in stream.text_deltas])
            self.resumed_run = await stream.get_final_run()
        self.resumed_events = inner.events


class AsyncSubmitOnToolCallDone(AsyncSubmitOnEvent):
    @override
    async def on_event(self, event: Any) -> None:
        pass

    @override
    async def on_tool_call_done(self, tool_call: Any) -> None:
        run = self.current_run
        if run is not None and run.status == "requires_action" and not self.outputs:
            await self.submit(run)


class AsyncCollector(AsyncAssistantEventHandler):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[str] = []

    @override
    async def on_event(self, event: Any) -> None:
        self.events.append(event.event)


# -- other streaming entry points ------------------------------------------------------------------


async def test_create_and_run_stream(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.reply(REPLY)
    assistant = await client.beta.assistants.create(model="gpt-4o")

    async with opened(client.raw.beta.threads.create_and_run_stream(
            assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "Hi"}]})) as stream:
        events = await collect_events(stream)
        run = await settle(stream.get_final_run())

    assert events[0].event == "thread.created"
    thread = await client.beta.threads.retrieve(events[0].data.id)
    assert thread.tool_resources.model_dump() == events[0].data.tool_resources.model_dump()
    assert (run.thread_id, run.status) == (thread.id, "completed")
    assert text_of((await messages_of(client, thread.id))[0]) == REPLY


async def test_parallel_calls_stream_with_an_index_each(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.call_functions([("get_weather", {"location": "Paris"}), ("get_time", {"tz": "CET"})])
    assistant, thread = await assistant_and_thread(client, "Weather and time?", tools=[WEATHER_TOOL, TIME_TOOL])
    stream = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True)

    deltas = [event.data.delta.step_details.tool_calls[0] for event in await collect_events(stream)
              if event.event == "thread.run.step.delta"]

    firsts = [delta for delta in deltas if delta.id is not None]
    assert [(d.index, d.type, d.function.name, d.function.arguments) for d in firsts] == [
        (0, "function", "get_weather", ""), (1, "function", "get_time", "")]
    for index, arguments in ((0, '{"location":"Paris"}'), (1, '{"tz":"CET"}')):
        later = [d for d in deltas if d.index == index and d.id is None]
        assert all(d.function.name is None for d in later)
        assert "".join(d.function.arguments for d in later) == arguments


# -- the README's streaming example ------------------------------------------------------------------


def test_readme_streaming_example_runs(capsys: Any) -> None:
    readme = README.read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(.*?)^```", readme, flags=re.DOTALL | re.MULTILINE)
    (example,) = [block for block in blocks if "runs.stream(" in block]
    namespace: dict[str, Any] = {}

    exec(example, namespace)

    assert capsys.readouterr().out == "print(2 + 2)\nassistant > 2 + 2 is 4."
    assert namespace["run"].status == "completed"
    namespace["client"].close()
