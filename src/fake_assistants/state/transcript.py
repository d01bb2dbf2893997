"""The transcript: a readable account of what a fake holds and saw, thread by thread, in time order.

`fake.transcript()` (all threads) and `fake.transcript(thread_id)` render it as plain text; the pytest plugin
puts it in a failing test's report, the control API serves it (`GET /__fake__/transcript`) and the live page
(`GET /__fake__/`) draws its JSON form.

What it shows: per thread, its messages (role, text, attachments, annotations, images) and runs (assistant,
model, instructions when the run overrides the assistant's, tools, every status with the fake's clock,
`last_error`, `incomplete_details`, usage, whether a stream read it) with their steps (tool calls with name,
arguments and output; code input, logs and images; file_search results); then the requests the fake refused
(status, error type and message) and the faults that fired, from the journal; in a fake built from a cassette,
the requests the recording does not show (the journal's `in_cassette`).

It is deterministic: times come from the fake's clock, ids (and the request ids some error messages quote) from
its seeded streams, the order from the store (tables in creation order) and, between objects created in the same
second, from the journal's order. Nothing else varies, so under a clock that does not move by itself a streamed run
and a polled run of one script differ only in the `streamed` marker.

It is bounded (`Limits`): a long text is cut with `… [+N chars]`, a long thread shows its first and newest
entries around a `… N entries not shown …` line, and the whole text stops at `Limits.chars` with a last line
saying what was left out; the summary at the end counts everything that was shortened.

This module reads the store, the runs' status history (`run.progress.history`, kept by `run_lifecycle.apply`)
and the journal: it sits in `state/` (an account of the state, above the journal's layer), and the control API
reaches it through the facade (`Steerable.transcript`), as it does the dump.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..core.types import Json
from ..layers.journal import RecordedCall
from ..model.message import Message
from ..model.run import Run
from ..model.step import RunStep
from ..model.thread import Thread
from ..store.store import Store

CUT_MARKER = "… [+{} chars]"
RUN_ROUTES = frozenset({"runs.create", "threads.create_and_run"})
# the wordings of a write refused for an active run (error_catalog: message_while_run_active, run_already_active)
_ACTIVE_RUN = re.compile(r"(?:while a run|already has an active run) (run_\w+)")


@dataclass(frozen=True, slots=True)
class Limits:
    """How much a transcript shows. `text`: characters of one text before it is cut; `entries`: messages and runs
    per thread (the first `head`, then the newest); `threads`: threads in a whole-fake transcript (the newest);
    `calls`: refused requests and faults per thread (the newest); `list_items`: tool calls, results, attachments
    or annotations of one object; `chars`: the whole text."""

    text: int = 300
    entries: int = 100
    head: int = 10
    threads: int = 50
    calls: int = 20
    list_items: int = 10
    chars: int = 200_000


# -- the transcript as data (the page draws its JSON form) ----------------------------------------------------


@dataclass(slots=True)
class ToolCallView:
    id: str
    type: str
    name: str | None = None  # a function's name
    arguments: str | None = None
    output: str | None = None  # None: no output yet
    input: str | None = None  # code_interpreter
    logs: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)  # file ids
    results: list[str] = field(default_factory=list)  # file_search, one line each


@dataclass(slots=True)
class MessageView:
    id: str
    at: int
    role: str
    text: str
    status: str
    run_id: str | None = None
    assistant_id: str | None = None
    images: list[str] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
    annotations: list[str] = field(default_factory=list)
    incomplete: str | None = None
    kind: str = "message"


@dataclass(slots=True)
class StepView:
    id: str
    at: int
    type: str
    status: str
    tool_calls: list[ToolCallView] = field(default_factory=list)
    message: MessageView | None = None
    last_error: str | None = None
    model: str | None = None  # the model whose turn made the step (a model behind the runs), if one did
    source: str | None = None  # else where its turn came from, if the test did not script it (a cassette, the default)


@dataclass(slots=True)
class StatusView:
    status: str
    at: int


@dataclass(slots=True)
class RunView:
    id: str
    at: int
    assistant_id: str
    assistant_name: str | None
    model: str
    status: str
    statuses: list[StatusView]
    history_kept: bool  # False: the run was loaded or made in a status, so only its current status is known
    streamed: bool
    tools: list[str]
    instructions: str | None = None  # only when the run overrides its assistant's
    steps: list[StepView] = field(default_factory=list)
    messages: list[MessageView] = field(default_factory=list)  # the run's messages no step names
    last_error: str | None = None
    incomplete_details: str | None = None
    usage: str | None = None
    kind: str = "run"


@dataclass(slots=True)
class GapView:
    """Entries of a long thread left out between the first and the newest."""

    messages: int
    runs: int
    first_id: str
    last_id: str
    kind: str = "gap"


Entry = MessageView | RunView | GapView


@dataclass(slots=True)
class CallNote:
    """A request the fake refused, or one a fault answered or broke."""

    index: int  # its place in the journal
    method: str
    path: str
    route: str | None
    status: int | None
    fault: str | None
    error: str | None  # `type: message` of the error the client got
    hint: str | None = None  # what the fake did that the service would not have (a run it moves only when read)


@dataclass(slots=True)
class ThreadView:
    id: str
    at: int
    metadata: dict[str, str]
    entries: list[Entry]
    calls: list[CallNote]
    calls_left_out: int = 0


@dataclass(slots=True)
class Shortened:
    """What a transcript left out or cut, counted."""

    texts: int = 0
    entries: int = 0
    threads: int = 0
    calls: int = 0
    items: int = 0
    chars: int = 0  # characters of the rendered text cut at `Limits.chars`

    def any(self) -> bool:
        return any((self.texts, self.entries, self.threads, self.calls, self.items, self.chars))


@dataclass(slots=True)
class Transcript:
    threads: list[ThreadView]
    calls: list[CallNote]  # refused requests and faults about no thread of the fake
    shortened: Shortened
    calls_left_out: int = 0
    thread_count: int = 0
    # a fake built from a cassette: the requests its recording does not show (the newest `Limits.calls`)
    not_in_cassette: list[CallNote] = field(default_factory=list)
    not_in_cassette_left_out: int = 0
    # and the requests it shows whose body differs from the recorded one (`hint`: where), the newest
    differs_from_cassette: list[CallNote] = field(default_factory=list)

    def as_json(self) -> Json:
        return asdict(self)


# -- building it ----------------------------------------------------------------------------------------------


def build(store: Store, calls: Sequence[RecordedCall], thread_id: str | None = None,
          limits: Limits = Limits()) -> Transcript:
    """The transcript of every thread (the newest `limits.threads`), or of the one named (KeyError if unknown)."""
    return _Builder(store, calls, limits).build(thread_id)


class _Builder:
    def __init__(self, store: Store, calls: Sequence[RecordedCall], limits: Limits) -> None:
        self.store = store
        self.calls = calls
        self.limits = limits
        self.shortened = Shortened()
        self.created_by: dict[str, int] = {}  # message or run id -> journal index of the request that made it
        self.streamed: set[str] = set()  # ids of runs a stream carried
        self.unread_streams: dict[str, int] = {}  # thread id -> journal index of a run's stream closed unread
        self._read_journal()

    def build(self, thread_id: str | None) -> Transcript:
        threads = list(self.store.threads.values())
        if thread_id is not None:
            chosen = self.store.threads.get(thread_id)
            if chosen is None:
                raise KeyError(f"no thread with id {thread_id!r}")
            threads = [chosen]
        count = len(threads)
        if len(threads) > self.limits.threads:
            self.shortened.threads = len(threads) - self.limits.threads
            threads = threads[-self.limits.threads:]
        notes = self._call_notes()
        known = {t.id for t in self.store.threads.values()}
        views = [self._thread(thread, notes.get(thread.id, [])) for thread in threads]
        others = [note for owner, listed in notes.items() if owner not in known for note in listed]
        others.sort(key=lambda note: note.index)
        others, left_out = self._newest(others)
        if thread_id is not None:
            others, left_out = [], 0
        new = self._not_in_cassette(thread_id)
        new_left_out = max(0, len(new) - self.limits.calls)
        changed = self._differs_from_cassette(thread_id)[-self.limits.calls:]
        return Transcript(views, others, self.shortened, left_out, count, new[new_left_out:], new_left_out, changed)

    def _differs_from_cassette(self, thread_id: str | None) -> list[CallNote]:
        return [CallNote(index, call.method, call.path, call.route, call.status, call.fault, self._error(call),
                         hint=call.differs_from_cassette)
                for index, call in enumerate(self.calls)
                if call.differs_from_cassette and (thread_id is None or call.params.get("thread_id") == thread_id)]

    def _not_in_cassette(self, thread_id: str | None) -> list[CallNote]:
        return [CallNote(index, call.method, call.path, call.route, call.status, call.fault, self._error(call))
                for index, call in enumerate(self.calls)
                if call.in_cassette is False and (thread_id is None or call.params.get("thread_id") == thread_id)]

    # -- the journal: who made what, which runs streamed, what was refused

    def _read_journal(self) -> None:
        for index, call in enumerate(self.calls):
            if call.method != "POST" or call.status is None or call.status >= 400:
                continue
            if call.route == "messages.create":
                made = call.response
                if isinstance(made, dict) and isinstance(made.get("id"), str):
                    self.created_by.setdefault(made["id"], index)
            elif call.route in RUN_ROUTES or call.route == "runs.submit_tool_outputs":
                run_id = self._run_of(call)
                if run_id is not None:
                    if call.route in RUN_ROUTES:
                        self.created_by.setdefault(run_id, index)
                    if call.stream:
                        self.streamed.add(run_id)
                elif call.stream and call.route == "runs.create" and not call.chunks:
                    self.unread_streams[call.params.get("thread_id", "")] = index

    @staticmethod
    def _run_of(call: RecordedCall) -> str | None:
        answer = call.response
        if isinstance(answer, dict):
            return answer.get("id") if answer.get("object") == "thread.run" else None
        for _, data in call.events:  # a stream names its run in its first run or step event
            if isinstance(data, dict):
                if data.get("object") == "thread.run":
                    return str(data.get("id"))
                if isinstance(data.get("run_id"), str):
                    return str(data["run_id"])
        return None

    def _call_notes(self) -> dict[str | None, list[CallNote]]:
        notes: dict[str | None, list[CallNote]] = {}
        for index, call in enumerate(self.calls):
            if call.fault is None and (call.status is None or call.status < 400):
                continue
            note = CallNote(index, call.method, call.path, call.route, call.status, call.fault, self._error(call))
            note.hint = self._unread_run_hint(index, call, note.error) or _v1_hint(call, note.error)
            notes.setdefault(call.params.get("thread_id"), []).append(note)
        return notes

    def _unread_run_hint(self, index: int, call: RecordedCall, error: str | None) -> str | None:
        """A write refused for an active run no client had read since it was created: in the fake that run waits to
        be read (the service moved it on its own), so code that starts a run and writes to its thread at once is
        refused where, against the service, it would usually have been refused only within the run's seconds."""
        found = _ACTIVE_RUN.search(error or "") if call.status == 400 else None
        if found is None:
            return None
        run_id, thread_id = found.group(1), call.params.get("thread_id")
        created = self.created_by.get(run_id)
        unread = created is None  # a stream closed unread names no run: its call is the thread's unread stream
        if unread:
            created = self.unread_streams.get(thread_id or "")
        if created is None or created > index or run_id in self.streamed:
            return None
        for earlier in self.calls[created + 1:index]:  # any GET on its thread reads it (layers/run_settling.py)
            if earlier.method == "GET" and earlier.params.get("thread_id") == thread_id:
                return None
        reads = ("the fake moves a run when a client reads it (a retrieve or poll, a list of its thread's runs, "
                 "messages or steps), by the default policy at the first read")
        if unread:
            return (f"{run_id} came from a stream closed before any of its events was read (#{created}): a run a "
                    f"stream carries moves as the stream is read, and once the stream is closed, {reads}")
        return f"{run_id} had not been read since it was created: {reads}"

    def _error(self, call: RecordedCall) -> str | None:
        answer = call.response
        error: Any = answer.get("error") if isinstance(answer, dict) else None
        if error is None and call.stream:
            error = next((data.get("error", data) for name, data in call.events
                          if name == "error" and isinstance(data, dict)), None)
        if not isinstance(error, dict):
            return None
        kind = error.get("type") or error.get("code") or "error"
        return f"{kind}: {self._text(str(error.get('message') or ''))}"

    def _newest(self, notes: list[CallNote]) -> tuple[list[CallNote], int]:
        extra = max(0, len(notes) - self.limits.calls)
        self.shortened.calls += extra
        return notes[extra:], extra

    # -- one thread

    def _thread(self, thread: Thread, notes: list[CallNote]) -> ThreadView:
        message_table, run_table = self.store.messages.get(thread.id), self.store.runs.get(thread.id)
        messages = list(message_table.values()) if message_table is not None else []
        runs = list(run_table.values()) if run_table is not None else []
        run_ids = {run.id for run in runs}
        order = self._message_order(messages, run_ids)
        keyed: list[tuple[tuple[int, float, int, int], Message | Run]] = []
        for position, message in enumerate(messages):
            if message.run_id not in run_ids:
                keyed.append(((message.created_at, order[message.id], 0, position), message))
        hint = -1.0
        for position, run in enumerate(runs):
            hint = max(hint, float(self.created_by.get(run.id, -1)))
            keyed.append(((run.created_at, hint, 1, position), run))
        keyed.sort(key=lambda pair: pair[0])
        items = [item for _, item in keyed]
        by_run: dict[str, list[Message]] = {}
        for message in messages:
            if message.run_id in run_ids:
                by_run.setdefault(str(message.run_id), []).append(message)
        entries = self._shown(items, lambda item: self._entry(item, by_run))
        notes, left_out = self._newest(notes)
        return ThreadView(thread.id, thread.created_at, dict(thread.metadata), entries, notes, left_out)

    def _message_order(self, messages: list[Message], run_ids: set[str]) -> dict[str, float]:
        """Each message's place among objects made in the same second: the journal index of the request that made
        it, or of the last one before it (the table's order is the truth between messages); a run's own messages
        come just after the request that made the run."""
        order: dict[str, float] = {}
        last = -1.0
        for message in messages:
            if message.run_id in run_ids:
                last = max(last, self.created_by.get(str(message.run_id), -1) + 0.5)
            elif message.id in self.created_by:
                last = max(last, float(self.created_by[message.id]))
            order[message.id] = last
        return order

    def _shown(self, items: list[Message | Run], view: Any) -> list[Entry]:
        limits = self.limits
        if len(items) <= limits.entries:
            return [view(item) for item in items]
        head, tail = limits.head, limits.entries - limits.head
        hidden = items[head:len(items) - tail]
        self.shortened.entries += len(hidden)
        gap = GapView(sum(isinstance(i, Message) for i in hidden), sum(isinstance(i, Run) for i in hidden),
                      hidden[0].id, hidden[-1].id)
        return [*(view(item) for item in items[:head]), gap, *(view(item) for item in items[len(items) - tail:])]

    def _entry(self, item: Message | Run, by_run: dict[str, list[Message]]) -> Entry:
        if isinstance(item, Message):
            return self._message(item)
        return self._run(item, by_run.get(item.id, []))

    # -- messages

    def _message(self, message: Message) -> MessageView:
        texts: list[str] = []
        images: list[str] = []
        annotations: list[str] = []
        for part in message.content:
            kind = part.get("type")
            if kind == "text":
                texts.append(str(part.get("text", {}).get("value", "")))
                annotations += [_annotation(a) for a in part.get("text", {}).get("annotations", [])]
            elif kind == "image_file":
                images.append(str(part.get("image_file", {}).get("file_id")))
            elif kind == "image_url":
                images.append(self._text(str(part.get("image_url", {}).get("url"))))
        attachments = [_attachment(a) for a in message.attachments]
        incomplete = None
        if message.incomplete_details:
            incomplete = str(message.incomplete_details.get("reason"))
        return MessageView(message.id, message.created_at, message.role, self._text("\n".join(texts)),
                           message.status, message.run_id, message.assistant_id, self._items(images),
                           self._items(attachments), self._items(annotations), incomplete)

    # -- runs

    def _run(self, run: Run, messages: list[Message]) -> RunView:
        assistant = self.store.assistants.get(run.assistant_id)
        history = run.progress.history
        kept = bool(history) or run.status == "queued"
        statuses = [StatusView("queued", run.created_at)] if kept else [StatusView(run.status, run.created_at)]
        statuses += [StatusView(change.status, change.at) for change in history]
        instructions = None
        if run.instructions is not None and (assistant is None or run.instructions != assistant.instructions):
            instructions = self._text(run.instructions)
        step_table = self.store.steps.get(run.id)
        steps = list(step_table.values()) if step_table is not None else []
        by_id = {m.id: m for m in messages}
        step_views = [self._step(step, by_id) for step in steps]
        for step_view in step_views:
            source = run.progress.step_sources.get(step_view.id)
            if source is not None and source.model:
                step_view.model = source.label
            elif source is not None:
                step_view.source = source.label
        named = {view.message.id for view in step_views if view.message is not None}
        return RunView(
            run.id, run.created_at, run.assistant_id, assistant.name if assistant else None, run.model, run.status,
            statuses, kept, run.id in self.streamed, self._items([_tool(t) for t in run.tools]), instructions,
            step_views, [self._message(m) for m in messages if m.id not in named],
            _error_text(run.last_error, self._text), _details(run.incomplete_details), _usage(run.usage),
        )

    def _step(self, step: RunStep, messages: dict[str, Message]) -> StepView:
        details = step.step_details
        view = StepView(step.id, step.created_at, step.type, step.status,
                        last_error=_error_text(step.last_error, self._text))
        if step.type == "message_creation":
            message_id = details.get("message_creation", {}).get("message_id")
            message = messages.get(str(message_id))
            if message is not None:
                view.message = self._message(message)
            return view
        calls = details.get("tool_calls", [])
        view.tool_calls = [self._tool_call(call) for call in calls[:self.limits.list_items]]
        self.shortened.items += max(0, len(calls) - self.limits.list_items)
        return view

    def _tool_call(self, call: Json) -> ToolCallView:
        kind = str(call.get("type"))
        view = ToolCallView(str(call.get("id")), kind)
        if kind == "function":
            function = call.get("function", {})
            view.name = str(function.get("name"))
            view.arguments = self._text(str(function.get("arguments", "")))
            output = function.get("output")
            view.output = None if output is None else self._text(str(output))
        elif kind == "code_interpreter":
            code = call.get("code_interpreter", {})
            view.input = self._text(str(code.get("input", "")))
            for output in code.get("outputs", []):
                if output.get("type") == "logs":
                    view.logs.append(self._text(str(output.get("logs", ""))))
                elif output.get("type") == "image":
                    view.images.append(str(output.get("image", {}).get("file_id")))
        elif kind == "file_search":
            results = call.get("file_search", {}).get("results", [])
            view.results = self._items([self._result(r) for r in results])
        return view

    def _result(self, result: Json) -> str:
        content = result.get("content") or []
        text = str(content[0].get("text", "")) if content else ""
        line = f"{result.get('file_id')} {json.dumps(result.get('file_name'), ensure_ascii=False)} " \
               f"score {result.get('score')}"
        return line + (f" {self._quoted(text)}" if text else "")

    # -- shortening

    def _text(self, text: str) -> str:
        limit = self.limits.text
        if len(text) <= limit:
            return text
        self.shortened.texts += 1
        return text[:limit] + CUT_MARKER.format(len(text) - limit)

    def _quoted(self, text: str) -> str:
        return json.dumps(self._text(text), ensure_ascii=False)

    def _items(self, items: list[str]) -> list[str]:
        limit = self.limits.list_items
        if len(items) <= limit:
            return items
        self.shortened.items += len(items) - limit
        return [*items[:limit], f"… {len(items) - limit} more"]


