"""Issue 19: every recording in `../shared/conformance/recordings` with Assistants runs, replayed request by request
through raw HTTP against `FakeAssistants.from_cassette(that file, ids="recorded")`.

- A ruby-openai spec recorded in several cassettes (`*_assistant_setup`, `*_thread_setup`...) is loaded the way
  its spec ran: the setup cassettes that made the ids the recording uses (`recordings.prerequisites`) come first,
  in `from_cassette` and in the replay (their answers are not compared).
- File uploads are sent as real multipart uploads rebuilt from the recorded answer (`uploads.Upload`: the
  recordings keep no usable request body), with the text a recorded file_search result quotes.
- Each answer must have the recorded status code; a JSON answer the recorded recursive key set (with the
  documented allowances of `recorded_answers`: keys the API gained after older recordings were made), a list
  item by item by id; every run the answers show the recorded status, every message the recorded texts, every run
  step the recorded tool calls (type, function name and arguments, code_interpreter input); a streamed answer the
  recorded event names in order (a run of deltas counted once) and the same runs, texts and tool calls.

Every recorded request is sent: the test fails on one it could not send (a recorded server error, an answer written
by hand, a route the fake lacks, an upload the recording does not describe; none of today's 510). The only
allowances are `RECORDING_QUIRKS`: inconsistencies of the recordings themselves, each named with its evidence;
such an answer is compared by status code, and must still differ otherwise (so the table is exactly what is
left).
Skipped without `../shared`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

import pytest

from fake_assistants import ApiRequest, ApiResponse, FakeAssistants
from fake_assistants.cassettes.reader import read_cassette
from fake_assistants.cassettes.turns import recorded_runs
from recorded_answers import (
    Events,
    Json,
    Where,
    kind,
    object_problems,
    parse_stream,
    read,
    recorded_date,
    route_of,
    shape_of,
    stream_problems,
    version_of,
)
from recordings import Interaction, Recording, load_all, prerequisites, recordings_dir, shared_dir
from uploads import UPLOAD_ROUTE, recorded_texts, recorded_upload

ROOT = recordings_dir()
ALL: tuple[Recording, ...] = load_all(ROOT) if ROOT is not None else ()


def _shows_runs(recording: Recording) -> bool:
    return bool(recorded_runs([read_cassette(recording.path)]))


WITH_RUNS = [r for r in ALL if _shows_runs(r)]

# Inconsistencies of the recordings themselves, which no fake could reproduce: (recording, interaction index) ->
# evidence. The interaction is sent, and its answer compared by status only.
RECORDING_QUIRKS: dict[tuple[str, int], str] = {
    ("ruby-openai/rb-vcr__runs_streamed_create", 0): (
        "the service's April 2024 streams contradict themselves: the answer is cut by max_completion_tokens 16 "
        "(`thread.message.incomplete`, reason max_tokens, after 15 deltas), yet the run ends in `thread.run.completed` "
        "with status completed and incomplete_details reason max_prompt_tokens (256, with 6 prompt tokens used)"),
    ("ruby-openai/rb-vcr__runs_streamed_create", 3): (
        "as #0, two days later: `thread.run.completed` carries status incomplete, reason max_prompt_tokens with 27 "
        "prompt tokens of 256, after a message cut by max_completion_tokens"),
}


@dataclass
class CassetteReplay:
    """One from_cassette fake and what replaying a recording on it found."""

    fake: FakeAssistants
    texts: dict[str, bytes] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    not_sent: dict[str, int] = field(default_factory=dict)
    compared: int = 0
    quirks: dict[int, list[str]] = field(default_factory=dict)  # RECORDING_QUIRKS met: index -> what differed

    def run(self, recording: Recording, *, compare: bool) -> None:
        for it in recording.interactions:
            reason = why_not_sent(it)
            if reason is not None:
                self.not_sent[reason] = self.not_sent.get(reason, 0) + 1
                continue
            response = self.send(recording.name, it)
            if compare:
                self.compared += 1
                where = f"{recording.name}#{it.index} {it.method} {it.target}"
                self.problems += [f"{where}: {p}" for p in self.compare(recording.name, it, response)]

    def send(self, name: str, it: Interaction) -> ApiResponse:
        version = version_of(name, it)
        headers = {"OpenAI-Beta": "assistants=v1"} if version == "v1" else {"OpenAI-Beta": it.beta or "assistants=v2"}
        body = _encode(it.body)
        upload = recorded_upload(it) if _route_name(it) == UPLOAD_ROUTE else None
        if upload is not None:
            answered = it.response.get("id") if isinstance(it.response, dict) else None
            if answered in self.texts:
                upload = replace(upload, text=self.texts[answered])
            headers["Content-Type"], body = upload.encode()
        elif body:
            headers["Content-Type"] = "application/json"
        return self.fake.handle(ApiRequest.build(it.method, it.path, query=it.query, headers=headers, body=body))

    def compare(self, name: str, it: Interaction, response: ApiResponse) -> list[str]:
        got, events = read(response)
        if response.status != it.status:
            return [f"status {response.status}, recorded {it.status}: {json.dumps(got)[:300]}"]
        problems = self.differences(name, it, got, events)
        if (name, it.index) in RECORDING_QUIRKS:
            self.quirks[it.index] = problems
            return []
        return problems

    def differences(self, name: str, it: Interaction, got: Any, events: Events | None) -> list[str]:
        ctx = Where(name, _route_name(it), recorded_date(it), version_of(name, it))
        if it.stream is not None:
            recorded = parse_stream(it.stream.encode())
            return stream_problems(recorded, events, ctx) + _event_value_problems(recorded, events or [])
        if not isinstance(it.response, dict):
            return []  # file bytes, an empty body: the status is all there is
        if not isinstance(got, dict):
            return [f"the fake's answer is not a JSON object: {got!r:.200}"]
        return body_problems(it.response, got, ctx)


# -- what is sent -----------------------------------------------------------------------------------


def why_not_sent(it: Interaction) -> str | None:
    if route_of(it) is None:
        return f"route not implemented: {shape_of(it)}"
    if it.status >= 500:
        return "the service failed (5xx, retried by the client)"
    if it.hand_written():
        return "an answer written by hand (placeholder id)"
    if _route_name(it) == UPLOAD_ROUTE and recorded_upload(it) is None:
        return "an upload the recording does not describe"
    return None


def _route_name(it: Interaction) -> str:
    route = route_of(it)
    return route.name if route is not None else ""


def _encode(body: Any) -> bytes:
    if body is None:
        return b""
    return body.encode() if isinstance(body, str) else json.dumps(body).encode()


# -- what is compared -------------------------------------------------------------------------------


def body_problems(recorded: Json, got: Json, ctx: Where) -> list[str]:
    """Key sets (a list: envelope, then each recorded item the fake lists, by id), then the values that make the
    recording's story: run statuses, message texts, tool calls."""
    if kind(recorded) != "list":
        return object_problems("", recorded, got, ctx) + value_problems("", recorded, got)
    problems = object_problems("", _envelope(recorded), _envelope(got), ctx)
    listed = {item.get("id"): item for item in got.get("data") or [] if isinstance(item, dict)}
    for item in recorded.get("data") or []:
        mine = listed.get(item.get("id"))
        if mine is None:
            problems.append(f"data: {item.get('id')} is not listed")
            continue
        where = f"data[{item['id']}]: "
        problems += object_problems(where, item, mine, ctx) + value_problems(where, item, mine)
    return problems


