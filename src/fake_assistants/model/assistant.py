"""An assistant as stored, and its wire shape."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from ..core.types import Json, Shape

# A function tool's name, as the API checked it on every tools list (assistants, runs): 1 to 64 of these.
FUNCTION_NAME_PATTERN: Final = r"^[a-zA-Z0-9_-]+$"
FUNCTION_NAME_MAX_LENGTH: Final = 64
FUNCTION_NAME_RULE: Final = f"1 to {FUNCTION_NAME_MAX_LENGTH} letters, digits, underscores or dashes"


def is_function_name(name: str) -> bool:
    """Whether a function tool may be named `name` (so whether a run could ever call a function of that name)."""
    return len(name) <= FUNCTION_NAME_MAX_LENGTH and re.fullmatch(FUNCTION_NAME_PATTERN, name) is not None


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
        """The service listed an empty resource for a tool the assistant has and no resource was given for: a
        code_interpreter file list (first), a file_search store list (the simple-openai recordings, 2024-05)."""
        resources = self.tool_resources
        if not self.tools or ("code_interpreter" in resources and "file_search" in resources):
            return resources
        types = {t.get("type") for t in self.tools}
        if "code_interpreter" in types and "code_interpreter" not in resources:
            resources = {"code_interpreter": {"file_ids": []}, **resources}
        if "file_search" in types and "file_search" not in resources:
            resources = {**resources, "file_search": {"vector_store_ids": []}}
        return resources
