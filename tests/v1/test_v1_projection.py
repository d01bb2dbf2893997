"""What objects made through Assistants v1 look like through v2 (V1.md section 4), read with the real SDK
(openai 3.x, strict response validation) from a fake serving both versions.

The v1 side is raw `OpenAI-Beta: assistants=v1` requests (an app pinned to openai<1.21 would send these):
assistant file links show in v2 as `tool_resources` (code_interpreter file ids; retrieval files in the
assistant's automatically created vector store), message files as attachments for both tools and the thread's
tool resources. Deleting or replacing a link through v1 removes the file from v2; changing tool resources
through v2 leaves the v1 links alone ("the inverse is not true"). A v1 run's retrieval step is v2's
file_search call with results, and the v1 citation `quote` is not part of v2 messages.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from fake_assistants import ApiRequest, FakeAssistants
from fake_assistants.runs.message_text import quote_of
from files_support import DAY, GARDEN, PLANETS, RECIPES, upload
from sdk_matrix import Sdk, new_fake

V1_HEADERS = {"OpenAI-Beta": "assistants=v1"}
MODEL = "gpt-4-turbo"
RETRIEVAL = {"type": "retrieval"}
CODE_INTERPRETER = {"type": "code_interpreter"}


@pytest.fixture
def fake() -> FakeAssistants:
    """The matrix fake (schema shape, manual clock), serving v1 as well."""
    return new_fake(api_versions=("v1", "v2"))


def v1(fake: FakeAssistants, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """A raw v1 request, as openai<1.21 sends it; it must succeed."""
    raw = b"" if body is None else json.dumps(body).encode()
    path, _, query = path.partition("?")
    response = fake.handle(ApiRequest.build(method, "/v1" + path, query=query, headers=V1_HEADERS, body=raw))
    data = response.body if isinstance(response.body, bytes) else b"".join(response.body)
    assert response.status == 200, data
    return json.loads(data)


def v1_assistant(fake: FakeAssistants, tools: list[Any], file_ids: list[str]) -> Any:
    return v1(fake, "POST", "/assistants", {"model": MODEL, "tools": tools, "file_ids": file_ids})


def v1_links(fake: FakeAssistants, assistant_id: str) -> list[str]:
    """The assistant's files as v1 lists them, oldest link first."""
    return [f["id"] for f in v1(fake, "GET", f"/assistants/{assistant_id}/files?order=asc")["data"]]


async def three_files(client: Sdk) -> list[str]:
    return [(await upload(client, name, data)).id
            for name, data in (("planets.txt", PLANETS), ("garden.txt", GARDEN), ("recipes.txt", RECIPES))]


async def store_files(client: Sdk, store_id: str) -> dict[str, str]:
    """file id -> ingestion status of every file in a vector store."""
    listed = await client.collect(client.raw.vector_stores.files.list(store_id))
    return {f.id: f.status for f in listed}


async def the_store(client: Sdk, tool_resources: Any) -> Any:
    (store_id,) = tool_resources.file_search.vector_store_ids
    return await client.vector_stores.retrieve(store_id)


# -- assistant files -------------------------------------------------------------------------------------


async def test_code_interpreter_files_show_as_its_tool_resources(client: Sdk, fake: FakeAssistants) -> None:
    f1, f2, _ = await three_files(client)
    made = v1_assistant(fake, [CODE_INTERPRETER], [f1, f2])

    assistant = await client.beta.assistants.retrieve(made["id"])

    assert [t.type for t in assistant.tools] == ["code_interpreter"]
    assert assistant.tool_resources.code_interpreter.file_ids == [f1, f2]
    assert assistant.tool_resources.file_search is None  # no retrieval tool: no vector store


async def test_retrieval_files_show_in_an_automatic_vector_store(client: Sdk, fake: FakeAssistants) -> None:
    f1, f2, _ = await three_files(client)
    made = v1_assistant(fake, [RETRIEVAL], [f1, f2])

    assistant = await client.beta.assistants.retrieve(made["id"])

    assert [t.type for t in assistant.tools] == ["file_search"]
    assert assistant.tool_resources.code_interpreter is None
    store = await the_store(client, assistant.tool_resources)
    assert (store.status, store.file_counts.completed, store.file_counts.total) == ("completed", 2, 2)
    assert await store_files(client, store.id) == {f1: "completed", f2: "completed"}


