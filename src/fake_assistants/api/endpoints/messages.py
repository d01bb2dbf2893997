"""/threads/{thread_id}/messages: create, list, retrieve, modify, delete."""

from __future__ import annotations

from ...core import error_catalog as catalog
from ...core.api_versions import V2_ONLY
from ...core.types import Json
from ...model.lists import deleted, list_envelope
from ...model.message import Message
from .. import request_models as rm
from .. import shaping
from ..context import Context
from ..params import list_params, query_value
from ..routing import Call, Route
from ..validation import decode_json_object, validate
from .vector_stores import attach_to_thread


def add_message(ctx: Context, thread_id: str, body: rm.CreateMessage) -> Message:
    """Append a message given by a client (create-message, create-thread, additional_messages)."""
    table = ctx.store.messages[thread_id]
    if len(table) >= ctx.options.max_thread_messages:
        raise catalog.thread_too_long(thread_id, ctx.options.max_thread_messages)
    message = Message(
        id=ctx.ids.new("message"),
        created_at=ctx.clock.now(),
        thread_id=thread_id,
        role=body.role,
        content=shaping.message_content(body.content),
        attachments=shaping.attachments(body.attachments),
        metadata=dict(body.metadata or {}),
    )
    table.add(message.id, message.created_at, message)
    attach_to_thread(ctx, ctx.store.thread(thread_id), message.attachments)
    return message


def create(ctx: Context, call: Call) -> Json:
    thread_id = call.param("thread_id")
    ctx.store.thread(thread_id)
    body = validate(rm.CreateMessage, decode_json_object(call.body))
    ctx.store.ensure_no_active_run_for_message(thread_id)
    return add_message(ctx, thread_id, body).to_wire(ctx.options.shape)


def retrieve(ctx: Context, call: Call) -> Json:
    return ctx.store.message(call.param("thread_id"), call.param("message_id")).to_wire(ctx.options.shape)


def modify(ctx: Context, call: Call) -> Json:
    message = ctx.store.message(call.param("thread_id"), call.param("message_id"))
    body = validate(rm.ModifyMessage, decode_json_object(call.body))
    if body.metadata is not None:
        message.metadata = dict(body.metadata)
    return message.to_wire(ctx.options.shape, modified=True)


def delete(ctx: Context, call: Call) -> Json:
    thread_id, message_id = call.param("thread_id"), call.param("message_id")
    ctx.store.message(thread_id, message_id)
    ctx.store.messages[thread_id].remove(message_id)
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
