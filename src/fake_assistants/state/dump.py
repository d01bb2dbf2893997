"""A fake's objects as JSON: `fake.dump()` and `FakeAssistants.load(json)`. Format version 1:

    {
      "format": "fake-assistants-state", "version": 1,
      "ids": {"objects": [...], "requests": [...]},
      "assistants": [...], "threads": [...], "messages": [...], "runs": [...], "run_steps": [...],
      "files": [...], "vector_stores": [...], "vector_store_files": [...], "file_batches": [...]
    }

Every section is optional. Each object is the fake's stored form of it: the fields of its `to_wire`
answer (`id`, `created_at`, ...) plus the few the wire does not show (see README "Seeding"); objects of a
section are in creation order. A File's bytes are `content_base64` (or, when writing a seed by hand,
`content_text`). A run's `extra` is the run engine's bookkeeping (`run.progress`): one key per field that
is set, steps and messages by id; its pending work is named (`"work": "execute"`). `ids` is where the id
streams are, so a loaded fake goes on with new ids as the dumped one would; without it the seed decides.
Hand-written seeds may leave out any field that has a default (`created_at` is the clock's time; a run's
model, instructions and tools are its assistant's).

Loading is validated and atomic: the document is strict JSON (no NaN or Infinity, nesting bounded), every
field has the type the fake's own model gives it, ids are unique, every object can be read back (both wire
shapes) and dumped again. It is built in a scratch store and put in place only once all of it loaded; any
failure is a StateError naming where the bad value is (`assistants[0].model: ...`), and the fake is exactly
as it was.

These work on the fake's run engine, which holds the rest (its World: store, clock, ids); the facade takes
its lock around them.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import difflib
import json
import typing
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pydantic

from ..api.shaping import text_part
from ..api.validation import decode_json
from ..core.errors import ApiError, StateError
from ..core.ids import IdFactory
from ..core.types import Json
from ..model import run_lifecycle as lifecycle
from ..model.assistant import Assistant
from ..model.chunking import AUTO_STRATEGY
from ..model.file import StoredFile
from ..model.message import Message
from ..model.run import Run
from ..model.run_lifecycle import EXPIRES_AFTER_SECONDS
from ..model.run_progress import SAVED_WORK, Citation, GeneratedFile, RunProgress, SavedWork
from ..model.step import RunStep
from ..model.thread import Thread
from ..model.vector_store import FileBatch, VectorStore, VectorStoreFile
from ..runs.engine import RunEngine
from ..runs.world import World
from ..store.pagination import OrderedTable
from ..store.store import Store
from .snapshot import replace_store

FORMAT = "fake-assistants-state"
VERSION = 1
SECTIONS = ("assistants", "threads", "messages", "runs", "run_steps", "files", "vector_stores",
            "vector_store_files", "file_batches")
# A run's `extra`: the fields of its progress a dump keeps, in this order, with the type of their values. The
# pending work is named at the end; no stream reads a loaded run, so `streamed_segment`, `unread_stream`,
# `stream_reader` and `streamed_events` are left out (and `streamed_segment` ignored when a document has it). The
# status `history` is left out too (the format stays version 1): a loaded run's history starts when it is loaded,
# and transcripts say so.
EXTRA_TYPES: dict[str, type[Any]] = {
    "stand_in": bool, "include_search_content": bool, "segment": int, "searched": bool, "citations": list,
    "images": list, "generated": list, "quotes": dict, "open_message": Message, "pending_step": RunStep,
    "prompt_tokens": int,
}
UNSET: Json = {f.name: f.default if f.default_factory is dataclasses.MISSING else f.default_factory()
               for f in dataclasses.fields(RunProgress)}  # a field at this value is left out


# -- dump ------------------------------------------------------------------------------------------------


def dump(engine: RunEngine) -> str:
    """The state `engine` works on (its World's store and ids) as JSON."""
    return json.dumps(dump_dict(engine), indent=2)


def dump_dict(engine: RunEngine) -> Json:
    store = engine.world.store
    runs, work = engine.saved_runs()
    return {
        "format": FORMAT,
        "version": VERSION,
        "ids": engine.world.ids.state(),
        "assistants": [_fields(a) for a in store.assistants.values()],
        "threads": [_fields(t) for t in store.threads.values()],
        "messages": [_fields(m) for table in store.messages.values() for m in table.values()],
        "runs": [_run_fields(run, work.get(run.id)) for run in runs],
        "run_steps": [_fields(s) for table in store.steps.values() for s in table.values()],
        "files": [_file_fields(f) for f in store.files.values()],
        "vector_stores": [_fields(v) for v in store.vector_stores.values()],
        "vector_store_files": [_fields(f) for table in store.vs_files.values() for f in table.values()],
        "file_batches": [_fields(b) for b in store.batches.values()],
    }


def _fields(obj: Any) -> Json:
    return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}