def _annotation(annotation: Json) -> str:
    kind = str(annotation.get("type"))
    target = annotation.get(kind, {}) if isinstance(annotation.get(kind), dict) else {}
    span = f"[{annotation.get('start_index')}:{annotation.get('end_index')}]"
    return f"{kind} {target.get('file_id')} {json.dumps(annotation.get('text'), ensure_ascii=False)} {span}"


def _attachment(attachment: Json) -> str:
    tools = ", ".join(str(t.get("type")) for t in attachment.get("tools", []))
    return f"{attachment.get('file_id')} ({tools})" if tools else str(attachment.get("file_id"))


def _tool(tool: Json) -> str:
    kind = str(tool.get("type"))
    if kind == "function":
        return f"function {tool.get('function', {}).get('name')}"
    return kind


def _v1_hint(call: RecordedCall, error: str | None) -> str | None:
    """A request of Assistants v1 that the fake answered as the service did after v1: how to serve v1."""
    if call.status != 400 or not (error or "").startswith("invalid_request_error: The v1 Assistants API has been "
                                                           "deprecated"):
        return None
    return ('this fake serves v2 only; FakeAssistants(api_versions=("v1", "v2")), the marker option api_versions '
            "or serve --api-versions v1,v2 serves v1 too")


def _error_text(error: Json | None, shorten: Any) -> str | None:
    if not error:
        return None
    return f"{error.get('code')}: {shorten(str(error.get('message') or ''))}"


