"""Streams on the wire: event order per scenario and the framing, byte for byte, against the real service.

Every scenario runs over a real HTTP client (`httpx` and `httpx2`, reading the body chunk by chunk) on a
fake with the recorded shape. The expected event orders below are the fake's contract; where the real
service was recorded (`shared/conformance/SEQUENCES.md` and the `.sse` files under `recordings/`), a
test checks that contract against it, and those checks skip when the shared folder is absent.

The endings nobody recorded (failed, cancelled and expired streams) follow `spec/CHECKLIST.md` §4.3.

One deliberate deviation: a run that stops at a token limit ends with `thread.run.incomplete` (the event
the API reference documents and the SDK handles), where the two 2024 recordings of it (ruby-openai,
`rb-vcr__runs_streamed_create__stream*.sse`) show an event *named* `thread.run.completed` whose run has
`status: "incomplete"`. The event's name is the run's status, as for every other run event.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

from fake_assistants import FakeAssistants, ManualClock
from fake_assistants.runs.engine import DELTAS_PER_CHUNK
from recordings import shared_dir
from sdk_matrix import START
from stream_support import compress, normalized, recorded_stream, split_events

SEQUENCES = shared_dir() / "conformance" / "SEQUENCES.md"
SHARED_MISSING = f"shared ground truth not found at {shared_dir()} (set FAKE_ASSISTANTS_SHARED)"
SEARCH_CONTENT = "step_details.tool_calls[*].file_search.results[*].content"
BASE_URL = "https://api.openai.com/v1"

RUN_START = ["thread.run.created", "thread.run.queued", "thread.run.in_progress"]
MESSAGE_OPEN = [
    "thread.run.step.created", "thread.run.step.in_progress", "thread.message.created", "thread.message.in_progress",
]
MESSAGE_STEP = [*MESSAGE_OPEN, "thread.message.delta", "thread.message.completed", "thread.run.step.completed"]
TOOL_STEP = [
    "thread.run.step.created", "thread.run.step.in_progress", "thread.run.step.delta", "thread.run.step.completed",
]

EXPECTED: dict[str, list[str]] = {
    "text": [*RUN_START, *MESSAGE_STEP, "thread.run.completed", "done"],
    "create_and_run": ["thread.created", *RUN_START, *MESSAGE_STEP, "thread.run.completed", "done"],
    "function": [
        "thread.created", *RUN_START, "thread.run.step.created", "thread.run.step.in_progress",
        "thread.run.step.delta", "thread.run.requires_action", "done",
    ],
    "resumed": [
        "thread.run.step.completed", "thread.run.queued", "thread.run.in_progress", *MESSAGE_STEP,
        "thread.run.completed", "done",
    ],
    "code_interpreter": [*RUN_START, *TOOL_STEP, *MESSAGE_STEP, "thread.run.completed", "done"],
    "file_search": [*RUN_START, *TOOL_STEP, *MESSAGE_STEP, "thread.run.completed", "done"],
    "incomplete": [
        *RUN_START, *MESSAGE_OPEN, "thread.message.delta", "thread.message.incomplete", "thread.run.step.completed",
        "thread.run.incomplete", "done",
    ],
    "failed": [
        *RUN_START, *MESSAGE_OPEN, "thread.message.incomplete", "thread.run.step.failed", "thread.run.failed", "done",
    ],
    "cancelled": [
        *RUN_START, *MESSAGE_OPEN, "thread.message.delta", "thread.run.cancelling", "thread.message.incomplete",
        "thread.run.step.cancelled", "thread.run.cancelled", "done",
    ],
    "expired": [
        *RUN_START, *MESSAGE_OPEN, "thread.message.delta", "thread.message.incomplete", "thread.run.step.expired",
        "thread.run.expired", "done",
    ],
    "broken": [*RUN_START, *MESSAGE_OPEN, "thread.message.delta", "error"],
}

# Where the real service showed each order: (SEQUENCES.md section, recorded streams).
RECORDED_AS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "text": ("1", (
        "openai-dotnet/cs-proxy__AssistantsTests__StreamingRunWorks__stream.sse",
        "openai-dotnet/cs-proxy__AssistantsTests__StreamingRunWorksAsync__stream.sse",
        "simple-openai/java-fixture__threads_runs_create_stream_1.sse",
    )),
    "create_and_run": (None, ("simple-openai/java-fixture__threads_runs_createthreadandrun_stream_1.sse",)),
    "function": ("2", (
        "openai-dotnet/cs-proxy__AssistantsTests__StreamingToolCall__stream.sse",
        "openai-dotnet/cs-proxy__AssistantsTests__StreamingToolCallAsync__stream.sse",
    )),
    "resumed": ("3", (
        "openai-dotnet/cs-proxy__AssistantsTests__StreamingToolCall__stream-2.sse",
        "openai-dotnet/cs-proxy__AssistantsTests__StreamingToolCallAsync__stream-2.sse",
        "simple-openai/java-fixture__threads_runs_submittool_stream_2.sse",
    )),
    "code_interpreter": (None, tuple(
        f"openllmetry/py-vcr-2026-03__code-interpreter__streaming_{name}__run-stream.sse"
        for name in (
            "new_assistant", "existing_assistant", "new_assistant_with_events_with_content",
            "new_assistant_with_events_with_no_content", "existing_assistant_with_events_with_content",
            "existing_assistant_with_events_with_no_content",
        )
    )),
    "file_search": (None, (
        "openai-dotnet/cs-proxy__AssistantsTests__FileSearchStreamingWorks__stream.sse",
        "openai-dotnet/cs-proxy__AssistantsTests__FileSearchStreamingWorksAsync__stream.sse",
        "simple-openai/java-fixture__threads_runssteps_delta.sse",
    )),
    "broken": (None, ("simple-openai/java-fixture__threads_runs_create_stream_error_1.sse",)),
}
INCOMPLETE_RECORDINGS = (
    "ruby-openai/rb-vcr__runs_streamed_create__stream.sse",
    "ruby-openai/rb-vcr__runs_streamed_create__stream-2.sse",
)

# Recorded streams the fake reproduces byte for byte once ids, times, token counts and text are set aside.
FRAMING: dict[str, tuple[str, ...]] = {
    "text": ("openai-dotnet/cs-proxy__AssistantsTests__StreamingRunWorks__stream.sse",),
    "function": (
        "openai-dotnet/cs-proxy__AssistantsTests__StreamingToolCall__stream.sse",
        "openai-dotnet/cs-proxy__AssistantsTests__StreamingToolCall__stream-2.sse",
    ),
    "file_search": ("openai-dotnet/cs-proxy__AssistantsTests__FileSearchStreamingWorks__stream.sse",),
    "code_interpreter": ("openllmetry/py-vcr-2026-03__code-interpreter__streaming_new_assistant__run-stream.sse",),
}


# -- a raw HTTP client on the fake ---------------------------------------------------------------------


def http_params() -> list[Any]:
    params = []
    for library in ("httpx", "httpx2"):
        missing = importlib.util.find_spec(library) is None
        marks = [pytest.mark.skip(reason=f"{library} is not installed")] if missing else []
        params.append(pytest.param(library, id=library, marks=marks))
    return params


@dataclass
class Wire:
    """`httpx` or `httpx2` talking to a recorded-shape fake, reading streams chunk by chunk."""

    fake: FakeAssistants
    library: str
    client: Any = field(init=False)

    def __post_init__(self) -> None:
        module = importlib.import_module(self.library)
        transport = self.fake.httpx_transport() if self.library == "httpx" else self.fake.httpx2_transport()
        self.client = module.Client(transport=transport, base_url=BASE_URL, headers={"OpenAI-Beta": "assistants=v2"})

    def post(self, path: str, body: dict[str, Any]) -> Any:
        response = self.client.post(path, json=body)
        assert response.status_code == 200, response.text
        return response.json()

    def upload(self, filename: str, data: bytes) -> Any:
        response = self.client.post("/files", files={"file": (filename, data, "text/plain")},
                                    data={"purpose": "assistants"})
        assert response.status_code == 200, response.text
        return response.json()

    def stream(self, path: str, body: dict[str, Any], *, query: dict[str, str] | None = None,
               on_event: Callable[[str], None] | None = None) -> bytes:
        """POST with `stream: true`; every chunk of the body must be whole events: one, or a burst of at most
        DELTAS_PER_CHUNK text deltas, never a message's first (`on_event` sees each event)."""
        chunks: list[bytes] = []
        previous = ""
        with self.client.stream("POST", path, json={**body, "stream": True}, params=query) as response:
            assert response.status_code == 200
            assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
            for chunk in response.iter_raw():
                names = [name for name, _ in split_events(chunk)]
                if len(names) > 1:
                    assert set(names) == {"thread.message.delta"} and len(names) <= DELTAS_PER_CHUNK, names
                    assert previous == "thread.message.delta", "a message's first delta goes alone"
                chunks.append(chunk)
                previous = names[-1]
                if on_event is not None:
                    for name in names:
                        on_event(name)
        return b"".join(chunks)


