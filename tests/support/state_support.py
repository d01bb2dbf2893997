"""Helpers for the state tests (`test_state_*.py`): a fake holding one of every kind of object, and every GET.

`build_world` drives the real SDK (sync, strict validation) through every kind of object and run history
the fake can hold: tools, tool_resources, attachments, files of several purposes, vector stores with
files and batches, runs that completed (with file_search citations and code_interpreter images), failed,
ended incomplete, were cancelled, wait for tool outputs, and one queued run with work not yet started.
`every_get` answers, byte for byte, every GET of every object and every list.
"""

from __future__ import annotations

from typing import Any

from fake_assistants import ApiRequest, FakeAssistants
from sdk_matrix import new_fake

SEARCH_CONTENT = "step_details.tool_calls[*].file_search.results[*].content"
PLANETS = b"Mercury is the smallest planet. Jupiter is the largest planet in the solar system.\n"
WEATHER = {"type": "function", "function": {"name": "get_weather",
                                            "parameters": {"type": "object", "properties": {}}}}
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))


def world_fake(**options: Any) -> FakeAssistants:
    """The fake the state tests use: schema shape, the matrix's manual clock, manual progression (so a
    queued run stays queued through any number of reads)."""
    options.setdefault("progression", "manual")
    return new_fake(**options)


def _settled(fake: FakeAssistants, client: Any, thread_id: str, run_id: str) -> Any:
    while fake.advance(run_id) in ("queued", "in_progress", "cancelling"):
        pass
    return client.beta.threads.runs.retrieve(run_id, thread_id=thread_id)


def build_world(fake: FakeAssistants) -> dict[str, Any]:
    """Fill `fake` (built by `world_fake`) through the SDK; returns the ids a test may want."""
    client = fake.openai_client(_strict_response_validation=True, max_retries=0)
    notes = client.files.create(file=("planets.txt", PLANETS), purpose="assistants")
    data = client.files.create(file=("data.jsonl", b'{"a": 1}\n'), purpose="batch")
    expiring = client.files.create(file=("later.txt", b"bye"), purpose="user_data",
                                   expires_after={"anchor": "created_at", "seconds": 3600})
    store = client.vector_stores.create(name="Planets", file_ids=[notes.id], metadata={"topic": "space"},
                                        expires_after={"anchor": "last_active_at", "days": 7})
    client.vector_stores.files.update(notes.id, vector_store_id=store.id, attributes={"lang": "en", "year": 2024})
    other = client.vector_stores.create(name="Batch")
    client.vector_stores.file_batches.create(other.id, file_ids=[notes.id, expiring.id])
    assistant = client.beta.assistants.create(
        model="gpt-4o", name="Tutor", instructions="Be brief.", metadata={"v": "1"}, temperature=0.5,
        tools=[{"type": "code_interpreter"}, {"type": "file_search"}, WEATHER],
        tool_resources={"file_search": {"vector_store_ids": [store.id]},
                        "code_interpreter": {"file_ids": [data.id]}},
        response_format={"type": "json_object"},
    )
    gone = client.beta.assistants.create(model="gpt-4o-mini")
    client.beta.assistants.delete(gone.id)

    thread = client.beta.threads.create(
        metadata={"user": "jane"},
        messages=[{"role": "user", "content": "Which planet is the largest?",
                   "attachments": [{"file_id": notes.id, "tools": [{"type": "file_search"}]}]}],
    )
    fake.script.file_search().reply("Jupiter is the largest planet.")
    searched = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    _settled(fake, client, thread.id, searched.id)
    fake.script.code_interpreter("plot()", logs="ok", images=[PNG]).reply("Here is the plot.")
    plotted = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id,
                                              additional_messages=[{"role": "user", "content": "Plot it."}])
    _settled(fake, client, thread.id, plotted.id)
    fake.script.fail("rate_limit_exceeded")
    failed = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    _settled(fake, client, thread.id, failed.id)
    fake.script.incomplete("max_completion_tokens", "A very long answer that gets cut off part of the way.")
    cut = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, max_completion_tokens=3)
    _settled(fake, client, thread.id, cut.id)
    cancelled = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    client.beta.threads.runs.cancel(cancelled.id, thread_id=thread.id)
    _settled(fake, client, thread.id, cancelled.id)
    note = client.beta.threads.messages.create(thread.id, role="user", content="thanks", metadata={"k": "v"})
    dropped = client.beta.threads.messages.create(thread.id, role="user", content="oops")
    client.beta.threads.messages.delete(dropped.id, thread_id=thread.id)
    fake.script.file_search("largest planet").call_functions([("get_weather", {"city": "Paris"}),
                                                             ("get_weather", {"city": "Rome"})])
    waiting = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id,
                                              include=[SEARCH_CONTENT])
    waiting = _settled(fake, client, thread.id, waiting.id)
    assert waiting.status == "requires_action"

    second = client.beta.threads.create(messages=[{"role": "user", "content": "Hello"}])
    queued = client.beta.threads.runs.create(thread_id=second.id, assistant_id=assistant.id)
    assert queued.status == "queued"
    client.close()
    return {"assistant": assistant.id, "thread": thread.id, "waiting": waiting.id, "second": second.id,
            "queued": queued.id, "note": note.id, "call_ids": [c.id for c in
                                                              waiting.required_action.submit_tool_outputs.tool_calls]}


def get_paths(fake: FakeAssistants) -> list[str]:
    """A GET for every object of `fake` and every list, in the fake's own order."""
    s = fake.store
    paths = ["/v1/assistants?order=asc&limit=100", "/v1/files", "/v1/vector_stores?order=asc&limit=100"]
    paths += [f"/v1/assistants/{a.id}" for a in s.assistants.values()]
    for thread in s.threads.values():
        t = f"/v1/threads/{thread.id}"
        paths += [t, f"{t}/messages?order=asc&limit=100", f"{t}/runs?order=asc&limit=100"]
        paths += [f"{t}/messages/{m.id}" for m in s.messages[thread.id].values()]
        for run in s.runs[thread.id].values():
            r = f"{t}/runs/{run.id}"
            paths += [r, f"{r}/steps?order=asc&limit=100", f"{r}/steps?order=asc&include[]={SEARCH_CONTENT}"]
            paths += [f"{r}/steps/{step.id}" for step in s.steps[run.id].values()]
    for stored in s.files.values():
        paths += [f"/v1/files/{stored.id}", f"/v1/files/{stored.id}/content"]
    for store in s.vector_stores.values():
        v = f"/v1/vector_stores/{store.id}"
        paths += [v, f"{v}/files?order=asc&limit=100"]
        for vs_file in s.vs_files[store.id].values():
            paths += [f"{v}/files/{vs_file.id}", f"{v}/files/{vs_file.id}/content"]
    for batch in s.batches.values():
        b = f"/v1/vector_stores/{batch.vector_store_id}/file_batches/{batch.id}"
        paths += [b, f"{b}/files?order=asc&limit=100"]
    return paths


def every_get(fake: FakeAssistants, paths: list[str]) -> dict[str, tuple[int, bytes]]:
    """Status and body of each GET in `paths`, as `fake` answers them now."""
    answers: dict[str, tuple[int, bytes]] = {}
    for path in paths:
        route, _, query = path.partition("?")
        response = fake.handle(ApiRequest.build("GET", route, query=query, headers={"OpenAI-Beta": "assistants=v2"}))
        assert isinstance(response.body, bytes)
        answers[path] = (response.status, response.body)
    return answers
