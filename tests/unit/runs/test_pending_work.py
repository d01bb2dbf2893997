"""The engine's public API for saving and restoring a run's pending work: the kind of work is recorded when
the engine makes it, only work not yet started is saved, and restoring makes the same work again."""

from __future__ import annotations

from typing import Any

import pytest

from fake_assistants import FakeAssistants, StateError
from fake_assistants.model.run import Run
from sdk_matrix import new_fake


def _queued(fake: FakeAssistants) -> tuple[Any, Run]:
    client = fake.openai_client(max_retries=0)
    weather = {"type": "function", "function": {"name": "get_weather"}}
    assistant = client.beta.assistants.create(model="gpt-4o", tools=[weather])
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    created = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    run = fake.store.find_run(thread.id, created.id)
    assert run is not None
    return client, run


def test_a_queued_run_holds_work_of_kind_execute_not_started() -> None:
    fake = new_fake(progression="manual")
    _, run = _queued(fake)

    work = run.progress.work
    assert work is not None and (work.kind, work.started) == ("execute", False)
    assert fake.engine.saved_work([run]) == {run.id: "execute"}


def test_a_cancelled_run_holds_work_of_kind_finish_cancelling() -> None:
    fake = new_fake(progression="manual")
    client, run = _queued(fake)
    client.beta.threads.runs.cancel(run.id, thread_id=run.thread_id)

    assert run.progress.work is not None and run.progress.work.kind == "finish_cancelling"
    assert fake.engine.saved_work([run]) == {run.id: "finish_cancelling"}


def test_started_work_is_refused_naming_the_run() -> None:
    fake = new_fake(progression="manual")
    _, run = _queued(fake)
    assert fake.advance(run.id) == "in_progress"

    assert run.progress.work is not None and run.progress.work.started
    with pytest.raises(StateError, match=f"run {run.id} \\(in_progress, thread {run.thread_id}\\)"):
        fake.engine.saved_work([run])


def test_settled_runs_have_nothing_to_save() -> None:
    fake = new_fake()
    fake.script.call_function("get_weather", {})
    client, run = _queued(fake)
    assert client.beta.threads.runs.retrieve(run.id, thread_id=run.thread_id).status == "requires_action"

    assert fake.engine.saved_work([run]) == {}


def test_restored_work_is_made_again_from_its_kind() -> None:
    fake = new_fake(progression="manual")
    _, run = _queued(fake)
    run.progress.streamed_segment = run.progress.segment  # as if a stream read the original

    fake.engine.restore_work(run, "execute")

    work = run.progress.work
    assert work is not None and (work.kind, work.started, run.progress.streamed_segment) == ("execute", False, None)
    assert fake.advance(run.id) == "in_progress"
    fake.engine.restore_work(run, None)
    assert run.progress.work is None


def test_stop_streaming_hands_the_run_back_to_the_policy() -> None:
    fake = new_fake(progression="manual")
    _, run = _queued(fake)
    run.progress.streamed_segment = run.progress.segment
    assert fake.engine.streaming(run)

    fake.engine.stop_streaming(run)

    assert not fake.engine.streaming(run)