def _envelope(body: Json) -> Json:
    return {key: value for key, value in body.items() if key != "data"}


def story(value: Json) -> Any:
    """What a recorded object says happened: a run's status, a message's texts, a step's tool calls."""
    match value.get("object"):
        case "thread.run":
            return value.get("status")
        case "thread.message":
            return message_texts(value)
        case "thread.run.step":
            return tool_calls(value)
    return None


def message_texts(message: Json) -> list[str]:
    return [str((part.get("text") or {}).get("value")) for part in message.get("content") or []
            if isinstance(part, dict) and part.get("type") == "text"]


def tool_calls(step: Json) -> list[Any]:
    details = step.get("step_details") or {}
    out = []
    for call in details.get("tool_calls") or []:
        if not isinstance(call, dict):
            continue
        if call.get("type") == "function":
            function = call.get("function") or {}
            out.append(("function", call.get("id"), function.get("name"), function.get("arguments")))
        elif call.get("type") == "code_interpreter":
            out.append(("code_interpreter", call.get("id"), (call.get("code_interpreter") or {}).get("input")))
        else:
            out.append((call.get("type"), call.get("id")))
    return out


def value_problems(where: str, recorded: Json, got: Json) -> list[str]:
    want, have = story(recorded), story(got)
    if want != have:
        return [f"{where}{recorded.get('object')} {recorded.get('id')}: {have!r}, recorded {want!r}"]
    return []


def _event_value_problems(recorded: Events, got: Events) -> list[str]:
    """The runs, messages and steps a stream ends with (the last event of each id) tell the same story."""
    want, have = _last_of_each(recorded), _last_of_each(got)
    problems = [f"stream: {object_id} is not in the fake's stream" for object_id in want.keys() - have.keys()]
    for object_id, value in want.items():
        if object_id in have:
            problems += value_problems("stream: ", value, have[object_id])
    return problems


def _last_of_each(events: Events) -> dict[str, Json]:
    found: dict[str, Json] = {}
    for name, data in events:
        named = isinstance(data, dict) and isinstance(data.get("id"), str) and not name.endswith(".delta")
        if named and story(data) is not None:
            found[data["id"]] = data
    return found


# -- the test ---------------------------------------------------------------------------------------


def replay(recording: Recording) -> CassetteReplay:
    setups = prerequisites(recording, ALL)
    paths = [setup.path for setup in setups] + [recording.path]
    fake = FakeAssistants.from_cassette(paths, ids="recorded")
    texts: dict[str, bytes] = {}
    for one in [*setups, recording]:
        texts |= recorded_texts(one)
    out = CassetteReplay(fake, texts)
    for setup in setups:
        out.run(setup, compare=False)
    out.run(recording, compare=True)
    return out


@pytest.mark.skipif(ROOT is None, reason=f"the shared recordings are absent ({shared_dir()})")
@pytest.mark.parametrize("recording", WITH_RUNS, ids=[r.name for r in WITH_RUNS])
def test_a_recording_with_runs_replays_against_its_own_fake(recording: Recording) -> None:
    done = replay(recording)
    assert not done.problems, f"{len(done.problems)} answers differ:\n  " + "\n  ".join(done.problems)
    assert not done.not_sent, f"requests not sent: {done.not_sent}"
    assert done.compared
    quirks = {index for name, index in RECORDING_QUIRKS if name == recording.name}
    still = {index for index, problems in done.quirks.items() if problems}
    assert quirks == still, f"RECORDING_QUIRKS of {recording.name} that no longer differ: {sorted(quirks - still)}"


@pytest.mark.skipif(ROOT is None, reason=f"the shared recordings are absent ({shared_dir()})")
def test_the_quirks_name_recordings_with_runs() -> None:
    names = {r.name for r in WITH_RUNS}
    assert {name for name, _ in RECORDING_QUIRKS} <= names
