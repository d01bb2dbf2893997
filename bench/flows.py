"""The workloads, written once as SDK code, and the clients they run on (fake, canned floor).

Works on openai 2.x (httpx) and 3.x (httpx2): the floor uses the same HTTP library the fake's default
client uses, so the two differ only in what answers the requests.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import canned
import openai
from openai.pagination import SyncCursorPage
from openai.types.beta.threads import Message

from fake_assistants import FakeAssistants
from fake_assistants.fake import DEFAULT_BASE_URL, default_http_library

API_KEY = "sk-bench"

# pydantic keeps a parametrized generic class such as `SyncCursorPage[Message]` (what `messages.list` answers
# with) only weakly: whenever the garbage collector frees it between two lists, the SDK builds the class
# again, about 1 ms, so a case's figure would depend on when collections happen to fall. Held here, it is
# built once, in the warm-up, for every case alike.
SDK_GENERICS = (SyncCursorPage[Message],)


def quickstart(client: Any) -> None:
    """The Assistants quickstart (README): 6 requests."""
    assistant = client.beta.assistants.create(
        name="Math Tutor",
        instructions="You are a personal math tutor. Write and run code to answer math questions.",
        tools=[{"type": "code_interpreter"}],
        model="gpt-4o",
    )
    thread = client.beta.threads.create()
    client.beta.threads.messages.create(
        thread_id=thread.id, role="user", content="I need to solve the equation `3x + 11 = 14`. Can you help me?"
    )
    run = client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id,
        instructions="Please address the user as Jane Doe. The user has a premium account.",
    )
    assert run.status == "completed", run.status
    messages = client.beta.threads.messages.list(thread_id=thread.id)
    assert len(messages.data) == 2


QUICKSTART_REQUESTS = 6


def crud(client: Any) -> None:
    """Create an assistant, a thread, 3 messages; list the messages; retrieve the assistant: 7 requests."""
    assistant = client.beta.assistants.create(model="gpt-4o", name="CRUD")
    thread = client.beta.threads.create()
    for number in range(3):
        client.beta.threads.messages.create(thread_id=thread.id, role="user", content=f"Message {number}")
    listed = client.beta.threads.messages.list(thread_id=thread.id)
    assert len(listed.data) == 3
    assert client.beta.assistants.retrieve(assistant.id).id == assistant.id


CRUD_REQUESTS = 7


def http_module() -> Any:
    return importlib.import_module(default_http_library())


def fake_client(fake: FakeAssistants) -> Any:
    return fake.openai_client(api_key=API_KEY)


def floor_client(answers: dict[tuple[str, str], canned.Answer]) -> Any:
    module = http_module()
    http_client = module.Client(transport=canned.transport(module, answers), base_url=DEFAULT_BASE_URL)
    return openai.OpenAI(api_key=API_KEY, base_url=DEFAULT_BASE_URL, http_client=http_client)


def cases(flow: Callable[[Any], None]) -> dict[str, Callable[[], Callable[[], object]]]:
    """The fake and the floor for `flow`, as `timing.interleaved` cases (a fresh fake/client per sample)."""
    answers = canned.record(flow, fake_client)

    def fake_case() -> Callable[[], object]:
        client = fake_client(FakeAssistants(seed=0))
        return lambda: flow(client)

    def floor_case() -> Callable[[], object]:
        client = floor_client(answers)
        return lambda: flow(client)

    return {"fake": fake_case, "floor": floor_case}
