"""/threads/{thread_id}/messages: create, list, retrieve, modify, delete."""

from __future__ import annotations

from ...core.api_versions import V2_ONLY
from ...core.types import Json
from ...model.lists import deleted, list_envelope
from .. import request_models as rm
from ..context import Context
from ..operations import messages as ops
from ..params import list_params, query_value
from ..routing import Call, Route
from ..validation import decode_json_object, validate


def create(ctx: Context, call: Call) -> Json:
    thread_id = call.param("thread_id")
    ctx.store.thread(thread_id)
    body = validate(rm.CreateMessage, decode_json_object(call.body))
    return ops.post_message(ctx, thread_id, body).to_wire(ctx.options.shape)


def retrieve(ctx: Context, call: Call) -> Json:
    return ctx.store.message(call.param("thread_id"), call.param("message_id")).to_wire(ctx.options.shape)


def modify(ctx: Context, call: Call) -> Json:
    message = ctx.store.message(call.param("thread_id"), call.param("message_id"))
    body = validate(rm.ModifyMessage, decode_json_object(call.body))
    return ops.modify_message(message, body).to_wire(ctx.options.shape, modified=True)


def delete(ctx: Context, call: Call) -> Json:
    thread_id, message_id = call.param("thread_id"), call.param("message_id")
    ops.delete_message(ctx, thread_id, message_id)
    return deleted(message_id, "thread.message")


def list_(ctx: Context, call: Call) -> Json:
    table = ctx.store.thread_messages(call.param("thread_id"))
    params = list_params(call.query)
    run_id = query_value(call.query, "run_id")
    page = table.page(params, None if not run_id else (lambda m: m.run_id == run_id))
    return list_envelope([m.to_wire(ctx.options.shape) for m in page.items], page.has_more)


ROUTES = (
    Route("GET", "/threads/{thread_id}/messages", "messages.list", "listMessages", list_),
    Route("POST", "/threads/{thread_id}/messages", "messages.create", "createMessage", create),
    Route("GET", "/threads/{thread_id}/messages/{message_id}", "messages.retrieve", "getMessage", retrieve),
    Route("POST", "/threads/{thread_id}/messages/{message_id}", "messages.update", "modifyMessage", modify),
    Route("DELETE", "/threads/{thread_id}/messages/{message_id}", "messages.delete", "deleteMessage", delete,
          versions=V2_ONLY),
)
