"""The vector-store file and file batch transition tables: every entry reachable, from the table and through
the API; illegal triggers raise `IllegalTransition` naming status and trigger; a batch's derived status."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, get_args

import pytest

from fake_assistants import FakeAssistants, IllegalTransition
from fake_assistants.model import file_batch_lifecycle
from fake_assistants.model import vector_store_file_lifecycle as file_lifecycle
from fake_assistants.model.file_batch_lifecycle import BATCH_TRANSITIONS, BatchTrigger
from fake_assistants.model.vector_store import (
    INGESTION_STATUSES,
    BatchStatus,
    FileBatch,
    IngestionStatus,
    VectorStoreFile,
)
from fake_assistants.model.vector_store_file_lifecycle import INGESTION_TRANSITIONS, IngestionTrigger
from sdk_matrix import START, new_fake

TABLES: dict[str, tuple[Mapping[Any, Mapping[Any, str]], Any, Any, str]] = {
    # name: (table, its status Literal, its trigger Literal, the status objects start in)
    "vector store file": (INGESTION_TRANSITIONS, IngestionStatus, IngestionTrigger, "in_progress"),
    "file batch": (BATCH_TRANSITIONS, BatchStatus, BatchTrigger, "in_progress"),
}


@pytest.mark.parametrize("name", TABLES)
def test_every_status_is_in_the_table_and_every_trigger_used(name: str) -> None:
    table, statuses, triggers, first = TABLES[name]
    assert set(table) == set(get_args(statuses))
    assert {t for moves in table.values() for t in moves} == set(get_args(triggers))
    reached = {first} | {target for moves in table.values() for target in moves.values()}
    assert all(not table[target] for target in reached - {first})  # one step from in_progress, then final
    assert table[first]


def test_every_ingestion_status_is_reachable_from_in_progress() -> None:
    assert {"in_progress", *INGESTION_TRANSITIONS["in_progress"].values()} == set(INGESTION_STATUSES)


def new_file(status: IngestionStatus = "in_progress", file_id: str = "file-abc") -> VectorStoreFile:
    return VectorStoreFile(id=file_id, created_at=START, vector_store_id="vs_abc", chunking_strategy={},
                           status=status)


def new_batch(cancelled: bool = False) -> FileBatch:
    return FileBatch(id="vsfb_abc", created_at=START, vector_store_id="vs_abc", file_ids=[], cancelled=cancelled)


def test_completing_a_file_records_its_bytes() -> None:
    vs_file = new_file()
    file_lifecycle.complete(vs_file, 42)
    assert (vs_file.status, vs_file.usage_bytes, vs_file.last_error) == ("completed", 42, None)


def test_failing_a_file_records_why_and_no_bytes() -> None:
    vs_file = new_file()
    vs_file.usage_bytes = 9
    file_lifecycle.fail(vs_file, "unsupported_file", "The file type is not supported.")
    assert (vs_file.status, vs_file.usage_bytes) == ("failed", 0)
    assert vs_file.last_error == {"code": "unsupported_file", "message": "The file type is not supported."}


@pytest.mark.parametrize(("status", "trigger"),
                         [(s, t) for s, moves in INGESTION_TRANSITIONS.items() for t in moves])
def test_a_file_moves_by_the_table(status: IngestionStatus, trigger: IngestionTrigger) -> None:
    vs_file = new_file(status)
    assert file_lifecycle.apply(vs_file, trigger) == INGESTION_TRANSITIONS[status][trigger] == vs_file.status


ILLEGAL_FILE = [(s, t) for s in get_args(IngestionStatus) for t in get_args(IngestionTrigger)
                if t not in INGESTION_TRANSITIONS[s]]
ILLEGAL_BATCH = [(s, t) for s in get_args(BatchStatus) for t in get_args(BatchTrigger)
                 if t not in BATCH_TRANSITIONS[s]]


def test_illegal_tables_are_not_empty() -> None:
    assert ILLEGAL_FILE and ILLEGAL_BATCH  # the parametrized tests below test something


@pytest.mark.parametrize(("status", "trigger"), ILLEGAL_FILE)
def test_an_illegal_file_trigger_raises_naming_status_and_trigger(
    status: IngestionStatus, trigger: IngestionTrigger
) -> None:
    vs_file = new_file(status)
    moves = {"complete": lambda: file_lifecycle.complete(vs_file, 5),
             "fail": lambda: file_lifecycle.fail(vs_file, "invalid_file", "Too large."),
             "cancel": lambda: file_lifecycle.cancel(vs_file)}
    with pytest.raises(IllegalTransition) as raised:
        moves[trigger]()
    assert (raised.value.status, raised.value.trigger) == (status, trigger)
    assert (vs_file.status, vs_file.usage_bytes, vs_file.last_error) == (status, 0, None)


# -- a batch's status is derived from its files and its cancelled flag --------------------------------------------

DERIVED: list[tuple[bool, list[IngestionStatus], BatchStatus]] = [
    (False, ["in_progress", "completed"], "in_progress"),
    (False, ["completed", "failed"], "completed"),
    (False, [], "completed"),
    (False, ["failed", "failed"], "failed"),
    (False, ["cancelled", "failed"], "completed"),
    (True, ["completed", "cancelled"], "cancelled"),
    (True, [], "cancelled"),
]


@pytest.mark.parametrize(("cancelled", "files", "status"), DERIVED)
def test_a_batch_status_is_derived(cancelled: bool, files: list[IngestionStatus], status: BatchStatus) -> None:
    batch = new_batch(cancelled)
    assert batch.status([new_file(s, f"file-{n}") for n, s in enumerate(files)]) == status


def test_cancel_moves_an_in_progress_batch_and_its_unfinished_files_only() -> None:
    batch = new_batch()
    files = [new_file(s, f"file-{n}") for n, s in enumerate(("in_progress", "completed", "failed", "in_progress"))]
    assert file_batch_lifecycle.can(batch.status(files), "cancel")

    file_batch_lifecycle.cancel(batch, files)

    assert batch.cancelled
    assert [f.status for f in files] == ["cancelled", "completed", "failed", "cancelled"]
    assert batch.status(files) == "cancelled"


@pytest.mark.parametrize(("status", "trigger"), ILLEGAL_BATCH)
def test_an_illegal_batch_trigger_raises_naming_status_and_trigger(status: BatchStatus, trigger: BatchTrigger) -> None:
    cancelled, files, _ = next(d for d in DERIVED if d[2] == status)
    batch = new_batch(cancelled)
    vs_files = [new_file(s, f"file-{n}") for n, s in enumerate(files)]
    assert not file_batch_lifecycle.can(status, trigger)
    with pytest.raises(IllegalTransition) as raised:
        file_batch_lifecycle.cancel(batch, vs_files)
    assert (raised.value.status, raised.value.trigger) == (status, trigger)
    assert (batch.cancelled, [f.status for f in vs_files]) == (cancelled, files)


# -- every entry of both tables happens through the API -------------------------------------------------------------


def test_the_api_takes_every_file_and_batch_transition(monkeypatch: pytest.MonkeyPatch) -> None:
    applied: set[tuple[str, str, str]] = set()
    real_apply, real_cancel = file_lifecycle.apply, file_batch_lifecycle.cancel

    def recording_apply(vs_file: VectorStoreFile, trigger: IngestionTrigger) -> IngestionStatus:
        applied.add(("vector store file", vs_file.status, trigger))
        return real_apply(vs_file, trigger)

    def recording_cancel(batch: FileBatch, files: list[VectorStoreFile]) -> None:
        applied.add(("file batch", batch.status(files), "cancel"))
        real_cancel(batch, files)

    monkeypatch.setattr(file_lifecycle, "apply", recording_apply)
    monkeypatch.setattr(file_batch_lifecycle, "cancel", recording_cancel)
    fake: FakeAssistants = new_fake()
    client = fake.openai_client(max_retries=0)
    store = client.vector_stores.create()
    readable = client.files.create(file=("notes.txt", b"Mars is red."), purpose="assistants")
    unreadable = client.files.create(file=("notes.exe", b"MZ"), purpose="assistants")
    for stored in (readable, unreadable):
        client.vector_stores.files.create(vector_store_id=store.id, file_id=stored.id)
    finished = {f.id: f.status for f in client.vector_stores.files.list(vector_store_id=store.id)}
    assert finished == {readable.id: "completed", unreadable.id: "failed"}

    fake.ingestion.set_policy("manual")
    fresh = client.files.create(file=("more.txt", b"Venus is hot."), purpose="assistants")  # not in the store yet
    batch = client.vector_stores.file_batches.create(store.id, file_ids=[fresh.id])
    cancelled = client.vector_stores.file_batches.cancel(batch.id, vector_store_id=store.id)
    again = client.vector_stores.file_batches.cancel(batch.id, vector_store_id=store.id)  # finished: unchanged

    assert (cancelled.status, cancelled.file_counts.cancelled, again.status) == ("cancelled", 1, "cancelled")
    every = {(name, s, t) for name, (table, *_) in TABLES.items() for s, moves in table.items() for t in moves}
    assert applied == every
