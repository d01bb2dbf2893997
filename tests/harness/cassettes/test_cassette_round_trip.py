"""Issue 19: a cassette recorded from the fake itself (VCR.py's YAML format: gzip bodies as `!!binary`, streams as
text) comes back to life through `FakeAssistants.from_cassette`: the same app code gets the same statuses, texts,
tool calls and, with `ids="recorded"`, the same ids; the same code with one more poll and one more message (what
breaks a VCR replay) still passes; `cassette_report()` accounts for it."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
import yaml

from fake_assistants import FakeAssistants
from fake_assistants.cassettes.reader import read_cassette
from fake_assistants.runs.script import CodeInterpreter, FunctionCalls, Reply

BASE_URL = "https://api.openai.com/v1"
WEATHER = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
TIME = {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object"}}}


def recording_client(fake: FakeAssistants, cassette: list[dict[str, Any]]) -> openai.OpenAI:
    """An SDK client whose every exchange with `fake` is kept as a VCR.py interaction (JSON answers gzip-encoded,
    as the service sent them; streams as text)."""
    inner = fake.httpx_transport()

    def handle(request: httpx.Request) -> httpx.Response:
        response = inner.handle_request(request)
        content = response.read()
        is_stream = "text/event-stream" in response.headers.get("content-type", "")
        headers = {k: [v] for k, v in response.headers.items()}
        body: Any = content.decode() if is_stream else gzip.compress(content)
        if not is_stream:
            headers["Content-Encoding"] = ["gzip"]
        cassette.append({
            "request": {"method": request.method, "uri": str(request.url),
                        "headers": {k: [v] for k, v in request.headers.items() if k.lower() == "openai-beta"},
                        "body": request.content.decode() or None},
            "response": {"status": {"code": response.status_code, "message": "OK"}, "headers": headers,
                         "body": {"string": body}},
        })
        return httpx.Response(response.status_code, headers=response.headers, content=content)

    return openai.OpenAI(api_key="sk-test", base_url=BASE_URL, max_retries=0,
                         http_client=httpx.Client(transport=httpx.MockTransport(handle), base_url=BASE_URL))


def app_flow(client: openai.OpenAI, *, extra: bool = False) -> dict[str, Any]:
    """The app under test: a function-calling run (parallel calls), then a code_interpreter run, then a streamed
    run. `extra`: one more poll and one more message, as a changed app would send."""
    assistant = client.beta.assistants.create(model="gpt-4o", tools=[WEATHER, TIME, {"type": "code_interpreter"}])
    thread = client.beta.threads.create()
    client.beta.threads.messages.create(thread.id, role="user", content="Weather and time in Paris?")
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    out: dict[str, Any] = {"ids": [assistant.id, thread.id, run.id], "statuses": [run.status]}
    calls = run.required_action.submit_tool_outputs.tool_calls if run.required_action else []
    out["calls"] = [(c.function.name, c.function.arguments) for c in calls]
    if extra:
        out["statuses"].append(client.beta.threads.runs.retrieve(run.id, thread_id=thread.id).status)
    run = client.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run.id, thread_id=thread.id, tool_outputs=[{"tool_call_id": c.id, "output": "ok"} for c in calls])
    out["statuses"].append(run.status)
    if extra:
        client.beta.threads.messages.create(thread.id, role="user", content="One more thing.")
    client.beta.threads.messages.create(thread.id, role="user", content="Now compute it.")
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    out["statuses"].append(run.status)
    steps = client.beta.threads.runs.steps.list(run.id, thread_id=thread.id, order="asc")
    out["code"] = [c.code_interpreter.input for s in steps.data if s.step_details.type == "tool_calls"
                   for c in s.step_details.tool_calls]  # type: ignore[union-attr]
    with client.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id) as stream:
        streamed = stream.get_final_run()
    out["statuses"].append(streamed.status)
    messages = client.beta.threads.messages.list(thread.id, order="asc")
    out["texts"] = [p.text.value for m in messages.data if m.role == "assistant"
                    for p in m.content if p.type == "text"]
    out["ids"] += [m.id for m in messages.data if m.role == "assistant"]
    return out


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    fake = FakeAssistants(seed="recording")
    fake.script.call_functions([("get_weather", {"city": "Paris"}), ("get_time", {"tz": "CET"})])
    fake.script.reply("Sunny in Paris, 14:05 (walrus-7).")
    fake.script.code_interpreter("print(6 * 7)", "42").reply("The answer is 42 (heron-3).")
    fake.script.reply("Streamed goodbye (lynx-9).")
    interactions: list[dict[str, Any]] = []
    seen = app_flow(recording_client(fake, interactions))
    path = tmp_path_factory.mktemp("cassettes") / "app_flow.yaml"
    path.write_text(yaml.safe_dump({"interactions": interactions, "version": 1}), encoding="utf-8")
    return path, seen


def test_the_reader_decodes_gzip_binary_bodies_and_streams(recorded: tuple[Path, dict[str, Any]]) -> None:
    path, _ = recorded
    assert "!!binary" in path.read_text(encoding="utf-8")
    recording = read_cassette(path)
    assert recording.format == "vcrpy"
    first = recording.interactions[0]
    assert (first.method, first.path, first.status) == ("POST", "/v1/assistants", 200)
    assert first.request_body["model"] == "gpt-4o"
    assert first.response_json is not None and first.response_json["object"] == "assistant"
    streamed = [i for i in recording.interactions if i.events]
    assert [e.event for e in streamed[0].events][:2] == ["thread.run.created", "thread.run.queued"]
    assert streamed[0].response_body is None and streamed[0].stream is not None


def test_the_json_form_of_a_vcrpy_cassette_reads_the_same(recorded: tuple[Path, dict[str, Any]],
                                                         tmp_path: Path) -> None:
    path, _ = recorded
    as_json = tmp_path / "app_flow.json"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    for interaction in document["interactions"]:  # vcrpy's JSON serializer keeps bodies as text
        body = interaction["response"]["body"]
        if isinstance(body["string"], bytes):
            body["string"] = gzip.decompress(body["string"]).decode()
    as_json.write_text(json.dumps(document), encoding="utf-8")
    assert read_cassette(as_json).interactions == read_cassette(path).interactions


def test_each_recorded_run_becomes_its_turns(recorded: tuple[Path, dict[str, Any]]) -> None:
    path, _ = recorded
    fake = FakeAssistants.from_cassette(path)
    assert [t.action for t in fake.script.turns] == [
        FunctionCalls((("get_weather", '{"city": "Paris"}'), ("get_time", '{"tz": "CET"}'))),
        Reply("Sunny in Paris, 14:05 (walrus-7)."),
        CodeInterpreter("print(6 * 7)", "42"),
        Reply("The answer is 42 (heron-3)."),
        Reply("Streamed goodbye (lynx-9)."),
    ]


def test_replay_gives_the_same_statuses_texts_and_tool_calls(recorded: tuple[Path, dict[str, Any]]) -> None:
    path, seen = recorded
    fake = FakeAssistants.from_cassette(path)
    replayed = app_flow(fake.openai_client(http="httpx"))
    assert {k: v for k, v in replayed.items() if k != "ids"} == {k: v for k, v in seen.items() if k != "ids"}
    assert replayed["ids"] != seen["ids"]  # the fake's own seeded ids by default
    assert fake.cassette_report().never_replayed == ()


def test_recorded_ids_are_handed_out_in_recorded_order(recorded: tuple[Path, dict[str, Any]]) -> None:
    path, seen = recorded
    fake = FakeAssistants.from_cassette(path, ids="recorded")
    replayed = app_flow(fake.openai_client(http="httpx"))
    assert replayed == seen


def test_one_more_poll_and_one_more_message_still_pass(recorded: tuple[Path, dict[str, Any]]) -> None:
    path, seen = recorded
    fake = FakeAssistants.from_cassette(path, ids="recorded")
    changed = app_flow(fake.openai_client(http="httpx"), extra=True)
    assert changed["statuses"] == ["requires_action", "requires_action", "completed", "completed", "completed"]
    assert (changed["texts"], changed["calls"], changed["code"]) == (seen["texts"], seen["calls"], seen["code"])
    assert changed["ids"][:3] == seen["ids"][:3]


def test_the_report_lists_imports_and_runs_never_replayed(recorded: tuple[Path, dict[str, Any]]) -> None:
    path, _ = recorded
    fake = FakeAssistants.from_cassette(path)
    report = fake.cassette_report()
    assert len(report.never_replayed) == 3 and report.not_imported == ()
    assert sum(item.startswith("run ") for item in report.imported) == 3
    assert "recorded runs never replayed:" in str(report)


def test_an_assistant_used_but_not_created_is_seeded_from_its_snapshot(tmp_path: Path) -> None:
    recorded_assistant = {"id": "asst_abcdefghijklmnopqrstuvwx", "object": "assistant", "created_at": 1700000000,
                          "name": "Math Tutor", "description": None, "model": "gpt-4o-mini", "instructions": "Be terse",
                          "tools": [], "top_p": 1.0, "temperature": 1.0, "tool_resources": {}, "metadata": {},
                          "response_format": "auto"}
    cassette = {"interactions": [
        {"request": {"method": "GET", "uri": f"{BASE_URL}/assistants/{recorded_assistant['id']}", "body": None},
         "response": {"status": {"code": 200}, "body": {"string": json.dumps(recorded_assistant)}}},
        {"request": {"method": "POST", "uri": f"{BASE_URL}/chat/completions", "body": "{}"},
         "response": {"status": {"code": 200}, "body": {"string": "{}"}}},
    ]}
    path = tmp_path / "existing.json"
    path.write_text(json.dumps(cassette), encoding="utf-8")
    fake = FakeAssistants.from_cassette(path)
    got = fake.openai_client(http="httpx").beta.assistants.retrieve(recorded_assistant["id"])
    assert (got.name, got.instructions, got.created_at) == ("Math Tutor", "Be terse", 1700000000)
    report = fake.cassette_report()
    assert f"seeded {recorded_assistant['id']}" in report.imported
    assert [why for _, why in report.not_imported] == ["belongs to another API than Assistants"]