def _details(details: Json | None) -> str | None:
    return None if not details else ", ".join(f"{k} {v}" for k, v in details.items())


def _usage(usage: Json | None) -> str | None:
    if not usage:
        return None
    return (f"prompt {usage.get('prompt_tokens')} · completion {usage.get('completion_tokens')} · "
            f"total {usage.get('total_tokens')}")


# -- rendering ------------------------------------------------------------------------------------------------


def render(transcript: Transcript, limits: Limits = Limits()) -> str:
    """The transcript as plain text (at most `limits.chars` characters and a last line saying what was cut)."""
    lines: list[str] = []
    shown = len(transcript.threads)
    if not transcript.threads:
        lines.append("fake-assistants transcript: no threads")
    else:
        lines.append(f"fake-assistants transcript: {_count(shown, 'thread')}"
                     + (f" (the newest {shown} of {transcript.thread_count})" if shown < transcript.thread_count
                        else ""))
    for thread in transcript.threads:
        lines.append("")
        lines += _thread_lines(thread)
    if transcript.calls or transcript.calls_left_out:
        lines.append("")
        lines.append("requests about no thread of this fake (refused, or answered by a fault):")
        if transcript.calls_left_out:
            lines.append(f"  … {_count(transcript.calls_left_out, 'older request')} not shown")
        lines += ["  " + _note(note) for note in transcript.calls]
    if transcript.not_in_cassette:
        lines.append("")
        lines.append("requests not in the cassette (the fake answered them itself):")
        if transcript.not_in_cassette_left_out:
            lines.append(f"  … {_count(transcript.not_in_cassette_left_out, 'older request')} not shown")
        lines += ["  " + _note(note) for note in transcript.not_in_cassette]
    if transcript.differs_from_cassette:
        lines.append("")
        lines.append("requests whose body differs from the recorded one (answered as the recording goes on):")
        lines += ["  " + _note(note) for note in transcript.differs_from_cassette]
    text = "\n".join(lines)
    cut = 0
    if len(text) > limits.chars:
        end = text.rfind("\n", 0, limits.chars)
        end = limits.chars if end <= 0 else end
        cut = len(text) - end
        text = text[:end] + f"\n… transcript cut here: {cut:,} more characters not shown"
    summary = _summary(transcript.shortened, cut)
    return text + ("\n\n" + summary if summary else "") + "\n"


