"""Server mode with a model behind the runs: while one run waits for its model, the server answers every other
request, from other clients and about the waiting run itself (it shows in progress), streamed or polled.

The model is a responder held on an Event inside its call; the test lets it go. Waits are bounded, nothing sleeps.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import openai
import pytest

from fake_assistants import FakeAssistants
from fake_assistants.runs.script import Reply, TextStream, TurnContext
from server_support import sdk

BOUND = 30.0  # seconds: a deadlock guard, not a speed target


class Held:
    """Called, then held until let go: a model's whole answer, or (`chunks`) each chunk after the first."""

    def __init__(self, chunks: list[str] | None = None) -> None:
        self.called, self.go = threading.Event(), threading.Event()
        self.waiting = threading.Event()  # held: the whole answer, or the next chunk
        self.chunks = chunks

    def __call__(self, context: TurnContext) -> Reply | str:
        self.called.set()
        if self.chunks is not None:
            return Reply(TextStream(self.stream(self.chunks)))
        self.waiting.set()
        assert self.go.wait(BOUND), "the test never let the model answer"
        return "the model's answer"

    def stream(self, chunks: list[str]) -> Iterator[str]:
        yield chunks[0]
        self.waiting.set()
        assert self.go.wait(BOUND), "the test never let the model go on"
        yield from chunks[1:]


@dataclass
class Served:
    fake: FakeAssistants
    first: openai.OpenAI  # the client whose run waits on the model
    second: openai.OpenAI  # another client of the same server
    background: ThreadPoolExecutor  # where the first client waits


@pytest.fixture
def served() -> Iterator[Served]:
    fake = FakeAssistants(seed=0)
    with fake.serve() as server, ThreadPoolExecutor(max_workers=1) as background, \
            sdk(server.base_url, timeout=BOUND) as first, sdk(server.base_url, timeout=BOUND) as second:
        yield Served(fake, first, second, background)


def test_a_polled_run_waiting_on_its_model_holds_back_no_other_client(served: Served) -> None:
    first, second = served.first, served.second
    model = Held()
    served.fake.script.respond_with(model)
    assistant = first.beta.assistants.create(model="gpt-4o")
    thread = first.beta.threads.create(messages=[{"role": "user", "content": "Hello?"}])
    polled = served.background.submit(
        lambda: first.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id,
                                                        poll_interval_ms=0))
    assert model.waiting.wait(BOUND)

    other = second.beta.threads.create(messages=[{"role": "user", "content": "Another conversation"}])
    (waiting,) = second.beta.threads.runs.list(thread_id=thread.id).data
    assert second.beta.threads.runs.retrieve(waiting.id, thread_id=thread.id).status == "in_progress"
    assert second.beta.assistants.retrieve(assistant.id).id == assistant.id
    assert not polled.done()
    model.go.set()

    assert polled.result(BOUND).status == "completed"
    answer = second.beta.threads.messages.list(thread_id=thread.id).data[0]
    assert answer.content[0].text.value == "the model's answer"  # type: ignore[union-attr]
    assert second.beta.threads.retrieve(other.id).id == other.id


def test_a_stream_waiting_on_its_models_next_chunk_holds_back_no_other_client(served: Served) -> None:
    first, second = served.first, served.second
    model = Held(["Hello", ", world", "!"])
    served.fake.script.respond_with(model)
    assistant = first.beta.assistants.create(model="gpt-4o")
    thread = first.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])

    def read() -> list[Any]:
        with first.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id) as stream:
            return list(stream)

    events = served.background.submit(read)
    assert model.waiting.wait(BOUND)

    second.beta.assistants.create(model="gpt-4o", name="made meanwhile")
    (run,) = second.beta.threads.runs.list(thread_id=thread.id).data
    assert run.status == "in_progress"
    model.go.set()

    read_events = events.result(BOUND)
    assert read_events[-1].event == "thread.run.completed"
    completed = next(e.data for e in read_events if e.event == "thread.message.completed")
    assert completed.content[0].text.value == "Hello, world!"
