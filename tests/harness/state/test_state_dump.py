"""`fake.dump()` and `FakeAssistants.load(...)`: the versioned JSON format, round trips and hand-written seeds."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import openai
import pytest

from fake_assistants import FakeAssistants, ManualClock, StateError
from fake_assistants.progression import after_polls
from sdk_matrix import START, new_fake
from state_support import build_world, every_get, get_paths, world_fake


def loaded(state: str | dict[str, Any], fake: FakeAssistants | None = None, **options: Any) -> FakeAssistants:
    """`FakeAssistants.load` with the options of the matrix (and of `fake`'s clock, when given)."""
    options.setdefault("shape", "schema")
    options.setdefault("clock", ManualClock(fake.clock.now() if fake else START))
    return FakeAssistants.load(state, **options)


# -- round trips -------------------------------------------------------------------------------------


def test_round_trip_reproduces_every_object_byte_for_byte() -> None:
    fake = world_fake()
    build_world(fake)
    paths = get_paths(fake)
    every_get(fake, paths)  # reads settle what reads settle (ingestion, expiry): the dump sees that
    before = every_get(fake, paths)

    copy = loaded(fake.dump(), fake, progression="manual")

    assert every_get(copy, paths) == before
    assert len(paths) > 60 and {status for status, _ in before.values()} == {200, 400}  # 400: undownloadable files


def test_a_loaded_fake_goes_on_as_the_dumped_one_would() -> None:
    fake = world_fake()
    ids = build_world(fake)
    copy = loaded(fake.dump(), fake, progression="manual")
    outputs = [{"tool_call_id": call_id, "output": "22C"} for call_id in ids["call_ids"]]

    for each in (fake, copy):  # the queued run's work (not started when dumped), and a submit
        client = each.openai_client(_strict_response_validation=True)
        while each.advance(ids["queued"]) != "completed":
            pass
        each.script.reply("Sunny in both.")
        client.beta.threads.runs.submit_tool_outputs(ids["waiting"], thread_id=ids["thread"], tool_outputs=outputs)
        while each.advance(ids["waiting"]) != "completed":
            pass
        client.beta.assistants.create(model="gpt-4o", name="made after the dump")
        client.close()

    paths = get_paths(fake)
    assert get_paths(copy) == paths
    assert every_get(copy, paths) == every_get(fake, paths)  # same new ids, same answers


def test_dump_of_a_load_is_the_dump() -> None:
    fake = world_fake()
    build_world(fake)
    dumped = fake.dump()

    assert loaded(dumped, fake, progression="manual").dump() == dumped


def test_the_format_is_versioned_and_files_are_base64() -> None:
    fake = new_fake()
    client = fake.openai_client()
    uploaded = client.files.create(file=("bytes.bin", bytes(range(256))), purpose="batch")
    client.close()

    document = json.loads(fake.dump())

    assert (document["format"], document["version"]) == ("fake-assistants-state", 1)
    assert set(document) == {"format", "version", "ids", "assistants", "threads", "messages", "runs", "run_steps",
                             "files", "vector_stores", "vector_store_files", "file_batches"}
    (stored,) = document["files"]
    assert stored["id"] == uploaded.id
    assert base64.b64decode(stored["content_base64"]) == bytes(range(256))
    assert loaded(document).openai_client().files.content(uploaded.id).content == bytes(range(256))


def test_runs_part_way_through_a_turn_are_refused_by_name() -> None:
    fake = new_fake(progression=after_polls(3))
    client = fake.openai_client()
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    assert client.beta.threads.runs.retrieve(run.id, thread_id=thread.id).status == "in_progress"

    with pytest.raises(StateError, match=f"run {run.id} \\(in_progress, thread {thread.id}\\)"):
        fake.dump()

    while client.beta.threads.runs.retrieve(run.id, thread_id=thread.id).status != "completed":
        pass
    assert json.loads(fake.dump())["runs"][0]["status"] == "completed"
    client.close()


# -- hand-written seeds ----------------------------------------------------------------------------------


SEED: dict[str, Any] = {
    "format": "fake-assistants-state",
    "version": 1,
    "assistants": [{"id": "asst_support", "model": "gpt-4o", "name": "Support", "instructions": "Be kind."}],
    "threads": [{"id": "thread_ticket_42", "metadata": {"ticket": "42"}}],
    "messages": [{"id": "msg_question", "thread_id": "thread_ticket_42", "role": "user", "content": "My order?"}],
    "files": [{"id": "file-manual", "filename": "manual.txt", "purpose": "assistants",
               "content_text": "Orders ship within two days."}],
    "vector_stores": [{"id": "vs_manuals", "name": "Manuals"}],
    "vector_store_files": [{"id": "file-manual", "vector_store_id": "vs_manuals", "status": "completed",
                            "usage_bytes": 28}],
}


def test_a_hand_written_seed_gives_objects_with_the_chosen_ids() -> None:
    fake = loaded(SEED)
    client = fake.openai_client(_strict_response_validation=True)

    assistant = client.beta.assistants.retrieve("asst_support")
    assert (assistant.name, assistant.instructions, assistant.created_at) == ("Support", "Be kind.", START)
    assert client.beta.threads.retrieve("thread_ticket_42").metadata == {"ticket": "42"}
    (message,) = client.beta.threads.messages.list("thread_ticket_42").data
    assert (message.id, message.content[0].text.value) == ("msg_question", "My order?")
    assert client.vector_stores.retrieve("vs_manuals").file_counts.completed == 1
    assert client.files.retrieve("file-manual").bytes == len("Orders ship within two days.")

    fake.script.reply("It ships tomorrow.")
    run = client.beta.threads.runs.create_and_poll(thread_id="thread_ticket_42", assistant_id="asst_support")
    assert run.status == "completed"
    assert run.instructions == "Be kind."
    assert client.beta.threads.messages.list("thread_ticket_42").data[0].content[0].text.value == "It ships tomorrow."
    client.close()


def test_a_dump_with_the_older_batch_id_field_loads() -> None:
    """Before a vector-store file could join several batches, the dump had its one `batch_id`."""
    seed = {
        "format": "fake-assistants-state", "version": 1,
        "files": [{"id": "file-a", "filename": "a.txt", "purpose": "assistants", "content_text": "Mars is red."},
                  {"id": "file-b", "filename": "b.txt", "purpose": "assistants", "content_text": "Venus is hot."}],
        "vector_stores": [{"id": "vs_docs"}],
        "vector_store_files": [{"id": "file-a", "vector_store_id": "vs_docs", "status": "completed",
                                "batch_id": "vsfb_one"},
                               {"id": "file-b", "vector_store_id": "vs_docs", "status": "completed", "batch_id": None}],
        "file_batches": [{"id": "vsfb_one", "vector_store_id": "vs_docs", "file_ids": ["file-a"]}],
    }
    fake = loaded(seed)
    client = fake.openai_client()

    batch = client.vector_stores.file_batches.retrieve("vsfb_one", vector_store_id="vs_docs")

    assert (batch.status, batch.file_counts.total) == ("completed", 1)
    assert [f["batch_ids"] for f in json.loads(fake.dump())["vector_store_files"]] == [["vsfb_one"], []]
    client.close()


def test_a_store_remembers_through_a_dump_the_files_their_files_deletion_took_out() -> None:
    fake = new_fake()
    client = fake.openai_client()
    store = client.vector_stores.create()
    stored = client.files.create(file=("a.txt", b"Mars is red."), purpose="assistants")
    client.vector_stores.files.create_and_poll(vector_store_id=store.id, file_id=stored.id)
    client.files.delete(stored.id)
    client.close()

    copy = loaded(fake.dump(), fake)
    copied = copy.openai_client()

    assert copied.vector_stores.files.delete(stored.id, vector_store_id=store.id).deleted
    with pytest.raises(openai.NotFoundError):
        copied.vector_stores.files.delete(stored.id, vector_store_id=store.id)
    copied.close()


def test_a_seeded_run_can_wait_for_tool_outputs() -> None:
    call = {"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": "{}", "output": None}}
    seed = {
        "assistants": [{"id": "asst_a", "model": "gpt-4o"}],
        "threads": [{"id": "thread_t"}],
        "runs": [{"id": "run_r", "thread_id": "thread_t", "assistant_id": "asst_a", "status": "requires_action",
                  "started_at": START,
                  "required_action": {"type": "submit_tool_outputs", "submit_tool_outputs": {"tool_calls": [
                      {"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": "{}"}}]}},
                  "extra": {"pending_step": {"$step": "step_s"}}}],
        "run_steps": [{"id": "step_s", "run_id": "run_r", "type": "tool_calls",
                       "step_details": {"type": "tool_calls", "tool_calls": [call]}}],
    }
    fake = loaded(seed)
    client = fake.openai_client(_strict_response_validation=True)

    with pytest.raises(openai.BadRequestError, match="already has an active run run_r"):
        client.beta.threads.runs.create(thread_id="thread_t", assistant_id="asst_a")
    run = client.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id="run_r", thread_id="thread_t", tool_outputs=[{"tool_call_id": "call_1", "output": "found"}])

    assert run.status == "completed"
    assert run.model == "gpt-4o"  # the assistant's, as the seed left it out
    client.close()


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"format": "something-else"}, "format must be 'fake-assistants-state'"),
        ({"version": 2}, "unsupported version 2"),
        ({"assistants": [], "users": []}, "unknown sections \\['users'\\]"),
        ({"assistants": {"id": "asst_a"}}, "'assistants' must be a list of objects"),
        ({"assistants": [{"model": "gpt-4o"}]}, 'every assistant needs an "id"'),
        ({"assistants": [{"id": "asst_a"}]}, "assistant asst_a: missing \\['model'\\]"),
        ({"assistants": [{"id": "asst_a", "model": "m", "colour": "red"}]}, "unknown fields \\['colour'\\]$"),
        ({"assistants": [{"id": "asst_a", "modle": "m"}]},
         "unknown fields \\['modle'\\] \\('modle': did you mean 'model'\\?\\)"),
        ({"messages": [{"id": "msg_m", "thread_id": "thread_x", "role": "user"}]},
         "msg_m belongs to thread 'thread_x', which is not in the document"),
        ({"threads": [{"id": "thread_t"}], "assistants": [{"id": "asst_a", "model": "m"}],
          "runs": [{"id": "run_1", "thread_id": "thread_t", "assistant_id": "asst_a"},
                   {"id": "run_2", "thread_id": "thread_t", "assistant_id": "asst_a"}]},
         "thread thread_t has two active runs: run_1 and run_2"),
        ({"assistants": [{"id": "asst_a", "model": "m",
                          "tool_resources": {"file_search": {"vector_store_ids": ["vs_gone"]}}}]},
         "asst_a searches vector store 'vs_gone' \\(tool_resources.file_search.vector_store_ids\\), which is not in "
         "the document"),
        ({"threads": [{"id": "thread_t", "tool_resources": {"file_search": {"vector_store_ids": ["vs_gone"]}}}]},
         "thread_t searches vector store 'vs_gone'"),
        ({"threads": [{"id": "thread_t"}], "assistants": [{"id": "asst_a", "model": "m"}],
          "runs": [{"id": "run_1", "thread_id": "thread_t", "assistant_id": "asst_a", "status": "requires_action"}]},
         "run run_1: a run in 'requires_action' needs its required_action"),
        ({"files": [{"id": "file-f", "filename": "f", "purpose": "assistants", "content_base64": "%%"}]},
         "content_base64 is not base64"),
        ({"threads": [{"id": "thread_t"}], "assistants": [{"id": "asst_a", "model": "m"}],
          "runs": [{"id": "run_1", "thread_id": "thread_t", "assistant_id": "asst_a", "status": "completed",
                    "extra": {"x": {"$type": "os.system", "fields": {}}}}]},
         "unknown record type 'os.system'"),
        ({"threads": [{"id": "thread_t"}], "assistants": [{"id": "asst_a", "model": "m"}],
          "runs": [{"id": "run_1", "thread_id": "thread_t", "assistant_id": "asst_a", "status": "completed",
                    "extra": {"pending_step": {"$step": "step_missing"}}}]},
         "run run_1 refers to step_missing, which is not in the document"),
    ],
)
def test_bad_documents_are_refused_with_the_reason(document: dict[str, Any], message: str) -> None:
    with pytest.raises(StateError, match=message):
        loaded(document)


