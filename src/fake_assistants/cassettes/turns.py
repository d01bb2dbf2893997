"""The scripted turns that reproduce each recorded run: what its steps, its `requires_action` answers and its
messages show, in the order the run did them, ending as the run ended (its answer, `last_error`, or the reason
it was incomplete)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..core.wire import UnencodableText
from ..runs.script import (
    INCOMPLETE_REASONS,
    LAST_ERROR_CODES,
    Action,
    CodeInterpreter,
    Fail,
    FileSearch,
    FunctionCalls,
    Incomplete,
    Reply,
    Responder,
    Say,
    SearchResult,
    TurnContext,
    default_reply,
)
from .interaction import Recording
from .reader import CassetteError
from .recorded_ids import kind_of, made_ids

# Where an object was seen: (recording, interaction, event, rank); a list's items ranked in creation order (a list
# shows them newest first unless `order=asc`)
Position = tuple[int, int, int, int]

# What an image output of code_interpreter holds when the recording never downloaded it: a 1x1 PNG.
PLACEHOLDER_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


@dataclass(slots=True)
class RecordedRun:
    """One run of the recording: its id, assistant, last recorded status and the turns that reproduce it."""

    run_id: str
    assistant_id: str | None
    status: str
    turns: list[Action | Responder] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the turns cannot reproduce, and why
    # for each turn, the recorded id of the step it makes; None where the recording never shows that step (the
    # steps of a run it never listed), so that recorded step ids can be handed out run by run
    step_ids: list[str | None] = field(default_factory=list)
    # the recorded ids of the tool calls the turns make, in the order they make them (None: not shown)
    call_ids: list[str | None] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Evidence:
    """What the whole recording tells a run's turns: the bytes of the files it downloaded, and the files it made
    whose ids the fake will not have (`recorded_runs`'s `recorded_ids=False`)."""

    contents: dict[str, bytes]
    renamed_files: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Item:
    """One thing the run did: where it was first seen, the turn that does it again (a text for a message, None
    for a message the recording never shows), the recorded ids of the step and the tool calls it made."""

    where: Position
    turn: Action | str | None
    step_id: str | None = None
    call_ids: tuple[str | None, ...] = ()


@dataclass(slots=True)
class _Seen:
    first: Position
    last: Position
    value: dict[str, Any]


def recorded_runs(recordings: Sequence[Recording], *, recorded_ids: bool = True) -> list[RecordedRun]:
    """Every run the recordings show, in the order they first appear.

    `recorded_ids`: the fake hands out the recorded ids. Without them, the files the recording made (uploaded)
    get other ids in the fake, so a file_search step whose results name such files is not pinned to them: it
    searches the fake's stores (which hold those files again when the code uploads them again)."""
    runs: dict[str, _Seen] = {}
    steps: dict[str, _Seen] = {}
    messages: dict[str, _Seen] = {}
    episodes: dict[str, dict[tuple[str, ...], _Item]] = {}
    for position, obj in _objects(recordings):
        kind = obj.get("object")
        table = {"thread.run": runs, "thread.run.step": steps, "thread.message": messages}.get(str(kind))
        if table is None:
            continue
        seen = table.get(obj["id"])
        if seen is None:
            table[obj["id"]] = _Seen(position, position, obj)
        elif position >= seen.last:
            seen.last, seen.value = position, obj
        if kind == "thread.run" and obj.get("status") == "requires_action":
            calls = _required_calls(obj)
            if calls:
                keys = tuple(call.get("id", "") for call in calls)
                episodes.setdefault(obj["id"], {}).setdefault(
                    keys, _Item(position, _function_calls(calls), None, tuple(k or None for k in keys)))
    ordered = sorted(runs.values(), key=lambda seen: seen.first)
    renamed = frozenset() if recorded_ids else frozenset(i for i in made_ids(recordings) if kind_of(i) == "file")
    evidence = _Evidence(_file_contents(recordings), renamed)
    built = []
    for seen in ordered:
        try:
            built.append(_build(seen.value, steps, messages, episodes.get(seen.value["id"], {}), evidence))
        except UnencodableText as error:  # a recorded turn no answer could carry
            raise CassetteError(f"recorded run {seen.value['id']} cannot be replayed: {error}") from error
    return built


def _file_contents(recordings: Sequence[Recording]) -> dict[str, bytes]:
    """The bytes of every file the recordings downloaded (`GET /files/{id}/content`), by file id."""
    found: dict[str, bytes] = {}
    for recording in recordings:
        for interaction in recording.interactions:
            parts = interaction.path.rstrip("/").split("/")
            if interaction.method != "GET" or not 200 <= interaction.status < 300 or parts[-1] != "content" \
                    or len(parts) < 3 or parts[-3] != "files":
                continue
            body = interaction.response_body
            if isinstance(body, bytes):
                found.setdefault(parts[-2], body)
            elif isinstance(body, str):
                found.setdefault(parts[-2], body.encode("utf-8"))
    return found


def _objects(recordings: Sequence[Recording]) -> Iterable[tuple[Position, dict[str, Any]]]:
    for r_index, recording in enumerate(recordings):
        for interaction in recording.interactions:
            if not 200 <= interaction.status < 300:
                continue
            body = interaction.response_json
            if body is not None:
                items = body.get("data") if body.get("object") == "list" else [body]
                items = items if isinstance(items, list) else []
                ascending = body.get("object") != "list" or "order=asc" in interaction.query
                for index, item in enumerate(items):
                    if isinstance(item, dict) and isinstance(item.get("id"), str):
                        yield (r_index, interaction.index, 0, index if ascending else len(items) - index), item
            for e_index, event in enumerate(interaction.events, start=1):
                if isinstance(event.data, dict) and isinstance(event.data.get("id"), str):
                    yield (r_index, interaction.index, e_index, 0), event.data


def _required_calls(run: dict[str, Any]) -> list[dict[str, Any]]:
    action = run.get("required_action") or {}
    calls = (action.get("submit_tool_outputs") or {}).get("tool_calls")
    return [c for c in calls if isinstance(c, dict)] if isinstance(calls, list) else []


def _function_calls(calls: Iterable[dict[str, Any]]) -> FunctionCalls:
    pairs = []
    for call in calls:
        function = call.get("function") or {}
        arguments = function.get("arguments")
        pairs.append((str(function.get("name", "")), arguments if isinstance(arguments, str) else "{}"))
    return FunctionCalls(tuple(pairs))


def _text(message: dict[str, Any]) -> str:
    parts = message.get("content") or []
    texts = [p["text"]["value"] for p in parts
             if isinstance(p, dict) and p.get("type") == "text" and isinstance(p.get("text"), dict)]
    return "".join(str(t) for t in texts)


def _build(run: dict[str, Any], steps: dict[str, _Seen], messages: dict[str, _Seen],
           episodes: dict[tuple[str, ...], _Item],
           evidence: _Evidence) -> RecordedRun:
    run_id = run["id"]
    recorded = RecordedRun(run_id, run.get("assistant_id"), str(run.get("status")))
    own_steps = sorted((s for s in steps.values() if s.value.get("run_id") == run_id),
                       key=lambda s: (s.value.get("created_at") or 0, s.first))
    own_messages = {m.value["id"]: m for m in messages.values()
                    if m.value.get("run_id") == run_id and m.value.get("role") == "assistant"}
    items: list[_Item] = []
    used_messages: set[str] = set()
    has_function_step = False
    for step in own_steps:
        details = step.value.get("step_details") or {}
        if details.get("type") == "message_creation":
            message_id = (details.get("message_creation") or {}).get("message_id")
            if isinstance(message_id, str) and message_id in own_messages:
                used_messages.add(message_id)
                items.append(_Item(step.first, _text(own_messages[message_id].value), step.value["id"]))
            elif isinstance(message_id, str):
                items.append(_Item(step.first, None, step.value["id"]))
        elif details.get("type") == "tool_calls":
            action, call_ids, function = _tool_step(details.get("tool_calls") or [], evidence, recorded.notes)
            has_function_step = has_function_step or function
            if action is not None:
                items.append(_Item(step.first, action, step.value["id"], call_ids))
    if not has_function_step:
        items.extend(episodes.values())
    items.extend(_Item(m.first, _text(m.value)) for key, m in own_messages.items() if key not in used_messages)
    if not own_steps:
        items.sort(key=lambda item: item.where)
    ending = _ending(run, items, recorded.notes)
    recorded.turns = [turn for turn, _ in ending]
    recorded.step_ids = [item.step_id for _, item in ending]
    recorded.call_ids = [call_id for _, item in ending for call_id in item.call_ids]
    return recorded


def _tool_step(calls: list[Any], evidence: _Evidence,
               notes: list[str]) -> tuple[Action | None, tuple[str | None, ...], bool]:
    """A tool_calls step as one turn (its function calls together), the recorded ids of the calls it makes,
    and whether it was a function step. A code_interpreter image output has the bytes the recording downloaded
    of it, else a 1x1 PNG."""
    functions = [c for c in calls if isinstance(c, dict) and c.get("type") == "function"]
    if functions:
        return _function_calls(functions), tuple(_call_id(c) for c in functions), True
    for call in calls:
        action = _tool_call(call, evidence, notes)
        if action is not None:
            return action, (_call_id(call),), False
    return None, (), False


def _call_id(call: dict[str, Any]) -> str | None:
    call_id = call.get("id")
    return call_id if isinstance(call_id, str) and call_id else None


def _tool_call(call: Any, evidence: _Evidence, notes: list[str]) -> Action | None:
    """The turn that makes one code_interpreter or file_search call again (None for any other call)."""
    if not isinstance(call, dict):
        return None
    if call.get("type") == "code_interpreter":
        detail = call.get("code_interpreter") or {}
        outputs = [o for o in detail.get("outputs") or [] if isinstance(o, dict)]
        logs = "".join(str(o.get("logs", "")) for o in outputs if o.get("type") == "logs")
        images = []
        for output in outputs:
            if output.get("type") != "image":
                continue
            file_id = str((output.get("image") or {}).get("file_id", ""))
            if file_id not in evidence.contents:
                notes.append(f"code_interpreter image {file_id} was never downloaded in the cassette: "
                             "a 1x1 PNG stands in for its bytes")
            images.append(evidence.contents.get(file_id, PLACEHOLDER_PNG))
        return CodeInterpreter(str(detail.get("input", "")), logs or None, tuple(images))
    if call.get("type") in ("file_search", "retrieval"):
        found = (call.get("file_search") or {}).get("results") if call.get("type") == "file_search" else None
        results = None if not isinstance(found, list) else tuple(
            SearchResult(str(r["file_id"]), float(r.get("score", 1.0)),
                         _result_text(r)) for r in found if isinstance(r, dict) and "file_id" in r)
        if results and any(r.file_id in evidence.renamed_files for r in results):
            results = None  # files uploaded in the recording, which the fake names otherwise: search them
        return FileSearch(None, results or None, recorded=True)
    return None


def _result_text(result: dict[str, Any]) -> str | None:
    content = result.get("content")
    if isinstance(content, list):
        texts = [str(c.get("text", "")) for c in content if isinstance(c, dict)]
        return "".join(texts) or None
    return None


def _recorded_default(context: TurnContext) -> Action:
    return Reply(default_reply(context.messages))


def _recorded_default_say(context: TurnContext) -> Action:
    return Say(default_reply(context.messages))


def _ending(run: dict[str, Any], items: list[_Item], notes: list[str]) -> list[tuple[Action | Responder, _Item]]:
    """The items as turns (each with the item whose recorded step and call ids it makes again), the last text
    becoming the run's ending as its recorded status says. A message the recording never shows (text None) is
    the fake's default reply."""
    status = run.get("status")
    texts = [i for i, item in enumerate(items) if item.turn is None or isinstance(item.turn, str)]
    last_text = texts[-1] if texts else None
    unseen = _Item((0, 0, 0, 0), None)  # what a turn made from nothing the recording shows stands for
    final: list[tuple[Action | Responder, _Item]] = []
    if status == "completed" and (last_text is None or last_text != len(items) - 1):
        notes.append("the answer's text is not in the cassette: the fake's default reply")
        final = [(_recorded_default, unseen)]
    turns: list[tuple[Action | Responder, _Item]] = []
    ending = unseen  # the message an incomplete or failed run ended with
    for i, item in enumerate(items):
        is_last = i == last_text and i == len(items) - 1
        if is_last and (status == "incomplete" or (status == "failed" and item.turn is None)):
            ending = item  # `Incomplete` writes it again; `Fail` fails writing it
        elif item.turn is None:
            where = "the answer's" if is_last and status == "completed" else f"a message's (step {item.step_id})"
            notes.append(f"{where} text is not in the cassette: the fake's default reply")
            turns.append((_recorded_default if is_last and status == "completed" else _recorded_default_say, item))
        elif isinstance(item.turn, str):
            turns.append((Reply(item.turn) if is_last and status == "completed" else Say(item.turn), item))
        else:
            turns.append((item.turn, item))
    if status == "failed":
        error = run.get("last_error") or {}
        code, message = str(error.get("code", "server_error")), str(error.get("message") or "")
        if code not in LAST_ERROR_CODES:
            notes.append(f"last_error code {code!r} is not one the fake scripts: failed with server_error")
            code = "server_error"
        final = [(Fail(code, message or "Sorry, something went wrong."), ending)]
    elif status == "incomplete":
        reason = str((run.get("incomplete_details") or {}).get("reason", "max_completion_tokens"))
        if reason not in INCOMPLETE_REASONS:
            notes.append(f"incomplete reason {reason!r} is not one the fake scripts: max_completion_tokens")
            reason = "max_completion_tokens"
        written = ending.turn if isinstance(ending.turn, str) else None  # what the model wrote: not cut again
        final = [(Incomplete(reason, written, as_written=written is not None), ending)]
    elif status not in ("completed", "requires_action"):
        notes.append(f"the recording last shows the run {status}: no ending scripted")
    return turns + final