async def test_both_tools_show_the_same_files(client: Sdk, fake: FakeAssistants) -> None:
    f1, f2, _ = await three_files(client)
    made = v1_assistant(fake, [CODE_INTERPRETER, RETRIEVAL], [f1, f2])

    assistant = await client.beta.assistants.retrieve(made["id"])

    assert [t.type for t in assistant.tools] == ["code_interpreter", "file_search"]
    assert assistant.tool_resources.code_interpreter.file_ids == [f1, f2]
    store = await the_store(client, assistant.tool_resources)
    assert set(await store_files(client, store.id)) == {f1, f2}
    assert made["file_ids"] == [f1, f2]  # v1 itself shows the links, not the tool resources


async def test_a_file_linked_through_the_v1_files_route_shows_in_v2(client: Sdk, fake: FakeAssistants) -> None:
    f1, f2, _ = await three_files(client)
    made = v1_assistant(fake, [CODE_INTERPRETER, RETRIEVAL], [f1])

    linked = v1(fake, "POST", f"/assistants/{made['id']}/files", {"file_id": f2})

    assert (linked["id"], linked["object"], linked["assistant_id"]) == (f2, "assistant.file", made["id"])
    assistant = await client.beta.assistants.retrieve(made["id"])
    assert assistant.tool_resources.code_interpreter.file_ids == [f1, f2]
    assert set(await store_files(client, (await the_store(client, assistant.tool_resources)).id)) == {f1, f2}


async def test_a_v1_delete_removes_the_file_from_v2(client: Sdk, fake: FakeAssistants) -> None:
    f1, f2, _ = await three_files(client)
    made = v1_assistant(fake, [CODE_INTERPRETER, RETRIEVAL], [f1, f2])
    store = await the_store(client, (await client.beta.assistants.retrieve(made["id"])).tool_resources)

    deleted = v1(fake, "DELETE", f"/assistants/{made['id']}/files/{f1}")

    assert deleted == {"id": f1, "object": "assistant.file.deleted", "deleted": True}
    assistant = await client.beta.assistants.retrieve(made["id"])
    assert assistant.tool_resources.code_interpreter.file_ids == [f2]
    assert assistant.tool_resources.file_search.vector_store_ids == [store.id]
    assert await store_files(client, store.id) == {f2: "completed"}
    assert v1_links(fake, made["id"]) == [f2]
    assert (await client.files.retrieve(f1)).id == f1  # only the link went; the File is kept


async def test_v2_changes_do_not_remove_v1_links(client: Sdk, fake: FakeAssistants) -> None:
    """"Deleting Assistant Files via the v1 API also removes them from the v2 API. However, the inverse is not
    true." (V1.md section 4)"""
    f1, f2, _ = await three_files(client)
    made = v1_assistant(fake, [CODE_INTERPRETER, RETRIEVAL], [f1, f2])
    store = await the_store(client, (await client.beta.assistants.retrieve(made["id"])).tool_resources)

    await client.vector_stores.files.delete(f1, vector_store_id=store.id)
    updated = await client.beta.assistants.update(
        made["id"], tool_resources={"code_interpreter": {"file_ids": []}, "file_search": {"vector_store_ids": []}})

    assert updated.tool_resources.code_interpreter.file_ids == []
    assert updated.tool_resources.file_search.vector_store_ids == []
    assert v1_links(fake, made["id"]) == [f1, f2]
    assert v1(fake, "GET", f"/assistants/{made['id']}")["file_ids"] == [f1, f2]
    assert v1(fake, "GET", f"/assistants/{made['id']}/files/{f1}")["assistant_id"] == made["id"]


async def test_a_v1_update_without_files_or_tools_leaves_v2_changes(client: Sdk, fake: FakeAssistants) -> None:
    f1, _, _ = await three_files(client)
    made = v1_assistant(fake, [CODE_INTERPRETER], [f1])
    await client.beta.assistants.update(made["id"], tool_resources={"code_interpreter": {"file_ids": []}})

    v1(fake, "POST", f"/assistants/{made['id']}", {"name": "Renamed", "metadata": {"k": "v"}})

    assistant = await client.beta.assistants.retrieve(made["id"])
    assert (assistant.name, assistant.tool_resources.code_interpreter.file_ids) == ("Renamed", [])
    assert v1_links(fake, made["id"]) == [f1]