def _file_fields(stored: StoredFile) -> Json:
    fields = _fields_except(stored, "data")
    fields["content_base64"] = base64.b64encode(stored.data).decode("ascii")
    return fields


def _run_fields(run: Run, work: SavedWork | None) -> Json:
    fields = _fields_except(run, "progress")
    extra = {name: _extra_value(getattr(run.progress, name)) for name in EXTRA_TYPES
             if getattr(run.progress, name) != UNSET[name]}
    if work is not None:
        extra["work"] = work
    fields["extra"] = extra
    return fields


def _fields_except(obj: Any, name: str) -> Json:
    return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj) if f.name != name}


def _plain(value: Any) -> Any:
    """A JSON copy of a stored value (dicts, lists, strings, numbers, booleans, None)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise StateError(f"cannot dump a value of type {type(value).__name__}: {value!r}")


def _extra_value(value: Any) -> Any:
    """Engine bookkeeping: objects of the store by reference, other records with their type."""
    if isinstance(value, RunStep):
        return {"$step": value.id}
    if isinstance(value, Message):
        return {"$message": value.id}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: _extra_value(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"$type": RECORD_NAMES[type(value)], "fields": fields}
    if isinstance(value, list | tuple):
        return [_extra_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _extra_value(v) for k, v in value.items()}
    return _plain(value)


# -- load ------------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Loaded:
    """A state document, loaded into a scratch store: what `install` puts in place."""

    store: Store
    ids: IdFactory | None  # None: the document does not say where the id streams are
    work: dict[str, SavedWork]


def load_into(engine: RunEngine, data: str | bytes | Mapping[str, Any]) -> None:
    """Fill the empty state `engine` works on with the objects of `data` (a dump, or a seed written by hand);
    StateError, with nothing changed, when it does not load."""
    store = engine.world.store
    if len(store.assistants) or len(store.threads) or len(store.files) or len(store.vector_stores):
        raise StateError("load needs an empty fake, and this one holds objects already: load the state before the "
                         "test's first request, or fake.load_state(state, replace=True) to replace what it holds")
    install(engine, parse(engine, data))


def parse(engine: RunEngine, data: str | bytes | Mapping[str, Any]) -> Loaded:
    """`data` loaded apart from `engine`'s state (which it leaves alone); StateError when it does not load."""
    document = _document(data)
    ids = _ids(document["ids"]) if "ids" in document else None
    world = engine.world
    scratch = RunEngine(World(Store(), world.clock, ids or IdFactory(), world.options, world.ingestion),
                        engine.script, engine.policy)
    loader = _Loader(scratch)
    loader.load(document)
    try:
        json.dumps(dump_dict(scratch), allow_nan=False)
    except (TypeError, ValueError, RecursionError, StateError) as error:
        raise StateError(f"the loaded state cannot be dumped again: {error}"[:500]) from None
    return Loaded(scratch.world.store, ids, loader.work)


