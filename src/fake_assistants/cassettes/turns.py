"""The scripted turns that reproduce each recorded run: what its steps, its `requires_action` answers and its
messages show, in the order the run did them, ending as the run ended (its answer, `last_error`, or the reason
it was incomplete)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

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

Position = tuple[int, int, int]  # (recording, interaction, event) where an object was seen


@dataclass(slots=True)
class RecordedRun:
    """One run of the recording: its id, assistant, last recorded status and the turns that reproduce it."""

    run_id: str
    assistant_id: str | None
    status: str
    turns: list[Action | Responder] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the turns cannot reproduce, and why


@dataclass(slots=True)
class _Seen:
    first: Position
    last: Position
    value: dict[str, Any]


def recorded_runs(recordings: Sequence[Recording]) -> list[RecordedRun]:
    """Every run the recordings show, in the order they first appear."""
    runs: dict[str, _Seen] = {}
    steps: dict[str, _Seen] = {}
    messages: dict[str, _Seen] = {}
    episodes: dict[str, dict[tuple[str, ...], tuple[Position, FunctionCalls]]] = {}
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
                episodes.setdefault(obj["id"], {}).setdefault(keys, (position, _function_calls(calls)))
    ordered = sorted(runs.values(), key=lambda seen: seen.first)
    return [_build(seen.value, steps, messages, episodes.get(seen.value["id"], {})) for seen in ordered]


def _objects(recordings: Sequence[Recording]) -> Iterable[tuple[Position, dict[str, Any]]]:
    for r_index, recording in enumerate(recordings):
        for interaction in recording.interactions:
            if not 200 <= interaction.status < 300:
                continue
            body = interaction.response_json
            if body is not None:
                items = body.get("data") if body.get("object") == "list" else [body]
                for item in items if isinstance(items, list) else []:
                    if isinstance(item, dict) and isinstance(item.get("id"), str):
                        yield (r_index, interaction.index, 0), item
            for e_index, event in enumerate(interaction.events, start=1):
                if isinstance(event.data, dict) and isinstance(event.data.get("id"), str):
                    yield (r_index, interaction.index, e_index), event.data


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
           episodes: dict[tuple[str, ...], tuple[Position, FunctionCalls]]) -> RecordedRun:
    run_id = run["id"]
    recorded = RecordedRun(run_id, run.get("assistant_id"), str(run.get("status")))
    own_steps = sorted((s for s in steps.values() if s.value.get("run_id") == run_id),
                       key=lambda s: (s.value.get("created_at") or 0, s.first))
    own_messages = {m.value["id"]: m for m in messages.values()
                    if m.value.get("run_id") == run_id and m.value.get("role") == "assistant"}
    items: list[tuple[Position, Action | str]] = []
    used_messages: set[str] = set()
    has_function_step = False
    for step in own_steps:
        details = step.value.get("step_details") or {}
        if details.get("type") == "message_creation":
            message_id = (details.get("message_creation") or {}).get("message_id")
            if isinstance(message_id, str) and message_id in own_messages:
                used_messages.add(message_id)
                items.append((step.first, _text(own_messages[message_id].value)))
        elif details.get("type") == "tool_calls":
            action, function = _tool_step(details.get("tool_calls") or [], recorded.notes)
            has_function_step = has_function_step or function
            if action is not None:
                items.append((step.first, action))
    if not has_function_step:
        items.extend(episodes.values())
    items.extend((m.first, _text(m.value)) for key, m in own_messages.items() if key not in used_messages)
    if not own_steps:
        items.sort(key=lambda item: item[0])
    recorded.turns = _ending(run, [value for _, value in items], recorded.notes)
    return recorded


def _tool_step(calls: list[Any], notes: list[str]) -> tuple[Action | None, bool]:
    """A tool_calls step as one turn (its function calls together), and whether it was a function step."""
    functions = [c for c in calls if isinstance(c, dict) and c.get("type") == "function"]
    if functions:
        return _function_calls(functions), True
    for call in calls:
        if not isinstance(call, dict):
            continue
        if call.get("type") == "code_interpreter":
            detail = call.get("code_interpreter") or {}
            outputs = [o for o in detail.get("outputs") or [] if isinstance(o, dict)]
            logs = "".join(str(o.get("logs", "")) for o in outputs if o.get("type") == "logs")
            if any(o.get("type") == "image" for o in outputs):
                notes.append("code_interpreter image outputs are not in the cassette's bytes: left out")
            return CodeInterpreter(str(detail.get("input", "")), logs or None), False
        if call.get("type") in ("file_search", "retrieval"):
            found = (call.get("file_search") or {}).get("results") if call.get("type") == "file_search" else None
            results = None if not isinstance(found, list) else tuple(
                SearchResult(str(r["file_id"]), float(r.get("score", 1.0)),
                             _result_text(r)) for r in found if isinstance(r, dict) and "file_id" in r)
            return FileSearch(None, results or None), False
    return None, False


def _result_text(result: dict[str, Any]) -> str | None:
    content = result.get("content")
    if isinstance(content, list):
        texts = [str(c.get("text", "")) for c in content if isinstance(c, dict)]
        return "".join(texts) or None
    return None


def _recorded_default(context: TurnContext) -> Action:
    return Reply(default_reply(context.messages))


def _ending(run: dict[str, Any], items: list[Action | str], notes: list[str]) -> list[Action | Responder]:
    """The items as turns, the last text becoming the run's ending as its recorded status says."""
    status = run.get("status")
    texts = [i for i, item in enumerate(items) if isinstance(item, str)]
    last_text = texts[-1] if texts else None
    final: list[Action | Responder] = []
    if status == "completed" and (last_text is None or last_text != len(items) - 1):
        notes.append("the answer's text is not in the cassette: the fake's default reply")
        final = [_recorded_default]
    turns: list[Action | Responder] = []
    for i, item in enumerate(items):
        if isinstance(item, str):
            is_last = i == last_text and i == len(items) - 1
            if is_last and status == "completed":
                turns.append(Reply(item))
            elif is_last and status == "incomplete":
                continue
            else:
                turns.append(Say(item))
        else:
            turns.append(item)
    if status == "failed":
        error = run.get("last_error") or {}
        code, message = str(error.get("code", "server_error")), str(error.get("message") or "")
        if code not in LAST_ERROR_CODES:
            notes.append(f"last_error code {code!r} is not one the fake scripts: failed with server_error")
            code = "server_error"
        final = [Fail(code, message or "Sorry, something went wrong.")]
    elif status == "incomplete":
        reason = str((run.get("incomplete_details") or {}).get("reason", "max_completion_tokens"))
        if reason not in INCOMPLETE_REASONS:
            notes.append(f"incomplete reason {reason!r} is not one the fake scripts: max_completion_tokens")
            reason = "max_completion_tokens"
        text = items[last_text] if last_text == len(items) - 1 and last_text is not None else None
        final = [Incomplete(reason, text if isinstance(text, str) else None)]
    elif status not in ("completed", "requires_action"):
        notes.append(f"the recording last shows the run {status}: no ending scripted")
    return turns + final
