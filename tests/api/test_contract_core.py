"""Contract tests: assistants, threads and messages through the real `openai` SDK.

Every test runs in each cell of the matrix (sync | async) x (httpx | httpx2), with the SDK's strict
response validation on (see `sdk_matrix.py`). Wordings marked (real) are quoted from recordings in
shared/conformance; the others are the fake's catalogue, so only status, type, param and code are pinned.
"""

from __future__ import annotations

import email.utils
import json
import re
from typing import Any

import openai
import pytest

from fake_assistants import FakeAssistants, ManualClock
from sdk_matrix import ID_BODY, REQUEST_ID, START, Journal, Sdk, ids, new_fake, open_sdk

pytestmark = pytest.mark.sdk_contract  # .ci/run runs this module on the older SDK majors too

QUESTION = "I need to solve the equation `3x + 11 = 14`. Can you help me?"

# Key order of real v2 responses: recordings/openllmetry/py-vcr-2026-03__code-interpreter__new_assistant.json.
RECORDED_ASSISTANT_KEYS = [
    "id", "object", "created_at", "name", "description", "model", "instructions", "tools", "top_p",
    "temperature", "reasoning_effort", "tool_resources", "metadata", "response_format",
]  # fmt: skip
RECORDED_THREAD_KEYS = ["id", "object", "created_at", "metadata", "tool_resources"]
RECORDED_MESSAGE_KEYS = [
    "id", "object", "created_at", "assistant_id", "thread_id", "run_id", "role", "content", "attachments", "metadata",
]  # fmt: skip
SCHEMA_ONLY_MESSAGE_KEYS = {"status", "incomplete_details", "incomplete_at", "completed_at"}


# -- helpers ---------------------------------------------------------------------------------------


def assert_error(
    error: openai.APIStatusError,
    status: int,
    *,
    param: str | None = None,
    code: str | None = None,
    message: str | None = None,
) -> None:
    """The OpenAI envelope: status, type, param and code always; the message where it is pinned."""
    assert error.status_code == status
    body = error.body
    assert isinstance(body, dict)
    assert set(body) == {"message", "type", "param", "code"}
    assert (body["type"], body["param"], body["code"]) == ("invalid_request_error", param, code)
    assert (error.type, error.param, error.code) == ("invalid_request_error", param, code)
    if message is not None:
        assert body["message"] == message
    assert REQUEST_ID.fullmatch(error.request_id or "")


def clock_of(fake: FakeAssistants) -> ManualClock:
    assert isinstance(fake.clock, ManualClock)
    return fake.clock


async def make_assistants(client: Sdk, count: int) -> list[Any]:
    return [await client.beta.assistants.create(model="gpt-4o", name=f"a{n}") for n in range(count)]


async def make_messages(client: Sdk, thread_id: str, count: int) -> list[Any]:
    return [await client.beta.threads.messages.create(thread_id, role="user", content=f"m{n}") for n in range(count)]


def texts(messages: list[Any]) -> list[str]:
    return [m.content[0].text.value for m in messages]


# -- assistants ------------------------------------------------------------------------------------


async def test_create_assistant_fills_in_defaults(client: Sdk) -> None:
    assistant = await client.beta.assistants.create(model="gpt-4o")

    assert re.fullmatch("asst_" + ID_BODY, assistant.id)
    assert (assistant.object, assistant.created_at, assistant.model) == ("assistant", START, "gpt-4o")
    assert (assistant.name, assistant.description, assistant.instructions) == (None, None, None)
    assert assistant.reasoning_effort is None
    assert assistant.tools == []
    assert assistant.metadata == {}
    assert (assistant.temperature, assistant.top_p, assistant.response_format) == (1.0, 1.0, "auto")
    assert assistant.tool_resources is not None
    assert assistant.tool_resources.code_interpreter is None
    assert assistant.tool_resources.file_search is None


async def test_create_assistant_echoes_every_field(client: Sdk) -> None:
    assistant = await client.beta.assistants.create(
        model="o3-mini",
        name="Math Tutor",
        description="Answers math questions",
        instructions="You are a personal math tutor. Write and run code to answer math questions.",
        reasoning_effort="low",
        tools=[
            {"type": "code_interpreter"},
            {"type": "file_search", "file_search": {"max_num_results": 5}},
            {
                "type": "function",
                "function": {
                    "name": "get_weather",
                    "description": "Weather for a city",
                    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
                },
            },
        ],
        tool_resources={"code_interpreter": {"file_ids": ["file-abc123"]}},
        metadata={"team": "qa"},
        temperature=0.2,
        top_p=0.9,
        response_format={"type": "json_object"},
    )

    assert (assistant.name, assistant.description) == ("Math Tutor", "Answers math questions")
    assert assistant.instructions.startswith("You are a personal math tutor.")
    assert (assistant.model, assistant.reasoning_effort) == ("o3-mini", "low")
    assert [tool.type for tool in assistant.tools] == ["code_interpreter", "file_search", "function"]
    file_search = assistant.tools[1].file_search
    assert file_search.max_num_results == 5
    assert file_search.ranking_options.ranker == "default_2024_08_21"
    assert file_search.ranking_options.score_threshold == 0.0
    function = assistant.tools[2].function
    assert (function.name, function.description, function.strict) == ("get_weather", "Weather for a city", False)
    assert function.parameters == {"type": "object", "properties": {"city": {"type": "string"}}}
    assert assistant.tool_resources.code_interpreter.file_ids == ["file-abc123"]
    assert assistant.metadata == {"team": "qa"}
    assert (assistant.temperature, assistant.top_p) == (0.2, 0.9)
    assert assistant.response_format.type == "json_object"


