"""Threads: create (with their first messages), modify, delete."""

from __future__ import annotations

from ...model.thread import Thread
from .. import request_models as rm
from .. import shaping
from ..context import Context
from .messages import add_message, check_new_thread_room
from .vector_stores import check_attachments_fit, check_file_search, helper_stores


def new_thread(ctx: Context, body: rm.CreateThread, *, messages_param: str = "messages") -> Thread:
    """Create a thread and its initial messages, in order (also used by create-and-run, whose messages are
    `thread.messages`)."""
    check_file_search(body.tool_resources)
    resources = body.tool_resources
    given = resources.code_interpreter.file_ids if resources and resources.code_interpreter else None
    check_attachments_fit(given or [], body.messages or [], messages_param)
    check_new_thread_room(ctx, body.messages, messages_param)
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


def modify_thread(thread: Thread, body: rm.ModifyThread) -> Thread:
    thread.metadata = shaping.updated_metadata(thread.metadata, body.metadata)
    if body.tool_resources is not None:
        thread.tool_resources = {**thread.tool_resources, **shaping.tool_resources(body.tool_resources, [])}
    return thread


def delete_thread(ctx: Context, thread_id: str) -> None:
    ctx.store.thread(thread_id)
    ctx.store.remove_thread(thread_id)