@contextmanager
def wire_on(library: str, **options: Any) -> Iterator[Wire]:
    fake = FakeAssistants(0, clock=ManualClock(START), **options)
    wire = Wire(fake, library)
    try:
        yield wire
    finally:
        wire.client.close()


def thread_with(wire: Wire, text: str = "Hello there, assistant! How are you today?") -> Any:
    return wire.post("/threads", {"messages": [{"role": "user", "content": text}]})


def data_of(raw: bytes, name: str) -> Any:
    return next(json.loads(data) for event, data in split_events(raw) if event == name)


# -- the scenarios ------------------------------------------------------------------------------------


def text_run(wire: Wire) -> list[bytes]:
    """openai-dotnet StreamingRunWorks: a plain assistant answers a greeting."""
    wire.fake.script.reply("Hello! I'm just a program, so I don't have feelings, but I'm here and ready to help "
                           "you with whatever you need. How can I assist you today?")
    assistant = wire.post("/assistants", {"model": "gpt-4o"})
    thread = thread_with(wire)
    return [wire.stream(f"/threads/{thread['id']}/runs", {"assistant_id": assistant["id"], "additional_messages": []},
                        query={"include[]": SEARCH_CONTENT})]


def create_and_run(wire: Wire) -> list[bytes]:
    wire.fake.script.reply("Mount Everest is the highest mountain above sea level.")
    assistant = wire.post("/assistants", {"model": "gpt-4o"})
    return [wire.stream("/threads/runs", {"assistant_id": assistant["id"], "thread": {
        "messages": [{"role": "user", "content": "Which mountain is the highest?"}]}})]


