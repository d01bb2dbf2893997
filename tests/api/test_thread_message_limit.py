"""A thread's message limit (`options.max_thread_messages`, the guides' 100,000): a request it refuses writes nothing.

The limit is lowered to 3 here so that the tests stay small; the checks are the same at 100,000.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, cast

import openai
import pytest

from fake_assistants import FakeAssistants
from runs_support import messages_of, text_of
from sdk_matrix import Sdk

LIMIT = 3


@pytest.fixture
def small(fake: FakeAssistants) -> FakeAssistants:
    fake.options.max_thread_messages = LIMIT
    return fake


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


async def refused(call: Callable[[], Awaitable[Any]]) -> dict[str, Any]:
    with pytest.raises(openai.BadRequestError) as caught:
        await call()
    return cast(dict[str, Any], caught.value.body)


async def test_a_new_thread_with_too_many_messages_is_refused_before_it_is_made(
    client: Sdk, small: FakeAssistants,
) -> None:
    error = await refused(lambda: client.beta.threads.create(messages=[user(f"m{n}") for n in range(LIMIT + 1)]))

    assert error == {"message": "Invalid 'messages': array too long. Expected an array with maximum length 3, but got "
                                "an array with length 4 instead.",
                     "type": "invalid_request_error", "param": "messages", "code": "array_above_max_length"}
    assert len(small.store.threads) == 0  # no thread the client was never told of


async def test_create_and_run_with_too_many_messages_leaves_no_thread(client: Sdk, small: FakeAssistants) -> None:
    assistant = await client.beta.assistants.create(model="gpt-4o")

    error = await refused(lambda: client.beta.threads.create_and_run(
        assistant_id=assistant.id, thread={"messages": [user(f"m{n}") for n in range(LIMIT + 1)]}))

    assert (error["param"], error["code"]) == ("thread.messages", "array_above_max_length")
    assert len(small.store.threads) == 0


async def test_a_thread_may_start_full_and_then_refuses_the_next_message(client: Sdk, small: FakeAssistants) -> None:
    thread = await client.beta.threads.create(messages=[user(f"m{n}") for n in range(LIMIT)])

    error = await refused(lambda: client.beta.threads.messages.create(thread.id, role="user", content="one more"))

    assert error == {"message": f"Thread {thread.id} has reached the maximum of 3 messages.",
                     "type": "invalid_request_error", "param": "thread_id", "code": None}
    assert len(await messages_of(client, thread.id)) == LIMIT


async def test_additional_messages_past_the_limit_add_none_of_them_and_no_run(
    client: Sdk, small: FakeAssistants,
) -> None:
    small.script.reply("never said")
    assistant = await client.beta.assistants.create(model="gpt-4o")
    thread = await client.beta.threads.create(messages=[user("m0"), user("m1")])

    error = await refused(lambda: client.beta.threads.runs.create(
        thread_id=thread.id, assistant_id=assistant.id, additional_messages=[user("extra 1"), user("extra 2")]))

    assert error["message"] == f"Thread {thread.id} has reached the maximum of 3 messages."
    assert [text_of(m) for m in await messages_of(client, thread.id)] == ["m1", "m0"]
    assert (await client.beta.threads.runs.list(thread.id)).data == []
    # one extra message still fits: the run starts
    run = await client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, additional_messages=[user("extra")])
    assert run.status == "completed"
