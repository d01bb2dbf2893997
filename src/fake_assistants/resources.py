"""Domain objects and their wire shapes.

Two shapes: "recorded" is key for key what the real service sent in the recordings; "schema" fills in
what the OpenAPI schema (and so the SDK's strict validation) requires where the service left it out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Shape = Literal["recorded", "schema"]
Json = dict[str, Any]


@dataclass(slots=True)
class Assistant:
    id: str
    created_at: int
    model: str
    name: str | None = None
    description: str | None = None
    instructions: str | None = None
    tools: list[Json] = field(default_factory=list)
    top_p: float = 1.0
    temperature: float = 1.0
    reasoning_effort: str | None = None
    tool_resources: Json = field(default_factory=dict)
    metadata: dict[str, str] = field(default_factory=dict)
    response_format: str | Json = "auto"
    v1_files: dict[str, int] = field(default_factory=dict)  # Assistants v1 file links: file id -> linked at

    def to_wire(self, shape: Shape) -> Json:
        return {
            "id": self.id,
            "object": "assistant",
            "created_at": self.created_at,
            "name": self.name,
            "description": self.description,
            "model": self.model,
            "instructions": self.instructions,
            "tools": self.tools,
            "top_p": self.top_p,
            "temperature": self.temperature,
            "reasoning_effort": self.reasoning_effort,
            "tool_resources": self._wire_tool_resources(),
            "metadata": self.metadata,
            "response_format": self.response_format,
        }


    def _wire_tool_resources(self) -> Json:
        """The service listed an empty code_interpreter file list for any assistant with that tool."""
        if "code_interpreter" in self.tool_resources or not any(
            t.get("type") == "code_interpreter" for t in self.tools
        ):
            return self.tool_resources
        return {"code_interpreter": {"file_ids": []}, **self.tool_resources}


@dataclass(slots=True)
class Thread:
    id: str
    created_at: int
    metadata: dict[str, str] = field(default_factory=dict)
    tool_resources: Json = field(default_factory=dict)

    def to_wire(self, shape: Shape, *, retrieved: bool = False) -> Json:
        """`retrieved`: a GET of the thread listed an empty code_interpreter file list (create did not)."""
        tool_resources = self.tool_resources
        if retrieved and "code_interpreter" not in tool_resources:
            tool_resources = {"code_interpreter": {"file_ids": []}, **tool_resources}
        return {
            "id": self.id,
            "object": "thread",
            "created_at": self.created_at,
            "metadata": self.metadata,
            "tool_resources": tool_resources,
        }


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


def deleted(object_id: str, object_type: str) -> Json:
    return {"id": object_id, "object": f"{object_type}.deleted", "deleted": True}


def list_envelope(data: list[Json], has_more: bool) -> Json:
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": has_more,
    }