def function_call(wire: Wire) -> list[bytes]:
    """openai-dotnet StreamingToolCall: create-and-run up to requires_action, then the resumed stream."""
    wire.fake.script.call_function("get_current_weather").reply(
        "Since it's warm and sunny outside, you should consider wearing lightweight, breathable clothing.")
    assistant = wire.post("/assistants", {"model": "gpt-4o", "tools": [{"type": "function", "function": {
        "description": "Gets the user's current weather", "name": "get_current_weather"}}]})
    first = wire.stream("/threads/runs", {"assistant_id": assistant["id"], "thread": {
        "messages": [{"role": "user", "content": "What should I wear outside right now?"}]}})
    run = data_of(first, "thread.run.requires_action")
    (call,) = run["required_action"]["submit_tool_outputs"]["tool_calls"]
    second = wire.stream(f"/threads/{run['thread_id']}/runs/{run['id']}/submit_tool_outputs",
                         {"tool_outputs": [{"tool_call_id": call["id"], "output": "warm and sunny"}]})
    return [first, second]


def code_interpreter(wire: Wire) -> list[bytes]:
    """openllmetry streaming_new_assistant: the Math Tutor quickstart, code that prints nothing."""
    wire.fake.script.code_interpreter("from sympy import symbols, solve\nx = symbols('x')\nsolve(3*x + 11 - 14, x)")
    wire.fake.script.reply("The solution to the equation 3x + 11 = 14 is x = 1.")
    assistant = wire.post("/assistants", {
        "model": "gpt-4o-mini", "name": "Math Tutor", "tools": [{"type": "code_interpreter"}],
        "instructions": "You are a personal math tutor. Write and run code to answer math questions.",
    })
    thread = wire.post("/threads", {})
    wire.post(f"/threads/{thread['id']}/messages",
              {"role": "user", "content": "I need to solve the equation `3x + 11 = 14`. Can you help me?"})
    return [wire.stream(f"/threads/{thread['id']}/runs", {
        "assistant_id": assistant["id"],
        "instructions": "Please address the user as Jane Doe. The user has a premium account.",
    })]


