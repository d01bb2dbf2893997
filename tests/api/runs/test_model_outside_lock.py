"""A run's model answers with the fake's lock set aside: while one run waits for its responder (a call, or each
chunk of its stream), other requests to the same fake are answered, reads show the run in progress, and what
they do to the run (a cancel, a deleted thread, a reset) is what the run shows once its model is back.

Each test holds a responder inside its call on an Event, does something from the test's own thread, then lets the
responder go. Waits are bounded (a deadlock fails the test instead of hanging it); nothing sleeps.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

import openai
import pytest

from fake_assistants import FakeAssistants, StateError
from fake_assistants.runs.script import Reply, TextStream, TurnContext
from sdk_matrix import VARIANTS, Variant, new_fake

BOUND = 30.0  # seconds: a deadlock guard, not a speed target
SYNC_PARAMS = [variant.param() for variant in VARIANTS if not variant.is_async]

T = TypeVar("T")


class HeldModel:
    """A responder that says it was called, then answers only once let go."""

    def __init__(self, answer: Callable[[], Reply | str] = lambda: "the model's answer") -> None:
        self.called, self.go = threading.Event(), threading.Event()
        self.answer = answer

    def __call__(self, context: TurnContext) -> Reply | str:
        self.called.set()
        assert self.go.wait(BOUND), "the test never let the model answer"
        return self.answer()


@pytest.fixture
def fake() -> FakeAssistants:
    return new_fake()


@pytest.fixture(params=SYNC_PARAMS)
def client(request: pytest.FixtureRequest, fake: FakeAssistants) -> openai.OpenAI:
    variant: Variant = request.param
    built: openai.OpenAI = variant.build(fake)
    return built


@pytest.fixture
def background() -> Iterator[Callable[[Callable[[], T]], Future[T]]]:
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        yield pool.submit
    finally:
        pool.shutdown(wait=False, cancel_futures=True)  # a test that failed part-way does not hang the session


def on_thread(target: Callable[[], object]) -> threading.Thread:
    """`target` started on a daemon thread (a deadlock fails its test, and does not hang the session at exit)."""
    started = threading.Thread(target=target, daemon=True)
    started.start()
    return started


def joined(thread: threading.Thread) -> None:
    thread.join(BOUND)
    assert not thread.is_alive(), "a thread did not end: a deadlock"


class ModelWaits:
    """Counts the threads that started waiting for another thread's model (`engine.wait_for_model`)."""

    def __init__(self) -> None:
        self.count = 0
        self.changed = threading.Condition()

    def noted(self) -> None:
        with self.changed:
            self.count += 1
            self.changed.notify_all()

    def until(self, count: int) -> None:
        """Until `count` threads have started waiting (a bounded wait)."""
        with self.changed:
            assert self.changed.wait_for(lambda: self.count >= count, BOUND), f"{self.count} of {count} waited"


@pytest.fixture
def model_waits(fake: FakeAssistants, monkeypatch: pytest.MonkeyPatch) -> ModelWaits:
    waits = ModelWaits()
    wait = fake.engine.wait_for_model

    def noted(calling: Any) -> None:
        waits.noted()
        wait(calling)

    monkeypatch.setattr(fake.engine, "wait_for_model", noted)
    return waits


def waiting_run(client: openai.OpenAI, fake: FakeAssistants, model: HeldModel,
                background: Callable[[Callable[[], Any]], Future[Any]]) -> tuple[Any, Future[Any]]:
    """A run polled on another thread, its model called and held; the thread, and the poll's outcome."""
    fake.script.respond_with(model)
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hello?"}])
    polled = background(lambda: client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=0))
    assert model.called.wait(BOUND)
    return thread, polled


def test_other_requests_are_answered_while_a_model_answers(client: openai.OpenAI, fake: FakeAssistants,
                                                            background: Any) -> None:
    model = HeldModel()
    thread, polled = waiting_run(client, fake, model, background)

    other = client.beta.assistants.create(model="gpt-4o", name="made meanwhile")
    waiting = client.beta.threads.runs.list(thread_id=thread.id).data[0]
    assert client.beta.threads.runs.retrieve(waiting.id, thread_id=thread.id).status == "in_progress"
    assert waiting.status == "in_progress" and not polled.done()
    assert [m.role for m in client.beta.threads.messages.list(thread_id=thread.id).data] == ["user"]
    model.go.set()

    run = polled.result(BOUND)
    assert run.status == "completed" and run.id == waiting.id
    answer = client.beta.threads.messages.list(thread_id=thread.id).data[0]
    assert answer.content[0].text.value == "the model's answer"  # type: ignore[union-attr]
    assert client.beta.assistants.retrieve(other.id).name == "made meanwhile"