def install(engine: RunEngine, loaded: Loaded) -> None:
    """Put a parsed document in place: its objects, their pending work (made by `engine`), its id streams."""
    replace_store(engine.world.store, {k: v for k, v in vars(loaded.store).items() if k != "stand_ins"})
    for run in engine.world.store.all_runs():
        engine.restore_work(run, loaded.work.get(run.id))
    if loaded.ids is not None:
        vars(engine.world.ids).update(vars(loaded.ids))


def _ids(value: Any) -> IdFactory:
    ids = IdFactory()
    try:
        if not isinstance(value, dict) or set(value) != {"objects", "requests"}:
            raise TypeError("expected {\"objects\": [...], \"requests\": [...]}")
        ids.set_state(value)
    except Exception as error:  # random.setstate refuses garbage in many ways
        raise StateError(f"ids: not the id state of a dump ({type(error).__name__}: {error})"[:300]) from None
    return ids


def _not_json(data: str | bytes | Mapping[str, Any]) -> str:
    """Why a document is not strict JSON: where the parser stopped, or what strict JSON refuses; and a file's path
    given for its text."""
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)
    try:
        json.loads(text)
    except ValueError as error:  # JSONDecodeError: its message says the line and the column
        reason = f"not JSON: {error}"
    except RecursionError:
        reason = "not JSON: nested too deep"
    else:
        reason = "not JSON: the document must be strict JSON (no NaN or Infinity, at most 200 levels of nesting)"
    if isinstance(data, str) and "\n" not in data and data.strip()[:1] not in ("{", "[") and _is_file(data):
        reason += (f" ({data!r} is a file's path: load takes the document itself, "
                   "Path(...).read_text(encoding='utf-8'))")
    return reason[:500]


def _is_file(text: str) -> bool:
    """Whether `text` names a file (False for what cannot be a path: too long a name, a NUL character)."""
    try:
        return len(text) < 4096 and Path(text).is_file()
    except (OSError, ValueError):
        return False