def code_interpreter_with_logs(wire: Wire) -> list[bytes]:
    wire.fake.script.code_interpreter("print(1 + 1)", logs="2").reply("1 + 1 is 2.")
    assistant = wire.post("/assistants", {"model": "gpt-4o", "tools": [{"type": "code_interpreter"}]})
    thread = thread_with(wire, "What is 1 + 1?")
    return [wire.stream(f"/threads/{thread['id']}/runs", {"assistant_id": assistant["id"]})]


def file_search(wire: Wire) -> list[bytes]:
    """openai-dotnet FileSearchStreamingWorks: a file in the assistant's vector store, cited in the answer."""
    foods = b"The favorite food of several people:\n- Summanus Ferdinand: tacos\n- Tekakwitha Effie: pizza\n" \
            b"- Filip Carola: cake"
    uploaded = wire.upload("favorite_foods.txt", foods)
    wire.fake.script.file_search().reply("Filip's favorite food is cake.")
    assistant = wire.post("/assistants", {
        "model": "gpt-4o", "tools": [{"type": "file_search", "file_search": {}}],
        "tool_resources": {"file_search": {"vector_stores": [{"file_ids": [uploaded["id"]]}]}},
    })
    thread = thread_with(wire, "Using the files you have available, what's Filip's favorite food?")
    return [wire.stream(f"/threads/{thread['id']}/runs", {"assistant_id": assistant["id"], "additional_messages": []},
                        query={"include[]": SEARCH_CONTENT})]


def simple_run(wire: Wire, *, on_event: Callable[[str, Any], None] | None = None) -> list[bytes]:
    assistant = wire.post("/assistants", {"model": "gpt-4o"})
    thread = thread_with(wire, "Tell me a story.")
    state: dict[str, Any] = {}

    def seen(name: str) -> None:
        if on_event is not None:
            on_event(name, state)

    state["thread"] = thread
    return [wire.stream(f"/threads/{thread['id']}/runs", {"assistant_id": assistant["id"]}, on_event=seen)]


def incomplete(wire: Wire) -> list[bytes]:
    wire.fake.script.incomplete("max_completion_tokens", "Once upon a time there was a fake that")
    return simple_run(wire)


def failed(wire: Wire) -> list[bytes]:
    wire.fake.script.fail("server_error")
    return simple_run(wire)


def broken(wire: Wire) -> list[bytes]:
    wire.fake.script.break_stream("Once upon a time there was a stream that broke", after_deltas=3)
    return simple_run(wire)


def cancelled(wire: Wire) -> list[bytes]:
    wire.fake.script.reply("Once upon a time there was a run that was cancelled half-way.")

    def cancel_at_first_delta(name: str, state: dict[str, Any]) -> None:
        if name == "thread.message.delta" and "cancelled" not in state:
            thread_id = state["thread"]["id"]
            (run,) = wire.client.get(f"/threads/{thread_id}/runs").json()["data"]
            state["cancelled"] = wire.post(f"/threads/{thread_id}/runs/{run['id']}/cancel", {})

    return simple_run(wire, on_event=cancel_at_first_delta)


def expired(wire: Wire) -> list[bytes]:
    wire.fake.script.reply("Once upon a time there was a run that took too long.")
    clock = wire.fake.clock
    assert isinstance(clock, ManualClock)

    def time_passes_at_first_delta(name: str, state: dict[str, Any]) -> None:
        if name == "thread.message.delta" and "late" not in state:
            state["late"] = clock.advance(601)

    return simple_run(wire, on_event=time_passes_at_first_delta)


SCENARIOS: dict[str, tuple[Callable[[Wire], list[bytes]], int]] = {
    # name: (scenario, which of its streams)
    "text": (text_run, 0),
    "create_and_run": (create_and_run, 0),
    "function": (function_call, 0),
    "resumed": (function_call, 1),
    "code_interpreter": (code_interpreter_with_logs, 0),
    "file_search": (file_search, 0),
    "incomplete": (incomplete, 0),
    "failed": (failed, 0),
    "cancelled": (cancelled, 0),
    "expired": (expired, 0),
    "broken": (broken, 0),
}


# -- event orders --------------------------------------------------------------------------------------


@pytest.mark.parametrize("library", http_params())
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_event_order(scenario: str, library: str) -> None:
    run_scenario, index = SCENARIOS[scenario]
    with wire_on(library) as wire:
        raw = run_scenario(wire)[index]

    assert compress(name for name, _ in split_events(raw)) == EXPECTED[scenario]