async def test_code_interpreter_tool_gets_empty_file_ids(client: Sdk) -> None:
    """The real service lists `{"code_interpreter": {"file_ids": []}}` for an assistant with that tool and no
    resources (openllmetry recordings of 2024-06 and 2026-03)."""
    assistant = await client.beta.assistants.create(model="gpt-4o", tools=[{"type": "code_interpreter"}])

    assert assistant.tool_resources.code_interpreter is not None
    assert assistant.tool_resources.code_interpreter.file_ids == []


async def test_retrieve_assistant_returns_what_create_returned(client: Sdk) -> None:
    created = await client.beta.assistants.create(model="gpt-4o", name="Math Tutor", metadata={"k": "v"})

    retrieved = await client.beta.assistants.retrieve(created.id)

    assert retrieved.to_dict() == created.to_dict()


async def test_update_assistant_changes_only_the_given_fields(client: Sdk, fake: FakeAssistants) -> None:
    created = await client.beta.assistants.create(
        model="gpt-4o", name="Old", instructions="Be brief.", metadata={"a": "1"}
    )
    clock_of(fake).advance(5)

    updated = await client.beta.assistants.update(created.id, name="New", metadata={"b": "2"})

    assert (updated.id, updated.created_at) == (created.id, START)
    assert (updated.name, updated.instructions, updated.model) == ("New", "Be brief.", "gpt-4o")
    assert updated.metadata == {"a": "1", "b": "2"}  # merged, as the recordings show (shaping.updated_metadata)
    again = await client.beta.assistants.update(created.id, model="gpt-4o-mini")
    assert (again.model, again.name) == ("gpt-4o-mini", "New")
    assert (await client.beta.assistants.retrieve(created.id)).to_dict() == again.to_dict()


async def test_update_assistant_overrides_tool_resources(client: Sdk) -> None:
    created = await client.beta.assistants.create(
        model="gpt-4o", tools=[{"type": "code_interpreter"}], tool_resources={"code_interpreter": {"file_ids": ["f1"]}}
    )

    updated = await client.beta.assistants.update(
        created.id, tool_resources={"code_interpreter": {"file_ids": ["f2", "f3"]}}
    )

    assert updated.tool_resources.code_interpreter.file_ids == ["f2", "f3"]


async def test_a_tool_without_resources_lists_an_empty_one(client: Sdk) -> None:
    """The service listed `{"file_search": {"vector_store_ids": []}}` for an assistant with that tool and no
    store (simple-openai recordings, 2024-05), as it did `{"code_interpreter": {"file_ids": []}}`."""
    searching = await client.beta.assistants.create(model="gpt-4o", tools=[{"type": "file_search"}])
    both = await client.beta.assistants.create(
        model="gpt-4o", tools=[{"type": "code_interpreter"}, {"type": "file_search"}])
    plain = await client.beta.assistants.create(model="gpt-4o")
    added = await client.beta.assistants.update(plain.id, tools=[{"type": "file_search"}])

    assert searching.to_dict()["tool_resources"] == {"file_search": {"vector_store_ids": []}}
    assert both.to_dict()["tool_resources"] == {"code_interpreter": {"file_ids": []},
                                                "file_search": {"vector_store_ids": []}}
    assert plain.to_dict()["tool_resources"] == {}
    assert added.to_dict()["tool_resources"] == {"file_search": {"vector_store_ids": []}}


async def test_delete_assistant_removes_it(client: Sdk) -> None:
    kept, doomed = await make_assistants(client, 2)

    deleted = await client.beta.assistants.delete(doomed.id)

    assert (deleted.id, deleted.object, deleted.deleted) == (doomed.id, "assistant.deleted", True)
    message = f"No assistant found with id '{doomed.id}'."  # (real) ERRORS.md #22
    for call in (
        lambda: client.beta.assistants.retrieve(doomed.id),
        lambda: client.beta.assistants.update(doomed.id, name="x"),
        lambda: client.beta.assistants.delete(doomed.id),
    ):
        with pytest.raises(openai.NotFoundError) as caught:
            await call()
        assert_error(caught.value, 404, message=message)
    assert ids(await client.collect(client.raw.beta.assistants.list())) == [kept.id]


