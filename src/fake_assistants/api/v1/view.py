"""Assistants v1 as a view of the one store: v2 wire objects shown as v1 showed them.

Key sets and orders are those of the last v1 recordings (2024-04-27, ruby-openai cassettes with
`OpenAI-Beta: assistants=v1`): `file_ids` where v2 has `tool_resources` and `attachments`, the `retrieval`
tool and tool call where v2 has `file_search`, `quote` in file citations, no `incomplete` run status (a
token-limited run completed with `incomplete_details` set), usage without token details. The v1-only data
comes from the store: an assistant's v1 file links (`v1_files`), the files a run used, citation quotes.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...core.types import Event, Json, StreamItem, flattened
from ..context import Context

_USAGE_KEYS = ("prompt_tokens", "completion_tokens", "total_tokens")
_RUN_KEYS = (
    "id", "object", "created_at", "assistant_id", "thread_id", "status", "started_at", "expires_at",
    "cancelled_at", "failed_at", "completed_at", "required_action", "last_error", "model", "instructions",
    "tools", "file_ids", "metadata", "temperature", "top_p", "max_completion_tokens", "max_prompt_tokens",
    "truncation_strategy", "incomplete_details", "usage", "response_format", "tool_choice",
)
_MESSAGE_STATUS_KEYS = ("status", "incomplete_details", "incomplete_at", "completed_at")


def render(ctx: Context, body: Json) -> Json:
    """A REST answer (an object, a list of objects or a deletion) as v1 showed it."""
    kind = body.get("object")
    if kind == "list":
        return {**body, "data": [render(ctx, item) for item in body["data"]]}
    shown = _RENDERERS.get(kind) if isinstance(kind, str) else None
    return body if shown is None else shown(ctx, body)


def events(ctx: Context, stream: Iterator[StreamItem]) -> Iterator[Event]:
    """A stream's events as v1 sent them: same names (a token-limited run ends `thread.run.completed`), one
    event at a time. A message's deltas follow its `thread.message.created`, which says which thread it is on."""
    threads: dict[str, str] = {}
    for event in flattened(stream):  # a burst's deltas one by one
        yield _event(ctx, threads, event)


def _event(ctx: Context, threads: dict[str, str], event: Event) -> Event:
    name, data = event
    if name == "thread.run.incomplete":
        name = "thread.run.completed"
    if not isinstance(data, dict):
        return name, data
    if data.get("object") == "thread.message.delta":
        return name, message_delta(data, _message_quotes(ctx, threads.get(data["id"], ""), data["id"]))
    if data.get("object") == "thread.message":
        threads[data["id"]] = data["thread_id"]
    return name, render(ctx, data)


# -- objects ----------------------------------------------------------------------------------------------


def assistant(ctx: Context, wire: Json) -> Json:
    found = ctx.store.assistants.get(wire["id"])
    return {
        "id": wire["id"], "object": "assistant", "created_at": wire["created_at"], "name": wire["name"],
        "description": wire["description"], "model": wire["model"], "instructions": wire["instructions"],
        "tools": tools(wire["tools"]), "top_p": wire["top_p"], "temperature": wire["temperature"],
        "file_ids": list(found.v1_files) if found is not None else [], "metadata": wire["metadata"],
        "response_format": wire["response_format"],
    }


def thread(ctx: Context, wire: Json) -> Json:
    return {"id": wire["id"], "object": "thread", "created_at": wire["created_at"], "metadata": wire["metadata"]}


def message(ctx: Context, wire: Json) -> Json:
    shown: Json = {key: wire[key] for key in ("id", "object", "created_at", "assistant_id", "thread_id", "run_id")}
    shown.update({key: wire[key] for key in _MESSAGE_STATUS_KEYS if key in wire})
    shown["role"] = wire["role"]
    shown["content"] = [_content_part(ctx, wire, part) for part in wire["content"]]
    shown["file_ids"] = message_file_ids(wire)
    shown["metadata"] = wire["metadata"]
    return shown


def message_file_ids(wire: Json) -> list[str]:
    """A message's v1 files: its attachments (a v1 file became an attachment for both tools)."""
    if "attachments" in wire:
        return [a["file_id"] for a in wire["attachments"] or []]
    return list(wire.get("file_ids", []))


