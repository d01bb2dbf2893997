"""A run as stored, and its wire shape."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.types import Json, Shape
from .run_progress import RunProgress
from .run_status import RunStatus as RunStatus


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
    status: RunStatus = "queued"  # changed only by run_lifecycle.apply
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
    progress: RunProgress = field(default_factory=RunProgress)

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
