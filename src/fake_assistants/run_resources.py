"""Runs and run steps as stored, and their wire shapes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from .resources import Json, Shape

StepStatus = Literal["in_progress", "cancelled", "failed", "completed", "expired"]


def usage(prompt_tokens: int, completion_tokens: int) -> Json:
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
        "prompt_token_details": {"cached_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0},
    }


@dataclass(slots=True)
class Run:
    id: str
    created_at: int
    thread_id: str
    assistant_id: str
    model: str
    instructions: str | None
    tools: list[Json]
    expires_at: int | None
    status: str = "queued"
    started_at: int | None = None
    cancelled_at: int | None = None
    failed_at: int | None = None
    completed_at: int | None = None
    required_action: Json | None = None
    last_error: Json | None = None
    tool_resources: Json = field(default_factory=dict)
    metadata: dict[str, str] = field(default_factory=dict)
    temperature: float = 1.0
    top_p: float = 1.0
    reasoning_effort: str | None = None
    max_completion_tokens: int | None = None
    max_prompt_tokens: int | None = None
    truncation_strategy: Json = field(default_factory=lambda: {"type": "auto", "last_messages": None})
    incomplete_details: Json | None = None
    usage: Json | None = None
    response_format: str | Json = "auto"
    tool_choice: str | Json = "auto"
    parallel_tool_calls: bool = True
    file_ids: list[str] = field(default_factory=list)  # Assistants v1: the assistant's files, for v1 views
    # engine bookkeeping, not on the wire
    polls: int = 0
    queued_at: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def to_wire(self, shape: Shape) -> Json:
        instructions = self.instructions
        if shape == "schema" and instructions is None:
            instructions = ""
        return {
            "id": self.id,
            "object": "thread.run",
            "created_at": self.created_at,
            "assistant_id": self.assistant_id,
            "thread_id": self.thread_id,
            "status": self.status,
            "started_at": self.started_at,
            "expires_at": self.expires_at,
            "cancelled_at": self.cancelled_at,
            "failed_at": self.failed_at,
            "completed_at": self.completed_at,
            "required_action": self.required_action,
            "last_error": self.last_error,
            "model": self.model,
            "instructions": instructions,
            "tools": self.tools,
            "tool_resources": self.tool_resources,
            "metadata": self.metadata,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "reasoning_effort": self.reasoning_effort,
            "max_completion_tokens": self.max_completion_tokens,
            "max_prompt_tokens": self.max_prompt_tokens,
            "truncation_strategy": self.truncation_strategy,
            "incomplete_details": self.incomplete_details,
            "usage": self.usage,
            "response_format": self.response_format,
            "tool_choice": self.tool_choice,
            "parallel_tool_calls": self.parallel_tool_calls,
        }


@dataclass(slots=True)
class RunStep:
    id: str
    created_at: int
    run_id: str
    assistant_id: str
    thread_id: str
    type: Literal["message_creation", "tool_calls"]
    step_details: Json
    expires_at: int | None
    status: StepStatus = "in_progress"
    cancelled_at: int | None = None
    completed_at: int | None = None
    failed_at: int | None = None
    expired_at: int | None = None
    last_error: Json | None = None
    usage: Json | None = None

    def to_wire(self, shape: Shape, *, include_search_content: bool = False) -> Json:
        details = self.step_details
        if self.type == "tool_calls" and not include_search_content:
            details = _without_search_content(details)
        wire: Json = {
            "id": self.id,
            "object": "thread.run.step",
            "created_at": self.created_at,
            "run_id": self.run_id,
            "assistant_id": self.assistant_id,
            "thread_id": self.thread_id,
            "type": self.type,
            "status": self.status,
            "cancelled_at": self.cancelled_at,
            "completed_at": self.completed_at,
            "expires_at": self.expires_at,
            "failed_at": self.failed_at,
            "last_error": self.last_error,
            "step_details": details,
            "usage": self.usage,
        }
        if shape == "schema":
            wire["expired_at"] = self.expired_at
            wire["metadata"] = {}
        return wire


def _without_search_content(details: Json) -> Json:
    calls = details.get("tool_calls", [])
    if not any(c.get("type") == "file_search" for c in calls):
        return details
    stripped = []
    for call in calls:
        if call.get("type") == "file_search" and "results" in call.get("file_search", {}):
            results = [{k: v for k, v in r.items() if k != "content"} for r in call["file_search"]["results"]]
            call = {**call, "file_search": {**call["file_search"], "results": results}}
        stripped.append(call)
    return {**details, "tool_calls": stripped}