# -- lists and pagination (assistants and messages share the cursor logic) -------------------------


async def test_list_assistants_newest_first_by_default(client: Sdk) -> None:
    created = await make_assistants(client, 3)

    page = await client.beta.assistants.list()

    assert page.object == "list"
    assert ids(page.data) == ids(reversed(created))
    assert (page.first_id, page.last_id, page.has_more) == (created[2].id, created[0].id, False)


async def test_list_assistants_ascending(client: Sdk) -> None:
    created = await make_assistants(client, 3)

    page = await client.beta.assistants.list(order="asc")

    assert ids(page.data) == ids(created)
    assert (page.first_id, page.last_id) == (created[0].id, created[2].id)


async def test_list_sorts_by_created_at_not_insertion(client: Sdk, fake: FakeAssistants) -> None:
    clock = clock_of(fake)
    late = await client.beta.assistants.create(model="gpt-4o", name="late")
    clock.set(START - 60)
    early = await client.beta.assistants.create(model="gpt-4o", name="early")
    clock.set(START + 60)
    latest = await client.beta.assistants.create(model="gpt-4o", name="latest")

    page = await client.beta.assistants.list(order="asc")

    assert ids(page.data) == [early.id, late.id, latest.id]
    assert [a.created_at for a in page.data] == [START - 60, START, START + 60]


async def test_empty_list(client: Sdk) -> None:
    page = await client.beta.assistants.list()

    assert (page.data, page.first_id, page.last_id, page.has_more) == ([], None, None, False)


async def test_list_limit_after_and_before(client: Sdk) -> None:
    a0, a1, a2, a3, a4 = await make_assistants(client, 5)
    listing = client.beta.assistants.list

    first = await listing(limit=2)
    assert (ids(first.data), first.has_more) == ([a4.id, a3.id], True)
    middle = await listing(limit=2, after=a3.id)
    assert (ids(middle.data), middle.has_more) == ([a2.id, a1.id], True)
    last = await listing(limit=2, after=a1.id)
    assert (ids(last.data), last.has_more) == ([a0.id], False)
    ascending = await listing(limit=2, order="asc", after=a1.id)
    assert (ids(ascending.data), ascending.has_more) == ([a2.id, a3.id], True)
    # before=X: the `limit` items immediately before X, in the requested order
    before_desc = await listing(limit=2, before=a1.id)
    assert (ids(before_desc.data), before_desc.has_more) == ([a3.id, a2.id], True)
    before_asc = await listing(limit=2, order="asc", before=a3.id)
    assert (ids(before_asc.data), before_asc.has_more) == ([a1.id, a2.id], True)
    window = await listing(order="asc", after=a0.id, before=a4.id)
    assert (ids(window.data), window.has_more) == ([a1.id, a2.id, a3.id], False)


@pytest.mark.parametrize("order", ["desc", "asc"])
async def test_auto_pagination_walks_every_assistant_once(client: Sdk, journal: Journal, order: str) -> None:
    created = await make_assistants(client, 5)
    expected = ids(created) if order == "asc" else ids(reversed(created))

    walked = await client.collect(client.raw.beta.assistants.list(limit=2, order=order))

    assert ids(walked) == expected
    cursors = [dict(r.query).get("after") for r in journal.requests("GET", "/v1/assistants")]
    assert cursors == [None, expected[1], expected[3]]


async def test_pages_follow_has_more(client: Sdk) -> None:
    created = await make_assistants(client, 5)

    pages = await client.pages(client.raw.beta.assistants.list(limit=2, order="asc"))

    assert [ids(page.data) for page in pages] == [ids(created[0:2]), ids(created[2:4]), ids(created[4:])]
    assert [page.has_more for page in pages] == [True, True, False]


async def test_auto_pagination_walks_every_message_once(client: Sdk) -> None:
    thread = await client.beta.threads.create()
    created = await make_messages(client, thread.id, 7)

    walked = await client.collect(client.raw.beta.threads.messages.list(thread.id, limit=3))

    assert ids(walked) == ids(reversed(created))
    assert len(set(ids(walked))) == 7


@pytest.mark.parametrize("limit", [0, 101])
async def test_limit_out_of_range_is_rejected(client: Sdk, limit: int) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        await client.beta.assistants.list(limit=limit)

    code = "integer_below_min_value" if limit == 0 else "integer_above_max_value"
    assert_error(caught.value, 400, param="limit", code=code)


async def test_limit_above_maximum_wording(client: Sdk) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        await client.beta.threads.messages.list((await client.beta.threads.create()).id, limit=101)

    message = "Invalid 'limit': integer above maximum value. Expected a value <= 100, but got 101 instead."
    assert_error(caught.value, 400, param="limit", code="integer_above_max_value", message=message)


