"""Operations a run's state forbids: each is the catalogued 400 (never a 409), with its exact wording."""

from __future__ import annotations

from typing import Any

import pytest

from fake_assistants import FakeAssistants
from runs_support import assistant_and_thread, clock_of, expect_bad_request, retrieve, steps_of
from sdk_matrix import Sdk

INVALID_THREAD = "Run creation requires a Thread with a user message or an assistant with instructions."


async def held_run(client: Sdk, fake: FakeAssistants, *, advances: int = 0) -> tuple[Any, Any, Any]:
    """(assistant, thread, run) with the run held by manual progression, moved `advances` times."""
    fake.set_progression("manual")
    assistant, thread = await assistant_and_thread(client, "Hi")
    run = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    for _ in range(advances):
        fake.advance(run.id)
    return assistant, thread, run


async def waiting_run(client: Sdk, fake: FakeAssistants, calls: int = 1) -> tuple[Any, Any, Any]:
    """(assistant, thread, run) with the run in requires_action for `calls` function calls."""
    fake.script.call_functions([("get_weather", {"location": f"city {n}"}) for n in range(calls)])
    assistant, thread = await assistant_and_thread(client, "Weather?")
    run = await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    assert run.status == "requires_action"
    return assistant, thread, run


async def finished_run(client: Sdk, fake: FakeAssistants, status: str) -> tuple[Any, Any]:
    """(thread, run) with the run ended in `status`."""
    if status == "failed":
        fake.script.fail("server_error")
    elif status == "incomplete":
        fake.script.incomplete("max_prompt_tokens")
    elif status in ("expired", "cancelled"):
        fake.script.call_function("get_weather", {"location": "Paris"})
    assistant, thread = await assistant_and_thread(client, "Hi")
    run = await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    if status == "expired":
        clock_of(fake).advance(600)
    elif status == "cancelled":
        await client.beta.threads.runs.cancel(run.id, thread_id=thread.id)
    run = await retrieve(client, run)
    assert run.status == status
    return thread, run


# -- the thread is locked while a run is active -------------------------------------------------------


@pytest.mark.parametrize("advances", [0, 1], ids=["queued", "in_progress"])
async def test_no_message_while_a_run_is_active(client: Sdk, fake: FakeAssistants, advances: int) -> None:
    _, thread, run = await held_run(client, fake, advances=advances)

    await expect_bad_request(
        lambda: client.beta.threads.messages.create(thread.id, role="user", content="More"),
        f"Can't add messages to {thread.id} while a run {run.id} is active.",
    )


async def test_no_message_while_a_run_requires_action(client: Sdk, fake: FakeAssistants) -> None:
    _, thread, run = await waiting_run(client, fake)

    await expect_bad_request(
        lambda: client.beta.threads.messages.create(thread.id, role="user", content="More"),
        f"Can't add messages to {thread.id} while a run {run.id} is active.",
    )


async def test_no_message_while_a_run_is_cancelling(client: Sdk, fake: FakeAssistants) -> None:
    _, thread, run = await held_run(client, fake)
    await client.beta.threads.runs.cancel(run.id, thread_id=thread.id)

    await expect_bad_request(
        lambda: client.beta.threads.messages.create(thread.id, role="user", content="More"),
        f"Can't add messages to {thread.id} while a run {run.id} is active.",
    )


@pytest.mark.parametrize("advances", [0, 1], ids=["queued", "in_progress"])
async def test_no_second_run_while_one_is_active(client: Sdk, fake: FakeAssistants, advances: int) -> None:
    assistant, thread, run = await held_run(client, fake, advances=advances)

    await expect_bad_request(
        lambda: client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id),
        f"Thread {thread.id} already has an active run {run.id}.",
    )
    page = await client.beta.threads.runs.list(thread.id)
    assert [r.id for r in page.data] == [run.id]


async def test_no_second_run_with_additional_messages(client: Sdk, fake: FakeAssistants) -> None:
    assistant, thread, run = await waiting_run(client, fake)

    await expect_bad_request(
        lambda: client.beta.threads.runs.create(
            thread_id=thread.id,
            assistant_id=assistant.id,
            additional_messages=[{"role": "user", "content": "And tomorrow?"}],
        ),
        f"Thread {thread.id} already has an active run {run.id}.",
    )
    page = await client.beta.threads.messages.list(thread.id)
    assert [m.role for m in page.data] == ["user"]


async def test_no_second_run_through_create_and_poll(client: Sdk, fake: FakeAssistants) -> None:
    assistant, thread, run = await waiting_run(client, fake)

    await expect_bad_request(
        lambda: client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id),
        f"Thread {thread.id} already has an active run {run.id}.",
    )


async def test_thread_unlocks_when_the_run_ends(client: Sdk, fake: FakeAssistants) -> None:
    assistant, thread, run = await held_run(client, fake, advances=2)
    assert (await retrieve(client, run)).status == "completed"

    message = await client.beta.threads.messages.create(thread.id, role="user", content="Thanks")
    second = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)

    assert message.thread_id == second.thread_id == thread.id