def test_a_run_cancelled_while_its_model_answers_ends_cancelled_without_the_answer(
        client: openai.OpenAI, fake: FakeAssistants, background: Any) -> None:
    model = HeldModel()
    thread, polled = waiting_run(client, fake, model, background)
    run_id = client.beta.threads.runs.list(thread_id=thread.id).data[0].id

    assert client.beta.threads.runs.cancel(run_id, thread_id=thread.id).status == "cancelling"
    model.go.set()

    assert polled.result(BOUND).status == "cancelled"
    assert [m.role for m in client.beta.threads.messages.list(thread_id=thread.id).data] == ["user"]
    assert [s.status for s in client.beta.threads.runs.steps.list(run_id, thread_id=thread.id).data] == []


def test_a_thread_deleted_while_its_model_answers_is_gone(client: openai.OpenAI, fake: FakeAssistants,
                                                          background: Any) -> None:
    model = HeldModel()
    thread, polled = waiting_run(client, fake, model, background)

    assert client.beta.threads.delete(thread.id).deleted
    model.go.set()

    with pytest.raises(openai.NotFoundError, match=f"No thread found with id '{thread.id}'"):
        polled.result(BOUND)
    assert fake.script.responder_errors == []


def test_a_fake_reset_while_a_model_answers_keeps_nothing_of_the_run(client: openai.OpenAI, fake: FakeAssistants,
                                                                     background: Any) -> None:
    model = HeldModel()
    _, polled = waiting_run(client, fake, model, background)

    fake.reset()
    model.go.set()

    with pytest.raises(openai.NotFoundError):
        polled.result(BOUND)
    assert client.beta.assistants.list().data == []


def test_a_snapshot_or_dump_while_a_model_answers_waits_for_it(client: openai.OpenAI, fake: FakeAssistants,
                                                                background: Any, model_waits: ModelWaits) -> None:
    model = HeldModel()
    thread, polled = waiting_run(client, fake, model, background)
    saved: list[Any] = []
    savers = [on_thread(lambda: saved.append(fake.snapshot())), on_thread(lambda: saved.append(fake.dump()))]
    model_waits.until(2)  # both are waiting for the model
    model.go.set()
    for saver in savers:
        joined(saver)

    assert polled.result(BOUND).status == "completed"
    assert len(saved) == 2  # neither refused the run as part-way: each waited for its model, then its turn
    copy = new_fake()
    copy.restore(next(s for s in saved if not isinstance(s, str)))
    assert copy.openai_client().beta.threads.runs.list(thread_id=thread.id).data[0].status == "completed"


def test_a_responder_that_saves_the_fake_is_told_its_run_is_part_way(client: openai.OpenAI,
                                                                    fake: FakeAssistants) -> None:
    refusals: list[str] = []

    def saving(context: TurnContext) -> str:
        with pytest.raises(StateError, match="part-way through a scripted turn") as caught:
            fake.dump()
        refusals.append(str(caught.value))
        return "saved nothing"

    fake.script.respond_with(saving)
    assistant = client.beta.assistants.create(model="gpt-4o")
    run = client.beta.threads.create_and_run_poll(
        assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "Hi"}]})

    assert run.status == "completed" and len(refusals) == 1 and run.id in refusals[0]


def test_a_responder_that_raises_after_its_run_was_cancelled_does_not_fail_it(
        client: openai.OpenAI, fake: FakeAssistants, background: Any) -> None:
    def broken() -> str:
        raise RuntimeError("the model server went away")

    model = HeldModel(broken)
    thread, polled = waiting_run(client, fake, model, background)
    run_id = client.beta.threads.runs.list(thread_id=thread.id).data[0].id

    client.beta.threads.runs.cancel(run_id, thread_id=thread.id)
    model.go.set()

    assert polled.result(BOUND).status == "cancelled"
    assert fake.script.responder_errors == []


def test_two_responders_saving_the_fake_at_once_are_both_told_their_runs_are_part_way(
        client: openai.OpenAI, fake: FakeAssistants) -> None:
    both_answering = threading.Barrier(2, timeout=BOUND)
    refusals: list[str] = []

    def saving(context: TurnContext) -> str:
        both_answering.wait()  # each model answers while the other does
        with pytest.raises(StateError, match="part-way through a scripted turn") as caught:
            fake.dump()  # must not wait for the other model, which waits to save too
        refusals.append(str(caught.value))
        return "saved nothing"

    fake.script.respond_with(saving, repeat=True)
    assistant = client.beta.assistants.create(model="gpt-4o")
    outcomes: list[str] = []

    def conversation() -> None:
        outcomes.append(client.beta.threads.create_and_run_poll(
            assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "Hi"}]}).status)

    for conversing in [on_thread(conversation), on_thread(conversation)]:
        joined(conversing)

    assert outcomes == ["completed", "completed"] and len(refusals) == 2


class HeldChunks:
    """A model's streamed text: each chunk after the first waits until the test lets it go."""

    def __init__(self, chunks: list[str]) -> None:
        self.chunks = chunks
        self.asked = [threading.Event() for _ in chunks]
        self.go = [threading.Event() for _ in chunks]
        self.closed = threading.Event()

    def __iter__(self) -> Iterator[str]:
        try:
            for index, chunk in enumerate(self.chunks):
                self.asked[index].set()
                if index:
                    assert self.go[index].wait(BOUND), "the test never let the chunk come"
                yield chunk
        finally:
            self.closed.set()


