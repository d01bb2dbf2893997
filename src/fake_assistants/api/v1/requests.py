"""Assistants v1 request bodies (final v1 spec, 2024-04-15) and what each means in v2 terms.

A v1 body is validated against its own strict model (v1 fields, types and limits, unknown v2 fields
rejected), then rewritten as the v2 body that does the same (`retrieval` -> `file_search`, message
`file_ids` -> attachments for both tools) so one engine and one store serve both versions.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, StringConstraints, Tag

from .. import request_models as rm
from .. import run_requests as rr

FileIds = list[str]
V1_ASSISTANT_FILES = 20
V1_MESSAGE_FILES = 10


class RetrievalTool(rm.Strict):
    type: Literal["retrieval"]


class V1FunctionDefinition(rm.Strict):
    name: rm.FunctionName
    description: str | None = None
    parameters: dict[str, Any] | None = None


class V1FunctionTool(rm.Strict):
    type: Literal["function"]
    function: V1FunctionDefinition


Tool = Annotated[
    Annotated[rm.CodeInterpreterTool, Tag("code_interpreter")]
    | Annotated[RetrievalTool, Tag("retrieval")]
    | Annotated[V1FunctionTool, Tag("function")],
    Discriminator(rm.type_tag),
]

ResponseFormatObject = Annotated[
    Annotated[rm.TextFormat, Tag("text")] | Annotated[rm.JsonObjectFormat, Tag("json_object")],
    Discriminator(rm.type_tag),
]
ResponseFormat = Literal["none", "auto"] | ResponseFormatObject


class BuiltinChoice(rm.Strict):
    type: Literal["code_interpreter", "retrieval"]


ToolChoice = (
    Literal["none", "auto"]
    | Annotated[
        Annotated[rr.FunctionChoice, Tag("function")] | Annotated[BuiltinChoice, Tag("builtin")],
        Discriminator(rr.choice_tag),
    ]
)


class AssistantFields(rm.Strict):
    name: Annotated[str, StringConstraints(max_length=256)] | None = None
    description: Annotated[str, StringConstraints(max_length=512)] | None = None
    instructions: Annotated[str, StringConstraints(max_length=256_000)] | None = None
    tools: Annotated[list[Tool], Field(max_length=128)] | None = None
    file_ids: Annotated[FileIds, Field(max_length=V1_ASSISTANT_FILES)] | None = None
    metadata: rm.Metadata | None = None
    temperature: rm.Temperature | None = None
    top_p: rm.TopP | None = None
    response_format: ResponseFormat | None = None


class CreateAssistant(AssistantFields):
    model: Annotated[str, StringConstraints(min_length=1)]


class ModifyAssistant(AssistantFields):
    model: Annotated[str, StringConstraints(min_length=1)] | None = None


class CreateAssistantFile(rm.Strict):
    file_id: str


class CreateMessage(rm.Strict):
    role: Literal["user", "assistant"]
    content: Annotated[str, StringConstraints(min_length=1, max_length=256_000)]
    file_ids: Annotated[FileIds, Field(max_length=V1_MESSAGE_FILES)] | None = None
    metadata: rm.Metadata | None = None


class CreateThread(rm.Strict):
    messages: list[CreateMessage] | None = None
    metadata: rm.Metadata | None = None


class ModifyThread(rm.Strict):
    metadata: rm.Metadata | None = None


class RunOverrides(rm.Strict):
    assistant_id: Annotated[str, StringConstraints(min_length=1)]
    model: str | None = None
    instructions: str | None = None
    tools: Annotated[list[Tool], Field(max_length=20)] | None = None
    metadata: rm.Metadata | None = None
    temperature: rm.Temperature | None = None
    top_p: rm.TopP | None = None
    stream: bool | None = None
    max_prompt_tokens: rr.PromptTokenLimit | None = None
    max_completion_tokens: rr.CompletionTokenLimit | None = None
    truncation_strategy: rr.TruncationStrategy | None = None
    tool_choice: ToolChoice | None = None
    response_format: ResponseFormat | None = None


class CreateRun(RunOverrides):
    additional_instructions: str | None = None
    additional_messages: list[CreateMessage] | None = None


class CreateThreadAndRun(RunOverrides):
    thread: CreateThread | None = None


class ModifyMessage(rm.Strict):
    metadata: rm.Metadata | None = None


class ModifyRun(rm.Strict):
    metadata: rm.Metadata | None = None


# -- metadata as v1 took it ------------------------------------------------------------------------------


def coerce_metadata(body: dict[str, Any]) -> dict[str, Any]:
    """v1 stored Python's `str()` of a boolean or number metadata value: `{"modified": true}` came back as
    `{"modified": "True"}` (ruby-openai v1 cassettes, 2023-11 and 2024-04); v2 refuses it. Applies to the
    body's own metadata and to that of the messages and thread it carries."""
    out: dict[str, Any] = _coerced(body)
    for key in ("messages", "additional_messages"):
        if isinstance(out.get(key), list):
            out[key] = [_coerced(m) for m in out[key]]
    if isinstance(out.get("thread"), dict):
        out["thread"] = coerce_metadata(out["thread"])
    return out


def _coerced(body: Any) -> Any:
    metadata = body.get("metadata") if isinstance(body, dict) else None
    if not isinstance(metadata, dict):
        return body
    return {**body, "metadata": {k: _as_text(v) for k, v in metadata.items()}}


def _as_text(value: Any) -> Any:
    if isinstance(value, bool | int | float):
        return str(value)
    return value


# -- the same request in v2 terms (bodies already validated) --------------------------------------------


def v2_tools(tools: list[Any]) -> list[Any]:
    return [{"type": "file_search"} if t.get("type") == "retrieval" else t for t in tools]


def v2_message(body: dict[str, Any]) -> dict[str, Any]:
    """A v1 message's files were there for retrieval and code_interpreter alike: both tools in v2. A file
    given twice is one file."""
    out = {k: v for k, v in body.items() if k != "file_ids"}
    if body.get("file_ids"):
        both = [{"type": "code_interpreter"}, {"type": "file_search"}]
        out["attachments"] = [{"file_id": f, "tools": both} for f in dict.fromkeys(body["file_ids"])]
    return out


def v2_thread(body: dict[str, Any]) -> dict[str, Any]:
    out = dict(body)
    if body.get("messages"):
        out["messages"] = [v2_message(m) for m in body["messages"]]
    return out


def v2_run(body: dict[str, Any]) -> dict[str, Any]:
    """Run options: `retrieval` tools and tool choice become `file_search`; response_format "none" is
    the v2 default "auto"; messages and a thread carry their files as attachments."""
    out = dict(body)
    if body.get("tools"):
        out["tools"] = v2_tools(body["tools"])
    choice = body.get("tool_choice")
    if isinstance(choice, dict) and choice.get("type") == "retrieval":
        out["tool_choice"] = {"type": "file_search"}
    if body.get("response_format") == "none":
        out["response_format"] = "auto"
    if body.get("additional_messages"):
        out["additional_messages"] = [v2_message(m) for m in body["additional_messages"]]
    if body.get("thread"):
        out["thread"] = v2_thread(body["thread"])
    return out


def v2_assistant(body: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in body.items() if k != "file_ids"}
    if body.get("tools"):
        out["tools"] = v2_tools(body["tools"])
    if body.get("response_format") == "none":
        out["response_format"] = "auto"
    return out
