"""`fake.snapshot()`, `fake.restore(snapshot)` and `fake.reset()`."""

from __future__ import annotations

import pytest

from fake_assistants import ApiRequest, FakeAssistants, Snapshot, StateError
from sdk_matrix import new_fake
from state_support import build_world, every_get, get_paths, world_fake


def test_restore_goes_back_to_the_snapshot_byte_for_byte() -> None:
    fake = world_fake()
    ids = build_world(fake)
    paths = get_paths(fake)
    before = every_get(fake, paths)
    snapshot = fake.snapshot()
    client = fake.openai_client()
    client.beta.assistants.update(ids["assistant"], name="Renamed")
    client.beta.threads.messages.update(ids["note"], thread_id=ids["thread"], metadata={"k": "changed"})
    client.beta.threads.delete(ids["second"])
    client.beta.threads.runs.cancel(ids["waiting"], thread_id=ids["thread"])
    extra = client.beta.assistants.create(model="gpt-4o")

    fake.restore(snapshot)

    assert get_paths(fake) == paths
    assert every_get(fake, paths) == before
    assert client.beta.assistants.create(model="gpt-4o").id == extra.id  # the id streams went back too
    client.close()


def test_a_snapshot_can_be_restored_again_and_again() -> None:
    fake = new_fake()
    client = fake.openai_client()
    kept = client.beta.threads.create(metadata={"v": "1"})
    snapshot = fake.snapshot()

    for _ in range(3):
        client.beta.threads.update(kept.id, metadata={"v": "2"})
        client.beta.threads.create()
        fake.restore(snapshot)
        assert client.beta.threads.retrieve(kept.id).metadata == {"v": "1"}
        assert len(fake.store.threads) == 1
    client.close()


def test_restore_brings_back_queued_work_and_the_script() -> None:
    fake = new_fake(progression="manual")
    client = fake.openai_client()
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    fake.script.reply("First answer.").reply("Second answer.")
    run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    snapshot = fake.snapshot()

    answers = []
    for _ in range(2):
        while fake.advance(run.id) != "completed":
            pass
        answers.append(client.beta.threads.messages.list(thread.id).data[0].content[0].text.value)
        fake.restore(snapshot)

    assert answers == ["First answer.", "First answer."]
    assert [turn.action.text for turn in fake.script.pending] == ["First answer.", "Second answer."]
    assert client.beta.threads.runs.retrieve(run.id, thread_id=thread.id).status == "queued"
    client.close()


def test_snapshot_refuses_a_run_part_way_through_a_turn() -> None:
    fake = new_fake(progression="manual")
    client = fake.openai_client()
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    assert fake.advance(run.id) == "in_progress"

    with pytest.raises(StateError, match=f"run {run.id} \\(in_progress"):
        fake.snapshot()

    assert fake.advance(run.id) == "completed"
    assert isinstance(fake.snapshot(), Snapshot)
    client.close()


def test_the_journal_and_faults_are_not_part_of_a_snapshot() -> None:
    fake = new_fake()
    snapshot = fake.snapshot()
    fake.handle(ApiRequest.build("GET", "/v1/files"))
    fake.faults.timeout("files.list")

    fake.restore(snapshot)

    assert fake.calls.call_count == 1
    assert len(fake.faults.pending) == 1


def test_reset_empties_everything_and_restarts_the_ids() -> None:
    fake = new_fake(lenient=True)
    client = fake.openai_client(max_retries=0)
    first = client.beta.assistants.create(model="gpt-4o")
    client.beta.threads.create()
    fake.script.reply("never used")
    fake.faults.server_error("threads.create", should_retry=False)
    fake.ingestion.fail(filename="*.pdf")

    fake.reset()

    assert (fake.calls.call_count, fake.faults.pending, fake.script.pending) == (0, [], [])
    assert (len(fake.store.assistants), len(fake.store.threads), fake.ingestion.rules) == (0, 0, [])
    assert client.beta.assistants.create(model="gpt-4o").id == first.id
    assert client.beta.threads.retrieve("thread_made_up").id == "thread_made_up"  # options stay: still lenient
    client.close()


def test_reset_fake_behaves_like_a_new_one() -> None:
    used, fresh = new_fake(), new_fake()
    client = used.openai_client()
    client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    used.reset()

    for fake in (used, fresh):
        other = fake.openai_client()
        assistant = other.beta.assistants.create(model="gpt-4o")
        thread = other.beta.threads.create(messages=[{"role": "user", "content": "Hello"}])
        other.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
        other.close()
    paths = get_paths(fresh)

    assert get_paths(used) == paths
    assert every_get(used, paths) == every_get(fresh, paths)
    client.close()


def test_a_run_being_cancelled_is_saved_and_finishes_after_restore_or_load() -> None:
    fake = new_fake(progression="manual")
    client = fake.openai_client()
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    assert client.beta.threads.runs.cancel(run.id, thread_id=thread.id).status == "cancelling"
    snapshot, dumped = fake.snapshot(), fake.dump()
    copy = FakeAssistants.load(dumped, shape="schema", clock=fake.clock, progression="manual")

    assert fake.advance(run.id) == "cancelled"
    fake.restore(snapshot)
    assert fake.store.run(thread.id, run.id).status == "cancelling"

    for each in (fake, copy):
        assert each.advance(run.id) == "cancelled"
        assert each.store.active_runs == {}
    client.close()