# -- tool outputs ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["completed", "failed", "incomplete", "expired", "cancelled"])
async def test_no_tool_outputs_for_a_finished_run(client: Sdk, fake: FakeAssistants, status: str) -> None:
    thread, run = await finished_run(client, fake, status)

    await expect_bad_request(
        lambda: client.beta.threads.runs.submit_tool_outputs(
            run.id, thread_id=thread.id, tool_outputs=[{"tool_call_id": "call_a", "output": "x"}]
        ),
        f'Runs in status "{status}" do not accept tool outputs.',
    )


@pytest.mark.parametrize(("advances", "status"), [(0, "queued"), (1, "in_progress")])
async def test_no_tool_outputs_for_a_working_run(
    client: Sdk, fake: FakeAssistants, advances: int, status: str
) -> None:
    _, thread, run = await held_run(client, fake, advances=advances)

    await expect_bad_request(
        lambda: client.beta.threads.runs.submit_tool_outputs(
            run.id, thread_id=thread.id, tool_outputs=[{"tool_call_id": "call_a", "output": "x"}]
        ),
        f'Runs in status "{status}" do not accept tool outputs.',
    )


async def test_no_tool_outputs_while_cancelling(client: Sdk, fake: FakeAssistants) -> None:
    _, thread, run = await held_run(client, fake)
    await client.beta.threads.runs.cancel(run.id, thread_id=thread.id)

    await expect_bad_request(
        lambda: client.beta.threads.runs.submit_tool_outputs(
            run.id, thread_id=thread.id, tool_outputs=[{"tool_call_id": "call_a", "output": "x"}]
        ),
        'Runs in status "cancelling" do not accept tool outputs.',
    )


async def test_tool_outputs_must_cover_every_call(client: Sdk, fake: FakeAssistants) -> None:
    _, thread, run = await waiting_run(client, fake, calls=2)
    first, second = (c.id for c in run.required_action.submit_tool_outputs.tool_calls)

    await expect_bad_request(
        lambda: client.beta.threads.runs.submit_tool_outputs(
            run.id, thread_id=thread.id, tool_outputs=[{"tool_call_id": first, "output": "x"}]
        ),
        f"Expected tool outputs for call_ids ['{first}', '{second}'], got ['{first}']",
    )
    assert (await retrieve(client, run)).status == "requires_action"


async def test_tool_outputs_must_name_the_pending_calls(client: Sdk, fake: FakeAssistants) -> None:
    _, thread, run = await waiting_run(client, fake)
    (pending,) = (c.id for c in run.required_action.submit_tool_outputs.tool_calls)

    await expect_bad_request(
        lambda: client.beta.threads.runs.submit_tool_outputs(
            run.id,
            thread_id=thread.id,
            tool_outputs=[{"tool_call_id": "call_a", "output": "x"}, {"tool_call_id": "call_b", "output": "y"}],
        ),
        f"Expected tool outputs for call_ids ['{pending}'], got ['call_a', 'call_b']",
    )
    (step,) = await steps_of(client, run)
    assert step.status == "in_progress"


# -- cancel -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["completed", "failed", "incomplete", "expired", "cancelled"])
async def test_no_cancel_of_a_finished_run(client: Sdk, fake: FakeAssistants, status: str) -> None:
    thread, run = await finished_run(client, fake, status)

    await expect_bad_request(
        lambda: client.beta.threads.runs.cancel(run.id, thread_id=thread.id),
        f"Cannot cancel run with status '{status}'.",
    )
    assert (await retrieve(client, run)).status == status


async def test_no_second_cancel(client: Sdk, fake: FakeAssistants) -> None:
    _, thread, run = await held_run(client, fake)
    await client.beta.threads.runs.cancel(run.id, thread_id=thread.id)

    await expect_bad_request(
        lambda: client.beta.threads.runs.cancel(run.id, thread_id=thread.id),
        "Cannot cancel run with status 'cancelling'.",
    )


# -- nothing to answer -------------------------------------------------------------------------------


async def test_no_run_without_a_user_message_or_instructions(client: Sdk) -> None:
    assistant = await client.beta.assistants.create(model="gpt-4o")
    thread = await client.beta.threads.create()

    await expect_bad_request(
        lambda: client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id),
        INVALID_THREAD,
        code="invalid_thread",
    )
    page = await client.beta.threads.runs.list(thread.id)
    assert page.data == []


@pytest.mark.parametrize(
    ("assistant_instructions", "run_options"),
    [
        ("Be kind.", {}),
        (None, {"instructions": "Be kind."}),
        (None, {"additional_instructions": "Be kind."}),
        (None, {"additional_messages": [{"role": "user", "content": "Hi"}]}),
    ],
    ids=["assistant-instructions", "run-instructions", "additional-instructions", "additional-messages"],
)
async def test_instructions_or_a_user_message_are_enough(
    client: Sdk, assistant_instructions: str | None, run_options: dict[str, Any]
) -> None:
    assistant = await client.beta.assistants.create(model="gpt-4o", instructions=assistant_instructions)
    thread = await client.beta.threads.create()

    run = await client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, **run_options
    )

    assert run.status == "completed"
