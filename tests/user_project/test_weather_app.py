"""A user's tests: the plugin's fixtures, a streamed run, an async test, and the real-API guard."""

from __future__ import annotations

import sys
from typing import Any

import pytest
import weather_app
from openai import AsyncOpenAI, OpenAI

from fake_assistants import FakeAssistants

NETWORK_ATTEMPTS: list[tuple[str, Any]] = []


def _record_network(event: str, args: tuple[Any, ...]) -> None:
    if event in ("socket.getaddrinfo", "socket.connect"):
        NETWORK_ATTEMPTS.append((event, args))


sys.addaudithook(_record_network)


def test_a_streamed_run_with_a_tool_call(fake_assistants: FakeAssistants, openai_client: OpenAI) -> None:
    fake_assistants.script.call_function("get_weather", {"city": "Paris"}).reply("Sunny in Paris.")
    assistant_id = weather_app.create_assistant(openai_client)

    answer = weather_app.ask("Weather in Paris?", assistant_id, openai_client)

    assert answer == "Sunny in Paris."
    assert fake_assistants.calls["runs.submit_tool_outputs"].last.stream


def test_the_module_level_client_swapped_for_the_fake(
    monkeypatch: pytest.MonkeyPatch, fake_assistants: FakeAssistants, openai_client: OpenAI
) -> None:
    monkeypatch.setattr(weather_app, "client", openai_client)
    fake_assistants.script.reply("Hello!")

    assert weather_app.ask("Hi", weather_app.create_assistant(weather_app.client), weather_app.client) == "Hello!"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # anyio (openai's own dependency) runs the async test; not trio, even where it is installed


@pytest.mark.anyio
async def test_async_client(async_openai_client: AsyncOpenAI) -> None:
    assert (await weather_app.count_threads_async(async_openai_client)).startswith("thread_")


@pytest.mark.fake_assistants(check_unspent_faults=False)
def test_a_fault(fake_assistants: FakeAssistants, openai_client: OpenAI) -> None:
    fake_assistants.faults.rate_limit("assistants.create")

    weather_app.create_assistant(openai_client)

    assert [call.status for call in fake_assistants.calls["assistants.create"]] == [429, 200]


def test_the_real_api_through_the_module_level_client(fake_assistants: FakeAssistants) -> None:
    """Fails on purpose: the client built at import time is not the fake's, and the guard stops it."""
    weather_app.create_assistant()


def test_no_network_was_attempted() -> None:
    assert NETWORK_ATTEMPTS == []
