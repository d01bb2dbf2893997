"""A thread as stored, and its wire shape."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.types import Json, Shape


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
