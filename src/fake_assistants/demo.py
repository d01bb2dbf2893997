"""`fake-assistants demo`: the Assistants API's quickstart against an in-process fake, printed as it happens.

An assistant with a function tool, a thread, the user's message, a run that calls the function, the tool output,
and the answer streamed back, all through the real `openai` SDK on `FakeAssistants.openai_client()`: no network,
no API key. Needs only `openai` (the project being tested has it).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from itertools import groupby, takewhile
from typing import Any

from .fake import FakeAssistants, openai_version

QUESTION = "What is the weather in Paris?"
WEATHER_TOOL: Any = {  # a FunctionToolParam
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The current weather in a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
ANSWER = "It is 22°C and sunny in Paris."
OPENAI_MISSING = "fake-assistants demo needs the openai SDK: pip install openai"


def get_weather(city: str) -> str:
    """The app's own tool."""
    return f"22°C and sunny in {city}"


def run_demo(out: Callable[[str], None] = print) -> None:
    """The quickstart, step by step; `out` gets each line."""
    fake = FakeAssistants(seed=0)
    # What the model does, scripted: call get_weather, then answer with its result.
    fake.script.call_function("get_weather", {"city": "Paris"}).reply(ANSWER)
    with warnings.catch_warnings():  # the SDK marks the Assistants API deprecated on every call
        warnings.simplefilter("ignore", DeprecationWarning)
        _converse(fake, out)
    routes = ", ".join(str(route) for route in fake.calls.routes)
    out(f"{len(fake.calls)} requests, all answered in-process by the fake ({routes}); no network, no API key.")


def _converse(fake: FakeAssistants, out: Callable[[str], None]) -> None:
    client = fake.openai_client()
    assistant = client.beta.assistants.create(
        name="Weather Bot", instructions="Answer questions about the weather.", model="gpt-4o", tools=[WEATHER_TOOL],
    )
    out(f"assistant {assistant.id}: {assistant.name!r}, {assistant.model}, tools: get_weather")
    thread = client.beta.threads.create()
    out(f"thread    {thread.id}")
    message = client.beta.threads.messages.create(thread_id=thread.id, role="user", content=QUESTION)
    out(f"user      {message.id}: {QUESTION}")

    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    out(f"run       {run.id}: {run.status}")
    outputs: list[Any] = []
    for call in run.required_action.submit_tool_outputs.tool_calls if run.required_action else []:
        arguments = json.loads(call.function.arguments)
        output = get_weather(**arguments)
        out(f"tool call {call.id}: {call.function.name}({call.function.arguments}) -> {output!r}")
        outputs.append({"tool_call_id": call.id, "output": output})

    streamed: list[str] = []
    events: list[str] = []
    with client.beta.threads.runs.submit_tool_outputs(
        thread_id=thread.id, run_id=run.id, tool_outputs=outputs, stream=True,
    ) as stream:
        for event in stream:
            events.append(event.event)
            data: Any = event.data  # the event's own type (the SDK's union, narrowed by `event.event`)
            if event.event == "thread.message.delta":
                streamed += [part.text.value or "" for part in data.delta.content or [] if part.type == "text"]
    runs = [(name, len(list(group))) for name, group in groupby(events)]  # in order, repeats folded
    shown = ", ".join(f"{name} x{n}" if n > 1 else name for name, n in runs)
    out(f"stream    {len(events)} events: {shown}")
    out(f"assistant (streamed in {len(streamed)} deltas): {''.join(streamed)}")
    final = client.beta.threads.runs.retrieve(run.id, thread_id=thread.id)
    out(f"run       {final.id}: {final.status}")
    client.close()


def main() -> int:
    try:
        installed = openai_version("fake-assistants demo")
    except ImportError as error:
        if error.name != "openai":
            raise
        print(OPENAI_MISSING)
        return 2
    if _release(installed) < FIRST_V2_SDK:
        print(OPENAI_V1_ONLY.format(installed=installed))
        return 2
    run_demo()
    return 0


FIRST_V2_SDK = (1, 21)  # openai 1.21.0 sent `OpenAI-Beta: assistants=v2`; older releases speak v1 only
OPENAI_V1_ONLY = ("fake-assistants demo runs the Assistants v2 quickstart, and openai {installed} speaks v1 only "
                  "(v2 came with openai 1.21.0): run it beside a newer openai, or see docs/guides/v1.md for a fake "
                  "that serves v1 (FakeAssistants(api_versions=(\"v1\", \"v2\")))")


def _release(version: str) -> tuple[int, ...]:
    """`1.20.0` -> (1, 20): the major and minor numbers of a version string."""
    numbers = []
    for part in version.split(".")[:2]:
        digits = "".join(takewhile(str.isdigit, part))
        numbers.append(int(digits or 0))
    return tuple(numbers)
