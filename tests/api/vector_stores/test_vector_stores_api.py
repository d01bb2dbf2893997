"""Vector stores through the real SDK: create, retrieve, modify, delete, list; file counts and usage bytes,
status, `last_active_at`, and expiry by the `expires_after` policy on the fake's clock."""

from __future__ import annotations

import pytest

from fake_assistants import FakeAssistants
from files_support import DAY, GARDEN, PLANETS, RECIPES, clock_of, expect_error, store_with, upload
from sdk_matrix import START, Sdk


async def test_create_an_empty_store(client: Sdk) -> None:
    store = await client.vector_stores.create(name="Docs", metadata={"team": "search"})

    assert store.object == "vector_store"
    assert store.id.startswith("vs_") and len(store.id) == len("vs_") + 32
    assert (store.name, store.metadata, store.created_at, store.last_active_at) == ("Docs", {"team": "search"},
                                                                                  START, START)
    assert (store.status, store.usage_bytes) == ("completed", 0)
    assert store.file_counts.model_dump() == {"in_progress": 0, "completed": 0, "failed": 0, "cancelled": 0,
                                              "total": 0}
    assert (store.expires_after, store.expires_at) == (None, None)


async def test_create_with_files_is_in_progress_then_completed(client: Sdk) -> None:
    files = [await upload(client, "planets.txt", PLANETS), await upload(client, "garden.txt", GARDEN)]

    store = await client.vector_stores.create(file_ids=[f.id for f in files])
    later = await client.vector_stores.retrieve(store.id)

    assert (store.status, store.file_counts.in_progress, store.file_counts.total, store.usage_bytes) == (
        "in_progress", 2, 2, 0)
    assert (later.status, later.file_counts.completed, later.file_counts.total) == ("completed", 2, 2)
    assert later.usage_bytes == len(PLANETS) + len(GARDEN)
    listed = await client.vector_stores.files.list(store.id, order="asc")
    assert [f.id for f in listed.data] == [f.id for f in files]
    assert sum(f.usage_bytes for f in listed.data) == later.usage_bytes


async def test_file_counts_follow_every_state(client: Sdk, fake: FakeAssistants) -> None:
    fake.ingestion.fail(filename="broken.txt", code="invalid_file")
    good, broken, image = (await upload(client, "good.txt", PLANETS), await upload(client, "broken.txt", GARDEN),
                           await upload(client, "chart.png", b"\x89PNG"))

    store = await client.vector_stores.create(file_ids=[good.id, broken.id, image.id])
    settled = await client.vector_stores.retrieve(store.id)

    assert settled.file_counts.model_dump() == {"in_progress": 0, "completed": 1, "failed": 2, "cancelled": 0,
                                                "total": 3}
    assert settled.usage_bytes == len(PLANETS)  # failed files hold nothing
    assert settled.status == "completed"
    failed = await client.vector_stores.files.list(store.id, filter="failed", order="asc")
    assert [(f.id, f.last_error.code) for f in failed.data] == [(broken.id, "invalid_file"),
                                                               (image.id, "unsupported_file")]


async def test_unknown_file_creates_nothing(client: Sdk) -> None:
    await expect_error(lambda: client.vector_stores.create(file_ids=["file-missing"]), 404,
                       "No such File object: file-missing", param="id")

    assert (await client.vector_stores.list()).data == []


async def test_retrieve_unknown_store(client: Sdk) -> None:
    await expect_error(lambda: client.vector_stores.retrieve("vs_nope"), 404,
                       "No vector store found with id 'vs_nope'.")
    await expect_error(lambda: client.vector_stores.retrieve("store_1"), 400,
                       "Invalid 'vector_store_id': 'store_1'. Expected an ID that begins with 'vs'.",
                       param="vector_store_id")


async def test_modify_name_metadata_and_expiry(client: Sdk, fake: FakeAssistants) -> None:
    store = await client.vector_stores.create(name="Old", metadata={"a": "1"})
    clock_of(fake).advance(10)

    updated = await client.vector_stores.update(store.id, name="New", metadata={"b": "2"},
                                                expires_after={"anchor": "last_active_at", "days": 2})

    assert (updated.name, updated.metadata) == ("New", {"a": "1", "b": "2"})  # merged
    assert updated.expires_after.model_dump() == {"anchor": "last_active_at", "days": 2}
    assert updated.last_active_at == START + 10  # a modify is activity (the simple-openai recordings)
    assert updated.expires_at == START + 10 + 2 * DAY
    cleared = await client.vector_stores.update(store.id, expires_after=None)
    assert (cleared.expires_after, cleared.expires_at, cleared.name) == (None, None, "New")