def _summary(shortened: Shortened, cut: int) -> str:
    parts = []
    if shortened.entries:
        parts.append(f"{shortened.entries:,} messages and runs of long threads left out")
    if shortened.threads:
        parts.append(f"{_count(shortened.threads, 'older thread')} left out")
    if shortened.texts:
        parts.append(f"{_count(shortened.texts, 'long text')} cut")
    if shortened.items:
        parts.append(f"{_count(shortened.items, 'list item')} left out")
    if shortened.calls:
        parts.append(f"{_count(shortened.calls, 'older refused request')} left out")
    if cut:
        parts.append(f"the last {cut:,} characters cut")
    return "shortened: " + "; ".join(parts) if parts else ""


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _time(at: int, since: int | None = None) -> str:
    moment = datetime.fromtimestamp(at, UTC)
    if since is not None and datetime.fromtimestamp(since, UTC).date() == moment.date():
        return moment.strftime("%H:%M:%S")
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _thread_lines(thread: ThreadView) -> list[str]:
    lines = [f"thread {thread.id} · created {_time(thread.at)} UTC"
             + (f" · metadata {json.dumps(thread.metadata, ensure_ascii=False)}" if thread.metadata else "")]
    if not thread.entries:
        lines.append("  (no messages)")
    for entry in thread.entries:
        if isinstance(entry, MessageView):
            lines += _message_lines(entry, thread.at, "  ")
        elif isinstance(entry, RunView):
            lines += _run_lines(entry, thread.at)
        else:
            lines.append(f"  … {_count(entry.messages, 'message')} and {_count(entry.runs, 'run')} not shown "
                         f"({entry.first_id} … {entry.last_id}) …")
    if thread.calls:
        lines.append("  refused requests and faults:")
        if thread.calls_left_out:
            lines.append(f"    … {_count(thread.calls_left_out, 'older one')} not shown")
        lines += ["    " + _note(note) for note in thread.calls]
    return lines


