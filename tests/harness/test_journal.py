"""The call journal (`fake.calls`): every request and response as the SDK sent and got them.

The SDK tests run in every cell of the matrix (sync | async) x (httpx | httpx2), with strict validation.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import openai
import pytest

from fake_assistants import ApiRequest, Calls, FakeAssistants, RecordedCall
from sdk_matrix import Sdk, new_fake


async def test_every_request_is_recorded_with_its_route_and_response(client: Sdk, fake: FakeAssistants) -> None:
    assistant = await client.beta.assistants.create(model="gpt-4o", name="Math Tutor", metadata={"team": "a"})
    thread = await client.beta.threads.create()
    message = await client.beta.threads.messages.create(thread.id, role="user", content="Hi")
    await client.beta.threads.messages.list(thread.id, order="asc", limit=5)

    assert fake.calls.routes == ["assistants.create", "threads.create", "messages.create", "messages.list"]
    created = fake.calls[0]
    assert (created.method, created.path, created.route, created.status) == (
        "POST", "/v1/assistants", "assistants.create", 200)
    assert created.body == {"model": "gpt-4o", "name": "Math Tutor", "metadata": {"team": "a"}}
    assert created.response["id"] == assistant.id
    assert created.headers["openai-beta"] == created.headers["OpenAI-Beta"] == "assistants=v2"  # any case
    assert "OPENAI-BETA" in created.headers and created.headers.get("Content-Type") == "application/json"
    assert created.request_id == assistant._request_id
    posted = fake.calls["messages.create"].last
    assert posted.params == {"thread_id": thread.id}
    assert posted.body == {"role": "user", "content": "Hi"}
    assert posted.response["id"] == message.id
    listed = fake.calls.last
    assert (listed.method, listed.body, listed.stream) == ("GET", None, False)
    assert sorted(listed.query) == [("limit", "5"), ("order", "asc")]
    assert listed.query_value("order") == "asc"
    assert [m["id"] for m in listed.response["data"]] == [message.id]


async def test_helpers_filter_by_route_method_path_and_status(client: Sdk, fake: FakeAssistants) -> None:
    thread = await client.beta.threads.create()
    await client.beta.threads.update(thread.id, metadata={"a": "b"})
    await client.beta.threads.retrieve(thread.id)
    with pytest.raises(openai.NotFoundError):
        await client.beta.threads.retrieve("thread_unknown")

    assert fake.calls.called and fake.calls.call_count == 4
    assert fake.calls["threads.update"].call_count == 1
    assert fake.calls["threads.update"].last.body == {"metadata": {"a": "b"}}
    assert not fake.calls["runs.create"].called
    assert fake.calls.filter(route="threads.*").call_count == 4
    assert fake.calls.filter(method="get").routes == ["threads.retrieve", "threads.retrieve"]
    assert fake.calls.filter(path=f"/v1/threads/{thread.id}*").routes == ["threads.update", "threads.retrieve"]
    assert fake.calls.filter(status=404).last.params == {"thread_id": "thread_unknown"}
    assert fake.calls.filter(route="threads.retrieve", status=200).call_count == 1
    assert [call.route for call in fake.calls] == fake.calls.routes
    assert isinstance(fake.calls[1:], Calls) and fake.calls[1:].call_count == 3


@pytest.mark.parametrize(("filters", "said"), [
    ({"status": "200"}, "calls.filter(status=...) takes an int or None, not str '200': as filter(status=200)"),
    ({"status": True}, "calls.filter(status=...) takes an int or None, not bool True"),
    ({"method": b"POST"}, "calls.filter(method=...) takes a str or None, not bytes b'POST'"),
    ({"in_cassette": "no"}, "calls.filter(in_cassette=...) takes True or False or None"),
])
def test_a_filter_of_the_wrong_type_is_named_not_silently_empty(filters: dict[str, Any], said: str) -> None:
    with pytest.raises(TypeError) as raised:
        FakeAssistants().calls.filter(**filters)
    assert said in str(raised.value)


@pytest.mark.parametrize(("fault", "said"), [
    ("rate_limit", "calls.filter(fault='rate_limit'): the journal names a fault by its kind, not by the method "
                   "that scheduled it: a fault scheduled as 'rate_limit' is recorded as kind 'http_error' with "
                   "status 429 (filter by both to keep only those). The kinds: 'http_error', 'timeout', "
                   "'connection_error', 'stream_error', 'dropped_stream'"),
    ("server_error", "recorded as kind 'http_error' with its status, 500 by default"),
    ("dropped", "calls.filter(fault='dropped'): 'dropped' is not a fault kind (did you mean 'dropped_stream'?)."),
    ("HTTP_ERROR", "'HTTP_ERROR' is not a fault kind"),
])
def test_a_fault_no_call_can_have_is_named_not_silently_empty(fault: str, said: str) -> None:
    with pytest.raises(ValueError, match="The kinds: 'http_error', ") as raised:
        FakeAssistants().calls.filter(fault=fault)
    assert said in str(raised.value)


async def test_a_fault_is_filtered_by_its_kind_and_status(client: Sdk, fake: FakeAssistants) -> None:
    fake.faults.rate_limit("assistants.list")
    fake.faults.server_error("assistants.list", status=503)
    for _ in range(3):
        with contextlib.suppress(openai.APIStatusError):
            await client.beta.assistants.list()

    assert [call.status for call in fake.calls.filter(fault="http_error")] == [429, 503]
    assert fake.calls.filter(fault="http_error", status=429).call_count == 1
    assert [call.fault for call in fake.calls] == ["http_error", "http_error", None]


async def test_stream_events_are_recorded_as_the_client_reads_them(client: Sdk, fake: FakeAssistants) -> None:
    assistant = await client.beta.assistants.create(model="gpt-4o")
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": "Hello"}])

    stream = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True)
    call = fake.calls["runs.create"].last
    assert (call.status, call.stream, call.response, call.events) == (200, True, None, [])
    iterator: Any = stream.__aiter__() if hasattr(stream, "__aiter__") else iter(stream)
    first = await iterator.__anext__() if hasattr(iterator, "__anext__") else next(iterator)
    assert first.event == "thread.run.created"
    assert call.event_names == ["thread.run.created"]
    rest = [event.event async for event in iterator] if hasattr(iterator, "__anext__") else [e.event for e in iterator]

    assert call.event_names == ["thread.run.created", *rest, "done"]
    assert call.events[-1] == ("done", "[DONE]")
    name, data = call.events[0]
    assert (name, data["id"], data["status"]) == ("thread.run.created", first.data.id, "queued")
    assert call.response_header("content-type") == "text/event-stream; charset=utf-8"


def test_a_chunk_of_several_deltas_is_recorded_event_by_event() -> None:
    fake = FakeAssistants(seed=0, stream_chunk_chars=1)
    client = fake.openai_client()
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Spell it out"}])
    fake.script.reply("abcdefghijklmnopqrstuvwxyz")

    read = [event.event for event in client.beta.threads.runs.create(
        thread_id=thread.id, assistant_id=assistant.id, stream=True)]

    call = fake.calls["runs.create"].last
    assert len(call.chunks) < len(read)  # some chunks carried several deltas
    assert call.event_names == [*read, "done"]
    assert "".join(data["delta"]["content"][0]["text"]["value"] for name, data in call.events
                   if name == "thread.message.delta") == "abcdefghijklmnopqrstuvwxyz"
    assert str(call).endswith(f"stream of {len(read) + 1} events")

    fake.calls.body_limit = 2_000  # the chunks past the limit are dropped whole: each of their events is counted
    fake.script.reply("abcdefghijklmnopqrstuvwxyz")
    again = [event.event for event in client.beta.threads.runs.create(
        thread_id=thread.id, assistant_id=assistant.id, stream=True)]
    kept = fake.calls["runs.create"].last
    assert 0 < len(kept.events) < len(again)
    assert len(kept.events) + kept.events_dropped == len(again) + 1
    sent = iter([*again, "done"])
    assert all(name in sent for name in kept.event_names)  # what was kept, in the order it was sent


async def test_uploads_are_recorded_as_form_fields(client: Sdk, fake: FakeAssistants) -> None:
    uploaded = await client.files.create(file=("notes.txt", b"hello world"), purpose="assistants")

    call = fake.calls["files.create"].last
    assert call.body["purpose"] == "assistants"
    assert call.body["file"]["filename"] == "notes.txt"
    assert call.body["file"]["bytes"] == len(b"hello world")
    assert call.response["id"] == uploaded.id


def test_paths_without_a_route_are_recorded_too() -> None:
    fake = FakeAssistants()

    fake.handle(ApiRequest.build("GET", "/v1/nowhere"))
    fake.handle(ApiRequest.build("POST", "/v1/assistants", headers={"OpenAI-Beta": "assistants=v2"}, body=b"{"))

    unmatched, broken = fake.calls
    assert (unmatched.route, unmatched.params, unmatched.status) == (None, {}, 404)
    assert unmatched.response["error"]["message"] == "Invalid URL (GET /v1/nowhere)"
    assert (broken.route, broken.status, broken.body, broken.content) == ("assistants.create", 400, None, b"{")
    assert fake.calls.filter(route="*").routes == ["assistants.create"]


def test_clear_last_and_limit() -> None:
    fake = new_fake()
    request = ApiRequest.build("GET", "/v1/files")

    with pytest.raises(IndexError, match=r"no calls were recorded \(route='files.list'\)"):
        _ = fake.calls["files.list"].last
    for _ in range(3):
        fake.handle(request)
    assert fake.calls.call_count == 3
    fake.calls.clear()
    assert (fake.calls.called, len(fake.calls), list(fake.calls)) == (False, 0, [])

    fake.calls.limit = 2
    responses = [fake.handle(request) for _ in range(3)]
    assert fake.calls.call_count == 2
    assert [c.request_id for c in fake.calls] == [r.header("x-request-id") for r in responses[1:]]
    assert isinstance(fake.calls.last, RecordedCall)
    assert "files.list" in repr(fake.calls.last) and "status=200" in repr(fake.calls.last)


def test_what_one_call_has_asked_of_many_says_how_to_pick_one() -> None:
    fake = new_fake()
    fake.handle(ApiRequest.build("GET", "/v1/files"))

    with pytest.raises(AttributeError, match=r"^'Calls' object has no attribute 'body': it holds calls, not one "
                       r"call\. Read one of them: \.last\.body \(the newest\), \[0\]\.body \(the first\)"):
        _ = fake.calls["files.list"].body
    with pytest.raises(AttributeError, match=r"^'Journal' object has no attribute 'status': it holds calls"):
        _ = fake.calls.status
    with pytest.raises(AttributeError, match=r"^'Journal' object has no attribute 'nothing'$"):
        _ = fake.calls.nothing
    assert getattr(fake.calls, "body", None) is None and fake.calls.last.status == 200


def test_each_fake_has_its_own_journal() -> None:
    first, second = FakeAssistants(), FakeAssistants()

    first.handle(ApiRequest.build("GET", "/v1/files"))

    assert (first.calls.call_count, second.calls.call_count) == (1, 0)
    assert json.loads(first.calls.last.response_content or b"")["object"] == "list"
