"""Deleting a vector store unlinks it, through the real SDK: every assistant's and thread's
`tool_resources.file_search.vector_store_ids` loses its id (the key stays, the list may be empty), and the other
tool resources are kept, as the Assistants overview notebook shows after `vector_stores.delete`."""

from __future__ import annotations

from typing import Any

from files_support import GARDEN, PLANETS, store_with, upload
from sdk_matrix import Sdk

FILE_SEARCH: Any = {"type": "file_search"}
CODE_INTERPRETER: Any = {"type": "code_interpreter"}


async def test_deleting_a_store_unlinks_it_from_assistants_and_threads(client: Sdk) -> None:
    store, _ = await store_with(client, ("planets.txt", PLANETS))
    kept, _ = await store_with(client, ("garden.txt", GARDEN))
    data = await upload(client, "data.csv", b"a,b\n1,2\n")
    assistant = await client.beta.assistants.create(
        model="gpt-4o", tools=[FILE_SEARCH, CODE_INTERPRETER],
        tool_resources={"file_search": {"vector_store_ids": [store.id]},
                        "code_interpreter": {"file_ids": [data.id]}})
    other = await client.beta.assistants.create(
        model="gpt-4o", tools=[FILE_SEARCH], tool_resources={"file_search": {"vector_store_ids": [kept.id]}})
    thread = await client.beta.threads.create(tool_resources={"file_search": {"vector_store_ids": [store.id]},
                                                              "code_interpreter": {"file_ids": [data.id]}})

    deleted = await client.vector_stores.delete(store.id)

    assert (deleted.id, deleted.deleted) == (store.id, True)
    unlinked = await client.beta.assistants.retrieve(assistant.id)
    assert unlinked.tool_resources.model_dump() == {"code_interpreter": {"file_ids": [data.id]},
                                                     "file_search": {"vector_store_ids": []}}
    untouched = await client.beta.assistants.retrieve(other.id)
    assert untouched.tool_resources.file_search.vector_store_ids == [kept.id]
    thread_now = await client.beta.threads.retrieve(thread.id)
    assert thread_now.tool_resources.model_dump() == {"code_interpreter": {"file_ids": [data.id]},
                                                      "file_search": {"vector_store_ids": []}}


async def test_a_run_after_the_deletion_answers_without_searching(client: Sdk) -> None:
    store, _ = await store_with(client, ("planets.txt", PLANETS))
    assistant = await client.beta.assistants.create(
        model="gpt-4o", tools=[FILE_SEARCH], tool_resources={"file_search": {"vector_store_ids": [store.id]}})
    await client.vector_stores.delete(store.id)
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": "Why is Mars red?"}])

    run = await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)

    assert run.status == "completed"
    steps = await client.beta.threads.runs.steps.list(run.id, thread_id=thread.id)
    assert [s.type for s in steps.data] == ["message_creation"]
