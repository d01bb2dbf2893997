"""Lenient mode: an unknown id is created on first use, with a plain default object (a stand-in).

`FakeAssistants(lenient=True)` is what placeholder-id suites need, such as the SDKs' generated tests
(`thread_id`, `assistant_id`, `vs_abc123`, `file-abc123`). What it changes:

- Any lookup of an unknown id (in the path or the body) creates a stand-in with that exact id: an
  assistant (gpt-4o, with instructions, so a run on an empty thread can start), a thread, a user message,
  a completed run and run step, a File (`<id>.txt`, empty, purpose `assistants_output`, so it can be
  downloaded), a vector store, a completed vector-store file and a file batch. With `lenient=True` any
  non-empty id is accepted, as the SDK suites' placeholders lack the real prefixes; `lenient="prefixed"`
  creates only ids with the right prefix and keeps the service's 400 for the others.
- A stand-in run has no history, so it takes the state a request needs: a cancel finds it queued, a
  submit_tool_outputs finds it waiting for exactly the tool calls it answers. Runs the fake made itself
  are never reshaped.
- Every request on a thread, not just a read, lets its active run progress as the policy says (a write takes
  it back from a stream still reading it, which then ends where the run got to), so a placeholder suite that
  creates run after run on one thread, from several workers at once, does not trip over the previous one.
- List cursors (`after`, `before`) naming no object of the list are ignored, and a `limit` below 1 is 1.
- A file batch may name its files with both `file_ids` and `files` (all are added), or with neither (an
  empty batch).
- `tool_resources.file_search` (of an assistant, a thread, a create-and-run's thread) may hold both
  `vector_store_ids` and the `vector_stores` helper (the ids are kept, the helper left out), or neither (it is
  left out), as the SDK suites send all of a request's parameters at once.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Literal

from ..api.pipeline import Answer, Exchange
from ..api.routing import Reply
from ..api.validation import decoded_object
from ..core.ids import ID_PREFIXES
from ..core.types import Json
from ..core.wire import ApiRequest
from ..model import run_lifecycle as lifecycle
from ..model.assistant import Assistant
from ..model.chunking import AUTO_STRATEGY
from ..model.file import StoredFile
from ..model.message import Message
from ..model.run import Run, RunStatus
from ..model.run_lifecycle import EXPIRES_AFTER_SECONDS
from ..model.step import RunStep
from ..model.thread import Thread
from ..model.usage import usage
from ..model.vector_store import FileBatch, VectorStore, VectorStoreFile
from ..store.pagination import OrderedTable

if TYPE_CHECKING:
    from ..api.context import Context
    from ..store.store import Store

Leniency = bool | Literal["prefixed"]
Query = tuple[tuple[str, str], ...]
STAND_IN_MODEL = "gpt-4o"
STAND_IN_INSTRUCTIONS = "You are a helpful assistant."
STAND_IN_FUNCTION = "stand_in"
STAND_IN_FILE_PURPOSE = "assistants_output"  # a File the test did not upload; downloadable, as this purpose is
# list route -> how to find the table its cursors point into
_LIST_TABLES = {
    "assistants.list": lambda s, p: s.assistants,
    "messages.list": lambda s, p: s.messages.get(p["thread_id"]),
    "runs.list": lambda s, p: s.runs.get(p["thread_id"]),
    "runs.steps.list": lambda s, p: s.steps.get(p["run_id"]),
    "files.list": lambda s, p: s.files,
    "vector_stores.list": lambda s, p: s.vector_stores,
    "vector_stores.files.list": lambda s, p: s.vs_files.get(p["vector_store_id"]),
    "vector_stores.file_batches.list_files": lambda s, p: s.vs_files.get(p["vector_store_id"]),
}


def check_leniency(value: object) -> Leniency:
    if value is True or value is False or value == "prefixed":
        return value
    raise ValueError(f"lenient must be True, False or 'prefixed', not {value!r}")


class StandIns:
    """Creates stand-ins for the store's lookups, and adapts requests before their handler runs."""

    def __init__(self, ctx: Context, leniency: Leniency = True) -> None:
        self.ctx = ctx
        self.any_prefix = leniency is True

    @property
    def store(self) -> Store:
        return self.ctx.store

    def _now(self) -> int:
        return self.ctx.clock.now()

    def _accepts(self, kind: str, object_id: str) -> bool:
        return bool(object_id) and (self.any_prefix or object_id.startswith(ID_PREFIXES[kind]))

    # -- stand-ins, created by the store's lookups ------------------------------------------------------

    def assistant(self, assistant_id: str) -> Assistant | None:
        if not self._accepts("assistant", assistant_id):
            return None
        assistant = Assistant(id=assistant_id, created_at=self._now(), model=STAND_IN_MODEL,
                              instructions=STAND_IN_INSTRUCTIONS)
        self.store.assistants.add(assistant.id, assistant.created_at, assistant)
        return assistant

    def thread(self, thread_id: str) -> Thread | None:
        if not self._accepts("thread", thread_id):
            return None
        thread = Thread(id=thread_id, created_at=self._now())
        self.store.add_thread(thread)
        return thread

    def message(self, thread_id: str, message_id: str) -> Message | None:
        if not self._accepts("message", message_id):
            return None
        message = Message(id=message_id, created_at=self._now(), thread_id=thread_id, role="user", content=[])
        self.store.messages[thread_id].add(message.id, message.created_at, message)
        return message

    def run(self, thread_id: str, run_id: str) -> Run | None:
        """A completed run of a stand-in assistant (no steps, no messages)."""
        if not self._accepts("run", run_id):
            return None
        run = self._new_run(thread_id, run_id, "completed")
        run.completed_at = run.started_at
        run.usage = usage(0, 0)
        run.expires_at = None
        self.store.runs[thread_id].add(run.id, run.created_at, run)
        self.store.steps[run.id] = OrderedTable()
        return run

    def step(self, thread_id: str, run_id: str, step_id: str) -> RunStep | None:
        if not self._accepts("step", step_id):
            return None
        run = self.store.run(thread_id, run_id)
        now = self._now()
        step = RunStep(id=step_id, created_at=now, run_id=run.id, assistant_id=run.assistant_id, thread_id=thread_id,
                       type="tool_calls", step_details={"type": "tool_calls", "tool_calls": []}, expires_at=None,
                       status="completed", completed_at=now, usage=usage(0, 0))
        self.store.steps[run.id].add(step.id, step.created_at, step)
        return step

    def file(self, file_id: str) -> StoredFile | None:
        if not self._accepts("file", file_id):
            return None
        stored = StoredFile(id=file_id, created_at=self._now(), filename=f"{file_id}.txt",
                            purpose=STAND_IN_FILE_PURPOSE, data=b"")
        self.store.add_file(stored)
        return stored

    def vector_store(self, vector_store_id: str) -> VectorStore | None:
        if not self._accepts("vector_store", vector_store_id):
            return None
        now = self._now()
        store = VectorStore(id=vector_store_id, created_at=now, last_active_at=now)
        self.store.add_vector_store(store)
        return store

    def vs_file(self, vector_store_id: str, file_id: str) -> VectorStoreFile | None:
        """The File (a stand-in too when unknown), attached and ingested."""
        if not self._accepts("file", file_id):
            return None
        stored = self.store.file(file_id)
        vs_file = VectorStoreFile(id=stored.id, created_at=self._now(), vector_store_id=vector_store_id,
                                  chunking_strategy=dict(AUTO_STRATEGY), status="completed",
                                  usage_bytes=len(stored.data))
        self.store.vs_files[vector_store_id].add(vs_file.id, vs_file.created_at, vs_file)
        return vs_file

    def batch(self, vector_store_id: str, batch_id: str) -> FileBatch | None:
        if not self._accepts("file_batch", batch_id):
            return None
        batch = FileBatch(id=batch_id, created_at=self._now(), vector_store_id=vector_store_id, file_ids=[])
        self.store.batches[batch.id] = batch
        return batch

    # -- requests -----------------------------------------------------------------------------------------

    def prepare(self, route: str, params: dict[str, str], request: ApiRequest) -> ApiRequest | Json:
        """Before the handler: reshape a stand-in run for a cancel or a submit, relax list parameters and
        file batches. Returns the request for the handler, or the answer itself (an empty file batch)."""
        if request.method != "GET" and "thread_id" in params:
            self._settle_for_write(params["thread_id"])
        if route == "vector_stores.file_batches.create":
            return self._batch_request(params["vector_store_id"], request)
        resources_at = _FILE_SEARCH_RESOURCES.get(route)
        if resources_at is not None:
            return _one_file_search(request, resources_at)
        if route == "runs.cancel":
            self._ready_to_cancel(params["thread_id"], params["run_id"])
        elif route == "runs.submit_tool_outputs":
            call_ids = _tool_call_ids(request.body)
            if call_ids is not None:
                self._ready_for_outputs(params["thread_id"], params["run_id"], call_ids)
        table_of = _LIST_TABLES.get(route)
        if table_of is not None:
            return replace(request, query=self._relaxed_query(request.query, table_of(self.store, params)))
        return request

    def _settle_for_write(self, thread_id: str) -> None:
        """A write lets the thread's active run progress as a read would, taking it back from a stream still
        reading it (that stream then ends where the run got to)."""
        run = self.store.active_run(thread_id)
        if run is not None:
            self.ctx.engine.stop_streaming(run)
            self.ctx.engine.on_read(run, poll=False)

    def _batch_request(self, vector_store_id: str, request: ApiRequest) -> ApiRequest | Json:
        """A batch needs exactly one of `file_ids` and `files`; the SDK suites send both, or neither.
        Both: one list of files (`file_ids` take the batch's chunking_strategy and attributes). Neither:
        an empty batch."""
        body = decoded_object(request.body)
        if body is None or (body.get("file_ids") is None) != (body.get("files") is None):
            return request
        if body.get("file_ids") is not None and not (isinstance(body["file_ids"], list)
                                                     and isinstance(body["files"], list)):
            return request  # not two lists to join: the handler answers what they are
        if body.get("file_ids") is None:
            store = self.store.vector_store(vector_store_id)
            batch = FileBatch(id=self.ctx.ids.new("file_batch"), created_at=self._now(), vector_store_id=store.id,
                              file_ids=[])
            self.store.batches[batch.id] = batch
            return batch.to_wire(self.ctx.options.shape, [])
        shared = {k: body[k] for k in ("chunking_strategy", "attributes") if body.get(k) is not None}
        files = [{"file_id": file_id, **shared} for file_id in body.pop("file_ids")] + list(body["files"])
        merged = {**body, "files": files}
        return replace(request, body=json.dumps(merged).encode())

    def _ready_to_cancel(self, thread_id: str, run_id: str) -> None:
        run = self._reshapeable(thread_id, run_id)
        if run is not False and (run is None or not lifecycle.can(run.status, "cancel")):
            self._replace_run(thread_id, run_id, "queued")

    def _ready_for_outputs(self, thread_id: str, run_id: str, call_ids: list[str]) -> None:
        run = self._reshapeable(thread_id, run_id)
        if run is False:
            return
        if run is not None and run.status == "requires_action":
            step = run.progress.pending_step
            if step is not None and sorted(c["id"] for c in step.step_details["tool_calls"]) == sorted(call_ids):
                return
        self._replace_run(thread_id, run_id, "requires_action", call_ids)

    def _reshapeable(self, thread_id: str, run_id: str) -> Run | Literal[False] | None:
        """The stand-in run to reshape (None: there is none yet), or False when it must be left alone:
        a run the fake made, an id lenient mode does not accept, or a thread busy with another run."""
        if not self._accepts("run", run_id):
            return False
        self.store.thread(thread_id)
        run = self.store.runs[thread_id].get(run_id)
        if run is not None and not run.progress.stand_in:
            return False
        active = self.store.active_runs.get(thread_id)
        if active is not None and active != run_id:
            return False
        return run

    def _replace_run(self, thread_id: str, run_id: str, status: RunStatus, call_ids: list[str] | None = None) -> None:
        old = self.store.runs[thread_id].remove(run_id)
        if old is not None:
            self.store.release_thread(old)
            self.store.steps.pop(run_id, None)
        run = self._new_run(thread_id, run_id, status)
        if status == "queued":  # a real queued run: it would carry on as any other if the cancel did not come
            run.started_at = None
            self.ctx.engine.begin(run, streamed=False)
            return
        self.store.add_run(run)
        step = RunStep(id=self.ctx.ids.new("step"), created_at=run.created_at, run_id=run.id,
                       assistant_id=run.assistant_id, thread_id=thread_id, type="tool_calls",
                       step_details={"type": "tool_calls", "tool_calls": [_function_call(i) for i in call_ids or []]},
                       expires_at=run.expires_at)
        self.store.steps[run.id].add(step.id, step.created_at, step)
        run.progress.pending_step = step
        run.required_action = {"type": "submit_tool_outputs", "submit_tool_outputs": {"tool_calls": [
            {"id": i, "type": "function", "function": {"name": STAND_IN_FUNCTION, "arguments": "{}"}}
            for i in call_ids or []
        ]}}

    def _new_run(self, thread_id: str, run_id: str, status: RunStatus) -> Run:
        """A stand-in run, created in `status` (it has no history to move through)."""
        self.store.thread(thread_id)
        assistant = self.assistant(self.ctx.ids.new("assistant"))
        assert assistant is not None
        now = self._now()
        run = Run(id=run_id, created_at=now, thread_id=thread_id, assistant_id=assistant.id, model=assistant.model,
                  instructions=assistant.instructions, tools=[], expires_at=now + EXPIRES_AFTER_SECONDS,
                  status=status, started_at=now)
        run.progress.stand_in = True  # made by lenient mode, so it may be reshaped
        return run

    @staticmethod
    def _relaxed_query(query: Query, table: OrderedTable[Any] | None) -> Query:
        relaxed: list[tuple[str, str]] = []
        for name, value in query:
            if name in ("after", "before") and (table is None or value not in table):
                continue
            if name == "limit" and _below_one(value):
                value = "1"
            relaxed.append((name, value))
        return tuple(relaxed)


