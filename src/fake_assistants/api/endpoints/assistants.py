"""/assistants: create, list, retrieve, modify, delete."""

from __future__ import annotations

from ...core.types import Json
from ...model.lists import deleted, list_envelope
from .. import request_models as rm
from ..context import Context
from ..operations import assistants as ops
from ..params import list_params
from ..routing import Call, Route
from ..validation import decode_json_object, validate


def create(ctx: Context, call: Call) -> Json:
    body = validate(rm.CreateAssistant, decode_json_object(call.body))
    return ops.create_assistant(ctx, body).to_wire(ctx.options.shape)


def retrieve(ctx: Context, call: Call) -> Json:
    return ctx.store.assistant(call.param("assistant_id")).to_wire(ctx.options.shape)


def modify(ctx: Context, call: Call) -> Json:
    assistant = ctx.store.assistant(call.param("assistant_id"))
    body = validate(rm.ModifyAssistant, decode_json_object(call.body))
    return ops.modify_assistant(assistant, body).to_wire(ctx.options.shape)


def delete(ctx: Context, call: Call) -> Json:
    assistant_id = call.param("assistant_id")
    ops.delete_assistant(ctx, assistant_id)
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
