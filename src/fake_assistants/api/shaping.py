"""How validated request values are stored: the defaults the real service filled in."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..core import error_catalog as catalog
from ..core.types import Json, text_content
from . import request_models as rm

DEFAULT_RANKER = "default_2024_08_21"


def tool(value: rm.CodeInterpreterTool | rm.FileSearchTool | rm.FunctionTool) -> Json:
    if isinstance(value, rm.FunctionTool):
        function: Json = {"name": value.function.name}
        if value.function.description is not None:
            function["description"] = value.function.description
        function["parameters"] = value.function.parameters or {"type": "object", "properties": {}}
        function["strict"] = bool(value.function.strict)
        return {"type": "function", "function": function}
    if isinstance(value, rm.FileSearchTool):
        settings = value.file_search or rm.FileSearchSettings()
        file_search: Json = {}
        if settings.max_num_results is not None:
            file_search["max_num_results"] = settings.max_num_results
        ranking = settings.ranking_options
        file_search["ranking_options"] = {
            "ranker": (ranking.ranker if ranking and ranking.ranker else DEFAULT_RANKER),
            "score_threshold": float(ranking.score_threshold) if ranking else 0.0,
            "hybrid_search": None,
        }
        return {"type": "file_search", "file_search": file_search}
    return {"type": "code_interpreter"}


def updated_metadata(current: dict[str, str], given: Mapping[str, str] | None) -> dict[str, str]:
    """A modify request's `metadata` merges into what the object has: the keys it sends are set (added after the
    others), the others kept. The simple-openai recordings (2024-05) show it on assistants, threads and vector
    stores: `{"user": "tester"}` modified with `{"env": "test"}` reads `{"user": "tester", "env": "test"}`.
    The spec does not say; null or an absent `metadata` leaves it as it was. More than 16 pairs merged is the
    400 a request of 17 gets (the recordings show no such modify). Called before anything else is changed."""
    if given is None:
        return current
    merged = {**current, **given}
    if len(merged) > rm.METADATA_MAX_PAIRS:  # an object holds 16 pairs: the request's own limit, on what it makes
        raise catalog.too_many_properties("metadata", rm.METADATA_MAX_PAIRS, len(merged))
    return merged


def tools(values: list[Any] | None) -> list[Json]:
    return [tool(v) for v in values or []]


def response_format(value: str | rm.TextFormat | rm.JsonObjectFormat | rm.JsonSchemaFormat | None) -> str | Json:
    if value is None or isinstance(value, str):
        return "auto"
    if isinstance(value, rm.JsonSchemaFormat):
        spec = value.json_schema
        schema: Json = {"name": spec.name}
        if spec.description is not None:
            schema["description"] = spec.description
        schema["schema"] = spec.schema_
        schema["strict"] = bool(spec.strict)
        return {"type": "json_schema", "json_schema": schema}
    return {"type": value.type}


def tool_resources(value: rm.ToolResources | rm.ToolResourcesUpdate | None, helper_store_ids: list[str]) -> Json:
    """Stored `tool_resources`: only the members given; `vector_stores` helpers become store ids."""
    if value is None:
        return {}
    out: Json = {}
    if value.code_interpreter is not None:
        out["code_interpreter"] = {"file_ids": list(value.code_interpreter.file_ids or [])}
    if value.file_search is not None:
        ids = list(value.file_search.vector_store_ids or []) + helper_store_ids
        out["file_search"] = {"vector_store_ids": ids}
    return out


def message_content(value: str | list[Any]) -> list[Json]:
    if isinstance(value, str):
        return [text_part(value)]
    return [content_part(part) for part in value]


def text_part(value: str) -> Json:
    return text_content(value, [])


def content_part(part: rm.TextPart | rm.ImageFilePart | rm.ImageUrlPart) -> Json:
    if isinstance(part, rm.TextPart):
        return text_part(part.text)
    if isinstance(part, rm.ImageFilePart):
        return {"type": "image_file", "image_file": {"file_id": part.image_file.file_id,
                                                     "detail": part.image_file.detail or "auto"}}
    return {"type": "image_url", "image_url": {"url": part.image_url.url, "detail": part.image_url.detail or "auto"}}


def attachments(values: list[rm.Attachment] | None) -> list[Json]:
    return [
        {"file_id": a.file_id, "tools": [{"type": t.type} for t in a.tools or []]}
        for a in values or []
    ]
