"""The run transition table: unit tests of `run_lifecycle`, and proof that the fake uses every transition."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, get_args

import pytest

from fake_assistants import FakeAssistants, IllegalTransition
from fake_assistants.model import run_lifecycle as lifecycle
from fake_assistants.model.run import Run
from fake_assistants.model.run_lifecycle import ACTIVE, RUN_TRANSITIONS, TERMINAL, RunStatus, Trigger
from runs_support import assistant_and_thread, clock_of, retrieve
from sdk_matrix import START, Sdk

ALL_PAIRS = {(status, trigger) for status, moves in RUN_TRANSITIONS.items() for trigger in moves}
ILLEGAL_PAIRS = sorted(
    (status, trigger) for status in get_args(RunStatus) for trigger in get_args(Trigger)
    if trigger not in RUN_TRANSITIONS[status]
)
EXPIRES_AT = START + 600


def new_run(status: str = "queued", **fields: Any) -> Run:
    run = Run(
        id="run_abc", created_at=START, thread_id="thread_abc", assistant_id="asst_abc", model="gpt-4o",
        instructions=None, tools=[], expires_at=EXPIRES_AT, **fields,
    )
    run.status = status
    return run


# -- the table ------------------------------------------------------------------------------------------


def test_table_covers_every_status_and_only_known_triggers() -> None:
    assert set(RUN_TRANSITIONS) == set(get_args(RunStatus)) == ACTIVE | TERMINAL
    assert ACTIVE.isdisjoint(TERMINAL)
    assert {t for moves in RUN_TRANSITIONS.values() for t in moves} == set(get_args(Trigger))
    assert {to for moves in RUN_TRANSITIONS.values() for to in moves.values()} <= set(RUN_TRANSITIONS)


def test_terminal_statuses_have_no_way_out() -> None:
    assert all(RUN_TRANSITIONS[status] == {} for status in TERMINAL)
    assert all(RUN_TRANSITIONS[status] for status in ACTIVE)


@pytest.mark.parametrize(("status", "trigger"), ILLEGAL_PAIRS)
def test_illegal_trigger_raises_naming_status_and_trigger(status: str, trigger: Trigger) -> None:
    run = new_run(status)

    with pytest.raises(IllegalTransition) as caught:
        lifecycle.apply(run, trigger, START + 1)

    assert (caught.value.status, caught.value.trigger) == (status, trigger)
    assert repr(status) in str(caught.value)
    assert repr(trigger) in str(caught.value)
    assert run.status == status
    assert lifecycle.can(status, trigger) is False


@pytest.mark.parametrize(("status", "trigger"), sorted(ALL_PAIRS))
def test_legal_trigger_moves_to_the_table_status(status: str, trigger: Trigger) -> None:
    run = new_run(status)

    assert lifecycle.can(status, trigger) is True
    assert lifecycle.apply(run, trigger, START + 1) == RUN_TRANSITIONS[status][trigger] == run.status


def test_unknown_status_is_illegal() -> None:
    with pytest.raises(IllegalTransition):
        lifecycle.next_status("paused", "start")
    assert lifecycle.can("paused", "start") is False


# -- timestamps that go with each status -------------------------------------------------------------


def test_each_start_sets_started_at() -> None:
    """A resumed run keeps its first started_at while queued and gets a new one at in_progress (recorded:
    see tests/api/runs/test_run_timestamps.py)."""
    run = new_run()
    lifecycle.apply(run, "start", START + 1)
    lifecycle.apply(run, "require_action", START + 2)
    lifecycle.apply(run, "submit_tool_outputs", START + 3)
    assert (run.status, run.started_at) == ("queued", START + 1)

    lifecycle.apply(run, "start", START + 4)

    assert (run.status, run.started_at) == ("in_progress", START + 4)


@pytest.mark.parametrize(
    ("trigger", "field"),
    [("complete", "completed_at"), ("fail", "failed_at"), ("end_incomplete", "completed_at")],
)
def test_ending_sets_its_timestamp_and_clears_expiry(trigger: Trigger, field: str | None) -> None:
    run = new_run("in_progress", started_at=START)

    lifecycle.apply(run, trigger, START + 5)

    stamps = {"completed_at": run.completed_at, "failed_at": run.failed_at, "cancelled_at": run.cancelled_at}
    assert stamps == {name: (START + 5 if name == field else None) for name in stamps}
    assert run.expires_at is None


def test_cancellation_sets_cancelled_at_when_it_takes_effect() -> None:
    run = new_run("requires_action", required_action={"type": "submit_tool_outputs"})

    lifecycle.apply(run, "cancel", START + 1)
    assert (run.status, run.cancelled_at, run.required_action, run.expires_at) == (
        "cancelling", None, None, EXPIRES_AT,
    )
    lifecycle.apply(run, "finish_cancelling", START + 2)
    assert (run.status, run.cancelled_at, run.expires_at) == ("cancelled", START + 2, None)


@pytest.mark.parametrize("status", ["queued", "in_progress", "requires_action"])
def test_expiry_keeps_expires_at(status: str) -> None:
    run = new_run(status, required_action={"type": "submit_tool_outputs"} if status == "requires_action" else None)

    lifecycle.apply(run, "expire", EXPIRES_AT)

    assert (run.status, run.expires_at, run.required_action) == ("expired", EXPIRES_AT, None)
    assert (run.completed_at, run.failed_at, run.cancelled_at) == (None, None, None)


def test_submitting_tool_outputs_clears_required_action() -> None:
    run = new_run("requires_action", required_action={"type": "submit_tool_outputs"})

    lifecycle.apply(run, "submit_tool_outputs", START + 1)

    assert (run.status, run.required_action) == ("queued", None)


# -- every transition of the table happens through the API --------------------------------------------


Scenario = Callable[[Sdk, FakeAssistants], Awaitable[None]]


async def _new_run(client: Sdk, fake: FakeAssistants, policy: str = "immediate") -> tuple[Any, Any]:
    fake.set_progression(policy)
    assistant, thread = await assistant_and_thread(client, "Hi")
    run = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    return thread, run


async def reply(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.reply("Hello.")
    _, run = await _new_run(client, fake)
    assert (await retrieve(client, run)).status == "completed"


async def tool_round_trip(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.call_function("get_weather", {"location": "Paris"}).reply("Sunny.")
    thread, run = await _new_run(client, fake)
    call = (await retrieve(client, run)).required_action.submit_tool_outputs.tool_calls[0]
    await client.beta.threads.runs.submit_tool_outputs(
        run.id, thread_id=thread.id, tool_outputs=[{"tool_call_id": call.id, "output": "sunny"}]
    )
    assert (await retrieve(client, run)).status == "completed"


async def failure(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.fail("server_error")
    _, run = await _new_run(client, fake)
    assert (await retrieve(client, run)).status == "failed"


async def incompleteness(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.incomplete("max_completion_tokens")
    _, run = await _new_run(client, fake)
    assert (await retrieve(client, run)).status == "incomplete"


async def cancel_queued(client: Sdk, fake: FakeAssistants) -> None:
    thread, run = await _new_run(client, fake, "manual")
    await client.beta.threads.runs.cancel(run.id, thread_id=thread.id)
    assert fake.advance(run.id) == "cancelled"


async def cancel_in_progress(client: Sdk, fake: FakeAssistants) -> None:
    thread, run = await _new_run(client, fake, "manual")
    fake.advance(run.id)
    await client.beta.threads.runs.cancel(run.id, thread_id=thread.id)
    assert fake.advance(run.id) == "cancelled"


async def cancel_requires_action(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.call_function("get_weather", {"location": "Paris"})
    thread, run = await _new_run(client, fake)
    assert (await retrieve(client, run)).status == "requires_action"
    await client.beta.threads.runs.cancel(run.id, thread_id=thread.id)
    assert (await retrieve(client, run)).status == "cancelled"


async def expire_queued(client: Sdk, fake: FakeAssistants) -> None:
    _, run = await _new_run(client, fake, "manual")
    clock_of(fake).advance(600)
    assert (await retrieve(client, run)).status == "expired"


async def expire_in_progress(client: Sdk, fake: FakeAssistants) -> None:
    _, run = await _new_run(client, fake, "manual")
    fake.advance(run.id)
    clock_of(fake).advance(600)
    assert (await retrieve(client, run)).status == "expired"


async def expire_requires_action(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.call_function("get_weather", {"location": "Paris"})
    _, run = await _new_run(client, fake)
    assert (await retrieve(client, run)).status == "requires_action"
    clock_of(fake).advance(600)
    assert (await retrieve(client, run)).status == "expired"


SCENARIOS: list[Scenario] = [
    reply, tool_round_trip, failure, incompleteness, cancel_queued, cancel_in_progress, cancel_requires_action,
    expire_queued, expire_in_progress, expire_requires_action,
]


async def test_scenarios_apply_every_transition_of_the_table(
    client: Sdk, fake: FakeAssistants, monkeypatch: pytest.MonkeyPatch
) -> None:
    applied: list[tuple[str, str]] = []
    real_apply = lifecycle.apply

    def recording_apply(run: Run, trigger: Trigger, now: int) -> str:
        applied.append((run.status, trigger))
        return real_apply(run, trigger, now)

    monkeypatch.setattr(lifecycle, "apply", recording_apply)

    for scenario in SCENARIOS:
        await scenario(client, fake)

    assert set(applied) == ALL_PAIRS