async def test_unknown_cursor_is_rejected(client: Sdk) -> None:
    await make_assistants(client, 1)

    with pytest.raises(openai.BadRequestError) as caught:
        await client.beta.assistants.list(after="asst_doesnotexist")

    assert caught.value.param == "after"
    assert caught.value.status_code == 400


# -- threads ---------------------------------------------------------------------------------------


async def test_create_empty_thread(client: Sdk) -> None:
    thread = await client.beta.threads.create()

    assert re.fullmatch("thread_" + ID_BODY, thread.id)
    assert (thread.object, thread.created_at, thread.metadata) == ("thread", START, {})
    assert thread.tool_resources is not None
    assert (thread.tool_resources.code_interpreter, thread.tool_resources.file_search) == (None, None)
    assert await client.collect(client.raw.beta.threads.messages.list(thread.id)) == []


async def test_create_thread_with_messages_metadata_and_resources(client: Sdk) -> None:
    thread = await client.beta.threads.create(
        messages=[
            {"role": "user", "content": QUESTION},
            {"role": "assistant", "content": "Sure. Subtract 11 from both sides first."},
            {"role": "user", "content": "Then?", "metadata": {"step": "2"}},
        ],
        metadata={"user": "jane"},
        tool_resources={"code_interpreter": {"file_ids": ["file-abc123"]}},
    )

    assert thread.metadata == {"user": "jane"}
    assert thread.tool_resources.code_interpreter.file_ids == ["file-abc123"]
    messages = (await client.beta.threads.messages.list(thread.id, order="asc")).data
    assert texts(messages) == [QUESTION, "Sure. Subtract 11 from both sides first.", "Then?"]
    assert [m.role for m in messages] == ["user", "assistant", "user"]
    assert [m.metadata for m in messages] == [{}, {}, {"step": "2"}]
    for message in messages:
        assert (message.thread_id, message.assistant_id, message.run_id) == (thread.id, None, None)
        assert (message.attachments, message.status) == ([], "completed")


async def test_retrieve_thread(client: Sdk) -> None:
    created = await client.beta.threads.create(metadata={"k": "v"})

    retrieved = await client.beta.threads.retrieve(created.id)

    assert (retrieved.id, retrieved.object, retrieved.created_at) == (created.id, "thread", START)
    assert retrieved.metadata == {"k": "v"}
    # The real service answered create with `tool_resources: {}` and a later GET of the same thread with
    # `{"code_interpreter": {"file_ids": []}}` (ruby-openai threads_retrieve, assistants=v2, 2024-04-29).
    assert created.tool_resources.code_interpreter is None
    assert retrieved.tool_resources.code_interpreter.file_ids == []
    assert retrieved.tool_resources.file_search is None


async def test_retrieve_thread_keeps_its_resources(client: Sdk) -> None:
    created = await client.beta.threads.create(
        tool_resources={"code_interpreter": {"file_ids": ["f1"]}, "file_search": {"vector_store_ids": ["vs_1"]}}
    )

    retrieved = await client.beta.threads.retrieve(created.id)

    assert retrieved.to_dict() == created.to_dict()
    assert retrieved.tool_resources.code_interpreter.file_ids == ["f1"]
    assert retrieved.tool_resources.file_search.vector_store_ids == ["vs_1"]


async def test_update_thread_merges_metadata_and_overrides_resources(client: Sdk) -> None:
    created = await client.beta.threads.create(
        metadata={"a": "1", "b": "1"}, tool_resources={"code_interpreter": {"file_ids": ["f1"]}}
    )

    updated = await client.beta.threads.update(created.id, metadata={"b": "2", "c": "3"})
    assert (updated.id, updated.metadata) == (created.id, {"a": "1", "b": "2", "c": "3"})
    assert list(updated.metadata) == ["a", "b", "c"]
    assert updated.tool_resources.code_interpreter.file_ids == ["f1"]
    updated = await client.beta.threads.update(created.id, tool_resources={"code_interpreter": {"file_ids": []}})
    assert (updated.metadata, updated.tool_resources.code_interpreter.file_ids) == ({"a": "1", "b": "2", "c": "3"}, [])
    assert (await client.beta.threads.retrieve(created.id)).to_dict() == updated.to_dict()