async def test_expires_after_is_validated(client: Sdk) -> None:
    await expect_error(
        lambda: client.vector_stores.create(expires_after={"anchor": "last_active_at", "days": 366}), 400,
        "Invalid 'expires_after.days': integer above maximum value. Expected a value <= 365, but got 366 instead.",
        param="expires_after.days", code="integer_above_max_value",
    )
    await expect_error(
        lambda: client.vector_stores.create(expires_after={"anchor": "created_at", "days": 1}), 400,
        "Invalid value: 'created_at'. Supported values are: 'last_active_at'.",
        param="expires_after.anchor", code="invalid_value",
    )


async def test_delete_and_list(client: Sdk, fake: FakeAssistants) -> None:
    first = await client.vector_stores.create(name="first")
    clock_of(fake).advance(1)
    second = await client.vector_stores.create(name="second")

    listed = await client.vector_stores.list()
    deleted = await client.vector_stores.delete(first.id)

    assert [s.id for s in listed.data] == [second.id, first.id]
    assert (deleted.id, deleted.object, deleted.deleted) == (first.id, "vector_store.deleted", True)
    assert [s.id for s in (await client.vector_stores.list()).data] == [second.id]
    await expect_error(lambda: client.vector_stores.retrieve(first.id), 404,
                       f"No vector store found with id '{first.id}'.")


async def test_list_pages(client: Sdk) -> None:
    made = [await client.vector_stores.create(name=str(n)) for n in range(5)]

    walked = await client.collect(client.raw.vector_stores.list(limit=2, order="asc"))

    assert [s.id for s in walked] == [s.id for s in made]


# -- last_active_at and expiry ------------------------------------------------------------------------------


async def test_search_and_attaching_are_activity(client: Sdk, fake: FakeAssistants) -> None:
    store, _ = await store_with(client, ("planets.txt", PLANETS),
                                expires_after={"anchor": "last_active_at", "days": 1})
    assert (store.last_active_at, store.expires_at) == (START, START + DAY)

    clock_of(fake).advance(100)
    await client.vector_stores.retrieve(store.id)  # reading is not activity
    assert (await client.vector_stores.retrieve(store.id)).last_active_at == START
    await client.vector_stores.search(store.id, query="Mars")
    searched = await client.vector_stores.retrieve(store.id)
    assert (searched.last_active_at, searched.expires_at) == (START + 100, START + 100 + DAY)

    clock_of(fake).advance(50)
    garden = await upload(client, "garden.txt", GARDEN)
    await client.vector_stores.files.create(vector_store_id=store.id, file_id=garden.id)
    attached = await client.vector_stores.retrieve(store.id)
    assert (attached.last_active_at, attached.expires_at) == (START + 150, START + 150 + DAY)


async def test_store_expires_on_the_fake_clock(client: Sdk, fake: FakeAssistants) -> None:
    store, _ = await store_with(client, ("planets.txt", PLANETS),
                                expires_after={"anchor": "last_active_at", "days": 3})

    clock_of(fake).advance(3 * DAY - 1)
    assert (await client.vector_stores.retrieve(store.id)).status == "completed"
    clock_of(fake).advance(1)
    expired = await client.vector_stores.retrieve(store.id)

    assert expired.status == "expired"
    assert [s.status for s in (await client.vector_stores.list()).data] == ["expired"]
    message = f"Vector store '{store.id}' has expired"
    await expect_error(lambda: client.vector_stores.search(store.id, query="Mars"), 400, message)
    garden = await upload(client, "garden.txt", GARDEN)
    await expect_error(lambda: client.vector_stores.files.create(vector_store_id=store.id, file_id=garden.id),
                       400, message)
    await expect_error(lambda: client.vector_stores.file_batches.create(store.id, file_ids=[garden.id]),
                       400, message)
    revived = await client.vector_stores.update(store.id, expires_after={"anchor": "last_active_at", "days": 30})
    assert revived.status == "expired"  # an expired store stays expired
    assert (await client.vector_stores.delete(store.id)).deleted


@pytest.mark.parametrize("days", [1, 7, 365])
async def test_expires_at_is_days_after_the_last_activity(client: Sdk, days: int) -> None:
    store = await client.vector_stores.create(expires_after={"anchor": "last_active_at", "days": days})

    assert store.expires_at == store.last_active_at + days * DAY


async def test_a_store_without_expiry_never_expires(client: Sdk, fake: FakeAssistants) -> None:
    store, _ = await store_with(client, ("recipes.txt", RECIPES))

    clock_of(fake).advance(10 * 365 * DAY)

    assert (await client.vector_stores.retrieve(store.id)).status == "completed"
    assert (await client.vector_stores.search(store.id, query="bread")).data