def run(ctx: Context, wire: Json) -> Json:
    found = ctx.store.find_run(wire["thread_id"], wire["id"])
    values = {
        **wire,
        "status": "completed" if wire["status"] == "incomplete" else wire["status"],
        "tools": tools(wire["tools"]),
        "file_ids": list(found.file_ids) if found is not None else [],
        "usage": _usage(wire["usage"]),
        "tool_choice": _tool_choice(wire["tool_choice"]),
    }
    return {key: values[key] for key in _RUN_KEYS}


def step(ctx: Context, wire: Json) -> Json:
    shown = {**wire, "usage": _usage(wire["usage"])}
    details = wire["step_details"]
    if details.get("type") == "tool_calls":
        shown["step_details"] = {**details, "tool_calls": [_tool_call(c) for c in details["tool_calls"]]}
    return shown


def message_delta(wire: Json, quotes: dict[str, str]) -> Json:
    content = wire["delta"].get("content")
    if not content:
        return wire
    parts = [_delta_part(part, quotes) for part in content]
    return {**wire, "delta": {**wire["delta"], "content": parts}}


def step_delta(ctx: Context, wire: Json) -> Json:
    details = wire["delta"].get("step_details") or {}
    if details.get("type") != "tool_calls":
        return wire
    calls = [_tool_call(c) for c in details.get("tool_calls", [])]
    return {**wire, "delta": {**wire["delta"], "step_details": {**details, "tool_calls": calls}}}


# -- pieces -----------------------------------------------------------------------------------------------


def tools(values: list[Json]) -> list[Json]:
    """v2 `file_search` is v1 `retrieval` (which had no settings); a v1 function had no `strict` (it came with
    structured outputs, 2024-08)."""
    return [_tool(t) for t in values]


def _tool(value: Json) -> Json:
    if value["type"] == "file_search":
        return {"type": "retrieval"}
    if value["type"] == "function" and "strict" in value.get("function", {}):
        return {**value, "function": {k: v for k, v in value["function"].items() if k != "strict"}}
    return value


def _tool_choice(value: str | Json) -> str | Json:
    if isinstance(value, dict) and value.get("type") == "file_search":
        return {"type": "retrieval"}
    return value


def _tool_call(call: Json) -> Json:
    """A file_search call is a retrieval call, whose details were "always an empty object"."""
    if call.get("type") != "file_search":
        return call
    shown: Json = {"index": call["index"]} if "index" in call else {}
    if "id" in call:
        shown["id"] = call["id"]
    shown.update({"type": "retrieval", "retrieval": {}})
    return shown


def _usage(value: Json | None) -> Json | None:
    return None if value is None else {key: value[key] for key in _USAGE_KEYS}


def _content_part(ctx: Context, wire: Json, part: Json) -> Json:
    annotations = part.get("text", {}).get("annotations") if part.get("type") == "text" else None
    if not annotations:
        return part
    quotes = _message_quotes(ctx, wire["thread_id"], wire["id"])
    return {**part, "text": {**part["text"], "annotations": [_quoted(a, quotes) for a in annotations]}}


def _delta_part(part: Json, quotes: dict[str, str]) -> Json:
    text = part.get("text")
    if not isinstance(text, dict) or not text.get("annotations"):
        return part
    return {**part, "text": {**text, "annotations": [_quoted(a, quotes) for a in text["annotations"]]}}


def _quoted(annotation: Json, quotes: dict[str, str]) -> Json:
    """v1 file citations carry `quote` (required): the text the answer cites from that file."""
    citation = annotation.get("file_citation")
    if citation is None:
        return annotation
    return {**annotation, "file_citation": {"file_id": citation["file_id"],
                                            "quote": quotes.get(citation["file_id"], "")}}


def _message_quotes(ctx: Context, thread_id: str, message_id: str) -> dict[str, str]:
    table = ctx.store.messages.get(thread_id)
    found = table.get(message_id) if table is not None else None
    return found.quotes if found is not None else {}


_RENDERERS = {
    "assistant": assistant,
    "thread": thread,
    "thread.message": message,
    "thread.run": run,
    "thread.run.step": step,
    "thread.run.step.delta": step_delta,
}
