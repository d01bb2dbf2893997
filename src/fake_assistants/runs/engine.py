"""Executes runs: scripted turns become steps, messages and status changes, emitted as stream events.

Every run holds a lazy `work` iterator of events. Polling drains it as the progression policy says;
a stream encodes the same events as the client reads them, so polled and streamed runs are one thing.

A run moves in segments: creation up to `requires_action` or the end, then each submit_tool_outputs
up to the next. While a stream is reading a segment, that stream moves the run: reads of the run, its
steps or messages show it exactly as far as the stream has got (so every full object a stream carries
is what a retrieve returns at that moment), and the progression policy waits. A stream that is closed
or dropped part-way hands the run back to the policy. Cancellation and expiry during a stream are
announced on it (`thread.run.cancelling` ... `thread.run.cancelled`, `thread.run.step.expired`,
`thread.run.expired`).
"""

from __future__ import annotations

import math
from collections.abc import Generator, Iterator
from itertools import islice
from typing import Any

from ..api.context import Context
from ..core import error_catalog as catalog
from ..core.errors import ApiError
from ..core.types import Json
from ..model import run_lifecycle as lifecycle
from ..model.file import StoredFile
from ..model.message import Message
from ..model.run import Run
from ..model.step import RunStep
from ..model.usage import usage
from ..store.pagination import OrderedTable
from . import file_links
from .message_text import Citation, cite, quote_of, split_chunks, text_deltas
from .progression import AfterPolls, AfterSeconds, Immediate, Manual, Policy
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
    TurnContext,
    default_reply,
)
from .search import search

Event = tuple[str, Any]
UNSCRIPTED_MESSAGE = "fake-assistants: no scripted turn was left for this run (strict scripting is on)."
# A run step's last_error can only carry these; `invalid_prompt` rejects the prompt before any step.
STEP_ERROR_CODES = frozenset({"server_error", "rate_limit_exceeded"})


def count_tokens(text: str) -> int:
    """A deterministic stand-in for a tokenizer: one token per 4 characters."""
    return math.ceil(len(text) / 4)


