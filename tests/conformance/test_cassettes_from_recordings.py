"""Issue 19: every recording in `../shared/conformance/recordings` with Assistants runs, replayed request by request
through raw HTTP against `FakeAssistants.from_cassette(that file, ids="recorded")`: each answer has the recorded
status code and, for JSON objects, the recorded top-level key set (recursive sets and run/message/tool-call
comparisons are left to a later step; see the report of issue 19). Skipped without `../shared`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fake_assistants import ApiRequest, FakeAssistants
from fake_assistants.cassettes.reader import read_cassette
from fake_assistants.cassettes.turns import recorded_runs
from recordings import recordings_dir

ROOT = recordings_dir()
FILES = sorted(ROOT.glob("*/*.json")) if ROOT is not None else []


def _with_runs(path: Path) -> bool:
    try:
        return bool(recorded_runs([read_cassette(path)]))
    except ValueError:  # not a cassette (bare simple-openai fixtures)
        return False


WITH_RUNS = [p for p in FILES if _with_runs(p)]


def _body(value: Any) -> bytes:
    if value is None:
        return b""
    return value.encode() if isinstance(value, str) else json.dumps(value).encode()


def _differences(path: Path) -> list[str]:
    recording = read_cassette(path)
    fake = FakeAssistants.from_cassette(path, ids="recorded", shape="recorded")
    found = []
    for it in recording.interactions:
        if it.status >= 500 or it.path.endswith("/content") or (it.method == "POST" and it.path == "/v1/files"):
            continue  # a transient service error; file bytes and multipart uploads are not replayed here
        headers = {"OpenAI-Beta": it.beta or "assistants=v2", "Content-Type": "application/json"}
        answer = fake.handle(ApiRequest.build(it.method, it.path, query=it.query, headers=headers,
                                              body=_body(it.request_body)))
        where = f"#{it.index} {it.method} {it.target}"
        if answer.status != it.status:
            found.append(f"{where}: status {answer.status}, recorded {it.status}")
            continue
        recorded = it.response_json
        if recorded is not None and not it.events:
            got = json.loads(answer.body)
            if set(got) != set(recorded):
                found.append(f"{where}: keys {sorted(set(got) ^ set(recorded))} differ")
    return found


# Issue 19 in progress: these recordings still differ (their file uploads are not replayed here, so later ids
# shift; a ruby cassette's setup lives in another file; key sets of the "recorded" shape differ across eras). Each
# is expected to fail until that work is done (strict: one that starts passing must leave this list); every other
# recording with runs must replay as recorded.
NOT_YET: frozenset[str] = frozenset({
    "openai-dotnet/cs-proxy__AssistantsTests__FileSearchStreamingWorks",
    "openai-dotnet/cs-proxy__AssistantsTests__FileSearchStreamingWorksAsync",
    "openai-dotnet/cs-proxy__AssistantsTests__FileSearchWorks",
    "openai-dotnet/cs-proxy__AssistantsTests__FileSearchWorksAsync",
    "openai-dotnet/cs-proxy__AssistantsTests__FunctionToolsWork",
    "openai-dotnet/cs-proxy__AssistantsTests__FunctionToolsWorkAsync",
    "openai-dotnet/cs-proxy__AssistantsTests__StreamingToolCall",
    "openai-dotnet/cs-proxy__AssistantsTests__StreamingToolCallAsync",
    "openllmetry/py-vcr-2024-03-V1__code-interpreter__streaming_new_assistant",
    "openllmetry/py-vcr-2024-06__code-interpreter__new_assistant_with_polling",
    "ruby-openai/rb-vcr__hist-2024-10__file_search_create_run",
    "ruby-openai/rb-vcr__hist-2025-03__assistant_file_search_create_run",
    "ruby-openai/rb-vcr__run_steps_list_run_setup",
    "ruby-openai/rb-vcr__run_steps_retrieve_run_setup",
    "ruby-openai/rb-vcr__runs_cancel",
    "ruby-openai/rb-vcr__runs_cancel_run_setup",
    "ruby-openai/rb-vcr__runs_create",
    "ruby-openai/rb-vcr__runs_create_thread_and_run",
    "ruby-openai/rb-vcr__runs_list",
    "ruby-openai/rb-vcr__runs_list_run_setup",
    "ruby-openai/rb-vcr__runs_modify_run_setup",
    "ruby-openai/rb-vcr__runs_retrieve",
    "ruby-openai/rb-vcr__runs_retrieve_run_setup",
    "ruby-openai/rb-vcr__runs_streamed_create",
    "ruby-openai/rb-vcr__runs_submit_tool_outputs_run_setup",
})


def _case(path: Path) -> Any:
    name = f"{path.parent.name}/{path.stem}"
    marks = [pytest.mark.xfail(reason="issue 19: not replayed yet", strict=True)] if name in NOT_YET else []
    return pytest.param(path, id=name, marks=marks)


@pytest.mark.skipif(ROOT is None, reason="../shared/conformance/recordings is absent")
@pytest.mark.parametrize("path", [_case(p) for p in WITH_RUNS])
def test_a_recording_with_runs_replays_against_its_own_fake(path: Path) -> None:
    assert _differences(path) == []
