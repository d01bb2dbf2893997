"""/threads: create, retrieve, modify, delete."""

from __future__ import annotations

from ...core.types import Json
from ...model.lists import deleted
from .. import request_models as rm
from ..context import Context
from ..operations import threads as ops
from ..routing import Call, Route
from ..validation import decode_json_object, validate


def create(ctx: Context, call: Call) -> Json:
    body = validate(rm.CreateThread, decode_json_object(call.body))
    return ops.new_thread(ctx, body).to_wire(ctx.options.shape)


def retrieve(ctx: Context, call: Call) -> Json:
    return ctx.store.thread(call.param("thread_id")).to_wire(ctx.options.shape, retrieved=True)


def modify(ctx: Context, call: Call) -> Json:
    thread = ctx.store.thread(call.param("thread_id"))
    body = validate(rm.ModifyThread, decode_json_object(call.body))
    return ops.modify_thread(thread, body).to_wire(ctx.options.shape)


def delete(ctx: Context, call: Call) -> Json:
    thread_id = call.param("thread_id")
    ops.delete_thread(ctx, thread_id)
    return deleted(thread_id, "thread")


ROUTES = (
    Route("POST", "/threads", "threads.create", "createThread", create),
    Route("GET", "/threads/{thread_id}", "threads.retrieve", "getThread", retrieve),
    Route("POST", "/threads/{thread_id}", "threads.update", "modifyThread", modify),
    Route("DELETE", "/threads/{thread_id}", "threads.delete", "deleteThread", delete),
)
