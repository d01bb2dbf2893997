"""Polled runs make the same state changes as streamed ones without building the events' data: the engine
builds an event's data only while a stream reads the run, so a polled run's events carry `UNREAD`. Reads of a run
whose stream is not read yet keep its events, with their data, for that stream."""

from __future__ import annotations

import pytest

from fake_assistants import FakeAssistants
from fake_assistants.core.types import flattened
from fake_assistants.model.run import Run
from fake_assistants.runs.engine import UNREAD
from sdk_matrix import new_fake


def _run_and_poll(progression: str) -> tuple[Run, list[tuple[str, object]]]:
    fake = new_fake(progression=progression)
    run = _queued_run(fake)
    events = list(fake.engine.work(run))
    return run, events


def test_a_polled_run_drains_its_events_without_their_data() -> None:
    run, events = _run_and_poll("manual")

    names = [name for name, _ in events]
    assert names[0] == "thread.run.in_progress" and names[-1] == "thread.run.completed"
    assert "thread.message.completed" in names
    assert "thread.message.delta" not in names  # deltas exist only for a stream to read
    assert all(data is UNREAD for _, data in events)
    assert run.status == "completed"


def test_unread_data_cannot_be_changed_by_mistake() -> None:
    with pytest.raises(TypeError):
        UNREAD["id"] = "x"


def test_a_streamed_run_gets_each_event_as_the_object_was_then() -> None:
    fake = new_fake()
    client = fake.openai_client(max_retries=0)
    fake.script.reply("Hello there, how are you?")
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    with client.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id) as stream:
        events = list(stream)

    statuses = [(e.event, getattr(e.data, "status", None)) for e in events]
    assert ("thread.run.in_progress", "in_progress") in statuses
    assert ("thread.message.created", "in_progress") in statuses
    assert statuses[-1] == ("thread.run.completed", "completed")
    deltas = "".join(e.data.delta.content[0].text.value for e in events if e.event == "thread.message.delta")
    assert deltas == "Hello there, how are you?"


def _queued_run(fake: FakeAssistants) -> Run:
    client = fake.openai_client(max_retries=0)
    fake.script.reply("Hello there, how are you?")
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    created = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    run = fake.store.find_run(thread.id, created.id)
    assert run is not None and run.status == "queued"
    return run


def test_reads_before_a_streams_first_read_keep_the_events_with_their_data_for_it() -> None:
    fake = new_fake()
    run = _queued_run(fake)
    stream = fake.engine.stream(run, [])

    fake.engine.on_read(run, poll=True)

    assert run.status == "completed"
    events = list(flattened(stream))
    assert events[0][0] == "thread.run.in_progress"
    assert events[-1][0] == "thread.run.completed"
    assert not any(data is UNREAD for _, data in events)
    assert (run.progress.streamed_segment, run.progress.unread_stream) == (None, None)


def test_a_stream_dropped_unread_leaves_its_run_to_the_policy() -> None:
    fake = new_fake()
    run = _queued_run(fake)
    stream = fake.engine.stream(run, [])
    assert fake.engine.streaming(run)
    del stream  # never read: the stream's backlog goes with it

    fake.engine.on_read(run, poll=True)

    assert run.status == "completed"
    assert (run.progress.streamed_segment, run.progress.unread_stream) == (None, None)
