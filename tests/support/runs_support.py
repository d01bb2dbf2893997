"""Helpers shared by the run tests (`tests/api/runs/`, and the v1 SDK tests)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, cast

import openai
import pytest

from fake_assistants import FakeAssistants, ManualClock
from sdk_matrix import Sdk

WEATHER_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather at a place",
        "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]},
    },
}
TIME_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {"name": "get_time", "parameters": {"type": "object", "properties": {"tz": {"type": "string"}}}},
}


def clock_of(fake: FakeAssistants) -> ManualClock:
    """The ManualClock the matrix fixtures give every fake."""
    assert isinstance(fake.clock, ManualClock)
    return fake.clock


async def assistant_and_thread(client: Sdk, text: str = "Hello!", **assistant: Any) -> tuple[Any, Any]:
    """An assistant (gpt-4o, the weather tools unless told) and a thread holding one user message."""
    assistant.setdefault("tools", [WEATHER_TOOL, TIME_TOOL])
    created = await client.beta.assistants.create(model="gpt-4o", **assistant)
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": text}])
    return created, thread


async def retrieve(client: Sdk, run: Any) -> Any:
    return await client.beta.threads.runs.retrieve(run.id, thread_id=run.thread_id)


async def steps_of(client: Sdk, run: Any) -> list[Any]:
    """The run's steps, oldest first."""
    page = await client.beta.threads.runs.steps.list(run.id, thread_id=run.thread_id, order="asc")
    return list(page.data)


async def messages_of(client: Sdk, thread_id: str) -> list[Any]:
    """The thread's messages, newest first (the API's default order)."""
    page = await client.beta.threads.messages.list(thread_id)
    return list(page.data)


def text_of(message: Any) -> str:
    return "".join(part.text.value for part in message.content if part.type == "text")


async def expect_bad_request(call: Callable[[], Awaitable[Any]], message: str, *, code: str | None = None) -> None:
    """`call()` fails with the catalogued 400 (never a 409): exact message, type and code."""
    with pytest.raises(openai.BadRequestError) as caught:
        await call()
    error = caught.value
    assert error.status_code == 400
    assert cast(dict[str, Any], error.body) == {
        "message": message,
        "type": "invalid_request_error",
        "param": None,
        "code": code,
    }
