"""A run's turn as a chat-completions request: instructions, the thread's messages, the run's own tool steps."""

from __future__ import annotations

from collections.abc import Mapping

from ..core.types import Json
from ..runs.script import TurnContext

# file_search, offered to the model as a function the fake runs itself over the run's vector stores
FILE_SEARCH = "file_search"
FILE_SEARCH_TOOL: Json = {"type": "function", "function": {
    "name": FILE_SEARCH,
    "description": "Search the files attached to this conversation; answers with the passages found.",
    "parameters": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]},
}}


def chat_request(context: TurnContext, *, model: str, seed: int, temperature: float, stream: bool,
                 backend_ids: Mapping[str, str], search_arguments: Mapping[str, str] | None = None) -> Json:
    """The request body for `context`'s turn. `backend_ids` maps the fake's tool call ids to the backend's;
    `search_arguments` holds the arguments of the backend's file_search calls, by the backend's id."""
    run = context.run
    messages: list[Json] = []
    if run.get("instructions"):
        messages.append({"role": "system", "content": run["instructions"]})
    messages.extend(_thread_message(m) for m in _truncated(context.messages, run.get("truncation_strategy")))
    for step in context.steps:
        messages.extend(_tool_messages(step, backend_ids, search_arguments or {}))
    body: Json = {"model": model, "messages": messages, "seed": seed, "temperature": temperature}
    functions = [_function_tool(t["function"]) for t in context.tools if t.get("type") == "function"]
    if context.searchable:
        functions.append(FILE_SEARCH_TOOL)
    if functions:
        body["tools"] = functions
        body["tool_choice"] = _tool_choice(run.get("tool_choice"))
        if run.get("parallel_tool_calls") is not None:
            body["parallel_tool_calls"] = run["parallel_tool_calls"]
    response_format = run.get("response_format")
    if isinstance(response_format, dict) and response_format.get("type") != "text":
        body["response_format"] = response_format
    if run.get("max_completion_tokens"):
        body["max_tokens"] = run["max_completion_tokens"]
    if stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    return body


def _truncated(messages: list[Json], strategy: object) -> list[Json]:
    if isinstance(strategy, dict) and strategy.get("type") == "last_messages" and strategy.get("last_messages"):
        return messages[-int(strategy["last_messages"]):]
    return messages


def _thread_message(message: Json) -> Json:
    parts: list[Json] = []
    for part in message.get("content", []):
        if part.get("type") == "text":
            parts.append({"type": "text", "text": part["text"]["value"]})
        elif part.get("type") == "image_url":
            parts.append({"type": "image_url", "image_url": {"url": part["image_url"]["url"]}})
    if all(p["type"] == "text" for p in parts):
        return {"role": message["role"], "content": "".join(p["text"] for p in parts)}
    return {"role": message["role"], "content": parts}


def _tool_messages(step: Json, backend_ids: Mapping[str, str], search_arguments: Mapping[str, str]) -> list[Json]:
    """A completed tool_calls step of function calls (or of a file_search the model asked for): the assistant's
    calls, then one `tool` message each."""
    details = step.get("step_details", {})
    if details.get("type") != "tool_calls" or step.get("status") != "completed":
        return []
    calls: list[tuple[str, str, str, str]] = []  # backend id, name, arguments, output
    for call in details.get("tool_calls", []):
        backend_id = backend_ids.get(call["id"], call["id"])
        if call.get("type") == "function":
            function = call["function"]
            calls.append((backend_id, function["name"], function["arguments"], function.get("output") or ""))
        elif call.get("type") == FILE_SEARCH and backend_id in search_arguments:
            results = call[FILE_SEARCH].get("results") or []
            found = "\n\n".join(f"[{r['file_name']}]\n{''.join(c['text'] for c in r.get('content') or [])}"
                                 for r in results)
            calls.append((backend_id, FILE_SEARCH, search_arguments[backend_id], found or "No results."))
    if not calls:
        return []
    assistant: Json = {"role": "assistant", "content": None, "tool_calls": [
        {"id": i, "type": "function", "function": {"name": name, "arguments": arguments}}
        for i, name, arguments, _ in calls
    ]}
    return [assistant, *({"role": "tool", "tool_call_id": i, "content": output} for i, _, _, output in calls)]


def _function_tool(function: Json) -> Json:
    """The tool as sent: `strict` only when on (many chat-completions servers do not know the field)."""
    kept = {k: v for k, v in function.items() if v is not None and not (k == "strict" and v is False)}
    return {"type": "function", "function": kept}


def _tool_choice(choice: object) -> object:
    if isinstance(choice, dict) and choice.get("type") == "function":
        return {"type": "function", "function": {"name": choice["function"]["name"]}}
    if choice in ("none", "auto", "required"):
        return choice
    return "auto"