def test_code_interpreter_step_deltas_carry_input_then_outputs() -> None:
    with wire_on("httpx", stream_chunk_chars=4) as wire:
        (raw,) = code_interpreter_with_logs(wire)

    calls = [json.loads(data)["delta"]["step_details"]["tool_calls"] for name, data in split_events(raw)
             if name == "thread.run.step.delta"]
    assert calls == [
        [{"index": 0, "id": calls[0][0]["id"], "type": "code_interpreter",
          "code_interpreter": {"input": "", "outputs": []}}],
        [{"index": 0, "type": "code_interpreter", "code_interpreter": {"input": "prin"}}],
        [{"index": 0, "type": "code_interpreter", "code_interpreter": {"input": "t(1 "}}],
        [{"index": 0, "type": "code_interpreter", "code_interpreter": {"input": "+ 1)"}}],
        [{"index": 0, "type": "code_interpreter", "code_interpreter": {"outputs": [
            {"index": 0, "type": "logs", "logs": "2"}]}}],
    ]
    completed = data_of(raw, "thread.run.step.completed")
    assert completed["step_details"]["tool_calls"][0]["code_interpreter"] == {
        "input": "print(1 + 1)", "outputs": [{"type": "logs", "logs": "2"}]}


@pytest.mark.skipif(not SEQUENCES.is_file(), reason=SHARED_MISSING)
@pytest.mark.parametrize("section, scenario", [("1", "text"), ("2", "function"), ("3", "resumed")])
def test_orders_are_those_of_sequences_md(section: str, scenario: str) -> None:
    assert compress(sequence_in_section(section)) == EXPECTED[scenario]


@pytest.mark.skipif(recorded_stream(INCOMPLETE_RECORDINGS[0]) is None, reason=SHARED_MISSING)
@pytest.mark.parametrize("scenario", list(RECORDED_AS))
def test_orders_are_those_recorded(scenario: str) -> None:
    for path in RECORDED_AS[scenario][1]:
        raw = recorded_stream(path)
        assert raw is not None
        assert compress(name for name, _ in split_events(complete_trimmed(raw))) == EXPECTED[scenario], path


@pytest.mark.skipif(recorded_stream(INCOMPLETE_RECORDINGS[0]) is None, reason=SHARED_MISSING)
@pytest.mark.parametrize("path", INCOMPLETE_RECORDINGS)
def test_incomplete_ending_differs_from_2024_only_in_the_event_name(path: str) -> None:
    raw = recorded_stream(path)
    assert raw is not None
    names = compress(name for name, _ in split_events(raw))
    with wire_on("httpx") as wire:
        (ours,) = incomplete(wire)

    assert names == [n.replace("thread.run.incomplete", "thread.run.completed") for n in EXPECTED["incomplete"]]
    recorded_message = data_of(raw, "thread.message.incomplete")
    our_message, our_run = data_of(ours, "thread.message.incomplete"), data_of(ours, "thread.run.incomplete")
    assert (our_message["status"], our_message["incomplete_details"]) == (
        recorded_message["status"], recorded_message["incomplete_details"])
    assert (our_run["status"], our_run["incomplete_details"]) == ("incomplete", {"reason": "max_completion_tokens"})


# -- framing, byte for byte ------------------------------------------------------------------------------


FRAMING_CASES = [
    pytest.param(scenario, index, path, id=f"{scenario}-{index}")
    for scenario, paths in FRAMING.items() for index, path in enumerate(paths)
]
FRAMING_SCENARIOS: dict[str, Callable[[Wire], list[bytes]]] = {
    "text": text_run, "function": function_call, "file_search": file_search, "code_interpreter": code_interpreter,
}


@pytest.mark.skipif(recorded_stream(INCOMPLETE_RECORDINGS[0]) is None, reason=SHARED_MISSING)
@pytest.mark.parametrize("library", http_params())
@pytest.mark.parametrize("scenario, index, path", FRAMING_CASES)
def test_framing_matches_the_recording_byte_for_byte(scenario: str, index: int, path: str, library: str) -> None:
    recorded = recorded_stream(path)
    assert recorded is not None
    with wire_on(library) as wire:
        ours = FRAMING_SCENARIOS[scenario](wire)[index]

    assert normalized(ours) == normalized(recorded)