def _message_lines(message: MessageView, since: int, indent: str) -> list[str]:
    status = "" if message.status == "completed" else f" · {message.status}"
    if message.incomplete:
        status += f" ({message.incomplete})"
    lines = [f"{indent}{_time(message.at, since)}  {message.role} {message.id}{status}: "
             + json.dumps(message.text, ensure_ascii=False)]
    deeper = indent + "    "
    lines += [f"{deeper}image {image}" for image in message.images]
    if message.attachments:
        lines.append(f"{deeper}attachments: " + "; ".join(message.attachments))
    if message.annotations:
        lines.append(f"{deeper}annotations: " + "; ".join(message.annotations))
    return lines


def _run_lines(run: RunView, since: int) -> list[str]:
    assistant = run.assistant_id + (f" ({json.dumps(run.assistant_name, ensure_ascii=False)})"
                                    if run.assistant_name else "")
    streamed = " · streamed" if run.streamed else ""
    lines = [f"  {_time(run.at, since)}  run {run.id} · assistant {assistant} · model {run.model}{streamed}"]
    if run.instructions is not None:
        lines.append(f"      instructions (this run's): {json.dumps(run.instructions, ensure_ascii=False)}")
    if run.tools:
        lines.append("      tools: " + ", ".join(run.tools))
    statuses = " → ".join(f"{s.status} {_time(s.at, since)}" for s in run.statuses)
    lines.append("      status: " + statuses + ("" if run.history_kept else " (loaded in this status)"))
    for step in run.steps:
        lines += _step_lines(step, since)
    for message in run.messages:
        lines += _message_lines(message, since, "      ")
    if run.last_error:
        lines.append(f"      last_error: {run.last_error}")
    if run.incomplete_details:
        lines.append(f"      incomplete_details: {run.incomplete_details}")
    if run.usage:
        lines.append(f"      usage: {run.usage}")
    return lines