# The routes whose body holds a `tool_resources` that may use the `vector_stores` helper, and where in the body.
_FILE_SEARCH_RESOURCES: dict[str, tuple[str, ...]] = {
    "assistants.create": ("tool_resources",),
    "threads.create": ("tool_resources",),
    "threads.create_and_run": ("thread", "tool_resources"),
}


def _one_file_search(request: ApiRequest, resources_at: tuple[str, ...]) -> ApiRequest:
    """`file_search` with both `vector_store_ids` and `vector_stores`: the ids alone; with neither: left out.
    Anything else, the handler answers."""
    body = decoded_object(request.body)
    resources: Any = body
    for key in resources_at:
        resources = resources.get(key) if isinstance(resources, dict) else None
    file_search = resources.get("file_search") if isinstance(resources, dict) else None
    if not isinstance(file_search, dict):
        return request
    ids, helper = file_search.get("vector_store_ids") is not None, file_search.get("vector_stores") is not None
    if ids and helper:
        del file_search["vector_stores"]
    elif not ids and not helper:
        del resources["file_search"]
    else:
        return request
    return replace(request, body=json.dumps(body).encode())


def _below_one(value: str) -> bool:
    """Whether `value` is a whole number below 1, in ASCII digits of any length (anything else, the handler
    answers: "²" is a digit to `str.isdigit`, and `int` refuses 4,300 digits and more)."""
    negative = value.startswith("-")
    digits = value[1:] if negative else value
    if not digits or not (digits.isascii() and digits.isdigit()):
        return False
    return negative or digits.strip("0") == ""


