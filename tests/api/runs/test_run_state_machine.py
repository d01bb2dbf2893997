"""Model-based test of runs: random create/poll/submit/cancel/advance/clock/script sequences through the SDK.

A small model predicts, after every operation, each run's status, timestamps, steps and messages, and
which operations the API must reject (and with which catalogued wording). The fake is compared with
the model after every step by looking at its store, which (unlike an API read) never moves a run.

Runs may also be created (and tool outputs submitted) streamed, and their streams read later, or dropped
unread: until its first read a stream leaves its run to the policy (the model does not know it is there), and
once read it has sent its segment whole, each object once, its run moving only as the run table allows, and
ending where the segment ended (at requires_action, whatever happened to the run after it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import openai
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
)

from fake_assistants import FakeAssistants, ManualClock
from fake_assistants.model.run_lifecycle import ACTIVE, RUN_TRANSITIONS, TERMINAL
from fake_assistants.progression import AfterPolls, AfterSeconds, Immediate, Manual, Policy
from fake_assistants.runs.engine import STEP_ERROR_CODES
from fake_assistants.runs.script import default_reply

START = 1_700_000_000
EXPIRY = 600
MAX_THREADS = 4
POLICIES: list[Policy] = [
    Immediate(), Manual(), AfterPolls(0), AfterPolls(1), AfterPolls(3), AfterSeconds(0), AfterSeconds(30),
    AfterSeconds(700),
]
TURNS = st.sampled_from([  # function calls twice: they lead to requires_action, submission and its refusals
    ("reply",), ("call", 1), ("call", 1), ("call", 2), ("code",),
    ("fail", "server_error"), ("fail", "rate_limit_exceeded"), ("fail", "invalid_prompt"),
    ("incomplete", "max_completion_tokens"), ("incomplete", "max_prompt_tokens"),
])


# -- the model ----------------------------------------------------------------------------------------


@dataclass
class ModelMessage:
    role: str
    status: str
    run_id: str | None
    text: str
    exact: bool = True  # False: `text` is what the message's text must be a non-empty prefix of


@dataclass
class ModelRun:
    id: str
    thread_id: str
    created_at: int
    status: str = "queued"
    override: Policy | None = None
    polls: int = 0
    queued_at: int = 0
    started_at: int | None = None
    completed_at: int | None = None
    failed_at: int | None = None
    cancelled_at: int | None = None
    error_code: str | None = None
    incomplete_reason: str | None = None
    calls: int = 0  # function calls waiting for outputs
    steps: list[list[str]] = field(default_factory=list)  # [type, status], oldest first
    segment: int = 1  # the creation, then each accepted submission of tool outputs, starts a segment
    action_segment: int = 0  # the last segment that ended requires_action (a stream of it ends there)

    @property
    def expires_at(self) -> int:
        return self.created_at + EXPIRY


@dataclass
class Model:
    clock: ManualClock
    strict: bool = False
    policy: Policy = field(default_factory=Immediate)
    turns: list[tuple[Any, ...]] = field(default_factory=list)
    runs: dict[str, ModelRun] = field(default_factory=dict)
    messages: dict[str, list[ModelMessage]] = field(default_factory=dict)  # by thread id

    # -- what the API does on each kind of request ----------------------------------------------

    def active(self, thread_id: str) -> ModelRun | None:
        return next((r for r in self.runs.values() if r.thread_id == thread_id and r.status in ACTIVE), None)

    def on_read(self, thread_id: str, polled: str | None) -> None:
        run = self.active(thread_id)
        if run is not None:
            self.progress(run, poll=polled == run.id)
            self.expire_if_due(run)

    def on_write(self, thread_id: str) -> None:
        """Writes move no run, except that an expired run's fate is settled as a read would settle it, and that
        under immediate progression a cancelling run finishes cancelling (issue 15)."""
        run = self.active(thread_id)
        if run is None:
            return
        policy = run.override if run.override is not None else self.policy
        if self.due(run) or (run.status == "cancelling" and isinstance(policy, Immediate)):
            self.on_read(thread_id, polled=None)

    def advance(self, run: ModelRun) -> str:
        if not self.expire_if_due(run):
            self.step(run)
        return run.status

    # -- progression ---------------------------------------------------------------------------------

    def progress(self, run: ModelRun, *, poll: bool) -> None:
        policy = run.override if run.override is not None else self.policy
        if isinstance(policy, Immediate):
            self.drain(run)
        elif isinstance(policy, AfterPolls) and poll:
            run.polls += 1
            if run.polls > policy.polls:
                self.drain(run)
            elif run.status == "queued":
                self.step(run)
        elif isinstance(policy, AfterSeconds):
            if self.clock.now() - run.queued_at >= policy.seconds:
                self.drain(run)
            elif run.status == "queued" and not self.due(run):  # started at the first read, in progress until
                self.step(run)  # its outcome; one read first past its expiry expires unstarted

    def drain(self, run: ModelRun) -> None:
        while run.status in ("queued", "in_progress", "cancelling"):
            self.step(run)

    def step(self, run: ModelRun) -> None:
        """One status change, as `fake.advance` makes it."""
        now = self.clock.now()
        if run.status == "queued":
            run.status = "in_progress"
            run.started_at = now  # each start, a resume's too (tests/api/runs/test_run_timestamps.py)
        elif run.status == "in_progress":
            self.take_turns(run, now)
        elif run.status == "cancelling":
            self.close_open_steps(run, "cancelled")
            run.status, run.cancelled_at = "cancelled", now

    def take_turns(self, run: ModelRun, now: int) -> None:
        while True:
            turn = self.turns.pop(0) if self.turns else (("fail", "server_error") if self.strict else ("default",))
            if turn[0] != "code":
                break
            run.steps.append(["tool_calls", "completed"])
        kind = turn[0]
        if kind in ("reply", "default"):
            text = turn[1] if kind == "reply" else self.default_text(run.thread_id)
            run.steps.append(["message_creation", "completed"])
            self.messages[run.thread_id].append(ModelMessage("assistant", "completed", run.id, text))
            run.status, run.completed_at = "completed", now
        elif kind == "call":
            run.steps.append(["tool_calls", "in_progress"])
            run.status, run.calls, run.action_segment = "requires_action", turn[1], run.segment
        elif kind == "fail":
            if turn[1] in STEP_ERROR_CODES:
                run.steps.append(["message_creation", "failed"])
                self.messages[run.thread_id].append(ModelMessage("assistant", "incomplete", run.id, ""))
            run.status, run.failed_at, run.error_code = "failed", now, turn[1]
        else:
            if turn[1] == "max_completion_tokens":
                run.steps.append(["message_creation", "completed"])
                message = ModelMessage("assistant", "incomplete", run.id, turn[2], exact=False)
                self.messages[run.thread_id].append(message)
            run.status, run.incomplete_reason, run.completed_at = "incomplete", turn[1], now

    def due(self, run: ModelRun) -> bool:
        return run.status in ("queued", "in_progress", "requires_action") and self.clock.now() >= run.expires_at

    def expire_if_due(self, run: ModelRun) -> bool:
        if self.due(run):
            self.close_open_steps(run, "expired")
            run.status = "expired"
            return True
        return False

    @staticmethod
    def close_open_steps(run: ModelRun, status: str) -> None:
        for step in run.steps:
            if step[1] == "in_progress":
                step[1] = status

    def default_text(self, thread_id: str) -> str:
        users = [m for m in self.messages[thread_id] if m.role == "user"]
        wire = [{"role": "user", "content": [{"type": "text", "text": {"value": m.text}}]} for m in users]
        return default_reply(wire)


@dataclass
class UnreadStream:
    """A stream the SDK returned for a streamed create, not read yet."""

    stream: Any
    run: ModelRun
    segment: int
    first: list[str] = field(default_factory=lambda: ["queued", "queued"])  # its run events' statuses, first

# -- the machine ------------------------------------------------------------------------------------------


class RunMachine(RuleBasedStateMachine):
    threads = Bundle("threads")

    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock(START)
        self.fake = FakeAssistants(0, clock=self.clock, shape="schema")
        self.client = self.fake.openai_client(http="httpx", _strict_response_validation=True, max_retries=0)
        self.model = Model(self.clock)
        self.assistants: dict[bool, str] = {}  # has instructions -> assistant id
        self.terminal: dict[str, dict[str, Any]] = {}  # run id -> its wire when first seen terminal
        self.counter = 0
        self.unread: list[UnreadStream] = []

    def teardown(self) -> None:
        for unread in self.unread:
            unread.stream.close()
        self.client.close()

    # -- set-up ---------------------------------------------------------------------------------------

    @initialize(
        target=threads,
        policy=st.sampled_from(POLICIES),
        strict=st.sampled_from([False, False, True]),
        turns=st.lists(TURNS, max_size=6),
    )
    def set_up(self, policy: Policy, strict: bool, turns: list[tuple[Any, ...]]) -> Any:
        self.fake.set_progression(policy)
        self.fake.script.strict = strict
        self.model.policy, self.model.strict = policy, strict
        for turn in turns:
            self.script_turn(turn)
        for instructed in (True, False):
            instructions = "Be helpful." if instructed else None
            self.assistants[instructed] = self.client.beta.assistants.create(
                model="gpt-4o", instructions=instructions,
                tools=[{"type": "function", "function": {"name": "get_weather"}}, {"type": "code_interpreter"}],
            ).id
        talking = self.client.beta.threads.create(messages=[{"role": "user", "content": "First question"}])
        silent = self.client.beta.threads.create()
        self.model.messages[talking.id] = [ModelMessage("user", "completed", None, "First question")]
        self.model.messages[silent.id] = []
        self.started(self.client.beta.threads.runs.create(thread_id=talking.id, assistant_id=self.assistants[False]))
        return multiple(talking.id, silent.id)

    # -- the script, the clock and the policies ------------------------------------------------------------

    @rule(turn=TURNS)
    def script_turn(self, turn: tuple[Any, ...]) -> None:
        self.counter += 1
        kind = turn[0]
        if kind == "reply":
            turn = ("reply", f"Scripted answer {self.counter}")
            self.fake.script.reply(turn[1])
        elif kind == "call":
            self.fake.script.call_functions([("get_weather", {"n": n}) for n in range(turn[1])])
        elif kind == "code":
            self.fake.script.code_interpreter("print(1 + 1)", logs="2")
        elif kind == "fail":
            self.fake.script.fail(turn[1])
        else:
            turn = (*turn, f"An answer that the token limit cuts short, number {self.counter}.")
            self.fake.script.incomplete(turn[1], text=turn[2])
        self.model.turns.append(turn)

    @rule(seconds=st.sampled_from([1, 30, 299, EXPIRY, EXPIRY]))
    def tick(self, seconds: int) -> None:
        self.clock.advance(seconds)

    @rule(thread=threads, policy=st.sampled_from(POLICIES), for_one_run=st.booleans())
    def set_policy(self, thread: str, policy: Policy, for_one_run: bool) -> None:
        run = self.latest(thread)
        if for_one_run and run is not None:
            self.fake.set_progression(policy, run_id=run.id)
            run.override = policy
        else:
            self.fake.set_progression(policy)
            self.model.policy = policy

    # -- writes ------------------------------------------------------------------------------------------

    @rule(thread=threads, instructed=st.booleans())
    def create_run(self, thread: str, instructed: bool) -> None:
        self.create(thread, instructed, stream=False)

    @rule(thread=threads, instructed=st.booleans())
    def create_streamed_run(self, thread: str, instructed: bool) -> None:
        """A streamed create whose stream is read later (read_stream), or never (drop_stream)."""
        self.create(thread, instructed, stream=True)

    def create(self, thread: str, instructed: bool, *, stream: bool) -> None:
        self.model.on_write(thread)
        active = self.model.active(thread)
        has_user_message = any(m.role == "user" for m in self.model.messages[thread])

        def create() -> Any:
            return self.client.beta.threads.runs.create(thread_id=thread, assistant_id=self.assistants[instructed],
                                                        stream=stream)

        if active is not None:
            self.rejected(create, f"Thread {thread} already has an active run {active.id}.")
        elif not (has_user_message or instructed):
            message = "Run creation requires a Thread with a user message or an assistant with instructions."
            self.rejected(create, message, code="invalid_thread")
        elif not stream:
            self.started(create())
        else:
            made = create()
            run = self.fake.store.find_run(thread, str(self.fake.store.active_runs[thread]))
            assert run is not None
            self.started(run)
            self.unread.append(UnreadStream(made, self.model.runs[run.id], 1))

    @precondition(lambda self: bool(self.unread))
    @rule(data=st.data())
    def read_stream(self, data: st.DataObject) -> None:
        """Read a stream made earlier: it sends what reads made of its run meanwhile, then moves the run to its
        segment's end itself, and its run events end where that segment ended."""
        unread = self.unread.pop(data.draw(st.integers(0, len(self.unread) - 1)))
        run = unread.run
        moved = run.segment != unread.segment or run.status != "queued"
        event(f"a {'submission' if len(unread.first) == 1 else 'create'}'s stream read "
              f"{'after other requests moved its run' if moved else 'before its run moved'}")
        events = list(unread.stream)
        if run.segment == unread.segment and run.action_segment != unread.segment:  # the stream moves the run
            self.model.expire_if_due(run)
            self.model.drain(run)
        statuses = [e.data.status for e in events
                    if e.event.startswith("thread.run.") and not e.event.startswith("thread.run.step.")]
        # a create's stream begins thread.run.created, thread.run.queued; a submission's thread.run.queued
        assert statuses[:len(unread.first)] == unread.first
        for before, after in pairwise(statuses[len(unread.first) - 1:]):  # each a move the run's table allows
            assert after in RUN_TRANSITIONS[before].values(), statuses  # type: ignore[index]
        # a segment that is over, or that reached requires_action, ended there
        over = run.segment > unread.segment or run.action_segment == unread.segment
        ended = "requires_action" if over else run.status
        assert statuses[-1] == ended, (statuses, ended)
        objects = [(e.event, e.data.id) for e in events if not e.event.endswith(".delta")]
        assert len(objects) == len(set(objects)), objects  # nothing sent twice
        if ended == "completed":
            texts = [e.data.content[0].text.value for e in events if e.event == "thread.message.completed"]
            (answer,) = [m for m in self.model.messages[run.thread_id] if m.run_id == run.id]
            assert texts[-1] == answer.text

    @precondition(lambda self: bool(self.unread))
    @rule(data=st.data())
    def drop_stream(self, data: st.DataObject) -> None:
        """Close a stream never read: its run is left to the policy, as the model has it."""
        self.unread.pop(data.draw(st.integers(0, len(self.unread) - 1))).stream.close()

    @precondition(lambda self: len(self.model.messages) < MAX_THREADS)
    @rule(target=threads)
    def create_thread_and_run(self) -> str:
        self.counter += 1
        text = f"New thread question {self.counter}"
        run = self.client.beta.threads.create_and_run(
            assistant_id=self.assistants[False], thread={"messages": [{"role": "user", "content": text}]}
        )
        self.model.messages[run.thread_id] = [ModelMessage("user", "completed", None, text)]
        self.started(run)
        return str(run.thread_id)

    @rule(thread=threads)
    def add_message(self, thread: str) -> None:
        self.counter += 1
        text = f"Follow-up {self.counter}"
        self.model.on_write(thread)
        active = self.model.active(thread)

        def create() -> Any:
            return self.client.beta.threads.messages.create(thread, role="user", content=text)

        if active is not None:
            self.rejected(create, f"Can't add messages to {thread} while a run {active.id} is active.")
        else:
            assert create().thread_id == thread
            self.model.messages[thread].append(ModelMessage("user", "completed", None, text))

    @rule(thread=threads, outputs=st.sampled_from(["all", "first", "unknown"]))
    def submit_tool_outputs(self, thread: str, outputs: str) -> None:
        run = self.latest(thread)
        if run is not None:
            self.submit(run, outputs)

    @precondition(lambda self: self.waiting() is not None)
    @rule(stream=st.booleans())
    def answer_tool_calls(self, stream: bool) -> None:
        """Submit every pending output of a run that requires action (most random submissions are refused),
        streamed or not (a streamed submission's stream is read later, or dropped)."""
        run = self.waiting()
        assert run is not None
        self.submit(run, "all", stream=stream)

    def submit(self, run: ModelRun, outputs: str, *, stream: bool = False) -> None:
        self.model.on_write(run.thread_id)
        pending = self.pending_call_ids(run)
        given = {"all": pending, "first": pending[:1], "unknown": ["call_unknown"]}[outputs]

        def submit() -> Any:
            tool_outputs = [{"tool_call_id": call_id, "output": "42"} for call_id in given]
            return self.client.beta.threads.runs.submit_tool_outputs(
                run.id, thread_id=run.thread_id, tool_outputs=tool_outputs, stream=stream
            )

        if run.status != "requires_action":
            self.rejected(submit, f'Runs in status "{run.status}" do not accept tool outputs.')
        elif sorted(given) != sorted(pending):
            self.rejected(submit, f"Expected tool outputs for call_ids {pending!r}, got {given!r}")
        else:
            made = submit()
            if stream:
                self.unread.append(UnreadStream(made, run, run.segment + 1, ["queued"]))
            else:
                assert made.status == "queued"
            self.model.close_open_steps(run, "completed")
            run.status, run.polls, run.queued_at, run.calls = "queued", 0, self.clock.now(), 0
            run.segment += 1

    @rule(thread=threads)
    def cancel(self, thread: str) -> None:
        run = self.latest(thread)
        if run is None:
            return
        self.model.on_write(thread)
        self.model.expire_if_due(run)

        def cancel() -> Any:
            return self.client.beta.threads.runs.cancel(run.id, thread_id=thread)

        if run.status in ("queued", "in_progress", "requires_action"):
            assert cancel().status == "cancelling"
            run.status = "cancelling"
        else:
            self.rejected(cancel, f"Cannot cancel run with status '{run.status}'.")

    @rule(thread=threads, times=st.integers(1, 3))
    def advance(self, thread: str, times: int) -> None:
        run = self.latest(thread)
        for _ in range(times if run is not None else 0):
            assert run is not None
            assert self.fake.advance(run.id) == self.model.advance(run)

    # -- reads (which let runs progress) --------------------------------------------------------------

    @rule(thread=threads, first=st.booleans(), times=st.integers(1, 4))
    def poll(self, thread: str, first: bool, times: int) -> None:
        runs = self.runs_of(thread)
        for _ in range(times if runs else 0):
            run = runs[0] if first else runs[-1]
            self.model.on_read(thread, polled=run.id)
            assert self.client.beta.threads.runs.retrieve(run.id, thread_id=thread).status == run.status

    @precondition(lambda self: any(r.status in ACTIVE for r in self.model.runs.values()))
    @rule()
    def poll_active_runs(self) -> None:
        """Poll every active run once, as an app's background worker would."""
        for run in [r for r in self.model.runs.values() if r.status in ACTIVE]:
            self.model.on_read(run.thread_id, polled=run.id)
            assert self.client.beta.threads.runs.retrieve(run.id, thread_id=run.thread_id).status == run.status

    @rule(thread=threads, what=st.sampled_from(["messages", "runs", "steps"]))
    def read(self, thread: str, what: str) -> None:
        run = self.latest(thread)
        self.model.on_read(thread, polled=None)
        if what == "messages":
            page = self.client.beta.threads.messages.list(thread, order="asc", limit=100)
            assert [m.role for m in page.data] == [m.role for m in self.model.messages[thread]]
        elif what == "runs" or run is None:
            page = self.client.beta.threads.runs.list(thread, order="asc", limit=100)
            assert [r.status for r in page.data] == [r.status for r in self.runs_of(thread)]
        else:
            page = self.client.beta.threads.runs.steps.list(run.id, thread_id=thread, order="asc", limit=100)
            assert [[s.type, s.status] for s in page.data] == run.steps

    # -- invariants --------------------------------------------------------------------------------------

    @invariant()
    def at_most_one_active_run_per_thread(self) -> None:
        for thread_id, table in self.fake.store.runs.items():
            active = [run.id for run in table.values() if run.status in ACTIVE]
            assert len(active) <= 1
            assert self.fake.store.active_runs.get(thread_id) == (active[0] if active else None)

    @invariant()
    def runs_match_the_model(self) -> None:
        for run_id, expected in self.model.runs.items():
            wire = self.wire(expected)
            assert wire["status"] == expected.status
            assert (wire["started_at"], wire["completed_at"], wire["failed_at"], wire["cancelled_at"]) == (
                expected.started_at, expected.completed_at, expected.failed_at, expected.cancelled_at,
            )
            error = wire["last_error"]
            assert (error["code"] if error else None) == expected.error_code
            details = wire["incomplete_details"]
            assert (details["reason"] if details else None) == expected.incomplete_reason
            steps = self.fake.store.steps[run_id].values()
            assert [[s.type, s.status] for s in steps] == expected.steps

    @invariant()
    def timestamps_go_with_their_status(self) -> None:
        for expected in self.model.runs.values():
            wire = self.wire(expected)
            status = wire["status"]
            assert (wire["required_action"] is not None) == (status == "requires_action")
            # the recorded incomplete run (ruby-openai runs_streamed_create, v2) has completed_at set too
            assert (wire["completed_at"] is not None) == (status in ("completed", "incomplete"))
            assert (wire["failed_at"] is not None) == (status == "failed")
            assert (wire["cancelled_at"] is not None) == (status == "cancelled")
            assert (wire["last_error"] is not None) == (status == "failed")
            assert (wire["incomplete_details"] is not None) == (status == "incomplete")
            assert wire["expires_at"] == (None if status in TERMINAL - {"expired"} else expected.expires_at)
            if status in ("in_progress", "requires_action", "completed", "failed", "incomplete"):
                assert wire["started_at"] is not None
            if status == "requires_action":
                calls = wire["required_action"]["submit_tool_outputs"]["tool_calls"]
                assert len(calls) == expected.calls

    @invariant()
    def terminal_runs_never_change(self) -> None:
        for expected in self.model.runs.values():
            wire = self.wire(expected)
            if wire["status"] in TERMINAL:
                if expected.id not in self.terminal:
                    event(f"a run ended {wire['status']}")
                assert self.terminal.setdefault(expected.id, wire) == wire

    @invariant()
    def steps_and_messages_follow_the_script(self) -> None:
        for thread_id, expected in self.model.messages.items():
            found = list(self.fake.store.messages[thread_id].values())
            assert [(m.role, m.status, m.run_id) for m in found] == [(m.role, m.status, m.run_id) for m in expected]
            for message, model in zip(found, expected, strict=True):
                text = "".join(p["text"]["value"] for p in message.content if p.get("type") == "text")
                if model.exact:
                    assert text == model.text
                else:
                    assert text and model.text.startswith(text)
        for expected in self.model.runs.values():
            steps = list(self.fake.store.steps[expected.id].values())
            created = [s.step_details["message_creation"]["message_id"] for s in steps if s.type == "message_creation"]
            authored = [m.id for m in self.fake.store.messages[expected.thread_id].values() if m.run_id == expected.id]
            assert created == authored
            for step in steps:
                assert (step.last_error is not None) == (step.status == "failed")
                if step.status == "failed":
                    assert step.last_error == self.wire(expected)["last_error"]
            if expected.status == "completed":  # it ended with a reply: a completed message of this run
                last = steps[-1]
                assert (last.type, last.status) == ("message_creation", "completed")
                message = self.fake.store.messages[expected.thread_id].get(created[-1])
                assert message is not None
                assert (message.run_id, message.status) == (expected.id, "completed")

    # -- helpers -----------------------------------------------------------------------------------------

    def wire(self, run: ModelRun) -> dict[str, Any]:
        return self.fake.store.runs[run.thread_id].get(run.id).to_wire("schema")  # type: ignore[union-attr]

    def waiting(self) -> ModelRun | None:
        return next((r for r in self.model.runs.values() if r.status == "requires_action"), None)

    def runs_of(self, thread: str) -> list[ModelRun]:
        return [r for r in self.model.runs.values() if r.thread_id == thread]

    def latest(self, thread: str) -> ModelRun | None:
        runs = self.runs_of(thread)
        return runs[-1] if runs else None

    def pending_call_ids(self, run: ModelRun) -> list[str]:
        required = self.wire(run)["required_action"]
        return [call["id"] for call in required["submit_tool_outputs"]["tool_calls"]] if required else []

    def started(self, run: Any) -> None:
        """A run just created (as the SDK or the store has it)."""
        assert (run.status, run.expires_at) == ("queued", run.created_at + EXPIRY)
        now = self.clock.now()
        self.model.runs[run.id] = ModelRun(run.id, run.thread_id, run.created_at, queued_at=now)

    @staticmethod
    def rejected(call: Any, message: str, *, code: str | None = None) -> None:
        try:
            call()
        except openai.BadRequestError as error:
            event(f"rejected: {message.split(' ')[0]}")
            assert error.status_code == 400
            assert error.body == {"message": message, "type": "invalid_request_error", "param": None, "code": code}
        else:
            raise AssertionError(f"expected a 400: {message}")


RunMachine.TestCase.settings = settings(
    max_examples=200,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestRunStateMachine = RunMachine.TestCase