async def test_a_v1_update_with_file_ids_replaces_the_links(client: Sdk, fake: FakeAssistants) -> None:
    """"If a file was previously attached to the list but does not show up in the list, it will be deleted
    from the assistant": from v2 too."""
    f1, f2, f3 = await three_files(client)
    made = v1_assistant(fake, [CODE_INTERPRETER, RETRIEVAL], [f1, f2])

    modified = v1(fake, "POST", f"/assistants/{made['id']}", {"file_ids": [f2, f3]})

    assert modified["file_ids"] == [f2, f3]
    assert v1_links(fake, made["id"]) == [f2, f3]
    assistant = await client.beta.assistants.retrieve(made["id"])
    assert assistant.tool_resources.code_interpreter.file_ids == [f2, f3]
    store = await the_store(client, assistant.tool_resources)
    assert await store_files(client, store.id) == {f2: "completed", f3: "completed"}

    emptied = v1(fake, "POST", f"/assistants/{made['id']}", {"file_ids": []})

    assert emptied["file_ids"] == []
    assistant = await client.beta.assistants.retrieve(made["id"])
    assert assistant.tool_resources.code_interpreter.file_ids == []
    assert await store_files(client, store.id) == {}


async def test_tools_added_later_project_the_existing_links(client: Sdk, fake: FakeAssistants) -> None:
    f1, f2, _ = await three_files(client)
    made = v1_assistant(fake, [], [f1, f2])
    plain = await client.beta.assistants.retrieve(made["id"])
    assert plain.tools == []
    assert (plain.tool_resources.code_interpreter, plain.tool_resources.file_search) == (None, None)

    v1(fake, "POST", f"/assistants/{made['id']}", {"tools": [RETRIEVAL]})

    searching = await client.beta.assistants.retrieve(made["id"])
    assert [t.type for t in searching.tools] == ["file_search"]
    assert searching.tool_resources.code_interpreter is None
    store = await the_store(client, searching.tool_resources)
    assert set(await store_files(client, store.id)) == {f1, f2}

    v1(fake, "POST", f"/assistants/{made['id']}", {"tools": [RETRIEVAL, CODE_INTERPRETER]})

    both = await client.beta.assistants.retrieve(made["id"])
    assert [t.type for t in both.tools] == ["file_search", "code_interpreter"]
    assert both.tool_resources.code_interpreter.file_ids == [f1, f2]
    assert both.tool_resources.file_search.vector_store_ids == [store.id]  # the same store, not a second one


async def test_a_v2_assistant_through_v1(client: Sdk, fake: FakeAssistants) -> None:
    """The projection goes one way: v2 tool resources are not v1 file links."""
    f1, _, _ = await three_files(client)
    made = await client.beta.assistants.create(
        model=MODEL, tools=[{"type": "file_search"}, {"type": "code_interpreter"}],
        tool_resources={"code_interpreter": {"file_ids": [f1]}})

    shown = v1(fake, "GET", f"/assistants/{made.id}")

    assert (shown["tools"], shown["file_ids"]) == ([RETRIEVAL, CODE_INTERPRETER], [])
    assert "tool_resources" not in shown
    assert v1_links(fake, made.id) == []


# -- message files ---------------------------------------------------------------------------------------


async def test_message_files_are_attachments_for_both_tools(client: Sdk, fake: FakeAssistants) -> None:
    f1, f2, f3 = await three_files(client)
    made = v1(fake, "POST", "/threads", {"messages": [{"role": "user", "content": "Read these", "file_ids": [f1, f2]}]})
    v1(fake, "POST", f"/threads/{made['id']}/messages", {"role": "user", "content": "And this", "file_ids": [f3]})

    messages = await client.beta.threads.messages.list(made["id"], order="asc")

    both = ["code_interpreter", "file_search"]
    assert [[(a.file_id, [t.type for t in a.tools]) for a in m.attachments] for m in messages.data] == [
        [(f1, both), (f2, both)], [(f3, both)]]
    listed = v1(fake, "GET", f"/threads/{made['id']}/messages/{messages.data[0].id}/files?order=asc")
    assert [(f["id"], f["object"], f["message_id"]) for f in listed["data"]] == [
        (f1, "thread.message.file", messages.data[0].id), (f2, "thread.message.file", messages.data[0].id)]