def _function_call(call_id: str) -> dict[str, Any]:
    return {"id": call_id, "type": "function",
            "function": {"name": STAND_IN_FUNCTION, "arguments": "{}", "output": None}}


def _tool_call_ids(body: bytes) -> list[str] | None:
    """The `tool_call_id`s a submit_tool_outputs body answers (None when the body is not usable: the
    handler then rejects it as usual)."""
    decoded = decoded_object(body)
    outputs = None if decoded is None else decoded.get("tool_outputs")
    if not isinstance(outputs, list) or not all(isinstance(o, dict) for o in outputs):
        return None
    ids = [o.get("tool_call_id") or "" for o in outputs]
    return ids if all(isinstance(i, str) for i in ids) else None



class LenientRequests:
    """The lenient layer: before the handler, stand-in runs are reshaped and list parameters relaxed; an
    empty file batch is answered here (see `StandIns.prepare`)."""

    def __init__(self, inner: Answer, stand_ins: StandIns) -> None:
        self.inner = inner
        self.stand_ins = stand_ins

    def __call__(self, exchange: Exchange) -> Reply:
        assert exchange.route is not None
        prepared = self.stand_ins.prepare(exchange.route.name, exchange.params, exchange.request)
        if not isinstance(prepared, ApiRequest):
            return prepared  # lenient mode answered itself
        exchange.request = prepared
        return self.inner(exchange)