async def test_delete_thread_removes_it_and_its_messages(client: Sdk) -> None:
    other = await client.beta.threads.create(messages=[{"role": "user", "content": "keep me"}])
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": QUESTION}])
    (message,) = (await client.beta.threads.messages.list(thread.id)).data

    deleted = await client.beta.threads.delete(thread.id)

    assert (deleted.id, deleted.object, deleted.deleted) == (thread.id, "thread.deleted", True)
    message_text = f"No thread found with id '{thread.id}'."  # (real) ERRORS.md #21
    messages = client.beta.threads.messages
    for call in (
        lambda: client.beta.threads.retrieve(thread.id),
        lambda: client.beta.threads.update(thread.id, metadata={"k": "v"}),
        lambda: client.beta.threads.delete(thread.id),
        lambda: messages.list(thread.id),
        lambda: messages.retrieve(message.id, thread_id=thread.id),
        lambda: messages.update(message.id, thread_id=thread.id, metadata={"k": "v"}),
        lambda: messages.delete(message.id, thread_id=thread.id),
        lambda: messages.create(thread.id, role="user", content="hello?"),
    ):
        with pytest.raises(openai.NotFoundError) as caught:
            await call()
        assert_error(caught.value, 404, message=message_text)
    assert texts((await messages.list(other.id)).data) == ["keep me"]


# -- messages --------------------------------------------------------------------------------------


async def test_create_user_message(client: Sdk) -> None:
    thread = await client.beta.threads.create()

    message = await client.beta.threads.messages.create(thread.id, role="user", content=QUESTION)

    assert re.fullmatch("msg_" + ID_BODY, message.id)
    assert (message.object, message.created_at, message.thread_id) == ("thread.message", START, thread.id)
    assert (message.role, message.assistant_id, message.run_id) == ("user", None, None)
    assert (message.attachments, message.metadata) == ([], {})
    assert (message.status, message.incomplete_details) == ("completed", None)
    assert (message.incomplete_at, message.completed_at) == (None, None)
    (part,) = message.content
    assert (part.type, part.text.value, part.text.annotations) == ("text", QUESTION, [])


async def test_create_assistant_role_message(client: Sdk) -> None:
    thread = await client.beta.threads.create()

    message = await client.beta.threads.messages.create(thread.id, role="assistant", content="Hello, Jane.")

    assert (message.role, message.assistant_id, message.run_id) == ("assistant", None, None)
    assert texts([message]) == ["Hello, Jane."]


async def test_create_message_with_content_parts_attachments_and_metadata(client: Sdk) -> None:
    thread = await client.beta.threads.create()

    message = await client.beta.threads.messages.create(
        thread.id,
        role="user",
        content=[
            {"type": "text", "text": "What is in these pictures?"},
            {"type": "image_url", "image_url": {"url": "https://example.com/cat.png", "detail": "high"}},
            {"type": "image_file", "image_file": {"file_id": "file-img1"}},
        ],
        attachments=[{"file_id": "file-data1", "tools": [{"type": "code_interpreter"}, {"type": "file_search"}]}],
        metadata={"source": "test"},
    )

    text, url, image = message.content
    assert (text.type, text.text.value) == ("text", "What is in these pictures?")
    assert (url.type, url.image_url.url, url.image_url.detail) == ("image_url", "https://example.com/cat.png", "high")
    assert (image.type, image.image_file.file_id, image.image_file.detail) == ("image_file", "file-img1", "auto")
    (attachment,) = message.attachments
    assert attachment.file_id == "file-data1"
    assert [tool.type for tool in attachment.tools] == ["code_interpreter", "file_search"]
    assert message.metadata == {"source": "test"}


async def test_retrieve_message(client: Sdk) -> None:
    thread = await client.beta.threads.create()
    created = await client.beta.threads.messages.create(thread.id, role="user", content=QUESTION)

    retrieved = await client.beta.threads.messages.retrieve(created.id, thread_id=thread.id)

    assert retrieved.to_dict() == created.to_dict()


async def test_message_is_only_found_in_its_own_thread(client: Sdk) -> None:
    home = await client.beta.threads.create()
    elsewhere = await client.beta.threads.create()
    message = await client.beta.threads.messages.create(home.id, role="user", content=QUESTION)

    with pytest.raises(openai.NotFoundError) as caught:
        await client.beta.threads.messages.retrieve(message.id, thread_id=elsewhere.id)

    assert_error(caught.value, 404, message=f"No message found with id '{message.id}'.")


async def test_update_run_merges_metadata(client: Sdk) -> None:
    assistant = await client.beta.assistants.create(model="gpt-4o", instructions="Be brief.")
    thread = await client.beta.threads.create()
    run = await client.beta.threads.runs.create(thread.id, assistant_id=assistant.id, metadata={"a": "1"})

    updated = await client.beta.threads.runs.update(run.id, thread_id=thread.id, metadata={"b": "2"})

    assert updated.metadata == {"a": "1", "b": "2"}