def _document(data: str | bytes | Mapping[str, Any]) -> Json:
    try:
        text = data if isinstance(data, str | bytes) else json.dumps(dict(data), allow_nan=False)
        document = decode_json(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
    except ApiError:
        raise StateError(_not_json(data)) from None
    except (TypeError, ValueError, RecursionError) as error:
        raise StateError(f"not JSON: {type(error).__name__}: {error}"[:300]) from None
    if not isinstance(document, dict):
        raise StateError("a state document is a JSON object")
    if document.get("format", FORMAT) != FORMAT:
        raise StateError(f"format must be {FORMAT!r}, not {document.get('format')!r}"[:300])
    if document.get("version", VERSION) != VERSION:
        raise StateError(f"unsupported version {document.get('version')!r}: this fake reads version {VERSION}"[:300])
    unknown = set(document) - {"format", "version", "ids", *SECTIONS}
    if unknown:
        raise StateError(f"unknown sections {sorted(unknown)}; the sections are {list(SECTIONS)}"[:300])
    for section in SECTIONS:
        items = document.get(section, [])
        if not isinstance(items, list):
            raise StateError(f"{section!r} must be a list of objects")
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                raise StateError(f"{section}[{index}]: must be an object, not {type(item).__name__}")
    return document


class _Loader:
    def __init__(self, engine: RunEngine) -> None:
        self.engine = engine
        self.store: Store = engine.world.store
        self.now = engine.world.clock.now()
        self.extras: dict[str, Any] = {}  # run id -> its `extra`, read once every step and message is there
        self.work: dict[str, SavedWork] = {}  # run id -> the pending work its `extra` names
        self.seen: set[tuple[str, str]] = set()  # (section, id); a vector store file's id is its File's

    def load(self, document: Json) -> None:
        sections: list[tuple[str, Callable[[Json], None]]] = [
            ("assistants", self._assistant), ("threads", self._thread), ("files", self._file),
            ("vector_stores", self._vector_store), ("vector_store_files", self._vs_file),
            ("file_batches", self._batch), ("messages", self._message), ("runs", self._run),
            ("run_steps", self._step),
        ]
        for section, add in sections:
            for index, raw in enumerate(document.get(section, [])):
                with _at(f"{section}[{index}]"):
                    key = (section, f"{raw.get('vector_store_id')}/{raw.get('id')}"
                           if section == "vector_store_files" else str(raw.get("id")))
                    if key in self.seen:
                        raise StateError(f"duplicate id {raw.get('id')!r}")
                    add(raw)
                    self.seen.add(key)
        for index, raw in enumerate(document.get("runs", [])):
            with _at(f"runs[{index}].extra"):
                self._finish_run(raw)
        for section in ("assistants", "threads"):
            for index, raw in enumerate(document.get(section, [])):
                with _at(f"{section}[{index}]"):
                    self._check_stores(raw)
        for section, index, obj in self._objects(document):
            with _at(f"{section}[{index}]"):
                _render(obj, self.store)

    def _check_stores(self, raw: Json) -> None:
        """The vector stores an assistant or a thread searches are in the document: the service takes a deleted
        store out of every assistant and thread, so none names a store that is not there."""
        resources = raw.get("tool_resources") or {}
        search = resources.get("file_search") if isinstance(resources, dict) else None
        named = search.get("vector_store_ids") if isinstance(search, dict) else None
        for store_id in named if isinstance(named, list) else []:
            if self.store.vector_stores.get(str(store_id)) is None:
                raise StateError(f"{raw.get('id')} searches vector store {store_id!r} "
                                 "(tool_resources.file_search.vector_store_ids), which is not in the document")

    def _objects(self, document: Json) -> Iterable[tuple[str, int, Any]]:
        store = self.store
        tables: dict[str, Callable[[str], Any]] = {
            "assistants": store.assistants.get, "threads": store.threads.get, "files": store.files.get,
            "vector_stores": store.vector_stores.get, "file_batches": store.batches.get,
            "runs": store.run_by_id,
        }
        for section, lookup in tables.items():
            for index, raw in enumerate(document.get(section, [])):
                yield section, index, lookup(raw["id"])
        for index, raw in enumerate(document.get("messages", [])):
            yield "messages", index, store.messages[raw["thread_id"]].get(raw["id"])
        for index, raw in enumerate(document.get("vector_store_files", [])):
            yield "vector_store_files", index, store.vs_files[raw["vector_store_id"]].get(raw["id"])
        for index, raw in enumerate(document.get("run_steps", [])):
            yield "run_steps", index, store.steps[raw["run_id"]].get(raw["id"])

    def _assistant(self, raw: Json) -> None:
        assistant = build(Assistant, raw, "assistant", {"created_at": self.now})
        self.store.assistants.add(assistant.id, assistant.created_at, assistant)

    def _thread(self, raw: Json) -> None:
        thread = build(Thread, raw, "thread", {"created_at": self.now})
        self.store.add_thread(thread)

    def _message(self, raw: Json) -> None:
        raw = dict(raw)
        if isinstance(raw.get("content"), str):
            raw["content"] = [text_part(raw["content"])]
        message = build(Message, raw, "message", {"created_at": self.now, "content": []})
        _check_annotations(message.id, message.content)
        self._table(self.store.messages, message.thread_id, "thread", message.id).add(
            message.id, message.created_at, message)

    def _run(self, raw: Json) -> None:
        raw = dict(raw)
        extra = raw.pop("extra", {})
        assistant = self.store.assistants.get(str(raw.get("assistant_id")))
        status = raw.get("status", "queued")
        defaults: Json = {"created_at": self.now}
        if assistant is not None:
            defaults.update(model=assistant.model, instructions=assistant.instructions, tools=list(assistant.tools))
        defaults["expires_at"] = None if status in lifecycle.TERMINAL else (
            raw.get("created_at", self.now) + EXPIRES_AFTER_SECONDS)
        if "progress" in raw:
            raise StateError(f"run {raw.get('id')}: unknown fields ['progress']")
        run = build(Run, raw, "run", defaults)
        if run.status not in lifecycle.RUN_TRANSITIONS:
            raise StateError(f"run {run.id}: unknown status {run.status!r}")
        if run.status == "requires_action" and not run.required_action:
            raise StateError(f"run {run.id}: a run in 'requires_action' needs its required_action (the tool calls "
                             "it waits on: {\"type\": \"submit_tool_outputs\", \"submit_tool_outputs\": "
                             "{\"tool_calls\": [...]}})")
        self.extras[run.id] = extra
        self._table(self.store.runs, run.thread_id, "thread", run.id).add(run.id, run.created_at, run)
        self.store.steps[run.id] = OrderedTable()
        if run.status in lifecycle.ACTIVE:
            active = self.store.active_runs.get(run.thread_id)
            if active is not None:
                raise StateError(f"thread {run.thread_id} has two active runs: {active} and {run.id}")
            self.store.active_runs[run.thread_id] = run.id

    def _step(self, raw: Json) -> None:
        run = self._run_of(raw)
        defaults: Json = {"created_at": self.now, "expires_at": None}
        if run is not None:
            defaults.update(thread_id=run.thread_id, assistant_id=run.assistant_id)
        step = build(RunStep, raw, "run step", defaults)
        self._table(self.store.steps, step.run_id, "run", step.id).add(step.id, step.created_at, step)

    def _run_of(self, raw: Json) -> Run | None:
        return self.store.run_by_id(str(raw.get("run_id")))

    def _file(self, raw: Json) -> None:
        raw = dict(raw)
        data = _file_content(raw)
        stored = build(StoredFile, {**raw, "data": data}, "file", {"created_at": self.now})
        self.store.add_file(stored)

    def _vector_store(self, raw: Json) -> None:
        store = build(VectorStore, raw, "vector store", {"created_at": self.now})
        self.store.add_vector_store(store)

    def _vs_file(self, raw: Json) -> None:
        if "batch_id" in raw and "batch_ids" not in raw:  # the field before a file could join several batches
            batch_id = raw["batch_id"]
            raw = {k: v for k, v in raw.items() if k != "batch_id"}
            raw["batch_ids"] = [] if batch_id is None else [batch_id]
        vs_file = build(VectorStoreFile, raw, "vector store file",
                        {"created_at": self.now, "chunking_strategy": dict(AUTO_STRATEGY)})
        self._table(self.store.vs_files, vs_file.vector_store_id, "vector store", vs_file.id).add(
            vs_file.id, vs_file.created_at, vs_file)

    def _batch(self, raw: Json) -> None:
        batch = build(FileBatch, raw, "file batch", {"created_at": self.now, "file_ids": []})
        self._table(self.store.vs_files, batch.vector_store_id, "vector store", batch.id)
        self.store.batches[batch.id] = batch

    @staticmethod
    def _table(tables: dict[str, OrderedTable[Any]], owner: str, kind: str, object_id: str) -> OrderedTable[Any]:
        table = tables.get(owner)
        if table is None:
            raise StateError(f"{object_id} belongs to {kind} {owner!r}, which is not in the document")
        return table

    def _finish_run(self, raw: Json) -> None:
        """Engine bookkeeping, once every step and message is there: references, then pending work."""
        run = self._run_of({"run_id": raw["id"]})
        assert run is not None
        extra = self.extras[run.id]
        if not isinstance(extra, dict):
            raise StateError(f"run {run.id}: extra must be an object, not {extra!r}"[:300])
        values = {k: self._extra_value(run, v) for k, v in extra.items()}
        work = values.pop("work", None)
        if work is not None and work not in SAVED_WORK:
            raise StateError(f"run {run.id}: unknown work {work!r}"[:300])
        values.pop("streamed_segment", None)
        run.progress = _progress(run, values)
        self.engine.restore_work(run, work)
        if work is not None:
            self.work[run.id] = work

    def _extra_value(self, run: Run, value: Any) -> Any:
        if isinstance(value, list):
            return [self._extra_value(run, v) for v in value]
        if not isinstance(value, dict):
            return value
        if set(value) == {"$step"}:
            return self._referenced(self.store.steps[run.id], value["$step"], run)
        if set(value) == {"$message"}:
            return self._referenced(self.store.messages[run.thread_id], value["$message"], run)
        if set(value) == {"$type", "fields"}:
            cls = _record_type(value["$type"])
            if not isinstance(value["fields"], dict):
                raise StateError(f"run {run.id}: the fields of a {value['$type']} must be an object")
            return cls(**{k: self._extra_value(run, v) for k, v in value["fields"].items()})
        return {k: self._extra_value(run, v) for k, v in value.items()}

    @staticmethod
    def _referenced(table: OrderedTable[Any], object_id: str, run: Run) -> Any:
        found = table.get(object_id)
        if found is None:
            raise StateError(f"run {run.id} refers to {object_id}, which is not in the document")
        return found


def _progress(run: Run, values: Json) -> RunProgress:
    """A run's progress from the (decoded) values of its `extra`."""
    unknown = set(values) - set(EXTRA_TYPES)
    if unknown:
        raise StateError(f"run {run.id}: unknown extra keys {sorted(unknown)}; they are {list(EXTRA_TYPES)}")
    for name, value in values.items():
        if not isinstance(value, EXTRA_TYPES[name]):
            raise StateError(f"run {run.id}: extra {name!r} must be {EXTRA_TYPES[name].__name__}, not {value!r}"[:300])
    return RunProgress(**values)


def build(cls: type[Any], raw: Json, kind: str, defaults: Json) -> Any:
    """`cls` from `raw`, with `defaults` for what it leaves out; unknown or missing fields are errors."""
    fields = {f.name: f for f in dataclasses.fields(cls)}
    object_id = raw.get("id")
    if not isinstance(object_id, str) or not object_id:
        raise StateError(f"every {kind} needs an \"id\" (a non-empty string): {raw!r}"[:300])
    unknown = set(raw) - set(fields)
    if unknown:
        guesses = {name: difflib.get_close_matches(name, list(fields), n=1) for name in sorted(unknown)}
        named = "; ".join(f"{name!r}: did you mean {close[0]!r}?" for name, close in guesses.items() if close)
        raise StateError(f"{kind} {object_id}: unknown fields {sorted(unknown)}" + (f" ({named})" if named else ""))
    values = {**{k: v for k, v in defaults.items() if k in fields}, **raw}
    missing = [name for name, f in fields.items() if name not in values and _required(f)]
    if missing:
        raise StateError(f"{kind} {object_id}: missing {missing}")
    adapters = _FIELD_ADAPTERS.get(cls)
    if adapters is None:
        adapters = _FIELD_ADAPTERS[cls] = _field_adapters(cls)
    for name, value in values.items():
        if name in adapters:
            try:
                adapters[name].validate_python(value, strict=True)  # the same check for every object of cls
            except pydantic.ValidationError as error:
                first = error.errors()[0]
                where = "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in first["loc"])
                raise StateError(f"{name}{where}: {first['msg']}, not {_short(first['input'])}") from None
    return cls(**values)


_FIELD_ADAPTERS: dict[type[Any], dict[str, pydantic.TypeAdapter[Any]]] = {}


def _field_adapters(cls: type[Any]) -> dict[str, pydantic.TypeAdapter[Any]]:
    """A strict validator for each field of a stored object, from its type (the run's progress is loaded apart;
    a file's bytes come from its base64)."""
    hints = typing.get_type_hints(cls)
    return {f.name: pydantic.TypeAdapter(hints[f.name]) for f in dataclasses.fields(cls)
            if f.name not in ("progress", "data")}


def _short(value: Any) -> str:
    text = json.dumps(value) if isinstance(value, str | int | float | bool | None) else type(value).__name__
    return text if len(text) <= 60 else text[:57] + "..."


class _at:
    """Name where a failure happened: a StateError (or any other error) inside becomes a StateError prefixed
    with the path of the object being loaded."""

    def __init__(self, where: str) -> None:
        self.where = where

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: Any) -> None:
        if error is None or not isinstance(error, Exception):
            return
        if isinstance(error, StateError):
            raise StateError(f"{self.where}: {error}"[:500]) from None
        raise StateError(f"{self.where}: {type(error).__name__}: {error}"[:500]) from None


