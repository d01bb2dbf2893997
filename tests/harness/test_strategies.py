"""`fake_assistants.strategies`: run histories are legal and end where they say; payloads are accepted."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import openai
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from fake_assistants import FakeAssistants, ManualClock
from fake_assistants.runs.script import (
    INCOMPLETE_REASONS,
    LAST_ERROR_CODES,
    BrokenStream,
    Fail,
    FileSearch,
    FunctionCalls,
    Incomplete,
    Reply,
)
from fake_assistants.strategies import (
    ENDING_KINDS,
    Cancelled,
    Expired,
    RunHistory,
    ToolRound,
    assistant_payloads,
    builtin_steps,
    message_payloads,
    run_histories,
    run_payloads,
    thread_payloads,
    vector_store_payloads,
)
from sdk_matrix import START

FUNCTIONS = ["get_weather", "search_docs"]
TOOLS: list[Any] = [{"type": "function", "function": {"name": name, "parameters": {"type": "object"}}}
                    for name in FUNCTIONS] + [{"type": "code_interpreter"}, {"type": "file_search"}]
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def new_fake() -> FakeAssistants:
    return FakeAssistants(seed=0, shape="schema", clock=ManualClock(START))


def new_client(fake: FakeAssistants) -> Any:
    return fake.openai_client(_strict_response_validation=True, max_retries=0)


def scripted(history: RunHistory, tools: list[Any]) -> tuple[FakeAssistants, Any, Any, Any]:
    """A fresh fake with `history` scripted, its client, an assistant with `tools` and a thread with a question."""
    fake = new_fake()
    history.apply(fake)
    client = new_client(fake)
    assistant = client.beta.assistants.create(model="gpt-4o", tools=tools)
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "What's the weather in Paris?"}])
    return fake, client, assistant, thread


def drive(client: Any, thread_id: str, assistant_id: str, asked: list[tuple[str, str]], **run_settings: Any) -> Any:
    """Poll one run to its end, answering every function call (what a typical app does)."""
    run = client.beta.threads.runs.create_and_poll(thread_id=thread_id, assistant_id=assistant_id, **run_settings)
    while run.status == "requires_action":
        calls = run.required_action.submit_tool_outputs.tool_calls
        asked += [(call.function.name, call.function.arguments) for call in calls]
        try:
            run = client.beta.threads.runs.submit_tool_outputs_and_poll(
                run_id=run.id, thread_id=thread_id, tool_outputs=[{"tool_call_id": c.id, "output": "ok"} for c in calls]
            )
        except openai.BadRequestError as error:  # cancelled or expired meanwhile
            assert re.fullmatch(r'Runs in status "(cancelling|expired)" do not accept tool outputs.',
                                error.body["message"]), error.body  # type: ignore[index]
            run = client.beta.threads.runs.poll(run_id=run.id, thread_id=thread_id)
    return run


def assert_ended_as_told(fake: FakeAssistants, client: Any, run: Any, history: RunHistory) -> None:
    assert run.status == history.final_status
    ending = history.ending
    if isinstance(ending, Fail):
        assert (run.last_error.code, run.last_error.message) == (ending.code, ending.message)
    elif isinstance(ending, BrokenStream):
        assert run.last_error.code == "server_error"
    elif isinstance(ending, Incomplete):
        assert run.incomplete_details.reason == ending.reason
    elif isinstance(ending, Reply):
        latest = client.beta.threads.messages.list(thread_id=run.thread_id, limit=1).data[0]
        assert latest.content[-1].text.value == ending.text
    steps = client.beta.threads.runs.steps.list(run_id=run.id, thread_id=run.thread_id, order="asc", limit=100).data
    assert all(step.status != "in_progress" for step in steps)
    function_steps = [s for s in steps if s.type == "tool_calls" and s.step_details.tool_calls[0].type == "function"]
    assert len(function_steps) == len(history.rounds)


@SETTINGS
@given(history=run_histories(FUNCTIONS, tools=TOOLS))
def test_every_history_ends_in_its_final_status(history: RunHistory) -> None:
    fake, client, assistant, thread = scripted(history, TOOLS)
    asked: list[tuple[str, str]] = []

    run = drive(client, thread.id, assistant.id, asked)

    assert_ended_as_told(fake, client, run, history)
    assert asked == list(history.function_calls)
    assert fake.script.pending == []
    client.close()


@settings(max_examples=40, deadline=None)
@given(histories=st.lists(run_histories(FUNCTIONS, tools=TOOLS, max_rounds=2), min_size=1, max_size=3))
def test_histories_applied_in_turn_go_to_runs_in_turn(histories: list[RunHistory]) -> None:
    fake = new_fake()
    for history in histories:
        history.apply(fake)
    client = new_client(fake)
    assistant = client.beta.assistants.create(model="gpt-4o", tools=TOOLS)
    thread = client.beta.threads.create()

    for history in histories:
        client.beta.threads.messages.create(thread_id=thread.id, role="user", content="Next question")
        run = drive(client, thread.id, assistant.id, [])
        assert_ended_as_told(fake, client, run, history)
    assert fake.script.pending == []
    client.close()


TERMINAL = {"completed", "failed", "cancelled", "expired", "incomplete"}


@SETTINGS
@given(history=run_histories(FUNCTIONS, tools=TOOLS), data=st.data())
def test_under_manual_progression_reads_and_advances_in_any_order_end_as_told(history: RunHistory,
                                                                              data: st.DataObject) -> None:
    """`progression="manual"`: the app reads the run, the test advances it, in any order. No read fails, and the
    run ends in its history's status (a cancelled history's read answered a 400 once the run was `cancelling`,
    and an advance before the first read ran it to `completed`)."""
    fake = FakeAssistants(seed=0, shape="schema", clock=ManualClock(START), progression="manual")
    history.apply(fake)
    client = new_client(fake)
    assistant = client.beta.assistants.create(model="gpt-4o", tools=TOOLS)
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "What's the weather in Paris?"}])
    run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    for _ in range(100):
        for _ in range(data.draw(st.integers(0, 2), label="reads before the next advance")):
            run = client.beta.threads.runs.retrieve(run.id, thread_id=thread.id)
        if run.status in TERMINAL:
            break
        if run.status == "requires_action":
            calls = run.required_action.submit_tool_outputs.tool_calls
            outputs = [{"tool_call_id": c.id, "output": "ok"} for c in calls]
            try:
                run = client.beta.threads.runs.submit_tool_outputs(run_id=run.id, thread_id=thread.id,
                                                                   tool_outputs=outputs)
            except openai.BadRequestError as error:  # cancelled or expired meanwhile
                assert re.fullmatch(r'Runs in status "(cancelling|expired)" do not accept tool outputs.',
                                    error.body["message"]), error.body  # type: ignore[index]
        fake.advance(run.id)
        run = client.beta.threads.runs.retrieve(run.id, thread_id=thread.id)
    assert run.status == history.final_status
    client.close()


def test_advancing_a_run_cancelled_before_it_starts_after_its_expiry_expires_it() -> None:
    """An advance past the run's expiry expires it, as a read would; the history's cancel does not apply then."""
    fake = FakeAssistants(seed=0, shape="schema", clock=ManualClock(START), progression="manual")
    RunHistory(ending=Cancelled()).apply(fake)
    client = new_client(fake)
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    fake.manual_clock.advance(700)

    assert fake.advance(run.id) == "expired"
    client.close()


ENDING_TYPES = {"reply": Reply, "fail": Fail, "broken_stream": BrokenStream, "incomplete": Incomplete,
                "cancelled": Cancelled, "expired": Expired}


def generated(strategy: st.SearchStrategy[Any], count: int) -> list[Any]:
    """`count` values drawn from `strategy` (the same ones on every run)."""
    values: list[Any] = []

    @settings(max_examples=count, phases=[Phase.generate], database=None, derandomize=True, deadline=None)
    @given(strategy)
    def collect(value: Any) -> None:
        values.append(value)

    collect()
    return values


def test_histories_cover_every_ending_code_reason_and_step() -> None:
    histories: list[RunHistory] = generated(run_histories(FUNCTIONS, tools=TOOLS), 400)

    assert {kind for kind, cls in ENDING_TYPES.items() if any(isinstance(h.ending, cls) for h in histories)} == set(
        ENDING_KINDS)
    assert {h.ending.code for h in histories if isinstance(h.ending, Fail)} == set(LAST_ERROR_CODES)
    assert {h.ending.reason for h in histories if isinstance(h.ending, Incomplete)} == set(INCOMPLETE_REASONS)
    rounds = [r for h in histories for r in h.rounds]
    assert max(len(r.calls.calls) for r in rounds) == 3  # parallel function calls
    steps = [s for h in histories for s in (*h.steps, *(s for r in h.rounds for s in r.steps))]
    assert {type(s).__name__ for s in steps} == {"CodeInterpreter", "FileSearch"}
    assert {len(h.rounds) for h in histories} == {0, 1, 2, 3}


def test_histories_have_steps_of_the_builtin_tools_given_only() -> None:
    """A code_interpreter or file_search step on a run without that tool fails it: histories only have the steps
    of the built-in tools among `tools` (none without `tools`)."""
    def step_types(histories: list[RunHistory]) -> set[str]:
        return {type(s).__name__ for h in histories for s in (*h.steps, *(s for r in h.rounds for s in r.steps))}

    code_only = [*TOOLS[:2], {"type": "code_interpreter"}]
    assert step_types(generated(run_histories(FUNCTIONS), 200)) == set()
    assert step_types(generated(run_histories(tools=code_only), 200)) == {"CodeInterpreter"}
    with pytest.raises(ValueError, match=r"builtin_steps needs kinds among \['code_interpreter', 'file_search'\]"):
        builtin_steps(["retrieval"])


CODE: list[Any] = [{"type": "code_interpreter"}]
SEARCH: list[Any] = [{"type": "file_search"}]
CHOICES = [
    pytest.param(TOOLS[:2], "none", True, id="none"),
    pytest.param(TOOLS[:2], "required", True, id="required"),
    pytest.param(TOOLS[:2], {"type": "function", "function": {"name": "search_docs"}}, False, id="forced-function"),
    pytest.param(TOOLS[:2] + CODE, {"type": "code_interpreter"}, True, id="forced-code"),
    pytest.param(TOOLS[:2] + SEARCH, {"type": "file_search"}, True, id="forced-search"),
    pytest.param(CODE, "required", True, id="required-builtin-only"),
    pytest.param(TOOLS, "required", False, id="required-serial"),
]


@pytest.mark.parametrize(("tools", "choice", "parallel"), CHOICES)
def test_histories_keep_to_the_runs_tool_choice(tools: list[Any], choice: Any, parallel: bool) -> None:
    """Each history, scripted, is one the run's tool_choice and parallel_tool_calls allow: no mistake, and the run
    ends where the history says."""
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(history=run_histories(tools=tools, tool_choice=choice, parallel_tool_calls=parallel))
    def check(history: RunHistory) -> None:
        fake, client, assistant, thread = scripted(history, tools)

        run = drive(client, thread.id, assistant.id, [], tool_choice=choice, parallel_tool_calls=parallel)

        assert fake.script.mistakes == []
        assert run.status == history.final_status
        client.close()

    check()


@pytest.mark.parametrize(("call", "said"), [
    (lambda: run_histories(tools=TOOLS[:2], tool_choice={"type": "function", "function": {"name": "nope"}}),
     "tool_choice forces function 'nope', which is not among the functions the run is asked for"),
    (lambda: run_histories(tools=TOOLS[:2], tool_choice={"type": "code_interpreter"}),
     "tool_choice forces code_interpreter, which is not among the tools"),
    (lambda: run_histories(tools=TOOLS[:2], tool_choice="required", max_rounds=0),
     "the run's tool_choice asks for a call first, and max_rounds=0 allows none"),
    (lambda: run_histories(["get_wether"], tools=TOOLS[:2]),
     "function_names= names functions the tools do not declare: ['get_wether']"),
])
def test_histories_refuse_settings_no_history_keeps_to(call: Any, said: str) -> None:
    with pytest.raises(ValueError, match=re.escape(said)):
        generated(call(), 1)


def test_no_tools_means_no_calls() -> None:
    """`tools=[]` is a run without tools, not "tools not given": its histories call nothing, and end."""
    bare: list[RunHistory] = generated(run_histories(tools=[]), 50)
    assert all(h.rounds == () and h.steps == () for h in bare)
    assert {type(h.ending).__name__ for h in bare} >= {"Reply", "Fail"}
    assert not any(isinstance(h.ending, Expired) for h in bare)  # it expires waiting for outputs: none are asked
    histories: list[RunHistory] = generated(run_histories(tools=CODE), 50)
    assert all(h.rounds == () for h in histories)
    assert any(h.steps for h in histories)


def test_histories_are_checked_for_legality() -> None:
    one_round = (ToolRound(FunctionCalls((("get_weather", "{}"),))),)

    with pytest.raises(ValueError, match="expires while it waits for tool outputs"):
        RunHistory(ending=Expired())
    with pytest.raises(ValueError, match="takes no steps after its last round"):
        RunHistory(one_round, (FileSearch(),), Cancelled())
    assert RunHistory(one_round, ending=Expired()).actions == (one_round[0].calls,)


def test_expiry_needs_a_manual_clock() -> None:
    history = RunHistory((ToolRound(FunctionCalls((("get_weather", "{}"),))),), ending=Expired())

    with pytest.raises(TypeError, match="ManualClock"):
        history.apply(FakeAssistants())


def test_strategy_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="an ending kind it can reach"):
        generated(run_histories(max_rounds=0, ending_kinds=["expired"]), 1)


# -- payloads --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shared() -> Iterator[tuple[FakeAssistants, Any]]:
    """One fake and one strictly validating client for every payload example (hypothesis reuses them)."""
    fake = new_fake()
    client = new_client(fake)
    yield fake, client
    client.close()


@settings(max_examples=100, deadline=None)
@given(payload=assistant_payloads())
def test_assistant_payloads_are_accepted(shared: tuple[FakeAssistants, Any], payload: dict[str, Any]) -> None:
    _, client = shared

    assistant = client.beta.assistants.create(**payload)

    assert assistant.model == payload["model"]
    assert assistant.metadata == payload.get("metadata", {})
    assert [t.type for t in assistant.tools] == [t["type"] for t in payload.get("tools", [])]
    if "name" in payload:
        assert assistant.name == payload["name"]


@settings(max_examples=100, deadline=None)
@given(payload=thread_payloads())
def test_thread_payloads_are_accepted(shared: tuple[FakeAssistants, Any], payload: dict[str, Any]) -> None:
    _, client = shared

    thread = client.beta.threads.create(**payload)

    messages = client.beta.threads.messages.list(thread_id=thread.id, order="asc", limit=100).data
    assert [m.role for m in messages] == [m["role"] for m in payload.get("messages", [])]
    assert thread.metadata == payload.get("metadata", {})


@settings(max_examples=100, deadline=None)
@given(payload=message_payloads())
def test_message_payloads_are_accepted(shared: tuple[FakeAssistants, Any], payload: dict[str, Any]) -> None:
    _, client = shared
    thread = client.beta.threads.create()

    message = client.beta.threads.messages.create(thread_id=thread.id, **payload)

    expected = payload["content"] if isinstance(payload["content"], str) else [p["text"] for p in payload["content"]]
    texts = [part.text.value for part in message.content]
    assert texts == ([expected] if isinstance(expected, str) else expected)


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_run_payloads_are_accepted(shared: tuple[FakeAssistants, Any], data: st.DataObject) -> None:
    _, client = shared
    assistant = client.beta.assistants.create(model="gpt-4o")
    payload = data.draw(run_payloads(assistant.id))
    thread = client.beta.threads.create()

    run = client.beta.threads.runs.create(thread_id=thread.id, **payload)

    assert (run.status, run.assistant_id) == ("queued", assistant.id)
    assert run.model == payload.get("model", "gpt-4o")
    finished = client.beta.threads.runs.retrieve(run_id=run.id, thread_id=thread.id)
    if finished.status == "incomplete":  # a token limit the payload set was reached
        reason = finished.incomplete_details.reason
        assert payload.get(reason) is not None, (reason, payload)
    else:
        assert finished.status == "completed"


@settings(max_examples=100, deadline=None)
@given(payload=vector_store_payloads())
def test_vector_store_payloads_are_accepted(shared: tuple[FakeAssistants, Any], payload: dict[str, Any]) -> None:
    _, client = shared

    store = client.vector_stores.create(**payload)

    assert store.metadata == payload.get("metadata", {})
    assert json.loads(store.to_json())["object"] == "vector_store"
