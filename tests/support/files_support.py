"""Helpers shared by the file, vector-store and file_search tests (`tests/api/files/`, `tests/api/vector_stores/`,
`tests/api/runs/test_file_search_runs.py`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, cast

import openai
import pytest

from fake_assistants import FakeAssistants, ManualClock
from sdk_matrix import Sdk

DAY = 86_400

# Three small documents with distinct vocabularies, for deterministic search and citations.
PLANETS = b"Mars is the fourth planet. Its red colour comes from iron oxide dust on the surface."
GARDEN = b"Tomatoes need sunlight and water. Prune the tomato plants in early summer."
RECIPES = b"Bake the bread at a high temperature. Knead the dough for ten minutes before baking."


def clock_of(fake: FakeAssistants) -> ManualClock:
    """The ManualClock the matrix fixtures give every fake."""
    assert isinstance(fake.clock, ManualClock)
    return fake.clock


async def upload(client: Sdk, name: str = "notes.txt", data: bytes = PLANETS, purpose: str = "assistants",
                 **extra: Any) -> Any:
    return await client.files.create(file=(name, data), purpose=purpose, **extra)


async def store_with(client: Sdk, *documents: tuple[str, bytes], **options: Any) -> tuple[Any, list[Any]]:
    """A vector store holding the documents (name, bytes), ingested (completed), and their Files."""
    files = [await upload(client, name, data) for name, data in documents]
    store = await client.vector_stores.create(file_ids=[f.id for f in files], **options)
    for stored in files:
        done = await client.vector_stores.files.poll(stored.id, vector_store_id=store.id)
        assert done.status == "completed"
    return store, files


async def expect_error(call: Callable[[], Awaitable[Any]], status: int, message: str | None = None, *,
                       param: str | None = None, code: str | None = None) -> openai.APIStatusError:
    """`call()` fails with an OpenAI-shaped error: this status, type invalid_request_error, param and code
    (and the exact message when given)."""
    with pytest.raises(openai.APIStatusError) as caught:
        await call()
    error = caught.value
    body = cast(dict[str, Any], error.body)
    assert error.status_code == status, body
    assert (body["type"], body["param"], body["code"]) == ("invalid_request_error", param, code), body
    if message is not None:
        assert body["message"] == message
    return error