async def test_merged_metadata_holds_at_most_16_pairs(client: Sdk) -> None:
    full = {f"k{n}": "v" for n in range(16)}
    assistant = await client.beta.assistants.create(model="gpt-4o", name="Kept", metadata=full)

    with pytest.raises(openai.BadRequestError) as caught:
        await client.beta.assistants.update(assistant.id, name="Changed", metadata={"one": "more"})

    assert caught.value.body == {  # the 400 a request of 17 pairs gets
        "message": "Invalid 'metadata': too many properties. Expected an object with at most 16 properties, but got "
                   "an object with 17 properties instead.",
        "type": "invalid_request_error", "param": "metadata", "code": "object_above_max_properties"}
    unchanged = await client.beta.assistants.retrieve(assistant.id)
    assert (unchanged.name, unchanged.metadata) == ("Kept", full)
    replaced = await client.beta.assistants.update(assistant.id, metadata={"k0": "new"})  # a key it has: 16 still
    assert replaced.metadata == {**full, "k0": "new"}


async def test_update_message_merges_metadata_only(client: Sdk) -> None:
    thread = await client.beta.threads.create()
    created = await client.beta.threads.messages.create(thread.id, role="user", content=QUESTION, metadata={"a": "1"})

    updated = await client.beta.threads.messages.update(created.id, thread_id=thread.id, metadata={"b": "2"})

    assert updated.metadata == {"a": "1", "b": "2"}
    assert {**updated.to_dict(), "metadata": None} == {**created.to_dict(), "metadata": None}
    retrieved = await client.beta.threads.messages.retrieve(created.id, thread_id=thread.id)
    assert retrieved.metadata == {"a": "1", "b": "2"}


async def test_delete_message_removes_it(client: Sdk) -> None:
    thread = await client.beta.threads.create()
    kept, doomed = await make_messages(client, thread.id, 2)

    deleted = await client.beta.threads.messages.delete(doomed.id, thread_id=thread.id)

    assert (deleted.id, deleted.object, deleted.deleted) == (doomed.id, "thread.message.deleted", True)
    with pytest.raises(openai.NotFoundError) as caught:
        await client.beta.threads.messages.retrieve(doomed.id, thread_id=thread.id)
    assert_error(caught.value, 404, message=f"No message found with id '{doomed.id}'.")
    assert ids((await client.beta.threads.messages.list(thread.id)).data) == [kept.id]


async def test_list_messages_orders_and_pages(client: Sdk) -> None:
    thread = await client.beta.threads.create()
    m0, m1, m2 = await make_messages(client, thread.id, 3)
    listing = client.beta.threads.messages.list

    assert ids((await listing(thread.id)).data) == [m2.id, m1.id, m0.id]
    assert ids((await listing(thread.id, order="asc")).data) == [m0.id, m1.id, m2.id]
    page = await listing(thread.id, order="asc", limit=1, after=m0.id)
    assert (ids(page.data), page.has_more) == ([m1.id], True)
    page = await listing(thread.id, before=m0.id)
    assert (ids(page.data), page.has_more) == ([m2.id, m1.id], False)


async def test_list_messages_filters_by_run_id(client: Sdk, fake: FakeAssistants) -> None:
    thread = await client.beta.threads.create()
    m0, m1, m2, m3 = await make_messages(client, thread.id, 4)
    # No runs endpoint yet: mark two messages as written by a run directly in the store.
    run_id = "run_" + "R" * 24
    for message in (m1, m3):
        fake.store.message(thread.id, message.id).run_id = run_id
    listing = client.beta.threads.messages.list

    by_run = await listing(thread.id, run_id=run_id, order="asc")
    assert (ids(by_run.data), by_run.has_more) == ([m1.id, m3.id], False)
    assert [m.run_id for m in by_run.data] == [run_id, run_id]
    first = await listing(thread.id, run_id=run_id, limit=1)
    assert (ids(first.data), first.has_more) == ([m3.id], True)
    walked = await client.collect(client.raw.beta.threads.messages.list(thread.id, run_id=run_id, limit=1))
    assert ids(walked) == [m3.id, m1.id]
    none = await listing(thread.id, run_id="run_" + "N" * 24)
    assert (none.data, none.has_more) == ([], False)
    assert ids((await listing(thread.id)).data) == [m3.id, m2.id, m1.id, m0.id]


# -- request validation and error mapping ----------------------------------------------------------


@pytest.mark.parametrize(
    ("param", "prefix", "call"),
    [
        ("assistant_id", "asst", lambda c: c.beta.assistants.retrieve("thread_abc")),
        ("assistant_id", "asst", lambda c: c.beta.assistants.delete("nope")),
        ("thread_id", "thread", lambda c: c.beta.threads.retrieve("undefined")),
        ("thread_id", "thread", lambda c: c.beta.threads.messages.list("asst_abc")),
        ("message_id", "msg", lambda c: c.beta.threads.messages.retrieve("nope", thread_id="thread_abc")),
    ],
    ids=["retrieve-assistant", "delete-assistant", "retrieve-thread", "list-messages", "retrieve-message"],
)
async def test_wrong_id_prefix_is_a_bad_request(client: Sdk, param: str, prefix: str, call: Any) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        await call(client)

    value = re.search(r"'([^']*)'\. Expected", caught.value.body["message"])
    assert value is not None
    # (real) ERRORS.md #20
    message = f"Invalid '{param}': '{value.group(1)}'. Expected an ID that begins with '{prefix}'."
    assert_error(caught.value, 400, param=param, message=message)


