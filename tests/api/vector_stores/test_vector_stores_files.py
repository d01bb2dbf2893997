"""Vector-store files and file batches through the real SDK: attach, retrieve, attributes, delete, list
filters, content, chunking strategies, batches, and ingestion states on the progression policies."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fake_assistants import FakeAssistants
from fake_assistants.progression import after_polls, after_seconds
from files_support import GARDEN, PLANETS, RECIPES, clock_of, expect_error, upload
from sdk_matrix import START, Journal, Sdk

AUTO = {"type": "static", "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400}}


def statuses(journal: Journal, path: str) -> list[str]:
    """The `status` of every successful GET of `path` the fake answered, in order."""
    return [json.loads(response.body)["status"] for request, response in journal.calls
            if request.method == "GET" and request.path == path and response.status == 200]


# -- vector-store files --------------------------------------------------------------------------------


async def test_attach_then_complete(client: Sdk) -> None:
    store = await client.vector_stores.create()
    stored = await upload(client, "planets.txt", PLANETS)

    attached = await client.vector_stores.files.create(vector_store_id=store.id, file_id=stored.id,
                                                       attributes={"topic": "space", "year": 2024, "draft": False})
    done = await client.vector_stores.files.retrieve(stored.id, vector_store_id=store.id)

    assert (attached.id, attached.object, attached.vector_store_id) == (stored.id, "vector_store.file", store.id)
    assert (attached.status, attached.usage_bytes, attached.last_error, attached.created_at) == (
        "in_progress", 0, None, START)
    assert attached.chunking_strategy.model_dump() == AUTO
    assert attached.attributes == {"topic": "space", "year": 2024, "draft": False}
    assert (done.status, done.usage_bytes) == ("completed", len(PLANETS))


async def test_update_attributes(client: Sdk) -> None:
    store = await client.vector_stores.create()
    stored = await upload(client)
    await client.vector_stores.files.create(vector_store_id=store.id, file_id=stored.id, attributes={"a": "1"})

    updated = await client.vector_stores.files.update(stored.id, vector_store_id=store.id, attributes={"b": 2.5})
    cleared = await client.vector_stores.files.update(stored.id, vector_store_id=store.id, attributes=None)

    assert updated.attributes == {"b": 2.5}
    assert cleared.attributes is None


async def test_too_many_attributes_are_rejected(client: Sdk) -> None:
    store = await client.vector_stores.create()
    stored = await upload(client)

    await expect_error(
        lambda: client.vector_stores.files.create(vector_store_id=store.id, file_id=stored.id,
                                                  attributes={f"k{n}": n for n in range(17)}),
        400, "Invalid 'attributes': too many properties. Expected an object with at most 16 properties, but got "
             "an object with 17 properties instead.", param="attributes", code="object_above_max_properties",
    )
    await expect_error(
        lambda: client.vector_stores.files.create(vector_store_id=store.id, file_id=stored.id,
                                                  attributes={"k" * 65: "v"}),
        400, param="attributes." + "k" * 65, code="string_above_max_length",
    )
    await expect_error(
        lambda: client.vector_stores.files.create(vector_store_id=store.id, file_id=stored.id,
                                                  attributes={"k": "v" * 513}),
        400, param="attributes.k", code="string_above_max_length",
    )
    await expect_error(
        lambda: client.vector_stores.files.create(vector_store_id=store.id, file_id=stored.id,
                                                  attributes={"k": None}),  # type: ignore[dict-item]
        400, param="attributes.k", code="invalid_type",
    )
    assert (await client.vector_stores.files.list(store.id)).data == []


async def test_delete_detaches_but_keeps_the_file(client: Sdk) -> None:
    store = await client.vector_stores.create()
    stored = await upload(client)
    await client.vector_stores.files.create_and_poll(vector_store_id=store.id, file_id=stored.id)

    deleted = await client.vector_stores.files.delete(stored.id, vector_store_id=store.id)

    assert (deleted.id, deleted.object, deleted.deleted) == (stored.id, "vector_store.file.deleted", True)
    assert (await client.files.retrieve(stored.id)).id == stored.id
    emptied = await client.vector_stores.retrieve(store.id)
    assert (emptied.file_counts.total, emptied.usage_bytes) == (0, 0)


async def test_deleting_it_after_its_file_answers_deleted_once(client: Sdk) -> None:
    """The simple-openai recordings delete the File, then the vector-store file, and read `deleted: true`."""
    store = await client.vector_stores.create()
    stored = await upload(client)
    await client.vector_stores.files.create_and_poll(vector_store_id=store.id, file_id=stored.id)
    await client.files.delete(stored.id)
    assert (await client.vector_stores.retrieve(store.id)).file_counts.total == 0  # gone from the store with it

    deleted = await client.vector_stores.files.delete(stored.id, vector_store_id=store.id)

    assert (deleted.id, deleted.object, deleted.deleted) == (stored.id, "vector_store.file.deleted", True)
    await expect_error(lambda: client.vector_stores.files.delete(stored.id, vector_store_id=store.id), 404,
                       f"No file found with id '{stored.id}' in vector store '{store.id}'.")


async def test_attaching_it_again_keeps_it(client: Sdk, fake: FakeAssistants) -> None:
    store = await client.vector_stores.create()
    stored = await upload(client)
    first = await client.vector_stores.files.create_and_poll(vector_store_id=store.id, file_id=stored.id)
    clock_of(fake).advance(5)

    again = await client.vector_stores.files.create(vector_store_id=store.id, file_id=stored.id)

    assert again.model_dump() == first.model_dump()  # still completed, as created then
    assert (await client.vector_stores.retrieve(store.id)).last_active_at == START + 5


async def test_attaching_it_again_with_other_attributes_starts_it_again(client: Sdk) -> None:
    """The same settings are the same JSON: `1` is not `true`; no attributes and `null` ones are the same."""
    store = await client.vector_stores.create()
    stored = await upload(client)
    await client.vector_stores.files.create_and_poll(vector_store_id=store.id, file_id=stored.id,
                                                     attributes={"flag": True})

    again = await client.vector_stores.files.create(vector_store_id=store.id, file_id=stored.id,
                                                    attributes={"flag": 1})

    assert (again.status, again.attributes) == ("in_progress", {"flag": 1})
    await client.vector_stores.files.update(stored.id, vector_store_id=store.id, attributes=None)
    await client.vector_stores.files.retrieve(stored.id, vector_store_id=store.id)  # completed
    kept = await client.vector_stores.files.create(vector_store_id=store.id, file_id=stored.id)
    assert (kept.status, kept.attributes) == ("completed", None)


async def test_number_attributes_keep_their_type(client: Sdk, fake: FakeAssistants) -> None:
    """A number is sent back as it came (the spec's example echoes `"key2": 2`); the SDK's model makes it a
    float, the wire does not."""
    store = await client.vector_stores.create()
    stored = await upload(client)
    await client.vector_stores.files.create(vector_store_id=store.id, file_id=stored.id,
                                            attributes={"year": 2024, "score": 2.5, "draft": False})

    await client.vector_stores.files.retrieve(stored.id, vector_store_id=store.id)

    attributes = fake.calls.last.response["attributes"]
    assert attributes == {"year": 2024, "score": 2.5, "draft": False}
    assert [type(v) for v in attributes.values()] == [int, float, bool]


async def test_list_filters_by_status(client: Sdk, fake: FakeAssistants) -> None:
    fake.ingestion.fail(filename="*.bad.txt")
    good = await upload(client, "good.txt", PLANETS)
    bad = await upload(client, "data.bad.txt", GARDEN)
    store = await client.vector_stores.create(file_ids=[good.id, bad.id])

    completed = await client.vector_stores.files.list(store.id, filter="completed")
    failed = await client.vector_stores.files.list(store.id, filter="failed")
    cancelled = await client.vector_stores.files.list(store.id, filter="cancelled")

    assert [f.id for f in completed.data] == [good.id]
    assert [(f.id, f.last_error.model_dump()) for f in failed.data] == [
        (bad.id, {"code": "server_error", "message": "An internal error occurred while processing the file."})]
    assert cancelled.data == []
    await expect_error(
        lambda: client.vector_stores.files.list(store.id, extra_query={"filter": "done"}), 400,
        "Invalid value: 'done'. Supported values are: 'in_progress', 'completed', 'failed', and 'cancelled'.",
        param="filter", code="invalid_value",
    )


async def test_content_is_the_parsed_text(client: Sdk) -> None:
    store = await client.vector_stores.create()
    stored = await upload(client, "planets.txt", PLANETS)
    await client.vector_stores.files.create_and_poll(vector_store_id=store.id, file_id=stored.id)

    page = await client.vector_stores.files.content(stored.id, vector_store_id=store.id)
    items = await client.collect(page)

    assert [(item.type, item.text) for item in items] == [("text", PLANETS.decode())]


async def test_unknown_vector_store_file(client: Sdk) -> None:
    store = await client.vector_stores.create()

    await expect_error(lambda: client.vector_stores.files.retrieve("file-zzz", vector_store_id=store.id), 404,
                       f"No file found with id 'file-zzz' in vector store '{store.id}'.")


# -- chunking strategies -------------------------------------------------------------------------------------


async def test_static_strategy_is_kept(client: Sdk) -> None:
    store = await client.vector_stores.create()
    stored = await upload(client)
    static = {"type": "static", "static": {"max_chunk_size_tokens": 100, "chunk_overlap_tokens": 50}}

    attached = await client.vector_stores.files.create(vector_store_id=store.id, file_id=stored.id,
                                                       chunking_strategy=static)
    auto = await client.vector_stores.files.create(vector_store_id=store.id, file_id=stored.id,
                                                   chunking_strategy={"type": "auto"})

    assert attached.chunking_strategy.model_dump() == static
    assert auto.chunking_strategy.model_dump() == AUTO


@pytest.mark.parametrize(
    ("static", "param", "code", "message"),
    [
        ({"max_chunk_size_tokens": 99, "chunk_overlap_tokens": 0}, "chunking_strategy.static.max_chunk_size_tokens",
         "integer_below_min_value", "integer below minimum value. Expected a value >= 100, but got 99 instead."),
        ({"max_chunk_size_tokens": 4097, "chunk_overlap_tokens": 0},
         "chunking_strategy.static.max_chunk_size_tokens", "integer_above_max_value",
         "integer above maximum value. Expected a value <= 4096, but got 4097 instead."),
        ({"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 401}, "chunking_strategy.static.chunk_overlap_tokens",
         "integer_above_max_value", "integer above maximum value. Expected a value <= 400, but got 401 instead."),
        ({"max_chunk_size_tokens": 800, "chunk_overlap_tokens": -1}, "chunking_strategy.static.chunk_overlap_tokens",
         "integer_below_min_value", "integer below minimum value. Expected a value >= 0, but got -1 instead."),
    ],
    ids=["size-too-small", "size-too-large", "overlap-over-half", "negative-overlap"],
)
async def test_static_sizes_are_validated(client: Sdk, static: dict[str, int], param: str, code: str,
                                          message: str) -> None:
    stored = await upload(client)
    store = await client.vector_stores.create()
    strategy: Any = {"type": "static", "static": static}

    await expect_error(
        lambda: client.vector_stores.files.create(vector_store_id=store.id, file_id=stored.id,
                                                  chunking_strategy=strategy),
        400, f"Invalid '{param}': {message}", param=param, code=code,
    )
    await expect_error(lambda: client.vector_stores.create(file_ids=[stored.id], chunking_strategy=strategy),
                       400, param=param, code=code)
    assert (await client.vector_stores.files.list(store.id)).data == []
    assert [s.id for s in (await client.vector_stores.list()).data] == [store.id]  # nothing half-made


async def test_a_bad_strategy_does_not_detach_the_file(client: Sdk) -> None:
    stored = await upload(client)
    store = await client.vector_stores.create(file_ids=[stored.id])
    bad: Any = {"type": "static", "static": {"max_chunk_size_tokens": 200, "chunk_overlap_tokens": 101}}

    await expect_error(lambda: client.vector_stores.files.create(vector_store_id=store.id, file_id=stored.id,
                                                                 chunking_strategy=bad),
                       400, param="chunking_strategy.static.chunk_overlap_tokens", code="integer_above_max_value")

    assert [f.status for f in (await client.vector_stores.files.list(store.id)).data] == ["completed"]


async def test_unknown_chunking_type(client: Sdk) -> None:
    stored = await upload(client)
    store = await client.vector_stores.create()

    await expect_error(
        lambda: client.vector_stores.files.create(vector_store_id=store.id, file_id=stored.id,
                                                  chunking_strategy={"type": "semantic"}),  # type: ignore[arg-type]
        400, "Invalid value: 'semantic'. Supported values are: 'auto' and 'static'.",
        param="chunking_strategy.type", code="invalid_value",
    )


# -- ingestion on the progression policies ------------------------------------------------------------------


async def test_create_and_poll_sees_in_progress_three_times(client: Sdk, fake: FakeAssistants,
                                                            journal: Journal) -> None:
    fake.ingestion.policy = after_polls(3)
    store = await client.vector_stores.create()
    stored = await upload(client, "planets.txt", PLANETS)

    done = await client.vector_stores.files.create_and_poll(file_id=stored.id, vector_store_id=store.id)

    assert (done.status, done.usage_bytes) == ("completed", len(PLANETS))
    path = f"/v1/vector_stores/{store.id}/files/{stored.id}"
    assert statuses(journal, path) == ["in_progress", "in_progress", "in_progress", "completed"]
    polls = [(request, response) for request, response in journal.calls if request.path == path]
    assert all(request.header("x-stainless-poll-helper") == "true" for request, _ in polls)
    assert all(response.header("openai-poll-after-ms") == "0" for _, response in polls)  # the SDK sleeps 0 ms


async def test_upload_and_poll(client: Sdk, fake: FakeAssistants, journal: Journal) -> None:
    fake.ingestion.policy = after_polls(1)
    store = await client.vector_stores.create()

    done = await client.vector_stores.files.upload_and_poll(vector_store_id=store.id,
                                                            file=("garden.txt", GARDEN))

    assert (done.status, done.usage_bytes) == ("completed", len(GARDEN))
    assert (await client.files.retrieve(done.id)).filename == "garden.txt"
    assert statuses(journal, f"/v1/vector_stores/{store.id}/files/{done.id}") == ["in_progress", "completed"]


async def test_other_reads_do_not_count_as_polls(client: Sdk, fake: FakeAssistants) -> None:
    fake.ingestion.policy = after_polls(1)
    stored = await upload(client)
    store = await client.vector_stores.create(file_ids=[stored.id])

    listed = await client.vector_stores.files.list(store.id)
    stores = await client.vector_stores.list()
    first = await client.vector_stores.files.retrieve(stored.id, vector_store_id=store.id)
    second = await client.vector_stores.files.retrieve(stored.id, vector_store_id=store.id)

    assert [f.status for f in listed.data] == ["in_progress"]
    assert [s.status for s in stores.data] == ["in_progress"]
    assert (first.status, second.status) == ("in_progress", "completed")


async def test_retrieving_the_store_polls_its_files(client: Sdk, fake: FakeAssistants) -> None:
    fake.ingestion.policy = after_polls(2)
    store = await client.vector_stores.create(file_ids=[(await upload(client)).id])

    seen = [(await client.vector_stores.retrieve(store.id)).status for _ in range(3)]

    assert seen == ["in_progress", "in_progress", "completed"]


async def test_ingestion_after_seconds_uses_the_fake_clock(client: Sdk, fake: FakeAssistants) -> None:
    fake.ingestion.policy = after_seconds(30)
    stored = await upload(client)
    store = await client.vector_stores.create(file_ids=[stored.id])

    clock_of(fake).advance(29)
    early = await client.vector_stores.files.retrieve(stored.id, vector_store_id=store.id)
    clock_of(fake).advance(1)
    late = await client.vector_stores.files.retrieve(stored.id, vector_store_id=store.id)

    assert (early.status, late.status) == ("in_progress", "completed")


async def test_manual_ingestion_finishes_when_told(client: Sdk, fake: FakeAssistants) -> None:
    fake.ingestion.set_policy("manual")
    first, second = await upload(client, "a.txt", PLANETS), await upload(client, "b.txt", GARDEN)
    store = await client.vector_stores.create(file_ids=[first.id, second.id])

    assert (await client.vector_stores.retrieve(store.id)).status == "in_progress"
    assert fake.finish_ingestion(file_id=first.id) == 1
    midway = await client.vector_stores.retrieve(store.id)
    assert fake.finish_ingestion(vector_store_id=store.id) == 1
    done = await client.vector_stores.retrieve(store.id)

    assert (midway.status, midway.file_counts.completed, midway.file_counts.in_progress) == ("in_progress", 1, 1)
    assert (done.status, done.file_counts.completed) == ("completed", 2)
    assert fake.finish_ingestion() == 0


def test_finishing_the_ingestion_of_what_the_fake_has_not_is_a_key_error() -> None:
    fake = FakeAssistants(seed=0)
    with pytest.raises(KeyError, match=r"no vector store with id 'vs_typo' in this fake"):
        fake.finish_ingestion(vector_store_id="vs_typo")
    with pytest.raises(KeyError, match=r"no file with id 'file-typo' in this fake"):
        fake.finish_ingestion(file_id="file-typo")


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("server_error", "An internal error occurred while processing the file."),
        ("unsupported_file", "The file type is not supported."),
        ("invalid_file", "The file could not be parsed because it is too large."),
    ],
)
async def test_failure_rules_give_the_real_last_error(client: Sdk, fake: FakeAssistants, code: str,
                                                     message: str) -> None:
    stored = await upload(client, "planets.txt", PLANETS)
    fake.ingestion.fail(file_id=stored.id, code=code)
    store = await client.vector_stores.create()

    done = await client.vector_stores.files.create_and_poll(file_id=stored.id, vector_store_id=store.id)

    assert (done.status, done.usage_bytes) == ("failed", 0)
    assert done.last_error.model_dump() == {"code": code, "message": message}


async def test_a_file_over_two_million_tokens_fails_as_too_large(client: Sdk, fake: FakeAssistants) -> None:
    """"The Assistants API supports files up to 2 million tokens" (4 bytes a token here): ERRORS.md #26's wording."""
    store = await client.vector_stores.create()
    big = await upload(client, "big.txt", b"word " * 1_600_001)  # 8,000,005 bytes: just over 2,000,000 tokens
    done = await client.vector_stores.files.create_and_poll(file_id=big.id, vector_store_id=store.id)
    fake.ingestion.max_file_tokens = 20
    at_limit = await upload(client, "at.txt", b"x" * 80)
    kept = await client.vector_stores.files.create_and_poll(file_id=at_limit.id, vector_store_id=store.id)

    assert (done.status, done.usage_bytes) == ("failed", 0)
    assert done.last_error.model_dump() == {
        "code": "invalid_file", "message": "The file could not be parsed because it is too large."}
    assert (kept.status, kept.usage_bytes) == ("completed", 80)


@pytest.mark.parametrize("value", ["10", 0, True, 2.5])
def test_the_file_token_limit_is_checked_where_it_is_set(fake: FakeAssistants, value: Any) -> None:
    with pytest.raises(ValueError, match=r"fake.ingestion.max_file_tokens must be a whole number of at least 1"):
        fake.ingestion.max_file_tokens = value
    assert fake.ingestion.max_file_tokens == 2_000_000
    fake.ingestion.max_file_tokens = None
    assert fake.ingestion.max_file_tokens is None


def test_failure_rules_take_only_the_real_codes(fake: FakeAssistants) -> None:
    with pytest.raises(ValueError, match="last_error code must be one of"):
        fake.ingestion.fail(code="rate_limit_exceeded")


async def test_unsupported_types_fail_ingestion(client: Sdk) -> None:
    store = await client.vector_stores.create()
    image = await upload(client, "chart.png", b"\x89PNG\r\n")

    done = await client.vector_stores.files.create_and_poll(file_id=image.id, vector_store_id=store.id)

    assert (done.status, done.last_error.code, done.last_error.message) == (
        "failed", "unsupported_file", "The file type is not supported.")


# -- file batches ---------------------------------------------------------------------------------------------


async def test_batch_with_file_ids(client: Sdk, fake: FakeAssistants, journal: Journal) -> None:
    fake.ingestion.policy = after_polls(2)
    files = [await upload(client, f"{n}.txt", data) for n, data in enumerate((PLANETS, GARDEN, RECIPES))]
    store = await client.vector_stores.create()

    batch = await client.vector_stores.file_batches.create_and_poll(
        store.id, file_ids=[f.id for f in files], attributes={"source": "docs"})

    assert batch.id.startswith("vsfb_")
    assert (batch.status, batch.vector_store_id) == ("completed", store.id)
    assert batch.file_counts.model_dump() == {"in_progress": 0, "completed": 3, "failed": 0, "cancelled": 0,
                                              "total": 3}
    assert statuses(journal, f"/v1/vector_stores/{store.id}/file_batches/{batch.id}") == [
        "in_progress", "in_progress", "completed"]
    listed = await client.vector_stores.file_batches.list_files(batch.id, vector_store_id=store.id, order="asc")
    assert [(f.id, f.attributes) for f in listed.data] == [(f.id, {"source": "docs"}) for f in files]


async def test_batch_with_files_each_its_own_settings(client: Sdk) -> None:
    planets, garden = await upload(client, "p.txt", PLANETS), await upload(client, "g.txt", GARDEN)
    store = await client.vector_stores.create()
    small = {"type": "static", "static": {"max_chunk_size_tokens": 200, "chunk_overlap_tokens": 100}}

    batch = await client.vector_stores.file_batches.create(store.id, files=[
        {"file_id": planets.id, "attributes": {"kind": "space"}, "chunking_strategy": small},
        {"file_id": garden.id},
    ])
    listed = await client.vector_stores.file_batches.list_files(batch.id, vector_store_id=store.id, order="asc")

    assert [(f.id, f.attributes, f.chunking_strategy.model_dump()) for f in listed.data] == [
        (planets.id, {"kind": "space"}, small), (garden.id, {}, AUTO)]


async def test_batch_needs_exactly_one_of_file_ids_and_files(client: Sdk) -> None:
    stored = await upload(client)
    store = await client.vector_stores.create()
    message = "Invalid request: exactly one of 'file_ids' or 'files' must be provided."

    await expect_error(lambda: client.vector_stores.file_batches.create(store.id), 400, message,
                       param="file_ids", code="invalid_value")
    await expect_error(lambda: client.vector_stores.file_batches.create(
        store.id, file_ids=[stored.id], files=[{"file_id": stored.id}]), 400, message,
        param="file_ids", code="invalid_value")


async def test_cancel_a_batch(client: Sdk, fake: FakeAssistants) -> None:
    fake.ingestion.set_policy("manual")
    files = [await upload(client, f"{n}.txt") for n in range(3)]
    store = await client.vector_stores.create()
    batch = await client.vector_stores.file_batches.create(store.id, file_ids=[f.id for f in files])
    fake.finish_ingestion(file_id=files[0].id)

    cancelled = await client.vector_stores.file_batches.cancel(batch.id, vector_store_id=store.id)

    assert cancelled.status == "cancelled"
    assert cancelled.file_counts.model_dump() == {"in_progress": 0, "completed": 1, "failed": 0, "cancelled": 2,
                                                  "total": 3}
    retrieved = await client.vector_stores.file_batches.retrieve(batch.id, vector_store_id=store.id)
    assert retrieved.model_dump() == cancelled.model_dump()
    stopped = await client.vector_stores.file_batches.list_files(batch.id, vector_store_id=store.id,
                                                                 filter="cancelled", order="asc")
    assert [f.id for f in stopped.data] == [files[1].id, files[2].id]
    counts = (await client.vector_stores.retrieve(store.id)).file_counts
    assert (counts.cancelled, counts.completed, counts.total) == (2, 1, 3)
    assert fake.finish_ingestion() == 0  # cancelled files never finish


async def test_cancelling_a_finished_batch_changes_nothing(client: Sdk) -> None:
    store = await client.vector_stores.create()
    batch = await client.vector_stores.file_batches.create_and_poll(store.id, file_ids=[(await upload(client)).id])

    again = await client.vector_stores.file_batches.cancel(batch.id, vector_store_id=store.id)

    assert (batch.status, again.status, again.file_counts.completed) == ("completed", "completed", 1)


async def test_a_batch_of_files_the_store_has_is_completed(client: Sdk, fake: FakeAssistants) -> None:
    """The simple-openai recordings: a second batch of two files the store had ingested, cancelled at once,
    reads `completed` with 2 completed; the files stay searchable, the first batch keeps its counts."""
    store = await client.vector_stores.create()
    files = [await upload(client, f"{n}.txt", PLANETS) for n in range(2)]
    first = await client.vector_stores.file_batches.create_and_poll(store.id, file_ids=[f.id for f in files])
    fake.ingestion.set_policy("manual")

    second = await client.vector_stores.file_batches.create(store.id, file_ids=[f.id for f in files])
    cancelled = await client.vector_stores.file_batches.cancel(second.id, vector_store_id=store.id)

    assert second.id != first.id
    done = {"in_progress": 0, "completed": 2, "failed": 0, "cancelled": 0, "total": 2}
    assert (second.status, second.file_counts.model_dump()) == ("completed", done)
    assert (cancelled.status, cancelled.file_counts.model_dump()) == ("completed", done)
    assert (await client.vector_stores.file_batches.retrieve(first.id, vector_store_id=store.id)).file_counts.total == 2
    listed = await client.vector_stores.file_batches.list_files(second.id, vector_store_id=store.id)
    assert sorted(f.id for f in listed.data) == sorted(f.id for f in files)
    assert len((await client.vector_stores.search(store.id, query="Mars")).data) == 2


async def test_a_file_twice_in_a_batch_counts_once(client: Sdk, fake: FakeAssistants) -> None:
    store = await client.vector_stores.create()
    stored = await upload(client)
    await client.vector_stores.files.create_and_poll(vector_store_id=store.id, file_id=stored.id)

    batch = await client.vector_stores.file_batches.create(store.id, file_ids=[stored.id, stored.id])

    assert batch.file_counts.total == 1
    assert json.loads(fake.dump())["vector_store_files"][0]["batch_ids"] == [batch.id]


async def test_batch_upload_and_poll(client: Sdk, fake: FakeAssistants) -> None:
    fake.ingestion.policy = after_polls(1)
    store = await client.vector_stores.create()
    batch = await client.vector_stores.file_batches.upload_and_poll(
        store.id, files=[("a.txt", PLANETS), ("b.txt", GARDEN)])

    assert (batch.status, batch.file_counts.completed, batch.file_counts.total) == ("completed", 2, 2)
    names = sorted(f.filename for f in (await client.files.list()).data)
    assert names == ["a.txt", "b.txt"]
    assert (await client.vector_stores.retrieve(store.id)).usage_bytes == len(PLANETS) + len(GARDEN)


async def test_unknown_batch(client: Sdk) -> None:
    store = await client.vector_stores.create()

    await expect_error(lambda: client.vector_stores.file_batches.retrieve("vsfb_nope", vector_store_id=store.id),
                       404, "No vector store file batch found with id 'vsfb_nope'.")