def _step_lines(step: StepView, since: int) -> list[str]:
    status = "" if step.status == "completed" else f" · {step.status}"
    origin = step.model or step.source
    model = f" · from {origin}" if origin else ""
    lines = [f"      step {step.id} {step.type}{status}{model}"]
    if step.message is not None:
        lines += _message_lines(step.message, since, "        ")
    for call in step.tool_calls:
        lines += _call_lines(call)
    if step.last_error:
        lines.append(f"        last_error: {step.last_error}")
    return lines


def _call_lines(call: ToolCallView) -> list[str]:
    pad = "        "
    if call.type == "function":
        output = "(no output yet)" if call.output is None else "output " + json.dumps(call.output, ensure_ascii=False)
        return [f"{pad}function {call.name}({call.arguments}) [{call.id}] → {output}"]
    if call.type == "code_interpreter":
        lines = [f"{pad}code_interpreter [{call.id}] input {json.dumps(call.input, ensure_ascii=False)}"]
        lines += [f"{pad}  logs {json.dumps(logs, ensure_ascii=False)}" for logs in call.logs]
        lines += [f"{pad}  image {image}" for image in call.images]
        return lines
    if call.type == "file_search":
        lines = [f"{pad}file_search [{call.id}] → {_count(len(call.results), 'result')}"]
        return lines + [f"{pad}  {result}" for result in call.results]
    return [f"{pad}{call.type} [{call.id}]"]


def _note(note: CallNote) -> str:
    route = f" ({note.route})" if note.route else ""
    answer = "no answer" if note.status is None else str(note.status)
    fault = f" · injected {note.fault}" if note.fault else ""
    error = f" · {note.error}" if note.error else ""
    hint = f" ({note.hint})" if note.hint else ""
    return f"#{note.index} {note.method} {note.path}{route} → {answer}{fault}{error}{hint}"


def text_of(store: Store, calls: Iterable[RecordedCall], thread_id: str | None = None,
            limits: Limits = Limits()) -> str:
    """`build` then `render`: the transcript as `fake.transcript()` gives it."""
    return render(build(store, list(calls), thread_id, limits), limits)
