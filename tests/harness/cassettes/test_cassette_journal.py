"""Issue 19: a fake built from a cassette tells, call by call, whether the recording shows the request (the journal's
`in_cassette`, `str(call)`, `filter(in_cassette=...)`, the transcript); `fake.cassette` is a typed record; `reset()`
goes back to the state just after `from_cassette` (seeds, recorded turns, recorded ids, the matching)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import openai
import pytest

from cassette_files import exchange
from fake_assistants import CassetteSource, FakeAssistants
from fake_assistants.cassettes.matching import CassetteMatcher, path_shape
from fake_assistants.cassettes.reader import read_cassette

ASSISTANT = "asst_Pr3Kq8Lm2Xv7Nb4Tz9Rd6Hc1"  # existed before the recording: only retrieved there
THREAD = "thread_Jf5Wn1Qs8Lp3Xk7Vb2Mz6Rt4"
RUNS = ("run_Aq7Zt3Lp9Xm2Kv5Nb8Rd4Hw1", "run_Bx2Mn6Qs9Lt4Vp1Kz7Rc3Hd8")
REPLIES = ("msg_Cv8Lp2Qz5Tx9Nm3Kb7Rw4Hd1", "msg_Dk4Tz8Lm1Qx6Vp9Nb2Rs5Hc7")
TEXTS = ("The recorded answer.", "The second recorded answer.")


def run(index: int, status: str) -> dict[str, Any]:
    return {"id": RUNS[index], "object": "thread.run", "created_at": 1700000010 + index, "assistant_id": ASSISTANT,
            "thread_id": THREAD, "status": status, "model": "gpt-4o", "instructions": None, "tools": []}


def reply(index: int) -> dict[str, Any]:
    return {"id": REPLIES[index], "object": "thread.message", "created_at": 1700000020 + index, "thread_id": THREAD,
            "role": "assistant", "assistant_id": ASSISTANT, "run_id": RUNS[index], "attachments": [], "metadata": {},
            "content": [{"type": "text", "text": {"value": TEXTS[index], "annotations": []}}]}


def write_cassette(folder: Path) -> Path:
    """Two runs of a pre-existing assistant on one thread; each run polled once."""
    assistant = {"id": ASSISTANT, "object": "assistant", "created_at": 1700000000, "name": "Helper",
                 "description": None, "model": "gpt-4o", "instructions": "Be brief.", "tools": [], "metadata": {},
                 "top_p": 1.0, "temperature": 1.0, "response_format": "auto", "tool_resources": {}}
    interactions = [
        exchange("GET", f"/assistants/{ASSISTANT}", assistant),
        exchange("POST", "/threads", {"id": THREAD, "object": "thread", "created_at": 1700000001, "metadata": {}}),
    ]
    for index in (0, 1):
        interactions += [
            exchange("POST", f"/threads/{THREAD}/runs", run(index, "queued"), {"assistant_id": ASSISTANT}),
            exchange("GET", f"/threads/{THREAD}/runs/{RUNS[index]}", run(index, "completed")),
            exchange("GET", f"/threads/{THREAD}/messages", {"object": "list", "data": [reply(index)],
                                                            "has_more": False}),
        ]
    path = folder / "two_runs.json"
    path.write_text(json.dumps({"version": 1, "interactions": interactions}), encoding="utf-8")
    return path


@pytest.fixture
def cassette(tmp_path: Path) -> Path:
    return write_cassette(tmp_path)


def first_run(client: openai.OpenAI, *, extra_poll: bool = False, extra_message: bool = False) -> list[str]:
    """The recorded requests of the first run (plus one more poll, one more message); the ids it saw."""
    assistant = client.beta.assistants.retrieve(ASSISTANT)
    thread = client.beta.threads.create()
    if extra_message:
        client.beta.threads.messages.create(thread.id, role="user", content="Not in the recording.")
    started = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    polled = client.beta.threads.runs.retrieve(started.id, thread_id=thread.id)
    if extra_poll:
        polled = client.beta.threads.runs.retrieve(started.id, thread_id=thread.id)
    assert polled.status == "completed"
    messages = client.beta.threads.messages.list(thread.id)
    assert messages.data[0].content[0].text.value == TEXTS[0]  # type: ignore[union-attr]
    return [assistant.id, thread.id, started.id, messages.data[0].id]


def test_requests_the_recording_shows_are_in_the_cassette(cassette: Path) -> None:
    fake = FakeAssistants.from_cassette(cassette, ids="recorded")

    ids = first_run(fake.openai_client())

    assert ids == [ASSISTANT, THREAD, RUNS[0], REPLIES[0]]
    assert [call.in_cassette for call in fake.calls] == [True] * 5
    assert not fake.calls.filter(in_cassette=False).called
    assert "not in the cassette" not in str(fake.calls)


def test_one_poll_past_the_recorded_count_and_a_new_message_are_not_in_the_cassette(cassette: Path) -> None:
    fake = FakeAssistants.from_cassette(cassette, ids="recorded")

    first_run(fake.openai_client(), extra_poll=True, extra_message=True)

    new = fake.calls.filter(in_cassette=False)
    assert [(call.method, call.route) for call in new] == [("POST", "messages.create"), ("GET", "runs.retrieve")]
    polls = fake.calls["runs.retrieve"]
    assert [call.in_cassette for call in polls] == [True, False]  # the recording polled once
    assert "not in the cassette" in str(polls[1]) and "not in the cassette" not in str(polls[0])
    assert fake.calls.filter(in_cassette=True).call_count == 5


def test_the_transcript_lists_the_requests_not_in_the_cassette(cassette: Path) -> None:
    fake = FakeAssistants.from_cassette(cassette)

    first_run(fake.openai_client(), extra_poll=True)

    text = fake.transcript()
    section = text.split("requests not in the cassette (the fake answered them itself):\n", 1)[1]
    assert section.splitlines()[0].startswith("  #4 GET /v1/threads/thread_")
    assert "(runs.retrieve) → 200" in section.splitlines()[0]
    as_json = json.loads(fake.transcript(format="json"))
    assert [note["index"] for note in as_json["not_in_cassette"]] == [4]


def test_a_fake_not_built_from_a_cassette_says_nothing_about_one() -> None:
    fake = FakeAssistants()
    client = fake.openai_client()

    client.beta.threads.create()

    assert fake.calls.last.in_cassette is None
    assert fake.calls.filter(in_cassette=False).call_count == 0
    assert "not in the cassette" not in fake.transcript() and "not in the cassette" not in str(fake.calls)
    assert fake.cassette is None


def test_clearing_the_journal_does_not_rewind_the_matching(cassette: Path) -> None:
    fake = FakeAssistants.from_cassette(cassette)
    client = fake.openai_client()
    client.beta.threads.create()
    fake.calls.clear()

    client.beta.threads.create()  # the recording made one thread

    assert fake.calls.last.in_cassette is False


def test_path_shapes_replace_ids_by_their_kind_whatever_the_prefix_and_query() -> None:
    recorded = path_shape("get", f"/v1/threads/{THREAD}/runs/{RUNS[0]}")

    assert recorded == ("GET", "/threads/{thread}/runs/{run}")
    assert path_shape("GET", f"/openai/threads/{THREAD}/runs/{RUNS[1]}?api-version=2024") == recorded
    assert path_shape("GET", "/v1/threads/thread_abc123/runs/run_x1") == recorded  # short placeholders too
    assert path_shape("POST", "/v1/vector_stores/vs_0123456789abcdef0123456789abcdef/file_batches") == (
        "POST", "/vector_stores/{vector_store}/file_batches")


def test_the_matcher_uses_each_recorded_request_once_keeping_to_the_ids_it_bound(cassette: Path) -> None:
    matcher = CassetteMatcher([read_cassette(cassette)])
    run_1 = "/v1/threads/thread_abc/runs/run_Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2"
    run_2 = "/v1/threads/thread_abc/runs/run_Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1"

    polls = [matcher.match("GET", path)[0] for path in (run_1, run_1, run_2, run_2)]
    other_thread = matcher.match("GET", "/v1/threads/thread_other/messages")

    assert polls == [True, False, True, False]  # each fake run stands for one recorded run, polled once
    assert other_thread == (False, None)  # the recording's thread is thread_abc's now
    assert ("GET", "/threads/{thread}/runs/{run}", 2) not in matcher.unmatched()
    matcher.restart()
    assert ("GET", "/threads/{thread}/runs/{run}", 2) in matcher.unmatched()
    assert matcher.match("GET", run_2) == (True, None)  # no body to compare


def test_fake_cassette_is_a_typed_frozen_record(cassette: Path) -> None:
    fake = FakeAssistants.from_cassette(cassette, ids="recorded")

    source = fake.cassette

    assert isinstance(source, CassetteSource)
    assert (source.seeded, source.refused, source.ids) == ((ASSISTANT,), (), "recorded")
    assert [scripted.run.run_id for scripted in source.plan.runs] == list(RUNS)
    assert len(source.turns) == 2 and source.pending(fake.script.turns) == [True, True]
    with pytest.raises(dataclasses.FrozenInstanceError):
        source.ids = "seeded"  # type: ignore[misc]


def test_reset_goes_back_to_the_state_just_after_from_cassette(cassette: Path) -> None:
    fake = FakeAssistants.from_cassette(cassette, ids="recorded")
    client = fake.openai_client()
    first_run(client, extra_poll=True)
    fake.script.reply("A turn of the test's own.")
    assert fake.cassette_report().never_replayed == (RUNS[1],)

    fake.reset()

    assert fake.cassette_report().never_replayed == RUNS  # every recorded run queued again
    assert len(fake.calls) == 0 and fake.script.pending == fake.cassette.turns  # type: ignore[union-attr]
    assert first_run(client) == [ASSISTANT, THREAD, RUNS[0], REPLIES[0]]  # seeds, recorded ids from the first
    assert [call.in_cassette for call in fake.calls] == [True] * 5  # the matching starts again


def test_reset_of_a_fake_with_its_own_ids_draws_them_from_the_seed_again(cassette: Path) -> None:
    fake = FakeAssistants.from_cassette(cassette, seed=7)
    client = fake.openai_client()
    first = first_run(client)

    fake.reset()

    assert first_run(client) == first
    assert first[1] != THREAD and first[0] == ASSISTANT  # seeded ids; the pre-existing assistant kept its own


def test_the_report_after_restoring_a_snapshot_still_knows_the_recorded_turns(cassette: Path) -> None:
    fake = FakeAssistants.from_cassette(cassette, ids="recorded")
    start = fake.snapshot()
    first_run(fake.openai_client())
    assert fake.cassette_report().never_replayed == (RUNS[1],)

    fake.restore(start)  # the script's turns come back as copies

    assert fake.cassette_report().never_replayed == RUNS
    assert first_run(fake.openai_client()) == [ASSISTANT, THREAD, RUNS[0], REPLIES[0]]


def test_loading_a_state_in_place_of_a_cassette_fakes_state_replaces_everything(cassette: Path) -> None:
    other = FakeAssistants(seed=3)
    thread = other.openai_client().beta.threads.create()
    fake = FakeAssistants.from_cassette(cassette, ids="recorded")

    fake.load_state(other.dump(), replace=True)

    client = fake.openai_client()
    assert client.beta.threads.retrieve(thread.id).id == thread.id
    with pytest.raises(openai.NotFoundError):
        client.beta.assistants.retrieve(ASSISTANT)  # the cassette's seed is gone with the rest
    assert fake.script.pending == []


def test_the_report_says_when_a_recorded_run_id_went_to_another_run(cassette: Path) -> None:
    """ids="recorded": a run of another assistant than the recorded one takes the recorded run's id and not its
    turns; the report says so beside that run, and how to replay by assistant instead."""
    fake = FakeAssistants.from_cassette(cassette, ids="recorded")
    client = fake.openai_client()
    router = client.beta.assistants.create(model="gpt-4o", name="Router")  # the recording made no assistant
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=router.id)

    report = fake.cassette_report()

    assert run.id == RUNS[0]
    assert (report.never_replayed, report.ids_taken) == (RUNS, (RUNS[0],))
    text = str(report)
    assert f"  {RUNS[0]} (a run of this fake has its id but did not replay it: with ids=\"recorded\"" in text
    assert 'ids="seeded" replays by assistant and order instead)' in text
    assert f"  {RUNS[1]}\n" in text + "\n"  # not taken: no note



def test_the_recorded_run_itself_cancelled_before_its_turn_is_not_a_taken_id(cassette: Path) -> None:
    fake = FakeAssistants.from_cassette(cassette, ids="recorded", progression="manual")
    client = fake.openai_client()
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=ASSISTANT)
    client.beta.threads.runs.cancel(run.id, thread_id=thread.id)

    report = fake.cassette_report()

    assert (run.id, run.assistant_id) == (RUNS[0], ASSISTANT)
    assert (report.never_replayed, report.ids_taken) == (RUNS, ())
    assert "did not replay it" not in str(report)