async def test_unknown_thread_is_not_found(client: Sdk) -> None:
    missing = "thread_" + "x" * 24

    with pytest.raises(openai.NotFoundError) as caught:
        await client.beta.threads.retrieve(missing)

    assert_error(caught.value, 404, message=f"No thread found with id '{missing}'.")


async def test_unknown_body_parameter_is_rejected(client: Sdk) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        await client.beta.assistants.create(model="gpt-4o", extra_body={"file_ids": ["file-abc"]})

    assert_error(caught.value, 400, param="file_ids", code="unknown_parameter")
    assert await client.collect(client.raw.beta.assistants.list()) == []


async def test_unknown_message_parameter_is_rejected(client: Sdk) -> None:
    thread = await client.beta.threads.create()

    with pytest.raises(openai.BadRequestError) as caught:
        await client.beta.threads.messages.create(thread.id, role="user", content="hi", extra_body={"file_ids": []})

    assert_error(caught.value, 400, param="file_ids", code="unknown_parameter")
    assert await client.collect(client.raw.beta.threads.messages.list(thread.id)) == []


@pytest.mark.parametrize("target", ["thread", "message"])
async def test_non_string_metadata_value_is_rejected(client: Sdk, target: str) -> None:
    thread = await client.beta.threads.create()
    message = await client.beta.threads.messages.create(thread.id, role="user", content="hi")

    with pytest.raises(openai.BadRequestError) as caught:
        if target == "thread":
            await client.beta.threads.update(thread.id, metadata={"modified": True})
        else:
            await client.beta.threads.messages.update(message.id, thread_id=thread.id, metadata={"modified": True})

    # (real) ERRORS.md #6, recorded from both endpoints
    wording = "Invalid type for 'metadata.modified': expected a string, but got a boolean instead."
    assert_error(caught.value, 400, param="metadata.modified", code="invalid_type", message=wording)


async def test_invalid_role_is_rejected(client: Sdk) -> None:
    thread = await client.beta.threads.create()

    with pytest.raises(openai.BadRequestError) as caught:
        await client.beta.threads.messages.create(thread.id, role="system", content="hi")

    assert_error(caught.value, 400, param="role", code="invalid_value")


async def test_too_many_metadata_pairs_is_rejected(client: Sdk) -> None:
    metadata = {f"k{n}": "v" for n in range(17)}

    with pytest.raises(openai.BadRequestError) as caught:
        await client.beta.assistants.create(model="gpt-4o", metadata=metadata)

    assert_error(caught.value, 400, param="metadata", code="object_above_max_properties")


async def test_name_too_long_is_rejected(client: Sdk) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        await client.beta.assistants.create(model="gpt-4o", name="n" * 257)

    assert_error(caught.value, 400, param="name", code="string_above_max_length")


async def test_missing_beta_header_is_rejected(client: Sdk) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        await client.beta.threads.create(extra_headers={"OpenAI-Beta": openai.Omit()})

    # (real) ERRORS.md #14
    wording = (
        "You must provide the 'OpenAI-Beta' header to access the Assistants API. "
        "Please try again by setting the header 'OpenAI-Beta: assistants=v2'."
    )
    assert_error(caught.value, 400, code="invalid_beta", message=wording)


async def test_v1_beta_header_is_rejected(client: Sdk) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        await client.beta.assistants.list(extra_headers={"OpenAI-Beta": "assistants=v1"})

    # (real) ERRORS.md #16
    wording = (
        "The v1 Assistants API has been deprecated. Please try again by setting the header "
        "'OpenAI-Beta: assistants=v2'. See the migration guide for more information: "
        "https://platform.openai.com/docs/assistants/migration."
    )
    assert_error(caught.value, 400, code="invalid_beta", message=wording)


# -- headers ---------------------------------------------------------------------------------------


async def test_every_response_carries_openai_headers(client: Sdk) -> None:
    response = await client.beta.assistants.with_raw_response.create(model="gpt-4o")
    assistant = response.parse()
    second = await client.beta.assistants.with_raw_response.retrieve(assistant.id)

    request_ids = [response.headers["x-request-id"], second.headers["x-request-id"]]
    assert all(REQUEST_ID.fullmatch(value) for value in request_ids)
    assert request_ids[0] != request_ids[1]
    assert assistant._request_id == request_ids[0]
    assert response.headers["openai-poll-after-ms"] == "0"
    assert response.headers["openai-version"] == "2020-10-01"
    assert response.headers["content-type"] == "application/json"
    assert int(response.headers["openai-processing-ms"]) >= 0


