"""Executes runs: scripted turns become steps, messages and status changes, emitted as stream events.

Every run holds its pending work (`run.progress.work`): a lazy iterator of events, with the kind of work
that made it. Polling drains it as the progression policy says; a stream encodes the same events as the
client reads them, so polled and streamed runs are one thing. Work that has not started can be saved by its
kind and made again (`saved_runs`, `restore_work`: snapshots and dumps).

A run moves in segments: creation up to `requires_action` or the end, then each submit_tool_outputs
up to the next. While a stream is reading a segment, that stream moves the run: reads of the run, its
steps or messages show it exactly as far as the stream has got (so every full object a stream carries
is what a retrieve returns at that moment), and the progression policy waits. A stream that is closed
or dropped part-way hands the run back to the policy. Cancellation and expiry during a stream are
announced on it (`thread.run.cancelling` ... `thread.run.cancelled`, `thread.run.step.expired`,
`thread.run.expired`).
"""

from __future__ import annotations

import copy
import math
import threading
import weakref
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, nullcontext
from functools import partial
from inspect import GEN_RUNNING, getgeneratorstate
from itertools import islice
from types import MappingProxyType
from typing import Any, Literal, TypeVar, cast

from ..core import error_catalog as catalog
from ..core.errors import ApiError, InternalError, StateError, note_internal_error
from ..core.types import (
    Burst,
    Event,
    Json,
    StreamItem,
    flattened,
    message_delta,
    text_content,
    text_delta,
    text_part,
)
from ..core.wire import utf8_escaped, utf8_text
from ..model import message_lifecycle, step_lifecycle
from ..model import run_lifecycle as lifecycle
from ..model.file import StoredFile
from ..model.message import Message
from ..model.run import Run, RunStatus
from ..model.run_progress import (
    Citation,
    GeneratedFile,
    IdlePolls,
    ModelCall,
    PendingWork,
    SavedWork,
    StreamBacklog,
    TurnSource,
)
from ..model.step import RunStep
from ..model.usage import usage
from ..store.pagination import OrderedTable
from . import file_links, pending_work
from .document_text import file_text
from .message_text import cite, quote_of, split_chunks, text_deltas
from .progression import AfterPolls, AfterSeconds, AsRecorded, Immediate, Manual, Policy, RunPolicy
from .script import (
    Action,
    BrokenStream,
    CodeInterpreter,
    Fail,
    FileSearch,
    FunctionCalls,
    Incomplete,
    Reply,
    Say,
    Script,
    TextStream,
    TurnContext,
    default_reply,
    last_user_text,
    responder_failure,
    turn_source,
    undeclared_call,
)
from .search import default_max_results, search
from .tool_choice import ToolChoice, ToolType, has_tool, missing_tool, refused_answer, refused_call
from .world import World

# A run strict scripting fails for want of a turn: the fix in Python, and over the control API
_UNSCRIPTED = ("fake-assistants: no scripted turn was left for this run (strict scripting is on): script one for each "
               "run before it starts, as {script}, or {off} for the fake's default reply.")
UNSCRIPTED_MESSAGE = _UNSCRIPTED.format(
    script='fake.script.reply("...")',
    off="turn strict scripting off (fake.script.strict = False, or the marker's strict_script=False)")
UNSCRIPTED_OVER_HTTP = _UNSCRIPTED.format(
    script='POST /__fake__/script {"turns": [{"type": "reply", "text": "..."}]}', off="serve without --strict-script")
# What a transcript says made a step no turn asked for (`RunProgress.step_sources`)
UNSCRIPTED_SOURCE = TurnSource("the fake's default (no turn was scripted)")
# A scripted reply's text deltas after its first are made this many at a time for a stream (a Burst, one chunk).
DELTAS_PER_CHUNK = 16
# A run step's last_error can only carry these; `invalid_prompt` rejects the prompt before any step.
STEP_ERROR_CODES = frozenset({"server_error", "rate_limit_exceeded"})
# What a tool call's own completion tokens add to its text's count (openai-dotnet's recordings: a call to
# `get_current_weather` with `{}` counted 12, a file_search for "Using the files you have available, what's
# Filip's favorite food?" 19; the service never reported 0 for a tool step).
FUNCTION_CALL_TOKENS = 6
FILE_SEARCH_TOKENS = 2


_T = TypeVar("_T")
# where a read of a run puts the events it makes (a stream's backlog), and the error a broken stream ends with
Sink = Callable[[StreamItem | ApiError], None]
REQUIRES_ACTION = "thread.run.requires_action"  # a stream ends with it


class _Dropped(Exception):
    """While its model answered (the fake's lock set aside), the run's work was dropped: the run was cancelled,
    expired or failed, or it is gone with its thread (or a reset, restore or load). The turn ends there."""


def count_tokens(text: str) -> int:
    """A deterministic stand-in for a tokenizer: one token per 4 characters."""
    return math.ceil(len(text) / 4)


# `options.idle_seconds` counts only a loop: at least this many polls in a row, each at most `IDLE_GAP` seconds
# after the one before (a loop sleeps between polls; a test paused at a breakpoint, or reading now and then, is not
# one: a longer gap starts the count of seconds again)
IDLE_SECONDS_POLLS = 10
IDLE_GAP = 10.0


