"""The Assistants quickstart, unchanged apart from the client, through every cell of the SDK matrix.

The SDK's poll helpers sleep for the `openai-poll-after-ms` the server sends; the fake sends 0, so the
tests record what the helpers ask to sleep (no real sleeping) and check every request was 0 ms.
"""

from __future__ import annotations

from typing import Any

import pytest
from openai._resource import AsyncAPIResource, SyncAPIResource

from fake_assistants import FakeAssistants
from fake_assistants.progression import after_polls
from runs_support import messages_of, steps_of, text_of
from sdk_matrix import Journal, Sdk

MATH_TUTOR_INSTRUCTIONS = "You are a personal math tutor. Write and run code to answer math questions."
QUESTION = "I need to solve the equation `3x + 11 = 14`. Can you help me?"
RUN_INSTRUCTIONS = "Please address the user as Jane Doe. The user has a premium account."


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every duration an SDK poll helper asks to sleep; nothing actually sleeps."""
    requested: list[float] = []

    def sync_sleep(self: Any, seconds: float) -> None:
        requested.append(seconds)

    async def async_sleep(self: Any, seconds: float) -> None:
        requested.append(seconds)

    monkeypatch.setattr(SyncAPIResource, "_sleep", sync_sleep)
    monkeypatch.setattr(AsyncAPIResource, "_sleep", async_sleep)
    return requested


async def run_quickstart(client: Sdk, *functions: str) -> tuple[Any, Any, Any]:
    """The quickstart's own calls: assistant, thread, message, create_and_poll (with `functions` as tools too)."""
    assistant = await client.beta.assistants.create(
        name="Math Tutor",
        instructions=MATH_TUTOR_INSTRUCTIONS,
        tools=[{"type": "code_interpreter"}, *({"type": "function", "function": {"name": f}} for f in functions)],
        model="gpt-4o",
    )
    thread = await client.beta.threads.create()
    await client.beta.threads.messages.create(thread_id=thread.id, role="user", content=QUESTION)
    run = await client.beta.threads.runs.create_and_poll(
        thread_id=thread.id,
        assistant_id=assistant.id,
        instructions=RUN_INSTRUCTIONS,
    )
    return assistant, thread, run


def poll_headers(journal: Journal) -> list[str | None]:
    """`openai-poll-after-ms` of every response to a poll helper's request."""
    return [
        response.header("openai-poll-after-ms")
        for request, response in journal.calls
        if request.header("x-stainless-poll-helper") == "true"
    ]


async def test_quickstart_completes(client: Sdk, journal: Journal, sleeps: list[float]) -> None:
    assistant, thread, run = await run_quickstart(client)

    assert run.status == "completed"
    assert run.assistant_id == assistant.id
    assert run.thread_id == thread.id
    assert run.instructions == RUN_INSTRUCTIONS
    assert run.model == "gpt-4o"
    assert [tool.type for tool in run.tools] == ["code_interpreter"]
    assert run.completed_at is not None
    assert run.expires_at is None
    assert poll_headers(journal) == ["0"]
    assert sleeps == []  # the first poll already saw the outcome


async def test_quickstart_lists_the_reply_first(client: Sdk) -> None:
    _, thread, run = await run_quickstart(client)

    messages = await client.beta.threads.messages.list(thread_id=thread.id)

    assert [m.role for m in messages.data] == ["assistant", "user"]
    reply, question = messages.data
    assert reply.run_id == run.id
    assert reply.status == "completed"
    assert text_of(reply) != ""
    assert text_of(question) == QUESTION
    steps = await steps_of(client, run)
    assert [(s.type, s.status) for s in steps] == [("message_creation", "completed")]
    assert steps[0].step_details.message_creation.message_id == reply.id


async def test_poll_helper_is_told_not_to_wait(
    client: Sdk, fake: FakeAssistants, journal: Journal, sleeps: list[float]
) -> None:
    fake.set_progression(after_polls(2))

    _, _, run = await run_quickstart(client)

    assert run.status == "completed"
    assert poll_headers(journal) == ["0", "0", "0"]
    assert sleeps == [0.0, 0.0]


async def test_submit_and_poll_is_told_not_to_wait(client: Sdk, fake: FakeAssistants, sleeps: list[float]) -> None:
    fake.script.call_function("get_weather", {"location": "Paris"}).reply("Sunny.")
    fake.set_progression(after_polls(1))
    _, thread, run = await run_quickstart(client, "get_weather")
    assert run.status == "requires_action"

    call = run.required_action.submit_tool_outputs.tool_calls[0]
    done = await client.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run.id, thread_id=thread.id, tool_outputs=[{"tool_call_id": call.id, "output": "22C"}]
    )

    assert done.status == "completed"
    assert text_of((await messages_of(client, thread.id))[0]) == "Sunny."
    assert sleeps == [0.0, 0.0]