async def test_every_response_carries_the_date_of_the_fakes_clock(client: Sdk, fake: FakeAssistants) -> None:
    """As every recorded answer of the service did (`Date: Thu, 30 Oct 2025 21:58:57 GMT`), with the organization."""
    clock = clock_of(fake)
    start = clock.now()
    first = await client.beta.threads.with_raw_response.create()
    clock.advance(61)
    with pytest.raises(openai.NotFoundError) as missing:
        await client.beta.threads.retrieve("thread_" + "x" * 24)

    assert first.headers["date"] == email.utils.formatdate(start, usegmt=True)
    assert missing.value.response.headers["date"] == email.utils.formatdate(start + 61, usegmt=True)
    assert email.utils.parsedate_to_datetime(first.headers["date"]).timestamp() == start
    assert first.headers["openai-organization"] == "org-fake-assistants"
    assert len(first.headers.get_list("date")) == 1


async def test_error_responses_carry_the_request_id(client: Sdk) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        await client.beta.assistants.retrieve("asst_" + "x" * 24)

    assert REQUEST_ID.fullmatch(caught.value.request_id or "")
    assert caught.value.response.headers["x-request-id"] == caught.value.request_id
    assert caught.value.response.headers["content-type"] == "application/json"


async def test_poll_after_ms_is_configurable(client: Sdk) -> None:
    async with open_sdk(new_fake(poll_after_ms=250), client.variant) as other:
        response = await other.beta.threads.with_raw_response.create()

    assert response.headers["openai-poll-after-ms"] == "250"


# -- determinism and shapes ------------------------------------------------------------------------


async def scenario_ids(client: Sdk) -> list[str]:
    """Object ids and request ids of a small fixed scenario."""
    assistant = await client.beta.assistants.create(model="gpt-4o")
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": QUESTION}])
    raw = await client.beta.threads.messages.with_raw_response.create(thread.id, role="user", content="more")
    message = raw.parse()
    return [assistant.id, thread.id, message.id, assistant._request_id, raw.headers["x-request-id"]]


async def test_same_seed_gives_same_ids(client: Sdk) -> None:
    runs = []
    for seed in (42, 42, 43):
        async with open_sdk(new_fake(seed), client.variant) as sdk:
            runs.append(await scenario_ids(sdk))

    assert runs[0] == runs[1]
    assert all(a != b for a, b in zip(runs[0], runs[2], strict=True))


async def test_ids_do_not_depend_on_reads(client: Sdk) -> None:
    async with open_sdk(new_fake(7), client.variant) as quiet, open_sdk(new_fake(7), client.variant) as chatty:
        first_quiet = await quiet.beta.assistants.create(model="gpt-4o")
        first_chatty = await chatty.beta.assistants.create(model="gpt-4o")
        await chatty.beta.assistants.list()
        await chatty.beta.assistants.retrieve(first_chatty.id)
        with pytest.raises(openai.NotFoundError):
            await chatty.beta.threads.retrieve("thread_" + "x" * 24)
        second_quiet = await quiet.beta.threads.create()
        second_chatty = await chatty.beta.threads.create()

    assert (first_quiet.id, second_quiet.id) == (first_chatty.id, second_chatty.id)


async def test_recorded_shape_sends_the_recorded_keys(client: Sdk) -> None:
    recorded = FakeAssistants(seed=0, shape="recorded")
    async with open_sdk(recorded, client.variant, _strict_response_validation=False) as lenient:
        assistant = await lenient.beta.assistants.with_raw_response.create(model="gpt-4o")
        thread = await lenient.beta.threads.with_raw_response.create()
        thread_id = thread.parse().id
        message = await lenient.beta.threads.messages.with_raw_response.create(thread_id, role="user", content="hi")

    assert list(json.loads(assistant.text)) == RECORDED_ASSISTANT_KEYS
    assert list(json.loads(thread.text)) == RECORDED_THREAD_KEYS
    assert list(json.loads(message.text)) == RECORDED_MESSAGE_KEYS


async def test_schema_shape_adds_the_message_status_fields(client: Sdk) -> None:
    thread = await client.beta.threads.create()

    raw = await client.beta.threads.messages.with_raw_response.create(thread.id, role="user", content="hi")

    keys = list(json.loads(raw.text))
    assert set(keys) == set(RECORDED_MESSAGE_KEYS) | SCHEMA_ONLY_MESSAGE_KEYS
    assert [k for k in keys if k in RECORDED_MESSAGE_KEYS] == RECORDED_MESSAGE_KEYS


async def test_strict_validation_rejects_the_recorded_message_shape(client: Sdk) -> None:
    async with open_sdk(FakeAssistants(seed=0, shape="recorded"), client.variant) as strict:
        thread = await strict.beta.threads.create()
        with pytest.raises(openai.APIResponseValidationError):
            await strict.beta.threads.messages.create(thread.id, role="user", content="hi")