def streamed_run(client: openai.OpenAI, fake: FakeAssistants, held: HeldChunks,
                 background: Callable[[Callable[[], Any]], Future[Any]]) -> tuple[Any, Future[list[Any]]]:
    """A run whose model's text is `held`, streamed through the SDK's helper on another thread until its model
    waits for its second chunk; the thread, and the events the stream reads."""
    fake.script.respond_with(lambda context: Reply(TextStream(iter(held))))
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])

    def read() -> list[Any]:
        with client.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id) as stream:
            return list(stream)

    events = background(read)
    assert held.asked[1].wait(BOUND)
    return thread, events


def test_a_streamed_run_waiting_for_its_models_next_chunk_lets_other_requests_through(
        client: openai.OpenAI, fake: FakeAssistants, background: Any) -> None:
    held = HeldChunks(["Hello", ", world", "!"])
    thread, events = streamed_run(client, fake, held, background)

    run = client.beta.threads.runs.list(thread_id=thread.id).data[0]
    assert run.status == "in_progress"
    assert client.beta.threads.messages.list(thread_id=thread.id).data[0].status == "in_progress"
    held.go[1].set()
    assert held.asked[2].wait(BOUND)
    held.go[2].set()

    assert events.result(BOUND)[-1].event == "thread.run.completed"
    answer = client.beta.threads.messages.list(thread_id=thread.id).data[0]
    assert answer.content[0].text.value == "Hello, world!"  # type: ignore[union-attr]


def test_a_stream_cancelled_while_its_model_writes_announces_the_cancellation_and_lets_go_of_the_model(
        client: openai.OpenAI, fake: FakeAssistants, background: Any) -> None:
    held = HeldChunks(["Hello", ", world", "!"])
    thread, events = streamed_run(client, fake, held, background)
    run = client.beta.threads.runs.list(thread_id=thread.id).data[0]
    client.beta.threads.runs.cancel(run.id, thread_id=thread.id)
    held.go[1].set()

    read_events = events.result(BOUND)
    assert [e.event for e in read_events][-4:] == [
        "thread.run.cancelling", "thread.message.incomplete", "thread.run.step.cancelled", "thread.run.cancelled"]
    incomplete = next(e.data for e in read_events if e.event == "thread.message.incomplete")
    assert incomplete.content[0].text.value == "Hello"  # what was sent before the cancel
    assert held.closed.is_set() and not held.asked[2].is_set()  # the model's stream was let go, not read on
    assert client.beta.threads.runs.retrieve(run.id, thread_id=thread.id).status == "cancelled"


def test_a_stream_read_while_another_threads_read_has_the_run_waiting_on_its_model_waits_for_it(
        client: openai.OpenAI, fake: FakeAssistants, background: Any, model_waits: ModelWaits) -> None:
    model = HeldModel()
    fake.script.respond_with(model)
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    stream = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True)  # unread
    listed = background(lambda: client.beta.threads.runs.list(thread_id=thread.id).data[0])  # moves the run
    assert model.called.wait(BOUND)
    read: list[str] = []

    def read_all() -> None:
        read.extend(event.event for event in stream)

    reader = on_thread(read_all)
    model_waits.until(1)  # the stream asked for the run's work, which the list's thread is making
    model.go.set()
    joined(reader)

    assert read[:2] == ["thread.run.created", "thread.run.queued"]
    assert "error" not in read
    assert listed.result(BOUND).status == "completed"  # the list's read ran the turn; the stream waited for it
    assert fake.script.responder_errors == []


def test_a_stream_closed_from_another_thread_while_its_model_writes_ends_there(
        client: openai.OpenAI, fake: FakeAssistants) -> None:
    """An app's "stop" button: one thread reads the stream, another closes it while the run waits for its model's
    next chunk. The close returns at once (it raised ValueError: a generator closed while it runs); the reading
    thread's stream ends once that chunk is made, without it. As for any stream closed part-way, the run goes on
    and a later read finishes it."""
    held = HeldChunks(["Hello", ", world", "!"])
    fake.script.respond_with(lambda context: Reply(TextStream(iter(held))))
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    stream = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True)
    read: list[str] = []
    failures: list[BaseException] = []

    def read_all() -> None:
        try:
            read.extend(event.event for event in stream)
        except BaseException as error:  # whatever ends the read is what the test asserts on
            failures.append(error)

    reader = on_thread(read_all)
    assert held.asked[1].wait(BOUND)  # the reader waits for the model's second chunk
    stream.close()  # from this thread, while the reader's chunk is being made
    held.go[1].set()
    joined(reader)

    assert failures == []
    assert read[-2:] == ["thread.message.in_progress", "thread.message.delta"]  # "Hello", and no more
    held.go[2].set()
    run = client.beta.threads.runs.list(thread_id=thread.id).data[0]  # a later read finishes the run
    assert run.status == "completed" and held.closed.is_set()
    answer = client.beta.threads.messages.list(thread_id=thread.id).data[0]
    assert answer.content[0].text.value == "Hello, world!"  # type: ignore[union-attr]