class RunEngine:
    def __init__(self, world: World, script: Script, policy: Policy) -> None:
        self.world = world
        self.script = script
        self.policy = policy
        self.run_policies: dict[str, RunPolicy] = {}
        # While a run's model answers (a responder's call, each chunk of its stream), the fake's lock is set aside
        # in this context, so that other requests go on (the fake gives it: layers/locking.py `set_aside`).
        self.set_aside: Callable[[], AbstractContextManager[object]] = nullcontext
        self.models_answering = 0  # runs whose model is answering now, the lock set aside (changed under the lock)
        self.internal_errors: list[InternalError] = []  # what answered a 500 (`fake.internal_errors`)

    # -- reads and progression ------------------------------------------------------------------

    def policy_for(self, run: Run) -> RunPolicy:
        return self.run_policies.get(run.id, self.policy)

    def on_read(self, run: Run, *, poll: bool, listed: bool = False) -> None:
        """A client looked at the run (poll) or at its thread's steps/messages: maybe move it.

        The policy moves the run first (its outcome happened in virtual time, whenever it is read);
        a run still waiting for something after that expires once `expires_at` has passed. A run that a
        stream is reading is moved by that stream only. `listed`: a list of the thread's runs showed it (a read
        that counts for the `AsRecorded` policy, as the recorded client's lists saw the run move).
        """
        if not self.streaming(run):
            self._progress(run, self.policy_for(run), poll=poll, listed=listed)
        elif run.progress.unread_stream is not None:  # a stream not read yet: the run moves into its backlog
            self._progress(run, self.policy_for(run), poll=poll, listed=listed, sink=self._backlog_sink(run))
        elif poll:
            self._polled_while_streamed(run)
        self.expire_if_due(run)

    def on_write(self, run: Run) -> None:
        """A client wrote to the run's thread. Writes do not move runs, but once `expires_at` has passed the
        run's fate is settled as a read would settle it, so a write never sees an expired run as active."""
        if self._due(run):
            self.on_read(run, poll=False)

    def _progress(self, run: Run, policy: RunPolicy, *, poll: bool, listed: bool = False,
                  sink: Sink | None = None) -> None:
        if isinstance(policy, Immediate):
            self.drain(run, sink)
        elif isinstance(policy, AfterPolls):
            if poll:
                self._polled(run, 0, policy.polls, sink)
        elif isinstance(policy, AsRecorded):
            if poll or listed:
                self._polled(run, *policy.reads(run.progress.segment), sink)
        elif isinstance(policy, AfterSeconds):
            if self.world.clock.now() - run.queued_at >= policy.seconds:
                self.drain(run, sink)
                return
            if run.status == "queued" and not self._due(run):  # the service started a run at once: it is in
                self._step(run, sink)  # progress until its outcome (one past its expiry expires unstarted)
            if poll or listed:  # a loop over the thread's runs list waits for ever too
                self._polled_in_vain(run, policy)
        elif isinstance(policy, Manual) and (poll or listed):
            self._polled_in_vain(run, policy)

    def _polled_in_vain(self, run: Run, policy: Manual | AfterSeconds) -> None:
        """A poll that cannot move the run. `options.idle_polls` of them in a row that find it unchanged (its
        status; under `after_seconds`, the fake's clock too: a clock that moves will move the run), or
        `options.idle_seconds` of them in real time, are a poll loop that would never end (`create_and_poll` under
        `manual`): that poll is a 400 saying so, and what moves the run. A run waiting for tool outputs, or over, is
        not counted: no poll helper waits on it, and `advance` does not move it."""
        marker = self.world.clock.now() if isinstance(policy, AfterSeconds) else 0  # the clock moves no manual run
        polled = self._idle_limit_reached(run, marker)
        if polled is None:
            return
        over_http = self.world.options.controlled_over_http  # `fake-assistants serve`: the control API's fixes
        if isinstance(policy, Manual):
            if over_http:
                fix = (f"move it with POST /__fake__/runs/{run.id}/advance, one status at a time, or let polls move "
                       f'it (POST /__fake__/progression {{"policy": "immediate", "run_id": "{run.id}"}})')
            else:
                fix = (f"move it with fake.advance({run.id!r}), one status at a time, or let polls move it "
                       f"(fake.set_progression('immediate', run_id={run.id!r}), or after_polls(n))")
            raise catalog.run_polled_in_vain(run.id, run.status, polled, "'manual'", fix)
        if over_http:
            move = f'POST /__fake__/clock {{"advance": {policy.seconds}}}, with --clock manual'
        else:
            move = (f"fake.manual_clock.advance({policy.seconds}) on a ManualClock, or freezegun's or "
                    "time-machine's tick")
        raise catalog.run_polled_in_vain(
            run.id, run.status, polled, f"after_seconds({policy.seconds})",
            f"its outcome shows once the fake's clock is {policy.seconds} s past its queueing, and the clock has not "
            f"moved: move it ({move})")

    def _polled_while_streamed(self, run: Run) -> None:
        """A poll of a run an open stream moves (polls do not), from the thread reading that stream: its reader is
        polling instead of reading (a poll inside the `for` over the stream, after a cancel, say). `options.idle_polls`
        of them in a row with no event sent in between are a loop that would never end: that poll is a 400 saying
        to close the stream first. Polls from other threads, or from the run's model while it answers (a responder),
        wait on something that moves."""
        progress, work = run.progress, run.progress.work
        if progress.stream_reader != threading.get_ident() or (
                work is not None and (work.calling is not None or getgeneratorstate(work.events) == GEN_RUNNING)):
            return  # another thread's poll, or one the run's model makes while it answers
        # a read hands the client up to a burst of events, and it may read the run after each: those reads are
        # allowed on top of the limit
        polled = self._idle_limit_reached(run, progress.streamed_events, allowance=DELTAS_PER_CHUNK)
        if polled is not None:
            raise catalog.run_polled_while_streamed(run.id, run.status, polled)

    def _idle_limit_reached(self, run: Run, marker: int, allowance: int = 0) -> str | None:
        """Count a poll that found the run where the last one did (its status and `marker`); how long they went on
        when this one reaches `options.idle_polls` of them (plus `allowance`) or, at least `IDLE_SECONDS_POLLS` of
        them (plus `allowance`) with no gap over `IDLE_GAP`, `options.idle_seconds` of real time (`10,000 polls in a
        row`, `61 s of polls in a row (122 polls)`), and the count starts again. A run waiting for tool outputs, or
        over, is never counted."""
        options = self.world.options
        limit, seconds = options.idle_polls, options.idle_seconds
        if (limit is None and seconds is None) or run.status not in ("queued", "in_progress", "cancelling"):
            return None
        now = self.world.monotonic()
        idle = run.progress.idle_polls
        if idle is None or (idle.status, idle.marker) != (run.status, marker):
            run.progress.idle_polls = idle = IdlePolls(run.status, marker, now, now)
        if now - idle.last > IDLE_GAP:  # a pause, not a loop: the seconds count again from here
            idle.since = now
        idle.last = now
        idle.count += 1
        if limit is not None and idle.count >= limit + allowance:
            reached = f"{limit + allowance:,} polls in a row"
        elif (seconds is not None and idle.count >= IDLE_SECONDS_POLLS + allowance
              and now - idle.since >= seconds):
            reached = f"{now - idle.since:,.0f} s of polls in a row ({idle.count:,} polls)"
        else:
            return None
        run.progress.idle_polls = None  # a client that goes on polling gets as many again first
        return reached

    def _polled(self, run: Run, queued: int, in_progress: int, sink: Sink | None = None) -> None:
        """One more read of a run counted by its policy: the first `queued` reads leave it queued, the next
        `in_progress` show it in progress, and the one after sees its outcome."""
        run.polls += 1
        if run.polls > queued + in_progress:
            self.drain(run, sink)
        elif run.polls > queued and run.status == "queued":
            self._step(run, sink)

    def drain(self, run: Run, sink: Sink | None = None) -> None:
        """Run the run's work to its end: what `work` yields, consumed here without a generator per event
        (each pending work's events until they end or the run's work is replaced, as `work` reads them). `sink`
        keeps the events (a stream's backlog); without it nobody reads them."""
        pending = run.progress.work
        try:
            while pending is not None:
                if pending.calling is not None:  # another thread makes its next event, waiting on the run's model
                    return
                pending.started = True
                for event in pending.events:
                    if sink is not None:
                        sink(event)
                    if run.progress.work is not pending:
                        break
                else:
                    self._drop_work(run, pending)
                pending = run.progress.work
        except ApiError as error:  # a broken stream: the run has already failed, a poller just sees that
            if pending is not None:
                self._drop_work(run, pending)
            if sink is not None:  # a stream not read yet breaks off there
                sink(error)

    def advance(self, run: Run) -> RunStatus:
        """Move the run by one status change (for manual progression). Returns the new status.

        A run that a stream is reading is moved by that stream: advancing it changes nothing. A run whose stream
        is not read yet moves into the stream's backlog."""
        if self.expire_if_due(run):
            return run.status
        if not self.streaming(run):
            return self._step(run)
        if run.progress.unread_stream is not None:
            return self._step(run, self._backlog_sink(run))
        return run.status

    def _step(self, run: Run, sink: Sink | None = None) -> RunStatus:
        before = run.status
        try:
            for event in self.work(run):
                if sink is not None:
                    sink(event)
                if _is_run_event(event[0]) and run.status != before:
                    break
        except ApiError as error:  # a broken stream: the run has already failed, as `drain` sees it
            if sink is not None:
                sink(error)
        return run.status

    def _backlog_sink(self, run: Run) -> Sink | None:
        """Where a read puts the events it makes for the run's stream that is not read yet: its backlog. A stream
        dropped unread leaves none, and the run is moved as if it had no stream."""
        reference = run.progress.unread_stream
        backlog = reference() if reference is not None else None
        if backlog is None:
            run.progress.streamed_segment = run.progress.unread_stream = None
            return None
        return backlog.events.append

    def work(self, run: Run) -> Iterator[Event]:
        """The events still to come for this run, produced lazily (a burst's one by one)."""
        return flattened(self._work_items(run))

    def _work_items(self, run: Run) -> Iterator[StreamItem]:
        while (pending := run.progress.work) is not None and pending.calling is None:
            event = self._next_event(run, pending)
            if event is not None:
                yield event

    def _next_event(self, run: Run, pending: PendingWork) -> StreamItem | None:
        """The next event (or burst) of `pending`; None once it is over (then it is dropped from the run)."""
        try:
            event = pending.next_event()
        except ApiError:
            self._drop_work(run, pending)
            raise
        if event is None:
            self._drop_work(run, pending)
        return event

    @staticmethod
    def _drop_work(run: Run, pending: PendingWork) -> None:
        if run.progress.work is pending:
            run.progress.work = None

    # -- saving and restoring pending work ----------------------------------------------------------

    def saved_runs(self) -> tuple[list[Run], dict[str, SavedWork]]:
        """Every run, read once the models answering on other threads now are back (`await_models`), and the kind
        of pending work of each that has some (`saved_work`): what a snapshot or a dump saves."""
        self.await_models()
        runs = self.world.store.all_runs()
        return runs, self.saved_work(runs)

    def saved_work(self, runs: Iterable[Run]) -> dict[str, SavedWork]:
        """Run id -> the kind of pending work of each of `runs` that has some, to save along with it; StateError
        naming every run part-way through a scripted turn (work in progress cannot be copied)."""
        return pending_work.describe_all(runs)

    def restore_work(self, run: Run, kind: SavedWork | None) -> None:
        """Give `run`, a saved copy, its pending work again, made anew from its kind (None: it has none). No
        stream reads a copy."""
        run.progress.streamed_segment = run.progress.unread_stream = None
        run.progress.work = None
        if kind == "execute":
            run.progress.work = self._execution(run)
        elif kind == "finish_cancelling":
            run.progress.work = self._cancellation(run, ("thread.run.cancelling", self._run_wire(run)))

    # -- streams ------------------------------------------------------------------------------------

    def stream(self, run: Run, first: list[Event]) -> Iterator[StreamItem]:
        """The events of one stream: `first` (already produced), then the run's current segment, lazily (a burst of
        text deltas as one item).

        The stream claims the run's segment when it is made. Until its first read, reads of the run move it as
        the progression policy says, the events kept in the stream's backlog, which it sends first (a client that
        lists the thread's messages before reading the stream still gets all of it). From its first read the
        stream moves the run, until the segment ends (requires_action or a final status) or the stream is closed;
        a cancellation or expiry on the way is announced on it, following that work. A run whose thread was
        deleted (or whose fake was reset or loaded anew) ends the stream at once, with the 404 the next request
        about it gets. A broken stream raises the ApiError that `sse` turns into `event: error`; any other failure
        is a server error, never a traceback."""
        segment, backlog = run.progress.segment, StreamBacklog()
        run.progress.streamed_segment = segment
        run.progress.unread_stream = weakref.ref(backlog)
        return self._stream(run, first, segment, backlog)

    def _stream(self, run: Run, first: list[Event], segment: int, backlog: StreamBacklog) -> Iterator[StreamItem]:
        progress, store, clock, expirable = run.progress, self.world.store, self.world.clock, lifecycle.EXPIRABLE
        if progress.segment == segment:  # a stream read once its segment is over sends what it has, then ends
            progress.streamed_segment = segment
        backlog.reading = True
        if progress.unread_stream is not None and progress.unread_stream() is backlog:
            progress.unread_stream = None
        progress.stream_reader = threading.get_ident()  # its polls wait on themselves (_polled_while_streamed)
        waiting = backlog.events
        try:
            yield from first
            # One loop, the checks inlined: every streamed event takes this path.
            while True:
                while waiting:  # what reads made before the first read (or meanwhile, this stream waiting on a model)
                    item = waiting.popleft()
                    if isinstance(item, ApiError):  # the run's work broke off there (a broken stream)
                        raise item
                    progress.streamed_events += 1
                    yield item
                    if type(item) is tuple and item[0] == REQUIRES_ACTION:
                        return
                # the segment is over (all of it was sent), or taken back by lenient mode's writes: it ends here
                if progress.segment != segment or progress.work is None or progress.streamed_segment != segment:
                    return
                runs = store.runs.get(run.thread_id)  # the thread's runs are dropped with the thread
                if runs is None or runs.by_id.get(run.id) is not run:
                    raise self._gone(run)
                if run.expires_at is not None and run.status in expirable and clock.now() >= run.expires_at:
                    self.expire_if_due(run)
                pending = progress.work
                if pending is None:
                    return
                if pending.calling is not None:  # a read before the stream's first started the run: its model is out
                    self.wait_for_model(pending.calling)
                    continue
                pending.started = True
                try:
                    event = next(pending.events, None)
                except ApiError:  # the work broke off: it is over
                    self._drop_work(run, pending)
                    raise
                if event is None:
                    self._drop_work(run, pending)
                else:
                    progress.streamed_events += 1
                    yield event
                    if type(event) is tuple and event[0] == REQUIRES_ACTION:  # the stream ends there, as the service's
                        return
        except ApiError:
            raise
        except Exception as failure:
            request_id = self.world.ids.request_id()
            note_internal_error(self.internal_errors, InternalError(request_id, f"the stream of run {run.id}", failure))
            raise catalog.server_error(request_id) from failure
        finally:
            if progress.streamed_segment == segment:
                progress.streamed_segment = None
            progress.stream_reader = None

    def streaming(self, run: Run) -> bool:
        """A stream is reading the run's current segment."""
        segment = run.progress.streamed_segment
        return segment is not None and segment == run.progress.segment

    def stop_streaming(self, run: Run) -> None:
        """Take the run back from a stream reading it: the progression policy moves it again (the stream, if
        still open, ends where the run has got to). A stream not read yet keeps it: reads move the run into that
        stream's backlog."""
        if run.progress.unread_stream is None:
            run.progress.streamed_segment = None

    def _gone(self, run: Run) -> ApiError:
        """The not-found error of the run's thread, or of the run, once either is no longer in the state."""
        if self.world.store.threads.get(run.thread_id) is None:
            return catalog.not_found("thread", run.thread_id)
        return catalog.not_found("run", run.id)

    def _new_segment(self, run: Run, work: PendingWork) -> None:
        run.progress.segment += 1
        run.progress.work = work
        run.progress.unread_stream = None

    # -- creation, submission, cancellation --------------------------------------------------------

    def begin(self, run: Run, *, streamed: bool) -> list[Event]:
        """Register a new queued run; returns its first events, whose data only a stream (`streamed`) reads."""
        self.world.store.add_run(run)
        run.queued_at = self.world.clock.now()
        self._new_segment(run, self._execution(run))
        wire = self._run_wire(run) if streamed else UNREAD
        return [("thread.run.created", wire), ("thread.run.queued", wire)]

    def submit_tool_outputs(self, run: Run, outputs: list[tuple[str | None, str | None]], *,
                            streamed: bool) -> list[Event]:
        self.expire_if_due(run)
        if run.status != "requires_action":
            raise catalog.tool_outputs_not_accepted(run.status)
        step = run.progress.pending_step
        assert step is not None, f"run {run.id} requires action without a step waiting for it"
        expected = [c["id"] for c in step.step_details["tool_calls"]]
        given = [call_id or "" for call_id, _ in outputs]
        if sorted(given) != sorted(expected):
            raise catalog.tool_outputs_mismatch(expected, given)
        by_id = {call_id: output for call_id, output in outputs}
        for call in step.step_details["tool_calls"]:
            call["function"]["output"] = by_id.get(call["id"]) or ""
        now = self.world.clock.now()
        step_lifecycle.apply(step, "complete", now)
        step.usage = usage(run.progress.prompt_tokens or 0, self._written_tokens(run, step))
        run.progress.pending_step = None
        lifecycle.apply(run, "submit_tool_outputs", now)
        run.polls, run.queued_at = 0, now
        self._new_segment(run, self._execution(run))
        step_data, run_data = (self._step_wire(step), self._run_wire(run)) if streamed else (UNREAD, UNREAD)
        return [("thread.run.step.completed", step_data), ("thread.run.queued", run_data)]

    def cancel(self, run: Run) -> list[Event]:
        self.expire_if_due(run)
        if not lifecycle.can(run.status, "cancel"):
            raise catalog.cannot_cancel(run.status)
        self._close_work(run)
        lifecycle.apply(run, "cancel", self.world.clock.now())
        cancelling: Event = ("thread.run.cancelling", self._run_data(run))
        run.progress.work = self._cancellation(run, cancelling)
        return [cancelling]

    # -- the execution itself -----------------------------------------------------------------------

    def _execution(self, run: Run) -> PendingWork:
        """A queued run's work: its next scripted turn, up to requires_action or an end."""
        return PendingWork("execute", self._execute(run))

    def _execute(self, run: Run) -> Generator[StreamItem, None, None]:
        yield self._move(run, "start")
        while True:
            action = self._next_action(run)
            if action is None:  # the run's work was dropped while its model answered
                return
            if isinstance(action, Reply | Say) and self._searches_first(run, action):
                action = yield from self._search_before(run, action)
            if isinstance(action, Reply):
                if isinstance(action.text, TextStream):  # a model's answer, as it arrives
                    yield from self._arriving_reply(run, action.text)
                    return
                limit = self._token_limit_hit(run, action.text)
                if limit is not None:  # max_prompt_tokens / max_completion_tokens end the run incomplete
                    yield from self._incomplete(run, Incomplete(limit, action.text))
                    return
                yield from self._reply(run, action.text, action.usage)
                yield self._finish(run, "complete")
                return
            if isinstance(action, Say):
                limit = self._token_limit_hit(run, action.text)
                if limit == "max_completion_tokens":  # the limit holds over the run: a message on the way counts
                    yield from self._incomplete(run, Incomplete(limit, action.text))
                    return
                yield from self._reply(run, action.text)
                continue
            if isinstance(action, FileSearch):
                yield from self._file_search_step(run, action)
                continue
            if isinstance(action, BrokenStream):
                yield from self._broken_reply(run, action)
                return
            if isinstance(action, FunctionCalls):
                yield from self._function_step(run, action)
                return
            if isinstance(action, CodeInterpreter):
                yield from self._code_step(run, action)
                if run.status == "incomplete":  # its code was cut by max_completion_tokens
                    return
                continue
            if isinstance(action, Fail):
                if action.writing and action.code in STEP_ERROR_CODES:  # the model fails while it writes its answer
                    yield from self._open_message_step(run)
                yield from self._fail(run, action.code, action.message)
                return
            yield from self._incomplete(run, action)
            return

    def _next_action(self, run: Run) -> Action | None:
        """The run's next action: its scripted turn's, what its responder answers (the fake's lock set aside
        meanwhile), or the default; None when the run's work was dropped while its responder answered."""
        turn = self.script.take(run.assistant_id)
        run.progress.turn_source = UNSCRIPTED_SOURCE if turn is None else turn_source(turn)  # for transcripts
        if turn is not None:
            try:  # only a responder reads the context: a scripted action needs none built
                if turn.responds:
                    action = self._outside_lock(run, partial(turn.resolve, self._turn_context(run)))
                else:
                    action = turn.resolve_scripted()
            except _Dropped:
                return None
            except Exception as error:  # a responder that raises fails the run; the plugin fails the test
                self.script.responder_errors.append((run.id, error))
                return responder_failure(error)
            except BaseException as error:  # KeyboardInterrupt, SystemExit, pytest.skip(): it goes on up
                self._interrupted(run, error)
                raise
            return self._usable(run, action, by="model" if turn.responds else "script")
        if self.script.strict:
            over_http = self.world.options.controlled_over_http  # `fake-assistants serve`: the control API's fix
            return Fail("server_error", UNSCRIPTED_OVER_HTTP if over_http else UNSCRIPTED_MESSAGE)
        if self._searches_first(run):  # an unscripted run with file_search and files looks first
            return self._usable(run, FileSearch(), by="fake")
        if run.tool_choice != "auto":  # the run may have to call a tool first, which the fake cannot make up
            mistake = refused_answer(ToolChoice.of(run.tool_choice), self._calls_made(run), run.tools, scripted=False)
            if mistake is not None:
                return self._mistake(run, mistake)
        return Reply(default_reply(self._thread_texts(run)))

    def _interrupted(self, run: Run, error: BaseException) -> None:
        """A responder interrupted by what is not an error of its own (KeyboardInterrupt, SystemExit, pytest's
        skip or fail), which goes on up: its run fails as if it had raised (its work ends here; a stream of the run
        reads the failure next), so that nothing polls it or waits on its thread for ever."""
        if self.world.store.find_run(run.thread_id, run.id) is not run or run.status != "in_progress":
            return  # the run was cancelled, expired or dropped while its model answered
        events = list(self._fail(run, "server_error", responder_failure(error).message))
        if self.streaming(run):  # announced on the stream reading the run (or not reading it yet)
            run.progress.work = PendingWork("announce_failure", _announced(events))

    def _outside_lock(self, run: Run, call: Callable[[], _T]) -> _T:
        """`call()`, the run's model answering, with the fake's lock set aside: other requests go on meanwhile,
        and reads show the run as it was (in progress). No other thread drives or closes the run's work in that
        time (`PendingWork.calling`). Back under the lock, `_Dropped` when the run's work was dropped meanwhile."""
        pending = run.progress.work
        if pending is None:
            return call()
        pending.calling = calling = ModelCall(threading.get_ident())
        self.models_answering += 1
        try:
            with self.set_aside():
                outcome = call()
        except Exception:
            if self._dropped(run, pending):  # what the call raised no longer concerns the run
                raise _Dropped from None
            raise
        finally:
            pending.calling = None
            self.models_answering -= 1
            calling.done.set()
        if self._dropped(run, pending):
            raise _Dropped
        return outcome

    def wait_for_model(self, calling: ModelCall) -> None:
        """Wait, the lock set aside, until the model another thread's run is waiting on is back."""
        if calling.thread_ident == threading.get_ident():
            raise StateError("a run's model cannot wait for itself: its responder asked for what waits on it")
        with self.set_aside():
            calling.done.wait()

    def await_models(self) -> None:
        """Wait for the models answering on other threads now (the lock set aside meanwhile), so that saving
        (`saved_runs`) reads their runs after their turns. Not for a model that starts later (its run is then part-way,
        which saving refuses, as it refuses a stream read part-way), and not at all when a model is answering on
        this thread (a responder saving the state: saving names its run as part-way)."""
        me = threading.get_ident()
        calls = [work.calling for run in self.world.store.all_runs()
                 if (work := run.progress.work) is not None and work.calling is not None]
        if any(calling.thread_ident == me for calling in calls):
            return
        for calling in calls:
            self.wait_for_model(calling)

    def _dropped(self, run: Run, pending: PendingWork) -> bool:
        """`pending` is no longer the run's work, or the run is no longer in the state (its thread was deleted,
        the fake reset, restored or loaded anew)."""
        return run.progress.work is not pending or self.world.store.find_run(run.thread_id, run.id) is not run

    def _searches_first(self, run: Run, reply: Reply | Say | None = None) -> bool:
        """The run searches before it answers (with `reply`, or unscripted): it has not searched yet, and either its
        tool_choice asks for a search first (file_search forced, or `required` with the tool, before any other call)
        or it has file_search over stores with completed files (or an expired store) and `reply` leaves the search to
        the fake (a model offered the search as a function searched when it wanted to)."""
        if run.progress.searched:
            return False
        choice = ToolChoice.of(run.tool_choice)
        if choice.mode == "none":
            return False
        if choice.mode != "auto" and not choice.satisfied_by(self._calls_made(run)):
            return choice.searches_first(run.tools)  # a search is the call it asks for, or another tool comes first
        if reply is not None and not (isinstance(reply, Reply) and reply.search_first):
            return False  # a message part-way (say) searches first only when the tool_choice asks
        return bool(self._search_files(run) or self._expired_store(run))

    def _search_before(self, run: Run, reply: Reply | Say) -> Generator[Event, None, Action]:
        """A scripted answer on a run with file_search: the service searched before it answered
        (FileSearchWorks), so the fake does too (and before a message part-way, when the tool_choice asks for a
        call first); over an expired store the run fails instead."""
        search = self._usable(run, FileSearch(), by="fake")
        if not isinstance(search, FileSearch):
            return search
        yield from self._file_search_step(run, search)
        return reply

    def _usable(self, run: Run, action: Action, *, by: Literal["script", "model", "fake"]) -> Action:
        """A file_search over an expired vector store fails the run: `Vector store '...' has expired`. A turn the
        run does not allow fails it too, and is kept in `script.mistakes`: a call to a function the run does not
        declare or a tool step it lacks (the script's or a model's turn); what the run's tool_choice or
        parallel_tool_calls rule out (the script's: a model behind a responder was sent them, and answers as it
        does; runs/tool_choice.py). `by`: who chose the action (the fake: its own search before an answer)."""
        mistake = None if by == "fake" else self._refusal(run, action, follows_choice=by == "script")
        if mistake is not None:
            return self._mistake(run, mistake)
        expired = self._expired_store(run) if isinstance(action, FileSearch) else None
        return action if expired is None else Fail("server_error", catalog.vector_store_expired(expired).message)

    def _mistake(self, run: Run, mistake: str) -> Fail:
        """The run fails, naming the mistake, which `script.mistakes` keeps (the plugin fails the test with it)."""
        self.script.mistakes.append(f"run {run.id}: {mistake}")
        return Fail("server_error", f"fake-assistants: {mistake}", writing=False)  # it was calling, not writing

    def _refusal(self, run: Run, action: Action, *, follows_choice: bool) -> str | None:
        """What the run does not allow of a turn's `action`, or None; `follows_choice`: checked against the run's
        tool_choice and parallel_tool_calls too."""
        choice = ToolChoice.of(run.tool_choice if follows_choice else "auto")
        parallel = run.parallel_tool_calls or not follows_choice
        # the calls made so far matter only to a choice that asks for a call first: not read for the others
        called = self._calls_made(run) if choice.mode in ("required", "forced") else ()
        if isinstance(action, FunctionCalls):
            names = [name for name, _ in action.calls]
            return undeclared_call(action, run.tools) or refused_call("function", names, choice, parallel, called)
        if isinstance(action, FileSearch | CodeInterpreter):
            kind: ToolType = "file_search" if isinstance(action, FileSearch) else "code_interpreter"
            mistake = missing_tool(kind, run.tools) or refused_call(kind, (), choice, parallel, called)
            if mistake is None and isinstance(action, FileSearch):
                mistake = self._unknown_result_file(action)
            return mistake
        if isinstance(action, Reply | Say) and choice.mode in ("required", "forced"):
            if choice.searches_first(run.tools):
                return None  # the search the fake makes before the answer is the call the tool_choice asks for
            return refused_answer(choice, called, run.tools, scripted=True)
        return None

    def _unknown_result_file(self, action: FileSearch) -> str | None:
        """A scripted file_search result naming no File of the fake: its answer would cite a file that is not. (A
        recording's results may: they are replayed as recorded.)"""
        if action.recorded or not action.results:
            return None
        files = self.world.store.files
        unknown = [result.file_id for result in action.results if result.file_id not in files]
        if not unknown:
            return None
        return (f"the script's file_search results name {', '.join(repr(f) for f in dict.fromkeys(unknown))}, which "
                "is no File of this fake: upload the file first (client.files.create) and name its id")

    def _calls_made(self, run: Run) -> list[tuple[str, str | None]]:
        """The tool calls the run made so far: (type, function name or None)."""
        made: list[tuple[str, str | None]] = [("file_search", None)] if run.progress.searched else []
        for step in self.world.store.steps[run.id].values():
            for call in step.step_details.get("tool_calls", []) if step.type == "tool_calls" else []:
                made.append((call["type"], call["function"]["name"] if call["type"] == "function" else None))
        return made

    def _expired_store(self, run: Run) -> str | None:
        if not has_tool(run.tools, "file_search"):
            return None
        for store_id in self._search_store_ids(run):
            store = self.world.store.vector_stores.get(store_id)
            if store is not None and store.expire_if_due(self.world.clock.now()):
                return str(store_id)
        return None

    def _thread_texts(self, run: Run) -> list[Json]:
        """The thread's messages as far as the default reply and the search query read them (role and content),
        without building their wire forms."""
        return [{"role": m.role, "content": m.content} for m in self.world.store.messages[run.thread_id].values()]

    def _turn_context(self, run: Run) -> TurnContext:
        """What a responder sees, as its own copy: changing it changes nothing in the fake, and a context kept
        for later still shows the turn as it was (the wire objects share lists with the state)."""
        shape = self.world.options.shape
        messages = [m.to_wire(shape, full=True) for m in self.world.store.messages[run.thread_id].values()]
        steps = [step.to_wire(shape, include_search_content=True)  # a responder reads what was found
                 for step in self.world.store.steps[run.id].values()]
        seen = copy.deepcopy((self._run_wire(run), messages, run.tools, steps))
        return TurnContext(*seen, searchable=bool(self._search_files(run)))

    def _prompt_tokens(self, run: Run, *, last: int | None = None) -> int:
        """Instructions plus the thread's messages, as `truncation_strategy` (or `last`) keeps them."""
        messages = list(self.world.store.messages[run.thread_id].values())
        if last is None and run.truncation_strategy.get("type") == "last_messages":
            last = run.truncation_strategy.get("last_messages")
        if last:
            messages = messages[-last:]
        text = (run.instructions or "") + "".join(
            p["text"]["value"] for m in messages for p in m.content if p.get("type") == "text"
        )
        return count_tokens(text) + 3 * len(messages)

    def _open_message_step(self, run: Run) -> Generator[Event, None, tuple[RunStep, Message]]:
        """Start a message_creation step and its empty assistant message (left open in `run.progress`)."""
        message = Message(
            id=self.world.ids.new("message"), created_at=self.world.clock.now(), thread_id=run.thread_id,
            role="assistant", content=[], assistant_id=run.assistant_id, run_id=run.id, status="in_progress",
            quotes=run.progress.quotes or {},
        )
        run.progress.quotes = None
        step = self._new_step(run, "message_creation",
                              {"type": "message_creation", "message_creation": {"message_id": message.id}})
        yield ("thread.run.step.created", self._step_data(run, step))
        yield ("thread.run.step.in_progress", self._step_data(run, step))
        self.world.store.messages[run.thread_id].add(message.id, message.created_at, message)
        run.progress.open_message = message
        yield ("thread.message.created", self._message_data(run, message))
        yield ("thread.message.in_progress", self._message_data(run, message))
        return step, message

    def _reply(self, run: Run, text: str, counted: tuple[int, int] | None = None) -> Iterator[StreamItem]:
        """The answer: images from code_interpreter first, then the text citing the last file_search. Called
        where its events are wanted (`yield from`): it prepares them there and hands back the message step's
        generator, so a streamed event passes through no frame of its own."""
        progress = run.progress
        citations, progress.citations = progress.citations or [], None
        progress.quotes = {c.file_id: c.quote for c in citations}
        source = len(self.world.store.messages[run.thread_id])
        cited, annotations = cite(text, citations, source, self._found_files(run, citations))
        generated, progress.generated = progress.generated, []
        cited, annotations = file_links.link(cited, annotations, generated)  # code_interpreter's files
        images = [{"type": "image_file", "image_file": {"file_id": f}} for f in progress.images]
        progress.images = []
        return self._message_step(run, cited, annotations=annotations, images=images,
                                  attachments=file_links.attachments(generated), counted=counted)

    def _arriving_reply(self, run: Run, stream: TextStream) -> Iterator[StreamItem]:
        """An answer whose text arrives in chunks (a model backend's stream): while a stream reads the run each
        chunk is a message delta as it arrives; a citation marker the model writes, or the final period the
        fake's markers go before, is held back until the end, then sent as the marker rules say."""
        if self._token_limit_hit(run, "") == "max_prompt_tokens":
            stream.chunks = iter(())
            yield from self._incomplete(run, Incomplete("max_prompt_tokens", ""))
            return
        progress = run.progress
        citations, progress.citations = progress.citations or [], None
        progress.quotes = {c.file_id: c.quote for c in citations}
        source = len(self.world.store.messages[run.thread_id])
        found = self._found_files(run, citations)
        step, message = yield from self._open_message_step(run)
        written, sent, shown = "", 0, 0
        chunks = iter(stream)
        try:
            while (chunk := self._outside_lock(run, partial(next, chunks, None))) is not None:
                written += utf8_text(chunk, "a responder's streamed chunk")
                safe = held_back(written)
                if safe > shown:  # the message holds what is written so far: a cancel now leaves it that text
                    message.content = [text_content(written[:safe], [])]
                    shown = safe
                if safe > sent and self.streaming(run):
                    yield self._message_delta(run, message, text_part(0, {
                        "value": written[sent:safe], **({"annotations": []} if sent == 0 else {})}))
                    sent = safe
        except (_Dropped, GeneratorExit) as ended:  # the model's stream is not read further: let go of it
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
            if isinstance(ended, GeneratorExit):  # the work was closed between two chunks (a cancel, an expiry)
                raise
            return
        except Exception as error:  # a responder's chunks that raise fail the run, as a raising responder does
            self.script.responder_errors.append((run.id, error))
            stream.failure = responder_failure(error).message
        except BaseException as error:  # KeyboardInterrupt, SystemExit, pytest.skip(): it goes on up
            self._interrupted(run, error)
            raise
        if stream.failure is not None:
            yield from self._fail(run, "server_error", utf8_escaped(stream.failure))
            return
        text, annotations = cite(written, citations, source, found)
        if self.streaming(run):
            rest = [{**a, "start_index": a["start_index"] - sent, "end_index": a["end_index"] - sent}
                    for a in annotations]
            for index, part in enumerate(text_deltas(text[sent:], rest, self.world.options.stream_chunk_chars)):
                if sent and (not part["value"] or (index == 0 and part.get("annotations") == [])):
                    part = {k: v for k, v in part.items() if k != "annotations"}
                    if not part["value"]:
                        continue
                yield self._message_delta(run, message, text_part(0, part))
        now = self.world.clock.now()
        message.content = [text_content(text, annotations)]
        run.progress.open_message = None
        if stream.incomplete is None:
            message_lifecycle.apply(message, "complete", now)
            yield ("thread.message.completed", self._message_data(run, message))
        else:
            message_lifecycle.apply(message, "end_incomplete", now)
            message.incomplete_details = {"reason": "max_tokens"}
            yield ("thread.message.incomplete", self._message_data(run, message))
        prompt, completion = stream.usage or (self._prompt_tokens(run), count_tokens(text))
        yield self._complete_step(run, step, prompt, completion)
        if stream.incomplete is None:
            yield self._finish(run, "complete")
        else:
            run.incomplete_details = {"reason": utf8_escaped(stream.incomplete)}
            yield self._finish(run, "end_incomplete")

    def _message_step(self, run: Run, text: str, *, incomplete_reason: str | None = None,
                      annotations: list[Json] | None = None, images: list[Json] | None = None,
                      attachments: list[Json] | None = None,
                      counted: tuple[int, int] | None = None,
                      completion_tokens: int | None = None) -> Iterator[StreamItem]:
        step, message = yield from self._open_message_step(run)
        message.attachments = attachments or []
        images = images or []
        shown, made = 0, 0  # images, then text deltas, sent so far
        try:
            for index, image in enumerate(images):
                shown = index + 1
                yield self._message_delta(run, message, {"index": index, **image})
            if self.streaming(run):  # the text's deltas are made only for a stream to read
                # The first delta is made alone (a client's request on reading it takes effect before the next
                # one); the others DELTAS_PER_CHUNK at a time, as one Burst: nothing the stream reads changes
                # between them.
                index, progress, message_id = len(images), run.progress, message.id
                deltas = text_deltas(text, annotations or [], self.world.options.stream_chunk_chars)
                burst = 1
                while group := tuple(islice(deltas, burst)):
                    burst = DELTAS_PER_CHUNK
                    made += len(group)
                    if progress.streamed_segment is None or progress.streamed_segment != progress.segment:
                        for _ in group:  # the stream stopped reading the run: as _message_delta
                            yield ("thread.message.delta", UNREAD)
                        continue
                    if len(group) > 1:
                        yield Burst(message_id, index, group)
                    else:
                        yield text_delta(message_id, index, group[0])
        except GeneratorExit:  # cancelled, expired or failed part-way: the message keeps what was sent
            length = sum(len(part["value"]) for part in islice(
                text_deltas(text, annotations or [], self.world.options.stream_chunk_chars), made))
            sent = [a for a in annotations or [] if a["end_index"] <= length]
            message.content = [*images[:shown], *([text_content(text[:length], sent)] if made else [])]
            raise
        now = self.world.clock.now()
        message.content = [*images, text_content(text, annotations or [])]
        run.progress.open_message = None
        if incomplete_reason is None:
            message_lifecycle.apply(message, "complete", now)
            yield ("thread.message.completed", self._message_data(run, message))
        else:
            message_lifecycle.apply(message, "end_incomplete", now)
            message.incomplete_details = {"reason": incomplete_reason}
            yield ("thread.message.incomplete", self._message_data(run, message))
        prompt, completion = counted or (  # a backend's own count, or the fake's
            self._prompt_tokens(run), count_tokens(text) if completion_tokens is None else completion_tokens)
        yield self._complete_step(run, step, prompt, completion)

    def _function_step(self, run: Run, action: FunctionCalls) -> Iterator[Event]:
        calls: list[Json] = [
            {"id": self.world.ids.new("call"), "type": "function",
             "function": {"name": name, "arguments": arguments, "output": None}}
            for name, arguments in action.calls
        ]
        left = self._completion_left(run)
        cut = left is not None and sum(_call_tokens(call) for call in calls) > left
        if cut:  # max_completion_tokens: the model stops where its tokens run out, in the calls it writes
            calls = _calls_within(calls, left or 0)
        step = self._new_step(run, "tool_calls", {"type": "tool_calls", "tool_calls": []})
        yield ("thread.run.step.created", self._step_data(run, step))
        yield ("thread.run.step.in_progress", self._step_data(run, step))
        for index, call in enumerate(calls):
            call_id, name = call["id"], call["function"]["name"]
            step.step_details = _calls_sent(calls[:index], call_id, name, "")
            yield self._step_delta(run, step, {"index": index, "id": call_id, "type": "function",
                                               "function": {"name": name, "arguments": "", "output": None}})
            sent = ""
            for fragment in self._chunks(call["function"]["arguments"]):
                sent += fragment
                step.step_details = _calls_sent(calls[:index], call_id, name, sent)
                yield self._step_delta(run, step, {"index": index, "type": "function",
                                                   "function": {"arguments": fragment}})
        step.step_details = {"type": "tool_calls", "tool_calls": calls}
        if cut:  # calls cut short are not run: the run ends incomplete, as a message cut short ends it
            yield from self._cut_short(run, step, left or 0)
            return
        run.progress.pending_step = step
        run.progress.prompt_tokens = self._prompt_tokens(run)
        run.required_action = {"type": "submit_tool_outputs", "submit_tool_outputs": {"tool_calls": [
            {"id": c["id"], "type": "function",
             "function": {"name": c["function"]["name"], "arguments": c["function"]["arguments"]}}
            for c in calls
        ]}}
        yield self._move(run, "require_action")

    def _code_step(self, run: Run, action: CodeInterpreter) -> Iterator[Event]:
        """A code_interpreter step. Code longer than what `max_completion_tokens` leaves is cut there and not run:
        the step completes with the code written, and the run ends incomplete."""
        call_id = self.world.ids.new("call")
        left = self._completion_left(run)
        code = action.input if left is None or count_tokens(action.input) <= left else action.input[:left * 4]
        step = self._new_step(run, "tool_calls", {"type": "tool_calls", "tool_calls": []})
        yield ("thread.run.step.created", self._step_data(run, step))
        yield ("thread.run.step.in_progress", self._step_data(run, step))
        step.step_details = _code_sent(call_id, "")
        yield self._step_delta(run, step, {"index": 0, "id": call_id, "type": "code_interpreter",
                                      "code_interpreter": {"input": "", "outputs": []}})
        sent = ""
        for fragment in self._chunks(code):
            sent += fragment
            step.step_details = _code_sent(call_id, sent)
            yield self._step_delta(run, step, {"index": 0, "type": "code_interpreter",
                                          "code_interpreter": {"input": fragment}})
        if code != action.input:
            yield from self._cut_short(run, step, left or 0)
            return
        outputs: list[Json] = []
        if action.logs is not None:
            outputs.append({"type": "logs", "logs": action.logs})
        for image in action.images:
            outputs.append({"type": "image", "image": {"file_id": self._output_file(run, image)}})
        for name, data in action.files:  # not outputs of the step: the answer links them
            generated = GeneratedFile(self._store_output("/mnt/data/" + name, data), name)
            run.progress.generated.append(generated)
        for index, output in enumerate(outputs):
            yield self._step_delta(run, step, {"index": 0, "type": "code_interpreter", "code_interpreter": {
                "outputs": [{"index": index, **output}]}})
        step.step_details = {"type": "tool_calls", "tool_calls": [
            {"id": call_id, "type": "code_interpreter",
             "code_interpreter": {"input": action.input, "outputs": outputs}}]}
        yield self._complete_step(run, step, self._prompt_tokens(run), count_tokens(action.input))

    def _cut_short(self, run: Run, step: RunStep, written: int) -> Iterator[Event]:
        """A tool step `max_completion_tokens` cut short: it completes with what was written (`written` tokens, what
        the limit left), it is not run, and the run ends incomplete."""
        yield self._complete_step(run, step, self._prompt_tokens(run), written)
        run.incomplete_details = {"reason": "max_completion_tokens"}
        yield self._finish(run, "end_incomplete")

    def _output_file(self, run: Run, data: bytes) -> str:
        """An image code_interpreter made: downloadable, shown in the next message as `image_file`."""
        file_id = self._store_output("image.png", data)
        run.progress.images.append(file_id)
        return file_id

    def _store_output(self, filename: str, data: bytes) -> str:
        """A file code_interpreter made: purpose `assistants_output`, so it can be downloaded."""
        stored = StoredFile(id=self.world.ids.new("file"), created_at=self.world.clock.now(),
                            filename=filename, purpose="assistants_output", data=data)
        self.world.store.add_file(stored)
        return stored.id

    def _file_search_step(self, run: Run, action: FileSearch) -> Iterator[Event]:
        run.progress.searched = True
        call_id = self.world.ids.new("call")
        settings: Json = next((t.get("file_search", {}) for t in run.tools if t["type"] == "file_search"), {})
        ranking = settings.get("ranking_options") or {"ranker": "default_2024_08_21", "score_threshold": 0.0}
        ranking = {"ranker": ranking["ranker"], "score_threshold": ranking["score_threshold"]}
        step = self._new_step(run, "tool_calls", {"type": "tool_calls", "tool_calls": []})
        yield ("thread.run.step.created", self._step_data(run, step))
        yield ("thread.run.step.in_progress", self._step_data(run, step))
        step.step_details = {"type": "tool_calls", "tool_calls": [  # as far as the delta went
            {"id": call_id, "type": "file_search", "file_search": {"ranking_options": ranking, "results": []}}]}
        yield self._step_delta(run, step, {"index": 0, "id": call_id, "type": "file_search",
                                      "file_search": {"ranking_options": ranking, "results": []}})
        limit = settings.get("max_num_results") or default_max_results(run.model)
        query = action.query or last_user_text(self._thread_texts(run))
        results = self._search_results(run, action, query, ranking, limit)
        # One citation per file, quoting its best result: the files whose results share a term with the query
        # (score above 0); when none does (a question in other words), the file of the best result.
        worth = [r for r in results if r["score"] > 0] or results[:1]
        cited: dict[str, Citation] = {}
        for r in worth:
            cited.setdefault(r["file_id"], Citation(r["file_id"], r["file_name"], quote_of(r["content"][0]["text"])))
        run.progress.citations = list(cited.values())
        step.step_details = {"type": "tool_calls", "tool_calls": [
            {"id": call_id, "type": "file_search", "file_search": {"ranking_options": ranking, "results": results}}]}
        yield self._complete_step(run, step, self._prompt_tokens(run), count_tokens(query) + FILE_SEARCH_TOKENS)

    def _search_results(self, run: Run, action: FileSearch, query: str, ranking: Json, limit: int) -> list[Json]:
        if action.results is not None:
            found = [(self.world.store.files.get(r.file_id), r) for r in action.results]
            return [_result(r.file_id, stored.filename if stored else r.file_id, r.score,
                            r.text if r.text is not None else (file_text(stored)[:800].decode("utf-8", "ignore")
                                                               if stored else ""))
                    for stored, r in found]
        hits = search([query], self._search_files(run), max_results=limit, threshold=ranking["score_threshold"])
        for store_id in self._search_store_ids(run):
            store = self.world.store.vector_stores.get(store_id)
            if store is not None:
                store.touch(self.world.clock.now())
        return [_result(h.file.id, h.stored.filename, h.score, h.chunk) for h in hits]

    def _found_files(self, run: Run, citations: list[Citation]) -> dict[str, str]:
        """File name -> file id of what the run's file_search found, for markers a scripted reply already
        holds: the files cited, then every result of the run's searches, then the files it could search."""
        if not run.progress.searched:
            return {c.filename: c.file_id for c in citations}
        files = {c.filename: c.file_id for c in citations}
        for step in self.world.store.steps[run.id].values():
            for call in step.step_details.get("tool_calls", []) if step.type == "tool_calls" else []:
                for result in call.get("file_search", {}).get("results", []) if call["type"] == "file_search" else []:
                    files.setdefault(result["file_name"], result["file_id"])
        for _, stored in self._search_files(run):
            files.setdefault(stored.filename, stored.id)
        return files

    def _search_store_ids(self, run: Run) -> list[str]:
        assistant = self.world.store.assistants.get(run.assistant_id)
        thread = self.world.store.threads.get(run.thread_id)
        ids: list[str] = []
        for owner in (assistant, thread):
            if owner is not None:
                ids += owner.tool_resources.get("file_search", {}).get("vector_store_ids", [])
        return ids

    def _search_files(self, run: Run) -> list[Any]:
        """(vector-store file, File) pairs the run's file_search can read; empty without the tool."""
        if not has_tool(run.tools, "file_search"):
            return []
        pairs = []
        for store_id in self._search_store_ids(run):
            for vs_file in self.world.store.vs_files.get(store_id, _EMPTY).values():
                self.world.ingestion.on_read(vs_file, self.world.store.files.get(vs_file.id), poll=False)
                stored = self.world.store.files.get(vs_file.id)
                if stored is not None and vs_file.status == "completed":
                    pairs.append((vs_file, stored))
        return pairs

    def _broken_reply(self, run: Run, action: BrokenStream) -> Iterator[Event]:
        """Deltas up to the break, then the run fails (server_error) and the stream gets `event: error`."""
        _, message = yield from self._open_message_step(run)
        written = list(islice(text_deltas(action.text, [], self.world.options.stream_chunk_chars), action.after_deltas))
        for piece in written if self.streaming(run) else ():
            yield self._message_delta(run, message, text_part(0, piece))
        if written:  # the message keeps what was written before the break (polled or streamed, as a cancel leaves it)
            message.content = [text_content("".join(piece["value"] for piece in written), [])]
        error = catalog.server_error(self.world.ids.request_id())
        if action.message:
            error.message = action.message
        for _ in self._fail(run, "server_error", error.message):
            pass
        raise error

    def break_off(self, run: Run, error: ApiError, texts: Mapping[str, str] | None = None) -> None:
        """A stream of the run broke (an injected fault, `fake.faults.stream_error`): the run fails with
        server_error, as a scripted broken stream does, and the message it was writing keeps the text the stream
        sent of it (`texts`: message id -> text; the fake may have made more, a burst of deltas the break cut in
        two). A run waiting for tool outputs, being cancelled or already over is left as it is."""
        if run.status not in ("queued", "in_progress"):
            return
        self._close_work(run)
        message = run.progress.open_message
        if message is not None and texts is not None:
            _keep_text(message, texts.get(message.id, ""))
        if run.status == "queued":
            self._move(run, "start")
        for _ in self._fail(run, "server_error", error.message):
            pass

    def _token_limit_hit(self, run: Run, text: str) -> str | None:
        """Which token limit a reply of `text` would break. With `auto` truncation the context is cut
        to fit, so only instructions plus the last message can be too long."""
        if run.max_prompt_tokens is not None:
            prompt = self._prompt_tokens(run)
            if run.truncation_strategy.get("type") == "auto" and prompt > run.max_prompt_tokens:
                prompt = self._prompt_tokens(run, last=1)
            if prompt > run.max_prompt_tokens:
                return "max_prompt_tokens"
        left = self._completion_left(run)
        if left is not None and count_tokens(text) > left:
            return "max_completion_tokens"
        return None

    def _completion_left(self, run: Run) -> int | None:
        """What `max_completion_tokens` leaves for the run's next step: it holds over the whole run ("used over
        the course of the run"), so the completion tokens of its steps so far count against it."""
        if run.max_completion_tokens is None:
            return None
        used: int = sum(s.usage["completion_tokens"] for s in self.world.store.steps[run.id].values() if s.usage)
        return max(0, run.max_completion_tokens - used)

    def _incomplete(self, run: Run, action: Incomplete) -> Iterator[StreamItem]:
        text = action.text if action.text is not None else default_reply(self._thread_texts(run))
        if action.reason == "max_completion_tokens":
            left = self._completion_left(run)
            limit = left if left is not None else max(1, count_tokens(text) // 2)
            written = text if action.as_written else text[: limit * 4]
            # the model stopped at the run's limit, so it wrote what was left of it (ruby-openai's recording: 16 of
            # 16, in a run of one step)
            yield from self._message_step(run, written, incomplete_reason="max_tokens", completion_tokens=left)
        run.incomplete_details = {"reason": action.reason}
        yield self._finish(run, "end_incomplete")

    def _cancellation(self, run: Run, cancelling: Event) -> PendingWork:
        """A cancelled run's work: `cancelling` (for a stream reading the run), then what was open is closed."""
        return PendingWork("finish_cancelling", self._finish_cancelling(run, cancelling))

    def _finish_cancelling(self, run: Run, cancelling: Event) -> Generator[Event, None, None]:
        yield cancelling
        now = self.world.clock.now()
        yield from self._close_open_message(run, "run_cancelled", now)
        for step in self._open_steps(run):
            self._close_step(run, step, "cancel", now)
            yield ("thread.run.step.cancelled", self._step_data(run, step))
        yield self._finish(run, "finish_cancelling")

    def _fail(self, run: Run, code: str, message: str) -> Iterator[Event]:
        """The run fails with `last_error` {code, message}: its open message ends incomplete, its open steps fail
        with the same error, then the run. Lazy, as the events are: consumed whole, even when nobody reads them."""
        run.last_error = {"code": code, "message": message}
        now = self.world.clock.now()
        yield from self._close_open_message(run, "run_failed", now)
        for step in self._open_steps(run):
            self._close_step(run, step, "fail", now)
            step.last_error = run.last_error
            yield ("thread.run.step.failed", self._step_data(run, step))
        yield self._finish(run, "fail")

    def _due(self, run: Run) -> bool:
        """The run could still expire, and its `expires_at` has passed."""
        if run.status not in lifecycle.EXPIRABLE or run.expires_at is None:
            return False
        return self.world.clock.now() >= run.expires_at

    def expire_if_due(self, run: Run) -> bool:
        if not self._due(run):
            return False
        now = self.world.clock.now()
        self._close_work(run)
        events = list(self._close_open_message(run, "run_expired", now))
        for step in self._open_steps(run):
            self._close_step(run, step, "expire", now)
            events.append(("thread.run.step.expired", self._step_data(run, step)))
        run.progress.pending_step = None
        events.append(self._finish(run, "expire"))
        if self.streaming(run):  # announced on the stream reading the run
            run.progress.work = PendingWork("announce_expiry", _announced(events))
        return True

    # -- small pieces ----------------------------------------------------------------------------------

    def _close_open_message(self, run: Run, reason: str, now: int) -> Iterator[Event]:
        message, run.progress.open_message = run.progress.open_message, None
        if message is not None and message.status == "in_progress":
            message_lifecycle.apply(message, "end_incomplete", now)
            message.incomplete_details = {"reason": reason}
            yield ("thread.message.incomplete", self._message_data(run, message))

    def _close_step(self, run: Run, step: RunStep, trigger: step_lifecycle.StepTrigger, now: int) -> None:
        """End an open step (cancelled, failed, expired) with its usage, which is null only while a step is in
        progress (the spec): the prompt it had and what the model had written of it."""
        step_lifecycle.apply(step, trigger, now)
        prompt = run.progress.prompt_tokens if step is run.progress.pending_step else None
        step.usage = usage(self._prompt_tokens(run) if prompt is None else prompt, self._written_tokens(run, step))

    def _written_tokens(self, run: Run, step: RunStep) -> int:
        """What the model had written of a step: its message's text, or its tool calls."""
        details = step.step_details
        if details["type"] == "message_creation":
            message = self.world.store.messages[run.thread_id].get(details["message_creation"]["message_id"])
            text = "".join(p["text"]["value"] for p in message.content if p.get("type") == "text") if message else ""
            return count_tokens(text)
        written = 0
        for call in details.get("tool_calls", []):
            if call["type"] == "function":
                written += _call_tokens(call)
            elif call["type"] == "code_interpreter":
                written += count_tokens(call["code_interpreter"]["input"])
        return written

    def _open_steps(self, run: Run) -> list[RunStep]:
        return [s for s in self.world.store.steps[run.id].values() if s.status == "in_progress"]

    def _close_work(self, run: Run) -> None:
        pending, run.progress.work = run.progress.work, None
        if pending is not None:
            pending.close()

    def _move(self, run: Run, trigger: lifecycle.Trigger) -> Event:
        status = lifecycle.apply(run, trigger, self.world.clock.now())
        return (f"thread.run.{status}", self._run_data(run))

    def _finish(self, run: Run, trigger: lifecycle.Trigger) -> Event:
        status = lifecycle.apply(run, trigger, self.world.clock.now())
        # every end, an expiry's too: `usage` is "null if the run is not in a terminal state" (the spec), and
        # expired is one (the SDK's poll helpers stop on it)
        steps = [s.usage for s in self.world.store.steps[run.id].values() if s.usage]
        run.usage = usage(sum(u["prompt_tokens"] for u in steps), sum(u["completion_tokens"] for u in steps))
        self.world.store.release_thread(run)
        return (f"thread.run.{status}", self._run_data(run))

    def _new_step(self, run: Run, kind: Any, details: Json) -> RunStep:
        step = RunStep(
            id=self.world.ids.new("step"), created_at=self.world.clock.now(), run_id=run.id,
            assistant_id=run.assistant_id, thread_id=run.thread_id, type=kind, step_details=details,
            expires_at=run.expires_at,
        )
        self.world.store.steps[run.id].add(step.id, step.created_at, step)
        if run.progress.turn_source is not None:
            run.progress.step_sources[step.id] = run.progress.turn_source
        return step

    def _complete_step(self, run: Run, step: RunStep, prompt: int, completion: int) -> Event:
        step_lifecycle.apply(step, "complete", self.world.clock.now())
        step.usage = usage(prompt, completion)
        return ("thread.run.step.completed", self._step_data(run, step))

    def _message_delta(self, run: Run, message: Message, part: Json) -> Event:
        progress = run.progress  # `streaming(run)`, inline: this runs once per streamed text piece
        if progress.streamed_segment is None or progress.streamed_segment != progress.segment:
            return ("thread.message.delta", UNREAD)
        return message_delta(message.id, part)

    def _step_delta(self, run: Run, step: RunStep, call: Json) -> Event:
        if not self.streaming(run):
            return ("thread.run.step.delta", UNREAD)
        return ("thread.run.step.delta", {"id": step.id, "object": "thread.run.step.delta",
                                          "delta": {"step_details": {"type": "tool_calls", "tool_calls": [call]}}})

    def _chunks(self, text: str) -> Iterator[str]:
        """Fragments of a tool call's text for its deltas (one empty fragment for an empty text)."""
        empty = True
        for chunk in split_chunks(text, self.world.options.stream_chunk_chars):
            empty = False
            yield chunk
        if empty:
            yield ""

    def _run_wire(self, run: Run) -> Json:
        return run.to_wire(self.world.options.shape)

    def _step_wire(self, step: RunStep) -> Json:
        owner = self.world.store.find_run(step.thread_id, step.run_id)
        include = bool(owner and owner.progress.include_search_content)
        return step.to_wire(self.world.options.shape, include_search_content=include)

    def _message_wire(self, message: Message) -> Json:
        return message.to_wire(self.world.options.shape, full=True)

    # An event's data is built only while a stream reads the run (`streaming`): the stream encodes it as it
    # is read, so it shows the object at that moment. Polling and `advance` drain the same events, with the
    # same state changes and ids, and nobody reads their data: they carry UNREAD instead.

    def _run_data(self, run: Run) -> Json:
        return self._run_wire(run) if self.streaming(run) else UNREAD

    def _step_data(self, run: Run, step: RunStep) -> Json:
        if not self.streaming(run):
            return UNREAD
        shape = self.world.options.shape
        return step.to_wire(shape, include_search_content=bool(run.progress.include_search_content))

    def _message_data(self, run: Run, message: Message) -> Json:
        return self._message_wire(message) if self.streaming(run) else UNREAD


def _keep_text(message: Message, sent: str) -> None:
    """`message`'s text cut back to `sent` (what a stream sent of it), with the annotations that end within it."""
    for number, part in enumerate(message.content):
        if part.get("type") == "text" and part["text"]["value"].startswith(sent):
            kept = [a for a in part["text"]["annotations"] if a["end_index"] <= len(sent)]
            message.content[number] = text_content(sent, kept)
            if not sent:
                del message.content[number]
            return


def _call_tokens(call: Json) -> int:
    """A function call's completion tokens: its name and arguments, and FUNCTION_CALL_TOKENS for its frame."""
    return count_tokens(call["function"]["name"] + call["function"]["arguments"]) + FUNCTION_CALL_TOKENS


def _calls_within(calls: list[Json], tokens: int) -> list[Json]:
    """The function calls a model with `tokens` completion tokens left writes before it stops: whole calls while
    they fit, then the one it was writing, its arguments cut where the tokens ran out."""
    written: list[Json] = []
    for call in calls:
        cost = _call_tokens(call)
        if cost <= tokens:
            written.append(call)
            tokens -= cost
            continue
        if tokens > 0:
            function = call["function"]
            room = max(0, (tokens - FUNCTION_CALL_TOKENS) * 4 - len(function["name"]))
            written.append({**call, "function": {**function, "arguments": function["arguments"][:room]}})
        break
    return written


def _calls_sent(done: list[Json], call_id: str, name: str, arguments: str) -> Json:
    """A function step's details as far as its deltas went: the calls sent whole, then the one being sent with
    its arguments so far. A cancel part-way leaves them on the step, as the stream showed them."""
    sending: Json = {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments,
                                                                     "output": None}}
    return {"type": "tool_calls", "tool_calls": [*done, sending]}


def _code_sent(call_id: str, code: str) -> Json:
    """A code_interpreter step's details as far as its deltas went: the code sent so far, no outputs yet."""
    return {"type": "tool_calls", "tool_calls": [
        {"id": call_id, "type": "code_interpreter", "code_interpreter": {"input": code, "outputs": []}}]}


_EMPTY: Any = OrderedTable()
# The data of an event no stream reads (read-only: whoever tried to change it would fail loudly).
UNREAD: Json = cast(Json, MappingProxyType({}))


def _announced(events: list[Event]) -> Generator[Event, None, None]:
    yield from events


def held_back(written: str) -> int:
    """How much of a model's text so far can be sent as it is: up to its first citation marker (whole markers
    get their annotations at the end) and short of a final period (the fake's own markers go before it)."""
    marker = written.find("\u3010")
    if marker >= 0:
        return marker
    return len(written) - 1 if written.endswith(".") else len(written)


def _is_run_event(name: str) -> bool:
    return name.startswith("thread.run.") and not name.startswith("thread.run.step.")


def _result(file_id: str, filename: str, score: float, text: str) -> Json:
    return {"file_id": file_id, "file_name": filename, "score": score, "attributes": {},
            "content": [{"type": "text", "text": text}]}
