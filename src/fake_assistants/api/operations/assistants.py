"""Assistants: create (with their helper vector stores), modify, delete."""

from __future__ import annotations

from ...model.assistant import Assistant
from .. import request_models as rm
from .. import shaping
from ..context import Context
from .vector_stores import check_file_search, helper_stores


def create_assistant(ctx: Context, body: rm.CreateAssistant) -> Assistant:
    """The assistant's id is drawn before those of the vector stores its tool_resources helper makes."""
    check_file_search(body.tool_resources)
    assistant = Assistant(
        id=ctx.ids.new("assistant"),
        created_at=ctx.clock.now(),
        model=body.model,
        tool_resources=shaping.tool_resources(body.tool_resources, helper_stores(ctx, body.tool_resources)),
    )
    _apply(assistant, body)
    ctx.store.assistants.add(assistant.id, assistant.created_at, assistant)
    return assistant


def modify_assistant(assistant: Assistant, body: rm.ModifyAssistant) -> Assistant:
    _apply(assistant, body)
    if body.model is not None:
        assistant.model = body.model
    if body.tool_resources is not None:
        assistant.tool_resources = {**assistant.tool_resources, **shaping.tool_resources(body.tool_resources, [])}
    return assistant


def delete_assistant(ctx: Context, assistant_id: str) -> None:
    ctx.store.assistant(assistant_id)
    ctx.store.assistants.remove(assistant_id)


def _apply(assistant: Assistant, body: rm.AssistantFields) -> None:
    """Copy the fields a create or modify request set (null means not set)."""
    assistant.metadata = shaping.updated_metadata(assistant.metadata, body.metadata)  # first: it may refuse
    given = {k for k in body.model_fields_set if getattr(body, k) is not None}
    for name in ("name", "description", "instructions", "reasoning_effort"):
        if name in given:
            setattr(assistant, name, getattr(body, name))
    if "tools" in given:
        assistant.tools = shaping.tools(body.tools)
    if "temperature" in given and body.temperature is not None:
        assistant.temperature = float(body.temperature)
    if "top_p" in given and body.top_p is not None:
        assistant.top_p = float(body.top_p)
    if "response_format" in given:
        assistant.response_format = shaping.response_format(body.response_format)