@pytest.mark.skipif(recorded_stream(INCOMPLETE_RECORDINGS[0]) is None, reason=SHARED_MISSING)
def test_broken_stream_ends_like_the_recorded_one() -> None:
    recorded = recorded_stream(RECORDED_AS["broken"][1][0])
    assert recorded is not None
    with wire_on("httpx") as wire:
        (ours,) = broken(wire)

    assert normalized(ours)[-1] == normalized(complete_trimmed(recorded))[-1]
    assert ours.endswith(b'"type":"server_error","param":null,"code":null}}\n\n')


@pytest.mark.parametrize("library", http_params())
def test_framing_without_recordings(library: str) -> None:
    """What SEQUENCES.md §0 says of every stream, checked on the raw bytes (shared folder or not)."""
    with wire_on(library) as wire:
        (raw,) = file_search(wire)

    events = split_events(raw)  # `event: <name>\ndata: <one line>\n\n` and nothing else: no id, no comment
    assert raw.endswith(b"event: done\ndata: [DONE]\n\n")
    assert b"\r" not in raw
    for name, data in events[:-1]:
        assert json.dumps(json.loads(data), separators=(",", ":"), ensure_ascii=False).encode() == data, name
    assert "\u3010".encode() in raw  # the citation marker as raw UTF-8, not a \\u escape
    delta = json.loads(next(data for name, data in events if name == "thread.message.delta"))
    assert set(delta) == {"id", "object", "delta"}


# -- streams and REST, in the recorded shape -------------------------------------------------------------

# Messages from REST have none of these; the same message in a stream event has them (SEQUENCES.md §7).
STREAM_ONLY_MESSAGE_KEYS = ("status", "incomplete_details", "incomplete_at", "completed_at")


@pytest.mark.parametrize("scenario", ["text", "function", "file_search", "code_interpreter", "incomplete"])
def test_final_objects_are_what_rest_returns_in_the_recorded_shape(scenario: str) -> None:
    run_scenario = {**FRAMING_SCENARIOS, "incomplete": incomplete}[scenario]
    with wire_on("httpx") as wire:
        streams = run_scenario(wire)
        final: dict[str, Any] = {}
        for raw in streams:
            for name, data in split_events(raw):
                if name not in ("done", "error") and not name.endswith(".delta"):
                    final[json.loads(data)["id"]] = (name, json.loads(data))
        for name, data in final.values():
            assert rest_view(wire, name, data) == expected_rest(name, data, final), name


def rest_view(wire: Wire, name: str, data: dict[str, Any]) -> Any:
    query = {"include[]": SEARCH_CONTENT}
    if name == "thread.created":
        path = f"/threads/{data['id']}"
    elif name.startswith("thread.run.step."):
        path = f"/threads/{data['thread_id']}/runs/{data['run_id']}/steps/{data['id']}"
    elif name.startswith("thread.run."):
        path = f"/threads/{data['thread_id']}/runs/{data['id']}"
    else:
        path = f"/threads/{data['thread_id']}/messages/{data['id']}"
    response = wire.client.get(path, params=query if "step" in name else None)
    assert response.status_code == 200
    return response.json()


def expected_rest(name: str, data: dict[str, Any], final: dict[str, tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    if name.startswith("thread.message."):
        return {key: value for key, value in data.items() if key not in STREAM_ONLY_MESSAGE_KEYS}
    if name.startswith("thread.run.step."):  # read over REST, a step shares its run's expires_at as the run is now:
        # null once the run has ended (the .NET recordings' steps read after their run completed)
        return {**data, "expires_at": final[data["run_id"]][1]["expires_at"]}
    return data


# -- helpers ---------------------------------------------------------------------------------------------


def sequence_in_section(number: str) -> list[str]:
    """The event names of the first fenced block in SEQUENCES.md's section `## <number>.`."""
    text = SEQUENCES.read_text(encoding="utf-8")
    section = text.split(f"\n## {number}. ", 1)[1].split("\n## ", 1)[0]
    block = section.split("```", 2)[1]
    names = [re.match(r"[a-z_.]+", line.strip()) for line in block.splitlines() if line.strip()]
    return [found.group().rstrip(".") for found in names if found is not None]


def complete_trimmed(raw: bytes) -> bytes:
    """The simple-openai captures were saved by hand and lost the final newline (SEQUENCES.md §0)."""
    return raw + b"\n" if raw.endswith(b"\n") and not raw.endswith(b"\n\n") else raw
