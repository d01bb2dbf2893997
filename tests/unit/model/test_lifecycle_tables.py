"""The step and message transition tables (and the run table's shape): every entry reachable, from the table
and through the API; illegal triggers raise `IllegalTransition` naming status and trigger."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, get_args

import pytest

from fake_assistants import FakeAssistants, IllegalTransition
from fake_assistants.model import message_lifecycle, run_lifecycle, step_lifecycle
from fake_assistants.model.message import Message, MessageStatus
from fake_assistants.model.message_lifecycle import MESSAGE_TRANSITIONS, MessageTrigger
from fake_assistants.model.run import RunStatus
from fake_assistants.model.run_lifecycle import RUN_TRANSITIONS, Trigger
from fake_assistants.model.step import RunStep, StepStatus
from fake_assistants.model.step_lifecycle import STEP_TRANSITIONS, StepTrigger
from sdk_matrix import START, new_fake

TABLES: dict[str, tuple[Mapping[str, Mapping[str, str]], Any, Any, str]] = {
    # name: (table, its status Literal, its trigger Literal, the status objects are made in)
    "run": (RUN_TRANSITIONS, RunStatus, Trigger, "queued"),
    "step": (STEP_TRANSITIONS, StepStatus, StepTrigger, "in_progress"),
    "message": (MESSAGE_TRANSITIONS, MessageStatus, MessageTrigger, "in_progress"),
}


@pytest.mark.parametrize("name", TABLES)
def test_every_status_is_reachable_and_every_trigger_used(name: str) -> None:
    table, statuses, triggers, first = TABLES[name]
    assert set(table) == set(get_args(statuses))
    assert {t for moves in table.values() for t in moves} == set(get_args(triggers))
    reached, frontier = {first}, [first]
    while frontier:
        for target in table[frontier.pop()].values():
            if target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(table)


def new_step(status: StepStatus = "in_progress") -> RunStep:
    return RunStep(id="step_abc", created_at=START, run_id="run_abc", assistant_id="asst_abc", thread_id="thread_abc",
                   type="tool_calls", step_details={"type": "tool_calls", "tool_calls": []}, expires_at=START + 600,
                   status=status)


def new_message(status: MessageStatus = "in_progress") -> Message:
    return Message(id="msg_abc", created_at=START, thread_id="thread_abc", role="assistant", content=[],
                   status=status)


STEP_TIMESTAMPS = {"completed": "completed_at", "cancelled": "cancelled_at", "failed": "failed_at",
                   "expired": "expired_at"}
MESSAGE_TIMESTAMPS = {"completed": "completed_at", "incomplete": "incomplete_at"}


@pytest.mark.parametrize(("status", "trigger"), [(s, t) for s, moves in STEP_TRANSITIONS.items() for t in moves])
def test_a_step_moves_by_the_table_and_gets_its_timestamp(status: StepStatus, trigger: StepTrigger) -> None:
    step = new_step(status)
    assert step_lifecycle.apply(step, trigger, START + 7) == STEP_TRANSITIONS[status][trigger] == step.status
    stamped = {field for field in STEP_TIMESTAMPS.values() if getattr(step, field) is not None}
    assert stamped == {STEP_TIMESTAMPS[step.status]}
    assert getattr(step, STEP_TIMESTAMPS[step.status]) == START + 7


@pytest.mark.parametrize(("status", "trigger"),
                         [(s, t) for s, moves in MESSAGE_TRANSITIONS.items() for t in moves])
def test_a_message_moves_by_the_table_and_gets_its_timestamp(status: MessageStatus, trigger: MessageTrigger) -> None:
    message = new_message(status)
    assert message_lifecycle.apply(message, trigger, START + 7) == MESSAGE_TRANSITIONS[status][trigger]
    assert message.status == MESSAGE_TRANSITIONS[status][trigger]
    stamped = {field for field in MESSAGE_TIMESTAMPS.values() if getattr(message, field) is not None}
    assert stamped == {MESSAGE_TIMESTAMPS[message.status]}


ILLEGAL_STEP = [(s, t) for s in get_args(StepStatus) for t in get_args(StepTrigger) if t not in STEP_TRANSITIONS[s]]
ILLEGAL_MESSAGE = [(s, t) for s in get_args(MessageStatus) for t in get_args(MessageTrigger)
                   if t not in MESSAGE_TRANSITIONS[s]]


@pytest.mark.parametrize(("status", "trigger"), ILLEGAL_STEP)
def test_an_illegal_step_trigger_raises_naming_status_and_trigger(status: StepStatus, trigger: StepTrigger) -> None:
    step = new_step(status)
    with pytest.raises(IllegalTransition) as raised:
        step_lifecycle.apply(step, trigger, START + 1)
    assert (raised.value.status, raised.value.trigger) == (status, trigger)
    assert step.status == status
    assert all(getattr(step, field) is None for field in STEP_TIMESTAMPS.values())


@pytest.mark.parametrize(("status", "trigger"), ILLEGAL_MESSAGE)
def test_an_illegal_message_trigger_raises_naming_status_and_trigger(
    status: MessageStatus, trigger: MessageTrigger
) -> None:
    message = new_message(status)
    with pytest.raises(IllegalTransition) as raised:
        message_lifecycle.apply(message, trigger, START + 1)
    assert (raised.value.status, raised.value.trigger) == (status, trigger)
    assert message.status == status


def test_illegal_tables_are_not_empty() -> None:
    assert ILLEGAL_STEP and ILLEGAL_MESSAGE  # the parametrized tests above test something


# -- every entry of the step and message tables happens through the API ---------------------------------------


def _run(fake: FakeAssistants, **create: Any) -> tuple[Any, str, str]:
    client = fake.openai_client(max_retries=0)
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    return client, assistant.id, thread.id


def reply(fake: FakeAssistants) -> None:
    fake.script.reply("Hello.")
    client, assistant, thread = _run(fake)
    client.beta.threads.runs.create_and_poll(thread_id=thread, assistant_id=assistant)


def cut_off(fake: FakeAssistants) -> None:
    fake.script.incomplete("max_completion_tokens", "A long answer that is cut off part of the way.")
    client, assistant, thread = _run(fake)
    assert client.beta.threads.runs.create_and_poll(thread_id=thread, assistant_id=assistant).status == "incomplete"


def failure(fake: FakeAssistants) -> None:
    fake.script.fail("rate_limit_exceeded")  # while writing the answer: its step fails
    client, assistant, thread = _run(fake)
    assert client.beta.threads.runs.create_and_poll(thread_id=thread, assistant_id=assistant).status == "failed"


def _interrupted(fake: FakeAssistants, interrupt: Callable[[Any, str, str], None]) -> None:
    """A streamed answer, interrupted at its first delta (its step and message still open)."""
    fake.script.reply("A long answer that arrives in several pieces.")
    client, assistant, thread = _run(fake)
    interrupted = False
    for event in client.beta.threads.runs.create(thread_id=thread, assistant_id=assistant, stream=True):
        if event.event == "thread.message.delta" and not interrupted:
            interrupted = True
            interrupt(client, thread, event.data.id)
    assert interrupted


def cancel(fake: FakeAssistants) -> None:
    def cancel_run(client: Any, thread: str, message_id: str) -> None:
        run_id = client.beta.threads.messages.retrieve(message_id, thread_id=thread).run_id
        client.beta.threads.runs.cancel(run_id, thread_id=thread)

    _interrupted(fake, cancel_run)


def expire(fake: FakeAssistants) -> None:
    clock = fake.clock
    _interrupted(fake, lambda client, thread, message_id: clock.advance(600))  # type: ignore[attr-defined]


def test_runs_apply_every_step_and_message_transition(monkeypatch: pytest.MonkeyPatch) -> None:
    applied: set[tuple[str, str, str]] = set()
    real_step, real_message = step_lifecycle.apply, message_lifecycle.apply

    def recording_step(step: RunStep, trigger: StepTrigger, now: int) -> StepStatus:
        applied.add(("step", step.status, trigger))
        return real_step(step, trigger, now)

    def recording_message(message: Message, trigger: MessageTrigger, now: int) -> MessageStatus:
        applied.add(("message", message.status, trigger))
        return real_message(message, trigger, now)

    monkeypatch.setattr(step_lifecycle, "apply", recording_step)
    monkeypatch.setattr(message_lifecycle, "apply", recording_message)
    for scenario in (reply, cut_off, failure, cancel, expire):
        scenario(new_fake())

    every = {(name, s, t) for name, table in (("step", STEP_TRANSITIONS), ("message", MESSAGE_TRANSITIONS))
             for s, moves in table.items() for t in moves}
    assert applied == every


def test_run_lifecycle_shares_the_illegal_transition() -> None:
    with pytest.raises(IllegalTransition) as raised:
        run_lifecycle.next_status("completed", "start")
    assert (raised.value.status, raised.value.trigger) == ("completed", "start")