async def test_message_files_show_in_the_thread_tool_resources(client: Sdk, fake: FakeAssistants) -> None:
    f1, f2, f3 = await three_files(client)
    made = v1(fake, "POST", "/threads", {"messages": [{"role": "user", "content": "Read these", "file_ids": [f1, f2]}]})
    v1(fake, "POST", f"/threads/{made['id']}/messages", {"role": "user", "content": "And this", "file_ids": [f3]})

    thread = await client.beta.threads.retrieve(made["id"])

    assert thread.tool_resources.code_interpreter.file_ids == [f1, f2, f3]
    store = await the_store(client, thread.tool_resources)
    assert await store_files(client, store.id) == {f1: "completed", f2: "completed", f3: "completed"}
    assert store.expires_after.model_dump() == {"anchor": "last_active_at", "days": 7}
    assert store.expires_at == store.last_active_at + 7 * DAY
    assert "tool_resources" not in v1(fake, "GET", f"/threads/{made['id']}")


# -- runs ------------------------------------------------------------------------------------------------


async def v1_run(client: Sdk, fake: FakeAssistants) -> tuple[str, Any, Any]:
    """A v1 assistant with retrieval over PLANETS, asked about Mars through v1, and the finished run (v2)."""
    (planets,) = [(await upload(client, "planets.txt", PLANETS)).id]
    assistant = v1_assistant(fake, [RETRIEVAL], [planets])
    thread = v1(fake, "POST", "/threads", {"messages": [{"role": "user", "content": "Why is Mars red?"}]})
    made = v1(fake, "POST", f"/threads/{thread['id']}/runs", {"assistant_id": assistant["id"]})
    run = await client.beta.threads.runs.poll(made["id"], thread_id=thread["id"])
    return planets, made, run


async def test_a_v1_run_through_v2(client: Sdk, fake: FakeAssistants) -> None:
    planets, made, run = await v1_run(client, fake)

    assert run.status == "completed"
    assert [t.type for t in run.tools] == ["file_search"]
    assert (made["tools"], made["file_ids"]) == ([RETRIEVAL], [planets])
    shown = v1(fake, "GET", f"/threads/{run.thread_id}/runs/{run.id}")
    assert (shown["status"], shown["tools"], shown["file_ids"]) == ("completed", [RETRIEVAL], [planets])


async def test_a_v1_retrieval_step_is_a_v2_file_search_call(client: Sdk, fake: FakeAssistants) -> None:
    planets, _, run = await v1_run(client, fake)

    steps = await client.beta.threads.runs.steps.list(run.id, thread_id=run.thread_id, order="asc")
    tool_step, message_step = steps.data

    (call,) = tool_step.step_details.tool_calls
    assert call.type == "file_search"
    assert [(r.file_id, r.file_name) for r in call.file_search.results] == [(planets, "planets.txt")]
    shown = v1(fake, "GET", f"/threads/{run.thread_id}/runs/{run.id}/steps?order=asc")["data"]
    assert shown[0]["step_details"] == {"type": "tool_calls",
                                        "tool_calls": [{"id": call.id, "type": "retrieval", "retrieval": {}}]}
    assert shown[1]["step_details"] == message_step.step_details.model_dump()


async def test_the_citation_quote_is_v1_only(client: Sdk, fake: FakeAssistants) -> None:
    planets, _, run = await v1_run(client, fake)

    (answer, _) = (await client.beta.threads.messages.list(run.thread_id)).data

    (annotation,) = answer.content[0].text.annotations
    assert annotation.file_citation.to_dict() == {"file_id": planets}  # v2: no quote
    shown = v1(fake, "GET", f"/threads/{run.thread_id}/messages/{answer.id}")
    (v1_annotation,) = shown["content"][0]["text"]["annotations"]
    assert v1_annotation["file_citation"] == {"file_id": planets, "quote": quote_of(PLANETS.decode())}
    assert v1_annotation["file_citation"]["quote"] == PLANETS.decode()
    assert {k: v for k, v in v1_annotation.items() if k != "file_citation"} == {
        k: v for k, v in annotation.to_dict().items() if k != "file_citation"}
