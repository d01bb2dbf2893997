"""/assistants: create, list, retrieve, modify, delete."""

from __future__ import annotations

from ...core.types import Json
from ...model.assistant import Assistant
from ...model.lists import deleted, list_envelope
from .. import request_models as rm
from .. import shaping
from ..context import Context
from ..params import list_params
from ..routing import Call, Route
from ..validation import decode_json_object, validate
from .vector_stores import helper_stores


def create(ctx: Context, call: Call) -> Json:
    body = validate(rm.CreateAssistant, decode_json_object(call.body))
    assistant = Assistant(
        id=ctx.ids.new("assistant"),
        created_at=ctx.clock.now(),
        model=body.model,
        tool_resources=shaping.tool_resources(body.tool_resources, helper_stores(ctx, body.tool_resources)),
    )
    _apply(assistant, body)
    ctx.store.assistants.add(assistant.id, assistant.created_at, assistant)
    return assistant.to_wire(ctx.options.shape)


def _apply(assistant: Assistant, body: rm.AssistantFields) -> None:
    """Copy the fields a create or modify request set (null means not set)."""
    given = {k for k in body.model_fields_set if getattr(body, k) is not None}
    for name in ("name", "description", "instructions", "reasoning_effort", "metadata"):
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


def retrieve(ctx: Context, call: Call) -> Json:
    return ctx.store.assistant(call.param("assistant_id")).to_wire(ctx.options.shape)


def modify(ctx: Context, call: Call) -> Json:
    assistant = ctx.store.assistant(call.param("assistant_id"))
    body = validate(rm.ModifyAssistant, decode_json_object(call.body))
    _apply(assistant, body)
    if body.model is not None:
        assistant.model = body.model
    if body.tool_resources is not None:
        assistant.tool_resources = {**assistant.tool_resources, **shaping.tool_resources(body.tool_resources, [])}
    return assistant.to_wire(ctx.options.shape)


def delete(ctx: Context, call: Call) -> Json:
    assistant_id = call.param("assistant_id")
    ctx.store.assistant(assistant_id)
    ctx.store.assistants.remove(assistant_id)
    return deleted(assistant_id, "assistant")


def list_(ctx: Context, call: Call) -> Json:
    page = ctx.store.assistants.page(list_params(call.query))
    return list_envelope([a.to_wire(ctx.options.shape) for a in page.items], page.has_more)


ROUTES = (
    Route("GET", "/assistants", "assistants.list", "listAssistants", list_),
    Route("POST", "/assistants", "assistants.create", "createAssistant", create),
    Route("GET", "/assistants/{assistant_id}", "assistants.retrieve", "getAssistant", retrieve),
    Route("POST", "/assistants/{assistant_id}", "assistants.update", "modifyAssistant", modify),
    Route("DELETE", "/assistants/{assistant_id}", "assistants.delete", "deleteAssistant", delete),
)
