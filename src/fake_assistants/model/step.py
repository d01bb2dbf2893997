"""A run step as stored, and its wire shape."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..core.types import Json, Shape

StepStatus = Literal["in_progress", "cancelled", "failed", "completed", "expired"]


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