def _render(obj: Any, store: Store) -> None:
    """Read the object back as the API would, in both shapes: what loads must answer without a 500."""
    for shape in ("recorded", "schema"):
        if isinstance(obj, VectorStore):
            wire = obj.to_wire(shape, list(store.vs_files.get(obj.id, OrderedTable()).values()))
        elif isinstance(obj, FileBatch):
            wire = obj.to_wire(shape, store.batch_files(obj))
        elif isinstance(obj, Message):
            wire = obj.to_wire(shape, full=True)
        else:
            wire = obj.to_wire(shape)
        json.dumps(wire, allow_nan=False)


def _required(field: dataclasses.Field[Any]) -> bool:
    return field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING


def _check_annotations(message_id: str, content: Any) -> None:
    """Each annotation of a text part spans a part of its text (0 <= start_index <= end_index <= its length), as
    every annotation the service made did. (A cited file need not exist: a file deleted after the answer leaves its
    citation in place.)"""
    for part_index, part in enumerate(content if isinstance(content, list) else []):
        text = part.get("text") if isinstance(part, dict) and part.get("type") == "text" else None
        if not isinstance(text, dict):
            continue
        value = text.get("value")
        length = len(value) if isinstance(value, str) else 0
        annotations = text.get("annotations") or []
        if not isinstance(annotations, list):
            raise StateError(f"message {message_id}: content[{part_index}].text.annotations is a list of annotation "
                             f"objects, not {type(annotations).__name__} {annotations!r}")
        for index, annotation in enumerate(annotations):
            if not isinstance(annotation, dict):
                raise StateError(f"message {message_id}: content[{part_index}].text.annotations[{index}] is an "
                                 f"annotation object (type, text, start_index, end_index, ...), not "
                                 f"{type(annotation).__name__} {annotation!r}")
            start, end = annotation.get("start_index"), annotation.get("end_index")
            if start is None and end is None:
                continue
            if not (type(start) is int and type(end) is int and 0 <= start <= end <= length):
                raise StateError(
                    f"message {message_id}: content[{part_index}].text.annotations[{index}] spans {start!r} to "
                    f"{end!r} of a text of {length} characters: an annotation's start_index and end_index are "
                    "where its marker stands in the text (0 <= start_index <= end_index <= the text's length)")


def _file_content(raw: Json) -> bytes:
    encoded, text = raw.pop("content_base64", None), raw.pop("content_text", None)
    if encoded is not None and text is not None:
        raise StateError(f"file {raw.get('id')}: give content_base64 or content_text, not both")
    if text is not None:
        return str(text).encode("utf-8")
    try:
        return base64.b64decode(str(encoded or ""), validate=True)
    except binascii.Error:
        raise StateError(f"file {raw.get('id')}: content_base64 is not base64") from None


# The engine's records by their dumped names (the names of the modules that first held them).
RECORD_TYPES: dict[str, type[Any]] = {"message_text.Citation": Citation, "file_links.GeneratedFile": GeneratedFile}
RECORD_NAMES = {record: name for name, record in RECORD_TYPES.items()}


def _record_type(name: str) -> type[Any]:
    """A record class by its dumped name (`message_text.Citation`)."""
    found = RECORD_TYPES.get(str(name))
    if found is None:
        raise StateError(f"unknown record type {name!r}")
    return found
