"""`ids="recorded"` and the objects a recording never shows on their own: the question a create-and-run made (its
id never answered) and the vector stores the `vector_stores` helper made (shown only among an assistant's or a
thread's `vector_store_ids`). openai-dotnet's recordings, replayed as its tests ran them, through the real SDK.
Skipped without `../shared`."""

from __future__ import annotations

from pathlib import Path

import pytest

from fake_assistants import FakeAssistants
from recordings import recordings_dir, shared_dir

ROOT = recordings_dir()
pytestmark = pytest.mark.skipif(ROOT is None, reason=f"the shared recordings are absent ({shared_dir()})")
WEAR = "What should I wear outside right now?"
FOODS = b"This file describes the favorite foods of several people.\n\nSummanus Ferdinand: tacos\n" \
        b"Tekakwitha Effie: pizza\nFilip Carola: cake"


def recording(name: str) -> Path:
    assert ROOT is not None
    return Path(ROOT) / "openai-dotnet" / name


@pytest.mark.parametrize("prefix", ["https://api.openai.com/v1/", "https://contoso.openai.azure.com/openai/"])
def test_a_create_and_runs_question_leaves_the_recorded_answer_its_id(tmp_path: Path, prefix: str) -> None:
    """StreamingToolCall never shows its question's id: the recorded assistant message's id went to the question,
    the first message the fake made. The same recorded under Azure's paths."""
    text = recording("cs-proxy__AssistantsTests__StreamingToolCall.json").read_text(encoding="utf-8")
    cassette = tmp_path / "streaming_tool_call.json"
    cassette.write_text(text.replace("https://api.openai.com/v1/", prefix), encoding="utf-8")
    fake = FakeAssistants.from_cassette(cassette, ids="recorded")
    client = fake.openai_client(base_url=prefix.rstrip("/"))
    tool = {"type": "function", "function": {"name": "get_current_weather",
                                             "description": "Gets the user's current weather"}}
    assistant = client.beta.assistants.create(model="gpt-4o", tools=[tool])
    run = None
    with client.beta.threads.create_and_run(assistant_id=assistant.id, stream=True,
                                            thread={"messages": [{"role": "user", "content": WEAR}]}) as stream:
        for event in stream:
            if event.event == "thread.run.requires_action":
                run = event.data
    assert run is not None and run.required_action is not None
    call = run.required_action.submit_tool_outputs.tool_calls[0]
    with client.beta.threads.runs.submit_tool_outputs(run.id, thread_id=run.thread_id, stream=True, tool_outputs=[
            {"tool_call_id": call.id, "output": "warm and sunny"}]) as stream:
        for _ in stream:
            pass

    messages = client.beta.threads.messages.list(run.thread_id).data
    assert [(m.role, m.id == "msg_kSkj4ryQchn1MSwL3I2N0uWV") for m in messages] == [("assistant", True),
                                                                                    ("user", False)]
    assert fake.cassette_report().never_replayed == ()
    client.close()


def test_the_vector_stores_helper_makes_the_recorded_stores() -> None:
    """FileSearchWorks made its stores with the `vector_stores` helper: their recorded ids show only in the
    assistant's and the thread's `tool_resources`, and went unused ("not seeded")."""
    fake = FakeAssistants.from_cassette(recording("cs-proxy__AssistantsTests__FileSearchWorks.json"), ids="recorded")
    client = fake.openai_client()
    file = client.files.create(file=("favorite_foods.txt", FOODS), purpose="assistants")
    helper = {"file_search": {"vector_stores": [{"file_ids": [file.id]}]}}
    assistant = client.beta.assistants.create(model="gpt-4o", tools=[{"type": "file_search"}],
                                              tool_resources=helper)
    thread = client.beta.threads.create(tool_resources=helper,
                                        messages=[{"role": "user", "content": "What's Filip's favorite food?"}])

    assert assistant.tool_resources is not None and assistant.tool_resources.file_search is not None
    assert thread.tool_resources is not None and thread.tool_resources.file_search is not None
    assert (assistant.tool_resources.file_search.vector_store_ids,
            thread.tool_resources.file_search.vector_store_ids) == (["vs_6903e02342e08191bd5cee0d90722014"],
                                                                    ["vs_6903e024f500819193013113ef2edc7e"])
    assert not any("vector_store the recording uses but never shows" in why
                   for _, why in fake.cassette_report().not_imported)
    client.close()
