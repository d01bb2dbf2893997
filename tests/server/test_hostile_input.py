"""Issue 15's nine breakages, each reproduced as it was found, and the mechanisms that bound memory.

Nothing here is timed and nothing sleeps: memory figures are in bench/soak.py and docs/RELIABILITY.md; these
tests assert what keeps memory bounded (how many bytes the journal keeps, how many bytes the ASGI adapter
pulls from `receive` before it refuses a body).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Iterator
from typing import Any

import pytest

from fake_assistants import ApiRequest, ApiResponse, FakeAssistants
from fake_assistants.api import multipart
from fake_assistants.core.errors import ApiError, StateError
from fake_assistants.server.asgi import AsgiApp, BodyLimits
from fake_assistants.server.served_fake import ServedFake

V2 = {"OpenAI-Beta": "assistants=v2", "content-type": "application/json"}


def call(fake: Any, method: str, path: str, body: Any = None, *, headers: dict[str, str] | None = None,
         query: str = "") -> ApiResponse:
    raw = body if isinstance(body, bytes) else (b"" if body is None else json.dumps(body).encode())
    return fake(ApiRequest.build(method, path, query=query, headers={**V2, **(headers or {})}, body=raw))


def answer(response: ApiResponse) -> Any:
    assert isinstance(response.body, bytes)
    return json.loads(response.body)


def upload_body(size: int, boundary: str = "b0undary") -> tuple[bytes, str]:
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nassistants\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n"
            f"Content-Type: text/plain\r\n\r\n").encode() + b"x" * size + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


class Receiver:
    """An ASGI `receive` handing out a body in chunks, counting the bytes the app pulled."""

    def __init__(self, body: bytes, chunk: int) -> None:
        self.chunks = [body[i:i + chunk] for i in range(0, len(body), chunk)] or [b""]
        self.pulled = 0
        self.sent: list[dict[str, Any]] = []

    async def receive(self) -> dict[str, Any]:
        if not self.chunks:
            await asyncio.Event().wait()  # never: the app must not read past the body
        chunk = self.chunks.pop(0)
        self.pulled += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": bool(self.chunks)}

    async def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)

    @property
    def status(self) -> int:
        return int(self.sent[0]["status"])

    @property
    def answer(self) -> Any:
        return json.loads(b"".join(m.get("body", b"") for m in self.sent[1:]))


def scope(method: str, path: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {"type": "http", "method": method, "path": path, "query_string": b"",
            "headers": [(b"host", b"127.0.0.1:4010"), (b"openai-beta", b"assistants=v2"), *headers]}


# -- 1. the journal keeps bytes, not whole bodies ---------------------------------------------------------


def test_a_rejected_large_body_is_kept_up_to_the_body_limit_with_its_size_and_digest() -> None:
    fake = FakeAssistants()
    raw = json.dumps({"model": "gpt-4o", "zzz": "z" * 1_000_000}).encode()

    response = call(fake.handle, "POST", "/v1/assistants", raw)

    assert response.status == 400
    recorded = fake.calls.last
    assert len(recorded.content) == fake.calls.body_limit == 64 * 1024
    assert (recorded.truncated, recorded.content_size) == (True, len(raw))
    assert recorded.body == {"truncated": True, "bytes": len(raw), "sha256": hashlib.sha256(raw).hexdigest()}
    assert fake.calls.kept_bytes < 2 * fake.calls.body_limit


def test_the_byte_budget_drops_the_oldest_calls_and_limit_zero_keeps_none() -> None:
    fake = FakeAssistants()
    fake.calls.byte_limit = 300_000
    raw = json.dumps({"model": "gpt-4o", "zzz": "z" * 200_000}).encode()
    for _ in range(20):
        call(fake.handle, "POST", "/v1/assistants", raw)
    assert fake.calls.kept_bytes <= 300_000
    assert 1 <= len(fake.calls) < 20

    fake.calls.limit = 0
    call(fake.handle, "GET", "/v1/assistants")
    assert (len(fake.calls), fake.calls.kept_bytes) == (0, 0)


def test_a_large_upload_still_reads_as_its_form_fields() -> None:
    fake = FakeAssistants()
    body, content_type = upload_body(200_000)
    response = call(fake.handle, "POST", "/v1/files", body, headers={"content-type": content_type})
    assert response.status == 200
    assert fake.calls.last.body == {"purpose": "assistants",
                                    "file": {"filename": "a.txt", "content_type": "text/plain", "bytes": 200_000}}


def test_a_stream_keeps_its_events_up_to_the_body_limit() -> None:
    fake = FakeAssistants()
    fake.calls.body_limit = 600
    assistant = answer(call(fake.handle, "POST", "/v1/assistants", {"model": "gpt-4o"}))
    fake.script.reply("word " * 200)
    streamed = call(fake.handle, "POST", "/v1/threads/runs",
                    {"assistant_id": assistant["id"], "stream": True,
                     "thread": {"messages": [{"role": "user", "content": "hi"}]}})
    assert not isinstance(streamed.body, bytes)
    sent = b"".join(streamed.body)
    recorded = fake.calls.last
    assert sum(len(c) for c in recorded.chunks) <= 600 < len(sent)
    assert recorded.events_dropped > 0


@pytest.mark.parametrize("value", [-1, 1.5, True, "10"])
def test_journal_limits_are_whole_numbers(value: Any) -> None:
    with pytest.raises(ValueError, match="whole number"):
        FakeAssistants().calls.byte_limit = value


# -- 2. size limits, enforced while reading ---------------------------------------------------------------


def test_a_file_over_the_limit_is_refused_before_it_is_copied(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(multipart, "MAX_FILE_BYTES", 1000)
    fake = FakeAssistants()
    body, content_type = upload_body(1001)

    response = call(fake.handle, "POST", "/v1/files", body, headers={"content-type": content_type})

    assert response.status == 413
    assert answer(response)["error"] == {
        "message": "File is too large: 1001 bytes. Files can be at most 0.000953674 MB.",
        "type": "invalid_request_error", "param": "file", "code": "file_too_large"}
    assert len(fake.store.files) == 0
    assert call(fake.handle, "POST", "/v1/files", upload_body(1000)[0],
                headers={"content-type": content_type}).status == 200


def test_the_real_upload_limit_is_512_mb() -> None:
    assert multipart.MAX_FILE_BYTES == 512 * 1024 * 1024
    assert BodyLimits().upload_bytes == multipart.MAX_FILE_BYTES + multipart.MAX_FORM_OVERHEAD_BYTES


def test_a_json_body_over_its_cap_is_a_413() -> None:
    fake = FakeAssistants()
    with pytest.raises(ApiError) as refused:
        from fake_assistants.api.validation import decode_json_object

        decode_json_object(b"{}" + b" " * 100, max_bytes=100)
    assert refused.value.status == 413
    assert call(fake.handle, "POST", "/v1/assistants", b" " * (32 * 1024 * 1024 + 1)).status == 413


async def test_a_declared_length_over_the_limit_is_refused_before_any_byte_is_read() -> None:
    fake = FakeAssistants()
    app = AsgiApp(ServedFake(fake, allowed_hosts=()), limits=BodyLimits(upload_bytes=10_000))
    body, content_type = upload_body(600_000)
    receiver = Receiver(body, 4096)

    await app(scope("POST", "/v1/files", [(b"content-type", content_type.encode()),
                                          (b"content-length", str(len(body)).encode())]),
              receiver.receive, receiver.send)

    assert (receiver.status, receiver.pulled) == (413, 0)
    assert receiver.answer["error"]["code"] == "request_too_large"
    assert len(fake.store.files) == 0


async def test_a_streamed_body_over_the_limit_is_refused_after_reading_about_the_limit() -> None:
    fake = FakeAssistants()
    app = AsgiApp(ServedFake(fake), limits=BodyLimits(upload_bytes=10_000, json_bytes=5_000))
    body, content_type = upload_body(600_000)
    receiver = Receiver(body, 4096)

    await app(scope("POST", "/v1/files", [(b"content-type", content_type.encode())]), receiver.receive,
              receiver.send)

    assert receiver.status == 413
    assert 10_000 < receiver.pulled <= 10_000 + 4096
    json_receiver = Receiver(json.dumps({"model": "gpt-4o", "zzz": "z" * 100_000}).encode(), 4096)
    await app(scope("POST", "/v1/assistants", [(b"content-type", b"application/json")]), json_receiver.receive,
              json_receiver.send)
    assert json_receiver.status == 413 and json_receiver.pulled <= 5_000 + 4096
    assert len(fake.calls) == 0  # refused before the fake saw them


# -- 3. a stream whose thread (or state) disappears -------------------------------------------------------


def started_stream(fake: FakeAssistants) -> tuple[str, Iterator[bytes], list[bytes]]:
    assistant = answer(call(fake.handle, "POST", "/v1/assistants", {"model": "gpt-4o"}))
    fake.script.reply("one two three four five six seven eight nine ten")
    streamed = call(fake.handle, "POST", "/v1/threads/runs",
                    {"assistant_id": assistant["id"], "stream": True,
                     "thread": {"messages": [{"role": "user", "content": "hi"}]}})
    assert not isinstance(streamed.body, bytes)
    chunks = iter(streamed.body)
    read = [next(chunks) for _ in range(12)]
    assert any(b"thread.message.delta" in c for c in read)
    thread_id = json.loads(read[0].split(b"data: ", 1)[1])["id"]
    return thread_id, chunks, read


def rest_of(chunks: Iterator[bytes]) -> list[tuple[str, Any]]:
    return [(c.split(b"\n")[0][len(b"event: "):].decode(), json.loads(c.split(b"data: ", 1)[1])) for c in chunks]


def test_deleting_the_thread_ends_its_stream_with_the_threads_404() -> None:
    fake = FakeAssistants(stream_chunk_chars=4)
    thread_id, chunks, _ = started_stream(fake)

    assert call(fake.handle, "DELETE", f"/v1/threads/{thread_id}").status == 200
    rest = rest_of(chunks)

    assert rest == [("error", {"error": {"message": f"No thread found with id '{thread_id}'.",
                                         "type": "invalid_request_error", "param": None, "code": None}})]


@pytest.mark.parametrize("how", ["reset", "put_state"])
def test_a_reset_or_a_new_state_ends_every_open_stream(how: str) -> None:
    fake = FakeAssistants(stream_chunk_chars=4)
    served = ServedFake(fake)
    thread_id, chunks, _ = started_stream(fake)

    if how == "reset":
        assert call(served, "POST", "/__fake__/reset").status == 200
    else:
        assert call(served, "PUT", "/__fake__/state", {"threads": [{"id": thread_id}]}).status == 200
    rest = rest_of(chunks)

    assert [name for name, _ in rest] == ["error"]
    assert rest[0][1]["error"]["message"].startswith(("No thread found", "No run found"))


# -- 4. hostile state documents: validated, atomic ---------------------------------------------------------

HOSTILE = [
    ('{"assistants":[{"id":"asst_1","model":"gpt-4o"}],"ids":"garbage"}', "ids: not the id state"),
    ({"assistants": [{"id": "asst_2", "model": 5, "tools": "abc"}]}, "assistants[0]: model:"),
    ({"assistants": [{"id": "a", "model": "m"}, {"id": "a", "model": "m"}]}, "assistants[1]: duplicate id 'a'"),
    ('{"assistants":[{"id":"a","model":"m","temperature":NaN}]}', "not JSON"),
    ({"assistants": [{"id": "a", "model": "m", "temperature": float("inf")}]}, "not JSON"),
    ("[" * 3000 + "]" * 3000, "not JSON"),
    ({"ids": {"objects": [1, 2], "requests": []}}, "ids: not the id state"),
    ({"threads": [{"id": "t"}], "assistants": [{"id": "a", "model": "m"}],
      "runs": [{"id": "r", "thread_id": "t", "assistant_id": "a", "extra": "x"}]}, "runs[0].extra"),
    ({"threads": [{"id": "t", "metadata": {"k": 1}}]}, "threads[0]: metadata.k:"),
    ({"messages": [{"id": "m", "thread_id": "nowhere", "role": "user"}]}, "messages[0]"),
]


def seeded() -> FakeAssistants:
    fake = FakeAssistants(seed=3)
    assistant = answer(call(fake.handle, "POST", "/v1/assistants", {"model": "gpt-4o"}))
    call(fake.handle, "POST", "/v1/threads/runs", {"assistant_id": assistant["id"]})
    return fake


@pytest.mark.parametrize(("document", "reason"), HOSTILE)
def test_a_hostile_document_is_a_state_error_and_changes_nothing_in_process(document: Any, reason: str) -> None:
    fake = FakeAssistants()
    before = fake.dump()
    with pytest.raises(StateError, match=reason.replace("[", r"\[").replace("]", r"\]")):
        fake.load_state(document)
    assert fake.dump() == before
    with pytest.raises(StateError):
        FakeAssistants.load(document)


@pytest.mark.parametrize(("document", "reason"), HOSTILE)
def test_a_hostile_document_is_a_400_and_changes_nothing_over_http(document: Any, reason: str) -> None:
    fake = seeded()
    before = fake.dump()
    raw = document.encode() if isinstance(document, str) else json.dumps(document).encode()

    response = call(ServedFake(fake), "PUT", "/__fake__/state", raw)

    assert response.status == 400
    error = answer(response)["error"]
    assert error["type"] == "invalid_request_error"
    assert fake.dump() == before


# -- 5. the control API's query parameters -----------------------------------------------------------------


@pytest.mark.parametrize(("query", "param"), [("status=" + "9" * 4301, "status"), ("status=abc", "status"),
                                              ("status=99", "status"), ("status=%D9%A3", "status"),
                                              ("nope=1", "nope"), ("route=a&route=b", "route")])
def test_control_query_parameters_get_clear_400s(query: str, param: str) -> None:
    response = call(ServedFake(FakeAssistants()), "GET", "/__fake__/calls", query=query)
    assert response.status == 400
    assert answer(response)["error"]["param"] == param


# -- 6. image_url.url ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["", "abc", "javascript:alert(1)", "file:///etc/passwd", "http://",
                                 "data:image/png;base64,iVBORw0KGgo=", "https://exa mple.com/a.png"])
def test_an_image_url_must_be_an_http_url(url: str) -> None:
    fake = FakeAssistants()
    thread = answer(call(fake.handle, "POST", "/v1/threads", {}))
    content = [{"type": "text", "text": "look"}, {"type": "image_url", "image_url": {"url": url}}]

    response = call(fake.handle, "POST", f"/v1/threads/{thread['id']}/messages", {"role": "user", "content": content})
    created = call(fake.handle, "POST", "/v1/threads", {"messages": [{"role": "user", "content": content}]})

    assert response.status == created.status == 400
    assert answer(response)["error"] == {
        "message": "Invalid 'content[1].image_url.url'. Expected a valid URL, but got a value with an invalid format.",
        "type": "invalid_request_error", "param": "content[1].image_url.url", "code": "invalid_value"}
    assert answer(created)["error"]["param"] == "messages[0].content[1].image_url.url"
    assert len(fake.store.threads) == 1


def test_an_https_image_url_is_stored() -> None:
    fake = FakeAssistants()
    thread = answer(call(fake.handle, "POST", "/v1/threads", {}))
    part = {"type": "image_url", "image_url": {"url": "https://example.com/cat.png?size=2", "detail": "low"}}
    response = call(fake.handle, "POST", f"/v1/threads/{thread['id']}/messages", {"role": "user", "content": [part]})
    assert answer(response)["content"] == [part]


# -- 7. the host guard --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("headers", "status"), [
    ({"host": "127.0.0.1:4010"}, 200), ({"host": "localhost:4010"}, 200), ({"host": "[::1]:4010"}, 200),
    ({"host": "app.localhost"}, 200), ({}, 200),
    ({"host": "127.0.0.1:4010", "origin": "http://localhost:3000"}, 200),
    ({"host": "evil.example:4010"}, 403), ({"host": "127.0.0.1.evil.example"}, 403),
    ({"host": "127.0.0.1:4010", "origin": "https://evil.example"}, 403),
    ({"host": "127.0.0.1:4010", "origin": "null"}, 403),
])
def test_on_loopback_only_loopback_hosts_and_origins_are_answered(headers: dict[str, str], status: int) -> None:
    served = ServedFake(FakeAssistants(), allowed_hosts=())
    for path in ("/v1/assistants", "/__fake__/state"):
        response = call(served, "GET", path, headers=headers)
        assert response.status == status
        if status == 403:
            error = answer(response)["error"]
            assert error["code"] == "host_not_allowed" and error["type"] == "invalid_request_error"
            assert response.header("x-request-id") is not None


def test_a_cross_site_text_plain_post_cannot_reset_the_fake() -> None:
    fake = seeded()
    served = ServedFake(fake, allowed_hosts=())
    response = call(served, "POST", "/__fake__/reset", b"{}",
                    headers={"host": "127.0.0.1:4010", "origin": "https://evil.example", "content-type": "text/plain"})
    assert response.status == 403
    assert len(fake.store.assistants) == 1


def test_allowed_hosts_pass_and_no_guard_off_loopback() -> None:
    allowed = ServedFake(FakeAssistants(), allowed_hosts=("fake.test",))
    assert call(allowed, "GET", "/v1/assistants", headers={"host": "FAKE.test:80"}).status == 200
    open_server = ServedFake(FakeAssistants(), allowed_hosts=None)
    assert call(open_server, "GET", "/v1/assistants", headers={"host": "evil.example"}).status == 200


async def test_a_refused_host_is_answered_before_its_body_is_read() -> None:
    app = AsgiApp(ServedFake(FakeAssistants(), allowed_hosts=()))
    receiver = Receiver(b'{"model": "gpt-4o"}', 4)
    request_scope = scope("POST", "/v1/assistants", [(b"origin", b"https://evil.example")])
    await app(request_scope, receiver.receive, receiver.send)
    assert (receiver.status, receiver.pulled) == (403, 0)


# -- 8. Azure's api-key header -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/openai/assistants", "/v1/assistants"])
def test_the_api_key_may_come_in_azures_api_key_header(path: str) -> None:
    served = ServedFake(FakeAssistants(), api_key="sk-azure-key-123456")
    ok = call(served, "GET", path, headers={"api-key": "sk-azure-key-123456"}, query="api-version=2024-05-01-preview")
    wrong = call(served, "GET", path, headers={"api-key": "sk-wrong-key-1234567"})
    assert ok.status == 200
    assert wrong.status == 401 and answer(wrong)["error"]["code"] == "invalid_api_key"
    assert call(served, "GET", path).status == 401


# -- 9. cancellation settles on the next request on the thread ----------------------------------------------


def test_cancel_then_create_without_reading_is_not_refused() -> None:
    fake = FakeAssistants()
    assistant = answer(call(fake.handle, "POST", "/v1/assistants", {"model": "gpt-4o"}))
    thread = answer(call(fake.handle, "POST", "/v1/threads", {"messages": [{"role": "user", "content": "hi"}]}))
    runs = f"/v1/threads/{thread['id']}/runs"
    run = answer(call(fake.handle, "POST", runs, {"assistant_id": assistant["id"]}))

    cancelled = answer(call(fake.handle, "POST", f"{runs}/{run['id']}/cancel"))
    retried = call(fake.handle, "POST", runs, {"assistant_id": assistant["id"]})

    assert cancelled["status"] == "cancelling"
    assert retried.status == 200 and answer(retried)["status"] == "queued"
    assert answer(call(fake.handle, "GET", f"{runs}/{run['id']}"))["status"] == "cancelled"


def test_under_manual_progression_a_cancelling_run_waits() -> None:
    fake = FakeAssistants(progression="manual")
    assistant = answer(call(fake.handle, "POST", "/v1/assistants", {"model": "gpt-4o"}))
    thread = answer(call(fake.handle, "POST", "/v1/threads", {"messages": [{"role": "user", "content": "hi"}]}))
    runs = f"/v1/threads/{thread['id']}/runs"
    run = answer(call(fake.handle, "POST", runs, {"assistant_id": assistant["id"]}))
    call(fake.handle, "POST", f"{runs}/{run['id']}/cancel")
    assert call(fake.handle, "POST", runs, {"assistant_id": assistant["id"]}).status == 400
