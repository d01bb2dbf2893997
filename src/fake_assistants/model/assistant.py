"""An assistant as stored, and its wire shape."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.types import Json, Shape


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
