"""A message as stored, and its wire shapes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..core.types import Json, Shape

MessageStatus = Literal["in_progress", "incomplete", "completed"]


@dataclass(slots=True)
class Message:
    id: str
    created_at: int
    thread_id: str
    role: Literal["user", "assistant"]
    content: list[Json]
    assistant_id: str | None = None
    run_id: str | None = None
    attachments: list[Json] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    status: MessageStatus = "completed"
    incomplete_details: Json | None = None
    incomplete_at: int | None = None
    completed_at: int | None = None
    quotes: dict[str, str] = field(default_factory=dict)  # cited file id -> quoted text (v1 `quote`)

    def to_wire(self, shape: Shape, *, full: bool = False, modified: bool = False) -> Json:
        """`full` adds the status fields, as stream events always carry them.

        `modified`: the service's modify-message answer listed `file_ids` where every other answer has
        `attachments` (all four recordings of it agree); the "schema" shape keeps `attachments`.
        """
        wire: Json = {
            "id": self.id,
            "object": "thread.message",
            "created_at": self.created_at,
            "assistant_id": self.assistant_id,
            "thread_id": self.thread_id,
            "run_id": self.run_id,
        }
        if full or shape == "schema":
            wire["status"] = self.status
            wire["incomplete_details"] = self.incomplete_details
            wire["incomplete_at"] = self.incomplete_at
            wire["completed_at"] = self.completed_at
        wire["role"] = self.role
        wire["content"] = self.content
        if modified and shape == "recorded":
            wire["file_ids"] = [a["file_id"] for a in self.attachments]
        else:
            wire["attachments"] = self.attachments
        wire["metadata"] = self.metadata
        return wire
