"""Streaming: events per second the SDK consumes from a long text stream, from the fake and from canned bytes.

The stream is `runs.create(..., stream=True)` answering a scripted reply of WORDS words (one
`thread.message.delta` per token-like piece). The floor serves the very bytes the fake sent for the same
run from a MockTransport; the SDK parses both into the same event objects.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import canned
import flows
import openai

from fake_assistants import FakeAssistants
from fake_assistants.fake import DEFAULT_BASE_URL

WORDS = 2_000


def long_text() -> str:
    return " ".join(f"word{number}" for number in range(WORDS))


def prepared() -> tuple[FakeAssistants, str, str]:
    """A fake with an assistant, a thread and the long reply scripted for the next run."""
    fake = FakeAssistants(seed=0)
    setup = fake.openai_client(api_key=flows.API_KEY)
    try:
        assistant = setup.beta.assistants.create(model="gpt-4o")
        thread = setup.beta.threads.create(messages=[{"role": "user", "content": "Tell me a long story."}])
    finally:
        setup.close()
    fake.script.reply(long_text())
    return fake, assistant.id, thread.id


def consume(client: Any, assistant_id: str, thread_id: str) -> int:
    """Every event of one streamed run, parsed by the SDK; returns how many."""
    count = 0
    stream = client.beta.threads.runs.create(thread_id=thread_id, assistant_id=assistant_id, stream=True)
    for event in stream:
        count += 1
        last = event
    assert last.event == "thread.run.completed", last.event
    return count


def recorded_stream() -> tuple[canned.Answer, list[bytes], str, str, int]:
    """The bytes (and headers) of one such stream, the chunks the fake sent them in, the ids it was sent for,
    and its event count."""
    fake, assistant_id, thread_id = prepared()
    fake.calls.body_limit = None  # the journal keeps every chunk
    recorder = canned.Recorder(fake)
    client = fake.openai_client(api_key=flows.API_KEY)
    try:
        count = consume(client, assistant_id, thread_id)
    finally:
        client.close()
    key = canned.route_key("POST", f"/v1/threads/{thread_id}/runs")
    answer, chunks = recorder.answers[key], fake.calls["runs.create"].last.chunks
    assert b"".join(chunks) == answer[2], "the journal's chunks are not the stream the fake sent"
    return answer, chunks, assistant_id, thread_id, count


def cases() -> tuple[dict[str, Callable[[], Callable[[], object]]], int]:
    answer, chunks, floor_assistant, floor_thread, events = recorded_stream()
    module = flows.http_module()
    key = canned.route_key("POST", f"/v1/threads/{floor_thread}/runs")

    def fake_case() -> Callable[[], object]:
        fake, assistant_id, thread_id = prepared()
        client = fake.openai_client(api_key=flows.API_KEY)
        return lambda: consume(client, assistant_id, thread_id)

    def floor_case() -> Callable[[], object]:
        http_client = module.Client(transport=canned.transport(module, {key: answer}), base_url=DEFAULT_BASE_URL)
        client = openai.OpenAI(api_key=flows.API_KEY, base_url=DEFAULT_BASE_URL, http_client=http_client)
        return lambda: consume(client, floor_assistant, floor_thread)

    def chunked_case() -> Callable[[], object]:
        transport = chunks_transport(module, answer, chunks)
        http_client = module.Client(transport=transport, base_url=DEFAULT_BASE_URL)
        client = openai.OpenAI(api_key=flows.API_KEY, base_url=DEFAULT_BASE_URL, http_client=http_client)
        return lambda: consume(client, floor_assistant, floor_thread)

    return {"fake": fake_case, "floor": floor_case, "chunked": chunked_case}, events


def chunks_transport(module: Any, answer: canned.Answer, chunks: list[bytes]) -> Any:
    """A `MockTransport` answering the recorded stream in the chunks the fake sent it in (one event each, a
    scripted reply's text deltas after the first several to a chunk; the canned floor answers it in one
    chunk): the difference between the two floors is what the SDK and the HTTP library spend per chunk,
    which any stream produced as it is read pays."""
    status, headers, body = answer
    assert b"".join(chunks) == body, "the chunks are not the recorded stream"

    class EventChunks(module.SyncByteStream):  # type: ignore[misc]
        def __iter__(self) -> Any:
            return iter(chunks)

    return module.MockTransport(lambda request: module.Response(status, headers=headers, stream=EventChunks()))
