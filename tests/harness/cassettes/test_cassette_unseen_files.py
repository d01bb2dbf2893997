"""A recorded file_search whose results name a file the recording never shows being made or read (it was in a vector
store before the recording began) replays as recorded: the fake never has that File, and the recorded turn is not
a script's mistake (a script's results must name Files of the fake)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from fake_assistants import CassetteError, FakeAssistants

vcr = pytest.importorskip("vcr")

INCLUDE = ["step_details.tool_calls[*].file_search.results[*].content"]


def recording_client(recorder: FakeAssistants) -> openai.OpenAI:
    """A client whose requests vcrpy sees (it patches httpx's MockTransport, not the fake's own transport)."""
    inner = recorder.httpx_transport()

    def handle(request: httpx.Request) -> httpx.Response:
        answer = inner.handle_request(request)
        answer.read()
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)

    return openai.OpenAI(api_key="sk-test", base_url="https://api.openai.com/v1", max_retries=0,
                         http_client=httpx.Client(transport=httpx.MockTransport(handle)))


def flow(client: openai.OpenAI, store_id: str) -> tuple[str, list[str | None]]:
    client.vector_stores.retrieve(store_id)
    assistant = client.beta.assistants.create(model="gpt-4o", tools=[{"type": "file_search"}],
                                              tool_resources={"file_search": {"vector_store_ids": [store_id]}})
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "How much do walruses weigh?"}])
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    steps = client.beta.threads.runs.steps.list(run.id, thread_id=thread.id, include=INCLUDE)  # type: ignore[list-item]
    found: list[Any] = [call.file_search.results[0].file_id for step in steps.data
                        if step.step_details.type == "tool_calls" for call in step.step_details.tool_calls
                        if call.type == "file_search" and call.file_search.results]
    return run.status, found


def test_a_recorded_search_of_a_file_made_before_the_recording_replays(tmp_path: Path) -> None:
    recorder = FakeAssistants(seed="recording")
    before = recording_client(recorder)
    walrus = before.files.create(file=("walrus.txt", b"Walruses weigh about a ton."), purpose="assistants")
    store = before.vector_stores.create(name="Notes", file_ids=[walrus.id])  # before the cassette: never recorded
    recorder.script.reply("About a ton【4:0†walrus.txt】.")
    cassette = tmp_path / "walrus.yaml"
    with vcr.VCR(serializer="yaml", record_mode="all").use_cassette(str(cassette)):
        recorded = flow(recording_client(recorder), store.id)

    fake = FakeAssistants.from_cassette(cassette, ids="recorded")
    replayed = flow(fake.openai_client(max_retries=0), store.id)

    assert recorded == ("completed", [walrus.id])
    assert replayed == recorded
    assert walrus.id not in fake.store.files
    assert fake.script.mistakes == []


def test_a_folder_given_as_a_cassette_is_said_to_be_one(tmp_path: Path) -> None:
    with pytest.raises(CassetteError, match=r": a folder, not a cassette file \(name a \.yaml or \.json file in it\)"):
        FakeAssistants.from_cassette(tmp_path)


def test_a_raw_event_stream_is_said_not_to_be_a_cassette_with_the_formats_read(tmp_path: Path) -> None:
    stream = tmp_path / "run-stream.sse"
    stream.write_text('event: thread.run.created\ndata: {"id": "run_1"}\n\n', encoding="utf-8")
    with pytest.raises(CassetteError, match=r"not valid JSON at line 1, column 1: Expecting value \(a raw event "
                                            r"stream is not a cassette: the fake reads VCR\.py cassettes"):
        FakeAssistants.from_cassette(stream)
    other = tmp_path / "other.json"
    other.write_text('{"requests": []}', encoding="utf-8")
    with pytest.raises(CassetteError, match=r"not a cassette \(no interactions, http_interactions or Entries\): "
                                            r"the fake reads VCR\.py cassettes \(YAML or JSON\), Ruby VCR's JSON"):
        FakeAssistants.from_cassette(other)
