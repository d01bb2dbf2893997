"""Request bodies of the run endpoints (strict pydantic models, see request_models)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, StringConstraints, Tag

from .request_models import (
    CreateMessage,
    CreateThread,
    FunctionName,
    Metadata,
    ReasoningEffort,
    ResponseFormat,
    Strict,
    Temperature,
    Tool,
    ToolResourcesUpdate,
    TopP,
    type_tag,
)


class TruncationStrategy(Strict):
    type: Literal["auto", "last_messages"]
    last_messages: Annotated[int, Field(ge=1)] | None = None


class NamedFunction(Strict):
    name: FunctionName


class FunctionChoice(Strict):
    type: Literal["function"]
    function: NamedFunction


class BuiltinChoice(Strict):
    # "function" never reaches here (`choice_tag` sends it to FunctionChoice); it is listed so that a bad type is
    # answered with the spec's whole enum (AssistantsNamedToolChoice.type), in its order.
    type: Literal["function", "code_interpreter", "file_search"]


def choice_tag(value: Any) -> str | None:
    """A tool choice object: a function, or a built-in tool (whose `type` names it)."""
    tag = type_tag(value)
    return "function" if tag == "function" else ("builtin" if tag is not None else None)


ToolChoice = (
    Literal["none", "auto", "required"]
    | Annotated[
        Annotated[FunctionChoice, Tag("function")] | Annotated[BuiltinChoice, Tag("builtin")],
        Discriminator(choice_tag),
    ]
)
# The spec says >= 256 for both; the service accepted a `max_completion_tokens` of 16 (ruby-openai
# runs_streamed_create, 2024-04-29, v2). No recording shows a `max_prompt_tokens` below 256: the spec's bound stands.
PromptTokenLimit = Annotated[int, Field(ge=256)]
CompletionTokenLimit = Annotated[int, Field(ge=1)]


class RunOverrides(Strict):
    assistant_id: Annotated[str, StringConstraints(min_length=1)]
    model: str | None = None
    instructions: str | None = None
    tools: Annotated[list[Tool], Field(max_length=20)] | None = None
    metadata: Metadata | None = None
    temperature: Temperature | None = None
    top_p: TopP | None = None
    stream: bool | None = None
    max_prompt_tokens: PromptTokenLimit | None = None
    max_completion_tokens: CompletionTokenLimit | None = None
    truncation_strategy: TruncationStrategy | None = None
    tool_choice: ToolChoice | None = None
    parallel_tool_calls: bool | None = None
    response_format: ResponseFormat | None = None


class CreateRun(RunOverrides):
    reasoning_effort: ReasoningEffort | None = None
    additional_instructions: str | None = None
    additional_messages: list[CreateMessage] | None = None


class CreateThreadAndRun(RunOverrides):
    thread: CreateThread | None = None
    tool_resources: ToolResourcesUpdate | None = None


class ModifyRun(Strict):
    metadata: Metadata | None = None


class ToolOutput(Strict):
    tool_call_id: str | None = None
    output: str | None = None


class SubmitToolOutputs(Strict):
    tool_outputs: list[ToolOutput]
    stream: bool | None = None
