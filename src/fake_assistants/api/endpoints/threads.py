"""/threads: create, retrieve, modify, delete."""

from __future__ import annotations

from ...core.types import Json
from ...model.lists import deleted
from ...model.thread import Thread
from .. import request_models as rm
from .. import shaping
from ..context import Context
from ..routing import Call, Route
from ..validation import decode_json_object, validate
from .messages import add_message
from .vector_stores import helper_stores


def new_thread(ctx: Context, body: rm.CreateThread) -> Thread:
    """Create a thread and its initial messages, in order (also used by create-and-run)."""
    thread = Thread(
        id=ctx.ids.new("thread"),
        created_at=ctx.clock.now(),
        metadata=dict(body.metadata or {}),
        tool_resources=shaping.tool_resources(body.tool_resources, helper_stores(ctx, body.tool_resources)),
    )
    ctx.store.add_thread(thread)
    for message in body.messages or []:
        add_message(ctx, thread.id, message)
    return thread


def create(ctx: Context, call: Call) -> Json:
    body = validate(rm.CreateThread, decode_json_object(call.body))
    return new_thread(ctx, body).to_wire(ctx.options.shape)


def retrieve(ctx: Context, call: Call) -> Json:
    return ctx.store.thread(call.param("thread_id")).to_wire(ctx.options.shape, retrieved=True)


def modify(ctx: Context, call: Call) -> Json:
    thread = ctx.store.thread(call.param("thread_id"))
    body = validate(rm.ModifyThread, decode_json_object(call.body))
    if body.metadata is not None:
        thread.metadata = dict(body.metadata)
    if body.tool_resources is not None:
        thread.tool_resources = {**thread.tool_resources, **shaping.tool_resources(body.tool_resources, [])}
    return thread.to_wire(ctx.options.shape)


def delete(ctx: Context, call: Call) -> Json:
    thread_id = call.param("thread_id")
    ctx.store.thread(thread_id)
    ctx.store.remove_thread(thread_id)
    return deleted(thread_id, "thread")


ROUTES = (
    Route("POST", "/threads", "threads.create", "createThread", create),
    Route("GET", "/threads/{thread_id}", "threads.retrieve", "getThread", retrieve),
    Route("POST", "/threads/{thread_id}", "threads.update", "modifyThread", modify),
    Route("DELETE", "/threads/{thread_id}", "threads.delete", "deleteThread", delete),
)