def test_text_that_is_not_json_says_where_and_a_path_says_to_read_the_file(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(StateError, match=r"^not JSON: Expecting value: line 1 column 17 \(char 16\)$"):
        FakeAssistants.load('{"assistants": [}')
    monkeypatch.chdir(tmp_path)
    Path("state.json").write_text(FakeAssistants().dump(), encoding="utf-8")
    with pytest.raises(StateError) as raised:
        FakeAssistants.load("state.json")
    assert str(raised.value).endswith(
        "('state.json' is a file's path: load takes the document itself, Path(...).read_text(encoding='utf-8'))")
    assert len(FakeAssistants.load(Path("state.json").read_text(encoding="utf-8")).store.assistants) == 0


@pytest.mark.parametrize("text", ["x" * 300, "a\x00b"])
def test_text_that_cannot_be_a_path_is_still_a_state_error(text: str) -> None:
    """Looking whether the text names a file raised OSError (a name too long) or ValueError (a NUL)."""
    with pytest.raises(StateError, match=r"^not JSON: Expecting value: line 1 column 1"):
        FakeAssistants.load(text)


def test_loading_into_a_fake_that_holds_objects_names_the_two_ways() -> None:
    fake = FakeAssistants()
    fake.openai_client().beta.assistants.create(model="gpt-4o")
    with pytest.raises(StateError, match=r"load the state before the test's first request, or "
                                         r"fake\.load_state\(state, replace=True\)"):
        fake.load_state(json.dumps(SEED))
    fake.load_state(json.dumps(SEED), replace=True)
    assert fake.store.assistant("asst_support").name == "Support"


def test_a_dump_keeps_the_id_streams_on_one_line_and_reads_the_older_lists() -> None:
    """The generators' 625 internal words were one number per line (1,250 of a dump's lines)."""
    fake = FakeAssistants(seed=3)
    fake.openai_client().beta.assistants.create(model="gpt-4o")
    dumped = fake.dump()
    document = json.loads(dumped)
    assert isinstance(document["ids"]["objects"][1], str) and len(dumped.splitlines()) < 60
    older = json.loads(dumped)
    for stream in ("objects", "requests"):
        words = older["ids"][stream][1]
        older["ids"][stream][1] = [int(words[i:i + 8], 16) for i in range(0, len(words), 8)]

    again, before = FakeAssistants.load(json.dumps(older)), FakeAssistants.load(dumped)
    assert (again.openai_client().beta.threads.create().id == before.openai_client().beta.threads.create().id
            == fake.openai_client().beta.threads.create().id)


def test_load_takes_the_constructor_options() -> None:
    fake = FakeAssistants.load(json.dumps(SEED), seed="other", shape="recorded", poll_after_ms=7, lenient=True)

    assert (fake.seed, fake.options.shape, fake.options.poll_after_ms, fake.lenient) == ("other", "recorded", 7, True)
    assert fake.store.assistant("asst_support").name == "Support"
    assert fake.store.assistant("asst_anything").model == "gpt-4o"  # lenient: made on first use
