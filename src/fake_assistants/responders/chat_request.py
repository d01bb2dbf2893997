"""A run's turn as a chat-completions request: instructions, the thread's messages, the run's own tool steps."""

from __future__ import annotations

from collections.abc import Mapping

from ..core.types import Json
from ..runs.script import TurnContext


def chat_request(context: TurnContext, *, model: str, seed: int, temperature: float, stream: bool,
                 backend_ids: Mapping[str, str]) -> Json:
    """The request body for `context`'s turn. `backend_ids` maps the fake's tool call ids to the backend's."""
    run = context.run
    messages: list[Json] = []
    if run.get("instructions"):
        messages.append({"role": "system", "content": run["instructions"]})
    messages.extend(_thread_message(m) for m in _truncated(context.messages, run.get("truncation_strategy")))
    for step in context.steps:
        messages.extend(_tool_messages(step, backend_ids))
    body: Json = {"model": model, "messages": messages, "seed": seed, "temperature": temperature}
    functions = [_function_tool(t["function"]) for t in context.tools if t.get("type") == "function"]
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


def _tool_messages(step: Json, backend_ids: Mapping[str, str]) -> list[Json]:
    """A completed tool_calls step of function calls: the assistant's calls, then one `tool` message each."""
    details = step.get("step_details", {})
    calls = [c for c in details.get("tool_calls", []) if c.get("type") == "function"]
    if details.get("type") != "tool_calls" or not calls or step.get("status") != "completed":
        return []
    assistant: Json = {"role": "assistant", "content": None, "tool_calls": [
        {"id": backend_ids.get(c["id"], c["id"]), "type": "function",
         "function": {"name": c["function"]["name"], "arguments": c["function"]["arguments"]}}
        for c in calls
    ]}
    outputs = [{"role": "tool", "tool_call_id": backend_ids.get(c["id"], c["id"]),
                "content": c["function"].get("output") or ""} for c in calls]
    return [assistant, *outputs]


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
