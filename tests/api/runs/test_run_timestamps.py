"""Run timestamps across a resume (submit_tool_outputs), as the real service recorded them.

Every run in the shared recordings that went requires_action -> submit_tool_outputs -> queued -> in_progress
(6 runs, all Assistants v2; no v1 recording resumes a run) shows the same rules:

- the `queued` run answered by submit_tool_outputs (REST answer or `thread.run.queued` event) keeps the
  first `started_at`, has `required_action: null` and `completed_at: null`;
- the next `in_progress` has a NEW `started_at`: the time the run started again;
- `expires_at` stays `created_at + 600` through the resume, and is null once the run completed.

Recorded runs (offsets from created_at: first start, second start, completion):
  openai-dotnet/cs-proxy__AssistantsTests__FunctionToolsWork.json           polled   +1, +16, +17
  openai-dotnet/cs-proxy__AssistantsTests__FunctionToolsWorkAsync.json      polled   +1, +16, +17
  openai-dotnet/cs-proxy__AssistantsTests__StreamingToolCall__stream(-2).sse        +1, +4, +5
  openai-dotnet/cs-proxy__AssistantsTests__StreamingToolCallAsync__stream(-2).sse   +2, +7, +10
  simple-openai/java-fixture__threads_runs_submittool_stream_1.json + _stream_2.sse  0, +3, +4
  simple-openai/java-fixture__threads_runs_submittool_1.json + _2.json                0, +3, +4
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import pytest

from fake_assistants import FakeAssistants
from recordings import parse_recording, recordings_dir
from runs_support import clock_of, retrieve
from sdk_matrix import START, Sdk
from stream_support import collect_events

EXPIRY = 600
WEATHER = {"type": "function", "function": {"name": "get_current_weather"}}
POLLED_RESUMES = (
    "openai-dotnet/cs-proxy__AssistantsTests__FunctionToolsWork.json",
    "openai-dotnet/cs-proxy__AssistantsTests__FunctionToolsWorkAsync.json",
)

# (status, started_at, expires_at, completed_at, required_action set), times as offsets from created_at
Row = tuple[str, int | None, int | None, int | None, bool]


def _offset(value: int | None, created_at: int) -> int | None:
    return None if value is None else value - created_at


def row_of(run: Mapping[str, Any]) -> Row:
    created = run["created_at"]
    return (run["status"], _offset(run["started_at"], created), _offset(run["expires_at"], created),
            _offset(run["completed_at"], created), run["required_action"] is not None)


def timeline(runs: Iterable[Mapping[str, Any]]) -> list[Row]:
    """The distinct successive states of one run, its times relative to its created_at."""
    rows: list[Row] = []
    for run in runs:
        row = row_of(run)
        if not rows or rows[-1] != row:
            rows.append(row)
    return rows


async def function_call_run(client: Sdk, fake: FakeAssistants) -> Any:
    """A create-and-run (created at START, held queued) whose first turn calls a function, then replies."""
    fake.script.call_function("get_current_weather").reply("Wear something light.")
    fake.set_progression("manual")
    assistant = await client.beta.assistants.create(model="gpt-4o", tools=[WEATHER])
    return await client.beta.threads.create_and_run(
        assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "What should I wear?"}]})


async def polled_resume(client: Sdk, fake: FakeAssistants, started: int, restarted: int, completed: int) -> list[Any]:
    """Every run state a client polling a resumed run sees, the clock moved to the given offsets."""
    clock = clock_of(fake)
    run = await function_call_run(client, fake)
    seen = [run]
    clock.set(START + started)
    assert fake.advance(run.id) == "in_progress"
    seen.append(await retrieve(client, run))
    assert fake.advance(run.id) == "requires_action"
    seen.append(await retrieve(client, run))
    (call,) = seen[-1].required_action.submit_tool_outputs.tool_calls
    clock.set(START + restarted)
    seen.append(await client.beta.threads.runs.submit_tool_outputs(
        run.id, thread_id=run.thread_id, tool_outputs=[{"tool_call_id": call.id, "output": "warm and sunny"}]))
    seen.append(await retrieve(client, run))
    assert fake.advance(run.id) == "in_progress"
    seen.append(await retrieve(client, run))
    clock.set(START + completed)
    assert fake.advance(run.id) == "completed"
    seen.append(await retrieve(client, run))
    return seen


async def test_polled_resume_starts_the_run_again(client: Sdk, fake: FakeAssistants) -> None:
    """openai-dotnet FunctionToolsWork(.json, Async.json): started +1, resumed +16, completed +17."""
    seen = await polled_resume(client, fake, started=1, restarted=16, completed=17)

    assert timeline(run.model_dump() for run in seen) == [
        ("queued", None, EXPIRY, None, False),
        ("in_progress", 1, EXPIRY, None, False),
        ("requires_action", 1, EXPIRY, None, True),
        ("queued", 1, EXPIRY, None, False),  # started_at kept while queued again
        ("in_progress", 16, EXPIRY, None, False),  # a new started_at; expires_at not moved
        ("completed", 16, None, 17, False),
    ]


async def test_streamed_resume_starts_the_run_again(client: Sdk, fake: FakeAssistants) -> None:
    """openai-dotnet StreamingToolCall__stream.sse then __stream-2.sse (and simple-openai
    threads_runs_submittool_stream_1.json then _stream_2.sse): the resumed stream's `thread.run.queued`
    keeps the first started_at, its `thread.run.in_progress` has the new one."""
    fake.script.call_function("get_current_weather").reply("Wear something light.")
    clock = clock_of(fake)
    assistant = await client.beta.assistants.create(model="gpt-4o", tools=[WEATHER])
    first = await collect_events(await client.beta.threads.create_and_run(
        assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "What should I wear?"}]},
        stream=True))
    run = first[-1].data
    (call,) = run.required_action.submit_tool_outputs.tool_calls
    clock.advance(4)
    resumed = await collect_events(await client.beta.threads.runs.submit_tool_outputs(
        run.id, thread_id=run.thread_id, tool_outputs=[{"tool_call_id": call.id, "output": "warm and sunny"}],
        stream=True))

    runs = [event for event in first + resumed if event.event.startswith("thread.run.") and
            not event.event.startswith("thread.run.step.")]
    assert [(event.event, *row_of(event.data.model_dump())) for event in runs] == [
        ("thread.run.created", "queued", None, EXPIRY, None, False),
        ("thread.run.queued", "queued", None, EXPIRY, None, False),
        ("thread.run.in_progress", "in_progress", 0, EXPIRY, None, False),
        ("thread.run.requires_action", "requires_action", 0, EXPIRY, None, True),
        ("thread.run.queued", "queued", 0, EXPIRY, None, False),
        ("thread.run.in_progress", "in_progress", 4, EXPIRY, None, False),
        ("thread.run.completed", "completed", 4, None, 4, False),
    ]
    assert (await retrieve(client, run)).started_at == START + 4


# -- the fake against the recorded polls ------------------------------------------------------------


def recorded_resume(relative: str) -> list[Row]:
    """The timeline of the one run a recorded polled resume shows (its REST answers, in order)."""
    root = recordings_dir()
    if root is None:
        pytest.skip("the shared recordings (../shared/conformance/recordings) are absent")
    recording = parse_recording(root / relative, json.loads((root / relative).read_text(encoding="utf-8")))
    assert recording is not None
    runs = [it.response for it in recording.interactions
            if isinstance(it.response, dict) and it.response.get("object") == "thread.run"]
    assert len({run["id"] for run in runs}) == 1
    return timeline(runs)


@pytest.mark.parametrize("relative", POLLED_RESUMES)
async def test_fake_matches_a_recorded_polled_resume(client: Sdk, fake: FakeAssistants, relative: str) -> None:
    recorded = recorded_resume(relative)
    starts = [started for status, started, *_ in recorded if status == "in_progress"]
    (completed,) = [done for status, _, _, done, _ in recorded if status == "completed"]
    assert [status for status, *_ in recorded] == [
        "queued", "in_progress", "requires_action", "queued", "in_progress", "completed"]
    assert starts[0] is not None and starts[1] is not None and completed is not None

    seen = await polled_resume(client, fake, started=starts[0], restarted=starts[1], completed=completed)

    assert timeline(run.model_dump() for run in seen) == recorded


# -- steps read over REST share their run's expires_at --------------------------------------------------------

STEPS_AFTER_COMPLETION = "openai-dotnet/cs-proxy__AssistantsTests__BasicRunStepFunctionalityWorks.json"


def recorded_steps_after_completion() -> list[tuple[str, int | None]]:
    """(status, expires_at) of the steps a recording lists once their run completed."""
    root = recordings_dir()
    if root is None:
        pytest.skip("the shared recordings (../shared/conformance/recordings) are absent")
    entries = json.loads((root / STEPS_AFTER_COMPLETION).read_text(encoding="utf-8"))["Entries"]
    lists = [entry["ResponseBody"]["data"] for entry in entries if isinstance(entry.get("ResponseBody"), dict)
             and entry["ResponseBody"].get("object") == "list" and "/steps" in entry["RequestUri"]]
    return [(step["status"], step["expires_at"]) for step in lists[-1]]


async def test_steps_read_while_their_run_waits_show_its_expires_at_then_null_once_it_ended(
        client: Sdk, fake: FakeAssistants) -> None:
    """BasicRunStepFunctionalityWorks.json: every step listed after its run completed has expires_at null (while
    the run waits, java threads_runssteps_getlist.json shows the run's). The stream events keep the value they
    had when sent (every .sse recording)."""
    recorded = recorded_steps_after_completion()
    assert recorded and all(expires_at is None for _, expires_at in recorded)
    fake.script.call_function("get_current_weather").reply("Wear something light.")
    assistant = await client.beta.assistants.create(model="gpt-4o", tools=[WEATHER])
    run = await client.beta.threads.create_and_run_poll(
        assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "What should I wear?"}]})
    assert run.status == "requires_action"
    (waiting,) = (await client.beta.threads.runs.steps.list(run.id, thread_id=run.thread_id)).data
    assert waiting.expires_at == run.expires_at == run.created_at + EXPIRY

    (call,) = run.required_action.submit_tool_outputs.tool_calls
    run = await client.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run.id, thread_id=run.thread_id, tool_outputs=[{"tool_call_id": call.id, "output": "sunny"}])
    steps = (await client.beta.threads.runs.steps.list(run.id, thread_id=run.thread_id)).data
    assert run.status == "completed" and run.expires_at is None
    assert [(step.status, step.expires_at) for step in steps] == [("completed", None)] * 2
    one = await client.beta.threads.runs.steps.retrieve(steps[0].id, thread_id=run.thread_id, run_id=run.id)
    assert one.expires_at is None