class RunEngine:
    def __init__(self, ctx: Context, script: Script, policy: Policy) -> None:
        self.ctx = ctx
        self.script = script
        self.policy = policy
        self.run_policies: dict[str, Policy] = {}

    # -- reads and progression ------------------------------------------------------------------

    def policy_for(self, run: Run) -> Policy:
        return self.run_policies.get(run.id, self.policy)

    def on_read(self, run: Run, *, poll: bool) -> None:
        """A client looked at the run (poll) or at its thread's steps/messages: maybe move it.

        The policy moves the run first (its outcome happened in virtual time, whenever it is read);
        a run still waiting for something after that expires once `expires_at` has passed. A run that a
        stream is reading is moved by that stream only.
        """
        if not self.streaming(run):
            self._progress(run, self.policy_for(run), poll=poll)
        self.expire_if_due(run)

    def on_write(self, run: Run) -> None:
        """A client wrote to the run's thread. Writes do not move runs, but once `expires_at` has passed the
        run's fate is settled as a read would settle it, so a write never sees an expired run as active."""
        if self._due(run):
            self.on_read(run, poll=False)

    def _progress(self, run: Run, policy: Policy, *, poll: bool) -> None:
        if isinstance(policy, Immediate):
            self.drain(run)
        elif isinstance(policy, AfterPolls):
            if poll:
                run.polls += 1
                if run.polls > policy.polls:
                    self.drain(run)
                elif run.status == "queued":
                    self._step(run)
        elif isinstance(policy, AfterSeconds):
            if self.ctx.clock.now() - run.queued_at >= policy.seconds:
                self.drain(run)
        elif isinstance(policy, Manual):
            return

    def drain(self, run: Run) -> None:
        try:
            for _ in self.work(run):
                pass
        except ApiError:  # a broken stream: the run has already failed, a poller just sees that
            pass

    def advance(self, run: Run) -> str:
        """Move the run by one status change (for manual progression). Returns the new status.

        A run that a stream is reading is moved by that stream: advancing it changes nothing."""
        if self.expire_if_due(run) or self.streaming(run):
            return run.status
        return self._step(run)

    def _step(self, run: Run) -> str:
        before = run.status
        for name, _ in self.work(run):
            if _is_run_event(name) and run.status != before:
                break
        return run.status

    def work(self, run: Run) -> Iterator[Event]:
        """The events still to come for this run, produced lazily."""
        while (pending := run.extra.get("work")) is not None:
            event = self._next_event(run, pending)
            if event is not None:
                yield event

    def _next_event(self, run: Run, pending: Iterator[Event]) -> Event | None:
        """The next event of `pending`; None once it is over (then it is dropped from the run)."""
        try:
            event = next(pending, None)
        except ApiError:
            self._drop_work(run, pending)
            raise
        if event is None:
            self._drop_work(run, pending)
        return event

    @staticmethod
    def _drop_work(run: Run, pending: Iterator[Event]) -> None:
        if run.extra.get("work") is pending:
            run.extra.pop("work")

    # -- streams ------------------------------------------------------------------------------------

    def stream(self, run: Run, first: list[Event]) -> Iterator[Event]:
        """The events of one stream: `first` (already produced), then the run's current segment, lazily.

        The stream moves the run from its first read until the segment ends (requires_action or a
        final status) or the stream is closed; a cancellation or expiry on the way is announced on it.
        A broken stream raises the ApiError that `sse` turns into `event: error`."""
        segment = run.extra["segment"]
        run.extra["streamed_segment"] = segment
        try:
            yield from first
            yield from self._guarded(self._segment_events(run, segment))
        finally:
            if run.extra.get("streamed_segment") == segment:
                del run.extra["streamed_segment"]

    def streaming(self, run: Run) -> bool:
        """A stream is reading the run's current segment."""
        segment = run.extra.get("streamed_segment")
        return segment is not None and segment == run.extra.get("segment")

    def _segment_events(self, run: Run, segment: int) -> Iterator[Event]:
        """The run's events while `segment` lasts, following a cancellation's or an expiry's work."""
        while run.extra.get("segment") == segment:
            self.expire_if_due(run)
            pending = run.extra.get("work")
            if pending is None:
                return
            event = self._next_event(run, pending)
            if event is not None:
                yield event

    def _guarded(self, events: Iterator[Event]) -> Iterator[Event]:
        """`events`, where a failure other than an ApiError becomes a server error: never a traceback."""
        try:
            yield from events
        except ApiError:
            raise
        except Exception as failure:
            raise catalog.server_error(self.ctx.ids.request_id()) from failure

    def _new_segment(self, run: Run, work: Iterator[Event]) -> None:
        run.extra["segment"] = run.extra.get("segment", 0) + 1
        run.extra["work"] = work

    # -- creation, submission, cancellation --------------------------------------------------------

    def begin(self, run: Run) -> list[Event]:
        """Register a new queued run; returns its first events."""
        self.ctx.store.add_run(run)
        run.queued_at = self.ctx.clock.now()
        self._new_segment(run, self._execute(run))
        wire = self._run_wire(run)
        return [("thread.run.created", wire), ("thread.run.queued", wire)]

    def submit_tool_outputs(self, run: Run, outputs: list[tuple[str | None, str | None]]) -> list[Event]:
        self.expire_if_due(run)
        if run.status != "requires_action":
            raise catalog.tool_outputs_not_accepted(run.status)
        step: RunStep = run.extra["pending_step"]
        expected = [c["id"] for c in step.step_details["tool_calls"]]
        given = [call_id or "" for call_id, _ in outputs]
        if sorted(given) != sorted(expected):
            raise catalog.tool_outputs_mismatch(expected, given)
        by_id = {call_id: output for call_id, output in outputs}
        for call in step.step_details["tool_calls"]:
            call["function"]["output"] = by_id.get(call["id"]) or ""
        now = self.ctx.clock.now()
        step.status, step.completed_at = "completed", now
        step.usage = usage(run.extra.get("prompt_tokens", 0), 0)
        run.extra.pop("pending_step", None)
        lifecycle.apply(run, "submit_tool_outputs", now)
        run.polls, run.queued_at = 0, now
        self._new_segment(run, self._execute(run, resumed=True))
        return [("thread.run.step.completed", self._step_wire(step)), ("thread.run.queued", self._run_wire(run))]

    def cancel(self, run: Run) -> list[Event]:
        self.expire_if_due(run)
        if not lifecycle.can(run.status, "cancel"):
            raise catalog.cannot_cancel(run.status)
        self._close_work(run)
        lifecycle.apply(run, "cancel", self.ctx.clock.now())
        cancelling: Event = ("thread.run.cancelling", self._run_wire(run))
        run.extra["work"] = self._finish_cancelling(run, cancelling)
        return [cancelling]

    # -- the execution itself -----------------------------------------------------------------------

    def _execute(self, run: Run, *, resumed: bool = False) -> Iterator[Event]:
        yield self._move(run, "start")
        while True:
            action = self._next_action(run)
            if isinstance(action, Reply):
                limit = self._token_limit_hit(run, action.text)
                if limit is not None:  # max_prompt_tokens / max_completion_tokens end the run incomplete
                    yield from self._incomplete(run, Incomplete(limit, action.text))
                    return
                yield from self._reply(run, action.text)
                yield self._finish(run, "complete")
                return
            if isinstance(action, Say):
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
                continue
            if isinstance(action, Fail):
                if action.code in STEP_ERROR_CODES:  # the model fails while it writes its answer
                    yield from self._open_message_step(run)
                run.last_error = {"code": action.code, "message": action.message}
                yield from self._fail_open_steps(run)
                yield self._finish(run, "fail")
                return
            yield from self._incomplete(run, action)
            return

    def _next_action(self, run: Run) -> Action:
        turn = self.script.take(run.assistant_id)
        context = self._turn_context(run)
        if turn is not None:
            return self._usable(run, turn.resolve(context))
        if self.script.strict:
            return Fail("server_error", UNSCRIPTED_MESSAGE)
        if "searched" not in run.extra and (self._search_files(run) or self._expired_store(run)):
            return self._usable(run, FileSearch())  # an unscripted run with file_search and files looks first
        return Reply(default_reply(context.messages))

    def _usable(self, run: Run, action: Action) -> Action:
        """A file_search over an expired vector store fails the run: `Vector store '...' has expired`."""
        expired = self._expired_store(run) if isinstance(action, FileSearch) else None
        return action if expired is None else Fail("server_error", catalog.vector_store_expired(expired).message)

    def _expired_store(self, run: Run) -> str | None:
        if not any(t["type"] == "file_search" for t in run.tools):
            return None
        for store_id in self._search_store_ids(run):
            store = self.ctx.store.vector_stores.get(store_id)
            if store is not None and store.expire_if_due(self.ctx.clock.now()):
                return str(store_id)
        return None

    def _turn_context(self, run: Run) -> TurnContext:
        shape = self.ctx.options.shape
        messages = [m.to_wire(shape, full=True) for m in self.ctx.store.messages[run.thread_id].values()]
        return TurnContext(self._run_wire(run), messages, run.tools)

    def _prompt_tokens(self, run: Run, *, last: int | None = None) -> int:
        """Instructions plus the thread's messages, as `truncation_strategy` (or `last`) keeps them."""
        messages = list(self.ctx.store.messages[run.thread_id].values())
        if last is None and run.truncation_strategy.get("type") == "last_messages":
            last = run.truncation_strategy.get("last_messages")
        if last:
            messages = messages[-last:]
        text = (run.instructions or "") + "".join(
            p["text"]["value"] for m in messages for p in m.content if p.get("type") == "text"
        )
        return count_tokens(text) + 3 * len(messages)

    def _open_message_step(self, run: Run) -> Generator[Event, None, tuple[RunStep, Message]]:
        """Start a message_creation step and its empty assistant message (left open in `run.extra`)."""
        message = Message(
            id=self.ctx.ids.new("message"), created_at=self.ctx.clock.now(), thread_id=run.thread_id,
            role="assistant", content=[], assistant_id=run.assistant_id, run_id=run.id, status="in_progress",
            quotes=run.extra.pop("quotes", {}),
        )
        step = self._new_step(run, "message_creation",
                              {"type": "message_creation", "message_creation": {"message_id": message.id}})
        yield ("thread.run.step.created", self._step_wire(step))
        yield ("thread.run.step.in_progress", self._step_wire(step))
        self.ctx.store.messages[run.thread_id].add(message.id, message.created_at, message)
        run.extra["open_message"] = message
        yield ("thread.message.created", self._message_wire(message))
        yield ("thread.message.in_progress", self._message_wire(message))
        return step, message

    def _reply(self, run: Run, text: str) -> Iterator[Event]:
        """The answer: images from code_interpreter first, then the text citing the last file_search."""
        citations: list[Citation] = run.extra.pop("citations", [])
        run.extra["quotes"] = {c.file_id: c.quote for c in citations}
        source = len(self.ctx.store.messages[run.thread_id])
        cited, annotations = cite(text, citations, source)
        generated: list[file_links.GeneratedFile] = run.extra.pop("generated", [])
        cited, annotations = file_links.link(cited, annotations, generated)  # code_interpreter's files
        images = [{"type": "image_file", "image_file": {"file_id": f}} for f in run.extra.pop("images", [])]
        yield from self._message_step(run, cited, annotations=annotations, images=images,
                                      attachments=file_links.attachments(generated))

    def _message_step(self, run: Run, text: str, *, incomplete_reason: str | None = None,
                      annotations: list[Json] | None = None, images: list[Json] | None = None,
                      attachments: list[Json] | None = None) -> Iterator[Event]:
        step, message = yield from self._open_message_step(run)
        message.attachments = attachments or []
        images = images or []
        for index, image in enumerate(images):
            yield self._message_delta(message, {"index": index, **image})
        for text_delta in text_deltas(text, annotations or [], self.ctx.options.stream_chunk_chars):
            yield self._message_delta(message, {"index": len(images), "type": "text", "text": text_delta})
        now = self.ctx.clock.now()
        message.content = [*images, {"type": "text", "text": {"value": text, "annotations": annotations or []}}]
        run.extra.pop("open_message", None)
        if incomplete_reason is None:
            message.status, message.completed_at = "completed", now
            yield ("thread.message.completed", self._message_wire(message))
        else:
            message.status, message.incomplete_at = "incomplete", now
            message.incomplete_details = {"reason": incomplete_reason}
            yield ("thread.message.incomplete", self._message_wire(message))
        yield self._complete_step(run, step, self._prompt_tokens(run), count_tokens(text))

    def _function_step(self, run: Run, action: FunctionCalls) -> Iterator[Event]:
        calls: list[Json] = [
            {"id": self.ctx.ids.new("call"), "type": "function",
             "function": {"name": name, "arguments": arguments, "output": None}}
            for name, arguments in action.calls
        ]
        step = self._new_step(run, "tool_calls", {"type": "tool_calls", "tool_calls": []})
        yield ("thread.run.step.created", self._step_wire(step))
        yield ("thread.run.step.in_progress", self._step_wire(step))
        for index, call in enumerate(calls):
            first: Json = {"index": index, "id": call["id"], "type": "function",
                     "function": {"name": call["function"]["name"], "arguments": "", "output": None}}
            yield self._step_delta(step, first)
            for fragment in self._chunks(call["function"]["arguments"]):
                yield self._step_delta(step, {"index": index, "type": "function",
                                              "function": {"arguments": fragment}})
        step.step_details = {"type": "tool_calls", "tool_calls": calls}
        run.extra["pending_step"] = step
        run.extra["prompt_tokens"] = self._prompt_tokens(run)
        run.required_action = {"type": "submit_tool_outputs", "submit_tool_outputs": {"tool_calls": [
            {"id": c["id"], "type": "function",
             "function": {"name": c["function"]["name"], "arguments": c["function"]["arguments"]}}
            for c in calls
        ]}}
        yield self._move(run, "require_action")

    def _code_step(self, run: Run, action: CodeInterpreter) -> Iterator[Event]:
        call_id = self.ctx.ids.new("call")
        step = self._new_step(run, "tool_calls", {"type": "tool_calls", "tool_calls": []})
        yield ("thread.run.step.created", self._step_wire(step))
        yield ("thread.run.step.in_progress", self._step_wire(step))
        yield self._step_delta(step, {"index": 0, "id": call_id, "type": "code_interpreter",
                                      "code_interpreter": {"input": "", "outputs": []}})
        for fragment in self._chunks(action.input):
            yield self._step_delta(step, {"index": 0, "type": "code_interpreter",
                                          "code_interpreter": {"input": fragment}})
        outputs: list[Json] = []
        if action.logs is not None:
            outputs.append({"type": "logs", "logs": action.logs})
        for image in action.images:
            outputs.append({"type": "image", "image": {"file_id": self._output_file(run, image)}})
        for name, data in action.files:  # not outputs of the step: the answer links them
            generated = file_links.GeneratedFile(self._store_output("/mnt/data/" + name, data), name)
            run.extra.setdefault("generated", []).append(generated)
        for index, output in enumerate(outputs):
            yield self._step_delta(step, {"index": 0, "type": "code_interpreter", "code_interpreter": {
                "outputs": [{"index": index, **output}]}})
        step.step_details = {"type": "tool_calls", "tool_calls": [
            {"id": call_id, "type": "code_interpreter",
             "code_interpreter": {"input": action.input, "outputs": outputs}}]}
        yield self._complete_step(run, step, self._prompt_tokens(run), count_tokens(action.input))

    def _output_file(self, run: Run, data: bytes) -> str:
        """An image code_interpreter made: downloadable, shown in the next message as `image_file`."""
        file_id = self._store_output("image.png", data)
        run.extra.setdefault("images", []).append(file_id)
        return file_id

    def _store_output(self, filename: str, data: bytes) -> str:
        """A file code_interpreter made: purpose `assistants_output`, so it can be downloaded."""
        stored = StoredFile(id=self.ctx.ids.new("file"), created_at=self.ctx.clock.now(),
                            filename=filename, purpose="assistants_output", data=data)
        self.ctx.store.add_file(stored)
        return stored.id

    def _file_search_step(self, run: Run, action: FileSearch) -> Iterator[Event]:
        run.extra["searched"] = True
        call_id = self.ctx.ids.new("call")
        settings: Json = next((t.get("file_search", {}) for t in run.tools if t["type"] == "file_search"), {})
        ranking = settings.get("ranking_options") or {"ranker": "default_2024_08_21", "score_threshold": 0.0}
        ranking = {"ranker": ranking["ranker"], "score_threshold": ranking["score_threshold"]}
        step = self._new_step(run, "tool_calls", {"type": "tool_calls", "tool_calls": []})
        yield ("thread.run.step.created", self._step_wire(step))
        yield ("thread.run.step.in_progress", self._step_wire(step))
        yield self._step_delta(step, {"index": 0, "id": call_id, "type": "file_search",
                                      "file_search": {"ranking_options": ranking, "results": []}})
        results = self._search_results(run, action, ranking, settings.get("max_num_results") or 20)
        cited: dict[str, Citation] = {}
        for r in results:  # one citation per file, quoting its best result
            cited.setdefault(r["file_id"], Citation(r["file_id"], r["file_name"], quote_of(r["content"][0]["text"])))
        run.extra["citations"] = list(cited.values())
        step.step_details = {"type": "tool_calls", "tool_calls": [
            {"id": call_id, "type": "file_search", "file_search": {"ranking_options": ranking, "results": results}}]}
        yield self._complete_step(run, step, self._prompt_tokens(run), 0)

    def _search_results(self, run: Run, action: FileSearch, ranking: Json, limit: int) -> list[Json]:
        if action.results is not None:
            found = [(self.ctx.store.files.get(r.file_id), r) for r in action.results]
            return [_result(r.file_id, stored.filename if stored else r.file_id, r.score,
                            r.text if r.text is not None else (stored.data[:800].decode("utf-8", "replace")
                                                               if stored else ""))
                    for stored, r in found]
        query = action.query or self._turn_context(run).last_user_text
        hits = search([query], self._search_files(run), max_results=limit, threshold=ranking["score_threshold"])
        for store_id in self._search_store_ids(run):
            store = self.ctx.store.vector_stores.get(store_id)
            if store is not None:
                store.touch(self.ctx.clock.now())
        return [_result(h.file.id, h.stored.filename, h.score, h.chunk) for h in hits]

    def _search_store_ids(self, run: Run) -> list[str]:
        assistant = self.ctx.store.assistants.get(run.assistant_id)
        thread = self.ctx.store.threads.get(run.thread_id)
        ids: list[str] = []
        for owner in (assistant, thread):
            if owner is not None:
                ids += owner.tool_resources.get("file_search", {}).get("vector_store_ids", [])
        return ids

    def _search_files(self, run: Run) -> list[Any]:
        """(vector-store file, File) pairs the run's file_search can read; empty without the tool."""
        if not any(t["type"] == "file_search" for t in run.tools):
            return []
        pairs = []
        for store_id in self._search_store_ids(run):
            for vs_file in self.ctx.store.vs_files.get(store_id, _EMPTY).values():
                self.ctx.ingestion.on_read(vs_file, self.ctx.store.files.get(vs_file.id), poll=False)
                stored = self.ctx.store.files.get(vs_file.id)
                if stored is not None and vs_file.status == "completed":
                    pairs.append((vs_file, stored))
        return pairs

    def _broken_reply(self, run: Run, action: BrokenStream) -> Iterator[Event]:
        """Deltas up to the break, then the run fails (server_error) and the stream gets `event: error`."""
        _, message = yield from self._open_message_step(run)
        deltas = text_deltas(action.text, [], self.ctx.options.stream_chunk_chars)
        for text_delta in islice(deltas, action.after_deltas):
            yield self._message_delta(message, {"index": 0, "type": "text", "text": text_delta})
        error = catalog.server_error(self.ctx.ids.request_id())
        if action.message:
            error.message = action.message
        run.last_error = {"code": "server_error", "message": error.message}
        for _ in self._fail_open_steps(run):
            pass
        self._finish(run, "fail")
        raise error

    def break_off(self, run: Run, error: ApiError) -> None:
        """A stream of the run broke (an injected fault, `fake.faults.stream_error`): the run fails with
        server_error, as a scripted broken stream does. A run waiting for tool outputs, being cancelled or
        already over is left as it is."""
        if run.status not in ("queued", "in_progress"):
            return
        self._close_work(run)
        if run.status == "queued":
            self._move(run, "start")
        run.last_error = {"code": "server_error", "message": error.message}
        for _ in self._fail_open_steps(run):
            pass
        self._finish(run, "fail")

    def _token_limit_hit(self, run: Run, text: str) -> str | None:
        """Which token limit a reply of `text` would break. With `auto` truncation the context is cut
        to fit, so only instructions plus the last message can be too long."""
        if run.max_prompt_tokens is not None:
            prompt = self._prompt_tokens(run)
            if run.truncation_strategy.get("type") == "auto" and prompt > run.max_prompt_tokens:
                prompt = self._prompt_tokens(run, last=1)
            if prompt > run.max_prompt_tokens:
                return "max_prompt_tokens"
        if run.max_completion_tokens is not None and count_tokens(text) > run.max_completion_tokens:
            return "max_completion_tokens"
        return None

    def _incomplete(self, run: Run, action: Incomplete) -> Iterator[Event]:
        text = action.text if action.text is not None else default_reply(self._turn_context(run).messages)
        if action.reason == "max_completion_tokens":
            limit = run.max_completion_tokens or max(1, count_tokens(text) // 2)
            yield from self._message_step(run, text[: limit * 4], incomplete_reason="max_tokens")
        run.incomplete_details = {"reason": action.reason}
        yield self._finish(run, "end_incomplete")

    def _finish_cancelling(self, run: Run, cancelling: Event) -> Iterator[Event]:
        """`thread.run.cancelling` (for a stream reading the run), then what was open is closed."""
        yield cancelling
        now = self.ctx.clock.now()
        yield from self._close_open_message(run, "run_cancelled", now)
        for step in self._open_steps(run):
            step.status, step.cancelled_at = "cancelled", now
            yield ("thread.run.step.cancelled", self._step_wire(step))
        yield self._finish(run, "finish_cancelling")

    def _fail_open_steps(self, run: Run) -> Iterator[Event]:
        now = self.ctx.clock.now()
        yield from self._close_open_message(run, "run_failed", now)
        for step in self._open_steps(run):
            step.status, step.failed_at = "failed", now
            step.last_error = run.last_error
            yield ("thread.run.step.failed", self._step_wire(step))

    def _due(self, run: Run) -> bool:
        """The run could still expire, and its `expires_at` has passed."""
        if run.status not in ("queued", "in_progress", "requires_action") or run.expires_at is None:
            return False
        return self.ctx.clock.now() >= run.expires_at

    def expire_if_due(self, run: Run) -> bool:
        if not self._due(run):
            return False
        now = self.ctx.clock.now()
        self._close_work(run)
        events = list(self._close_open_message(run, "run_expired", now))
        for step in self._open_steps(run):
            step.status, step.expired_at = "expired", now
            events.append(("thread.run.step.expired", self._step_wire(step)))
        run.extra.pop("pending_step", None)
        events.append(self._finish(run, "expire"))
        if self.streaming(run):  # announced on the stream reading the run
            run.extra["work"] = iter(events)
        return True

    # -- small pieces ----------------------------------------------------------------------------------

    def _close_open_message(self, run: Run, reason: str, now: int) -> Iterator[Event]:
        message: Message | None = run.extra.pop("open_message", None)
        if message is not None and message.status == "in_progress":
            message.status, message.incomplete_at = "incomplete", now
            message.incomplete_details = {"reason": reason}
            yield ("thread.message.incomplete", self._message_wire(message))

    def _open_steps(self, run: Run) -> list[RunStep]:
        return [s for s in self.ctx.store.steps[run.id].values() if s.status == "in_progress"]

    def _close_work(self, run: Run) -> None:
        pending = run.extra.pop("work", None)
        if pending is not None:
            pending.close()

    def _move(self, run: Run, trigger: lifecycle.Trigger) -> Event:
        status = lifecycle.apply(run, trigger, self.ctx.clock.now())
        return (f"thread.run.{status}", self._run_wire(run))

    def _finish(self, run: Run, trigger: lifecycle.Trigger) -> Event:
        status = lifecycle.apply(run, trigger, self.ctx.clock.now())
        steps = [s.usage for s in self.ctx.store.steps[run.id].values() if s.usage]
        if status != "expired":
            run.usage = usage(sum(u["prompt_tokens"] for u in steps), sum(u["completion_tokens"] for u in steps))
        self.ctx.store.release_thread(run)
        return (f"thread.run.{status}", self._run_wire(run))

    def _new_step(self, run: Run, kind: Any, details: Json) -> RunStep:
        step = RunStep(
            id=self.ctx.ids.new("step"), created_at=self.ctx.clock.now(), run_id=run.id,
            assistant_id=run.assistant_id, thread_id=run.thread_id, type=kind, step_details=details,
            expires_at=run.expires_at,
        )
        self.ctx.store.steps[run.id].add(step.id, step.created_at, step)
        return step

    def _complete_step(self, run: Run, step: RunStep, prompt: int, completion: int) -> Event:
        step.status, step.completed_at = "completed", self.ctx.clock.now()
        step.usage = usage(prompt, completion)
        return ("thread.run.step.completed", self._step_wire(step))

    def _message_delta(self, message: Message, part: Json) -> Event:
        return ("thread.message.delta", {"id": message.id, "object": "thread.message.delta",
                                         "delta": {"content": [part]}})

    def _step_delta(self, step: RunStep, call: Json) -> Event:
        return ("thread.run.step.delta", {"id": step.id, "object": "thread.run.step.delta",
                                          "delta": {"step_details": {"type": "tool_calls", "tool_calls": [call]}}})

    def _chunks(self, text: str) -> Iterator[str]:
        """Fragments of a tool call's text for its deltas (one empty fragment for an empty text)."""
        empty = True
        for chunk in split_chunks(text, self.ctx.options.stream_chunk_chars):
            empty = False
            yield chunk
        if empty:
            yield ""

    def _run_wire(self, run: Run) -> Json:
        return run.to_wire(self.ctx.options.shape)

    def _step_wire(self, step: RunStep) -> Json:
        owner = self.ctx.store.find_run(step.thread_id, step.run_id)
        include = bool(owner and owner.extra.get("include_search_content"))
        return step.to_wire(self.ctx.options.shape, include_search_content=include)

    def _message_wire(self, message: Message) -> Json:
        return message.to_wire(self.ctx.options.shape, full=True)


_EMPTY: Any = OrderedTable()


def _is_run_event(name: str) -> bool:
    return name.startswith("thread.run.") and not name.startswith("thread.run.step.")


def _result(file_id: str, filename: str, score: float, text: str) -> Json:
    return {"file_id": file_id, "file_name": filename, "score": score, "attributes": {},
            "content": [{"type": "text", "text": text}]}
