"""Request bodies as strict pydantic models: the documented fields, types and limits.

Validation errors are turned into OpenAI wordings by `validation.py`. Models forbid unknown fields.
Optional fields accept JSON `null`, which means "not set", as real clients send it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
)
from pydantic_core import PydanticCustomError

from ..model.assistant import FUNCTION_NAME_MAX_LENGTH, FUNCTION_NAME_PATTERN

METADATA_MAX_PAIRS = 16
METADATA_KEY_MAX = 64
METADATA_VALUE_MAX = 512


def check_metadata(value: dict[str, str]) -> dict[str, str]:
    if len(value) > METADATA_MAX_PAIRS:
        raise PydanticCustomError(
            "object_above_max_properties",
            "too many properties",
            {"max": METADATA_MAX_PAIRS, "got": len(value)},
        )
    for key in value:
        if len(key) > METADATA_KEY_MAX:
            raise PydanticCustomError(
                "property_name_too_long", "property name too long", {"key": key, "max": METADATA_KEY_MAX}
            )
    return value


def within_float_range(minimum: float, maximum: float) -> Callable[[Any], Any]:
    """Integers beyond the range of a float are out of bounds, not of the wrong type (pydantic's view)."""

    def check(value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            try:
                float(value)
            except OverflowError:
                if value > 0:
                    raise PydanticCustomError("less_than_equal", "too large", {"le": float(maximum)}) from None
                raise PydanticCustomError("greater_than_equal", "too small", {"ge": float(minimum)}) from None
        return value

    return check


MetadataValue = Annotated[str, StringConstraints(max_length=METADATA_VALUE_MAX)]
Metadata = Annotated[dict[str, MetadataValue], AfterValidator(check_metadata)]
FunctionName = Annotated[str, StringConstraints(min_length=1, max_length=FUNCTION_NAME_MAX_LENGTH,
                                                pattern=FUNCTION_NAME_PATTERN)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)


class EmptyBody(Strict):
    """Routes that take no body (cancel): any JSON object with no parameters."""


# -- tools -----------------------------------------------------------------------------------------


class CodeInterpreterTool(Strict):
    type: Literal["code_interpreter"]


class RankingOptions(Strict):
    ranker: Literal["auto", "default_2024_08_21"] | None = None
    score_threshold: Annotated[float, Field(ge=0, le=1), BeforeValidator(within_float_range(0, 1))]


class FileSearchSettings(Strict):
    max_num_results: Annotated[int, Field(ge=1, le=50)] | None = None
    ranking_options: RankingOptions | None = None


class FileSearchTool(Strict):
    type: Literal["file_search"]
    file_search: FileSearchSettings | None = None


class FunctionDefinition(Strict):
    name: FunctionName
    description: str | None = None
    parameters: dict[str, Any] | None = None
    strict: bool | None = None


class FunctionTool(Strict):
    type: Literal["function"]
    function: FunctionDefinition


def type_tag(value: Any) -> str | None:
    # A model instance too: helpers re-validate already parsed parts (tool_resources' vector_stores helper).
    tag = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return tag if isinstance(tag, str) else None


Tool = Annotated[
    Annotated[CodeInterpreterTool, Tag("code_interpreter")]
    | Annotated[FileSearchTool, Tag("file_search")]
    | Annotated[FunctionTool, Tag("function")],
    Discriminator(type_tag),
]


# -- response_format -------------------------------------------------------------------------------


class TextFormat(Strict):
    type: Literal["text"]


class JsonObjectFormat(Strict):
    type: Literal["json_object"]


class JsonSchemaSpec(Strict):
    name: FunctionName
    description: str | None = None
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    strict: bool | None = None


class JsonSchemaFormat(Strict):
    type: Literal["json_schema"]
    json_schema: JsonSchemaSpec


ResponseFormatObject = Annotated[
    Annotated[TextFormat, Tag("text")]
    | Annotated[JsonObjectFormat, Tag("json_object")]
    | Annotated[JsonSchemaFormat, Tag("json_schema")],
    Discriminator(type_tag),
]
ResponseFormat = Literal["auto"] | ResponseFormatObject


# -- tool resources --------------------------------------------------------------------------------


class StaticChunking(Strict):
    max_chunk_size_tokens: Annotated[int, Field(ge=100, le=4096)]
    chunk_overlap_tokens: Annotated[int, Field(ge=0)]


class AutoChunkingStrategy(Strict):
    type: Literal["auto"]


class StaticChunkingStrategy(Strict):
    type: Literal["static"]
    static: StaticChunking


ChunkingStrategy = Annotated[
    Annotated[AutoChunkingStrategy, Tag("auto")] | Annotated[StaticChunkingStrategy, Tag("static")],
    Discriminator(type_tag),
]


MAX_CODE_INTERPRETER_FILES = 20  # tool_resources.code_interpreter.file_ids, on a request and on the thread (spec)


class CodeInterpreterResources(Strict):
    file_ids: Annotated[list[str], Field(max_length=MAX_CODE_INTERPRETER_FILES)] | None = None


class VectorStoreHelper(Strict):
    # The helper always makes a new store: the limit of stores made since Nov 2025 (10,000 before; CHECKLIST 1.1).
    file_ids: Annotated[list[str], Field(max_length=100_000_000)] | None = None
    chunking_strategy: ChunkingStrategy | None = None
    metadata: Metadata | None = None


class FileSearchResources(Strict):
    vector_store_ids: Annotated[list[str], Field(max_length=1)] | None = None
    vector_stores: Annotated[list[VectorStoreHelper], Field(max_length=1)] | None = None


class ToolResources(Strict):
    code_interpreter: CodeInterpreterResources | None = None
    file_search: FileSearchResources | None = None


class FileSearchIds(Strict):
    vector_store_ids: Annotated[list[str], Field(max_length=1)] | None = None


class ToolResourcesUpdate(Strict):
    """Modify and create-and-run take only ids, no `vector_stores` helper."""

    code_interpreter: CodeInterpreterResources | None = None
    file_search: FileSearchIds | None = None


# -- assistants ------------------------------------------------------------------------------------

ReasoningEffort = Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"]
Temperature = Annotated[float, Field(ge=0, le=2), BeforeValidator(within_float_range(0, 2))]
TopP = Annotated[float, Field(ge=0, le=1), BeforeValidator(within_float_range(0, 1))]


class AssistantFields(Strict):
    name: Annotated[str, StringConstraints(max_length=256)] | None = None
    description: Annotated[str, StringConstraints(max_length=512)] | None = None
    instructions: Annotated[str, StringConstraints(max_length=256_000)] | None = None
    reasoning_effort: ReasoningEffort | None = None
    tools: Annotated[list[Tool], Field(max_length=128)] | None = None
    metadata: Metadata | None = None
    temperature: Temperature | None = None
    top_p: TopP | None = None
    response_format: ResponseFormat | None = None


class CreateAssistant(AssistantFields):
    model: Annotated[str, StringConstraints(min_length=1)]
    tool_resources: ToolResources | None = None


class ModifyAssistant(AssistantFields):
    model: Annotated[str, StringConstraints(min_length=1)] | None = None
    tool_resources: ToolResourcesUpdate | None = None


# -- messages --------------------------------------------------------------------------------------


class TextPart(Strict):
    type: Literal["text"]
    text: str


class ImageFileRef(Strict):
    file_id: str
    detail: Literal["auto", "low", "high"] | None = None


class ImageFilePart(Strict):
    type: Literal["image_file"]
    image_file: ImageFileRef


def check_image_url(url: str) -> str:
    """An image URL the service could fetch: http(s) with a host (no data:, file: or javascript: URLs; the
    Assistants API refused data URLs, which Chat Completions takes)."""
    try:
        parts = urlsplit(url)
        valid = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:  # a bad port or bracketed host
        valid = False
    if not valid or any(c.isspace() or ord(c) < 32 for c in url):
        raise PydanticCustomError("invalid_image_url", "not an http(s) URL")
    return url


class ImageUrlRef(Strict):
    url: Annotated[str, AfterValidator(check_image_url)]
    detail: Literal["auto", "low", "high"] | None = None


class ImageUrlPart(Strict):
    type: Literal["image_url"]
    image_url: ImageUrlRef


ContentPart = Annotated[
    Annotated[TextPart, Tag("text")]
    | Annotated[ImageFilePart, Tag("image_file")]
    | Annotated[ImageUrlPart, Tag("image_url")],
    Discriminator(type_tag),
]


class AttachmentCodeInterpreter(Strict):
    type: Literal["code_interpreter"]


class AttachmentFileSearch(Strict):
    type: Literal["file_search"]


AttachmentTool = Annotated[
    Annotated[AttachmentCodeInterpreter, Tag("code_interpreter")]
    | Annotated[AttachmentFileSearch, Tag("file_search")],
    Discriminator(type_tag),
]


class Attachment(Strict):
    file_id: str
    tools: list[AttachmentTool] | None = None


class CreateMessage(Strict):
    role: Literal["user", "assistant"]
    # the 2024 v2 spec's bounds, 1 to 256,000 characters (CHECKLIST §7.8; the current spec sets none)
    content: Annotated[str, StringConstraints(min_length=1, max_length=256_000)] | Annotated[
        list[ContentPart], Field(min_length=1)
    ]
    attachments: list[Attachment] | None = None
    metadata: Metadata | None = None


class ModifyMessage(Strict):
    metadata: Metadata | None = None


# -- threads ---------------------------------------------------------------------------------------


class CreateThread(Strict):
    messages: list[CreateMessage] | None = None
    tool_resources: ToolResources | None = None
    metadata: Metadata | None = None


class ModifyThread(Strict):
    tool_resources: ToolResourcesUpdate | None = None
    metadata: Metadata | None = None
