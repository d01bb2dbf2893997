"""Messages a client adds to a thread (create-message, create-thread, additional_messages), modify, delete."""

from __future__ import annotations

from ...core import error_catalog as catalog
from ...model.message import Message
from .. import request_models as rm
from .. import shaping
from ..context import Context
from .vector_stores import attach_to_thread, check_attachments_fit, code_interpreter_files


def check_thread_room(ctx: Context, thread_id: str, adding: int) -> None:
    """Refuse, before anything is written, `adding` messages that would take the thread past
    `options.max_thread_messages`: a refused request (a run's `additional_messages`) adds none of them."""
    maximum = ctx.options.max_thread_messages
    if adding and len(ctx.store.messages[thread_id]) + adding > maximum:
        raise catalog.thread_too_long(thread_id, maximum)


def check_new_thread_room(ctx: Context, messages: list[rm.CreateMessage] | None, param: str) -> None:
    """A new thread's first messages past `options.max_thread_messages`: the 400 of an array too long, before
    the thread is made (the error names no thread the client was never given)."""
    maximum = ctx.options.max_thread_messages
    if messages and len(messages) > maximum:
        raise catalog.array_too_long(param, maximum, len(messages))


def add_message(ctx: Context, thread_id: str, body: rm.CreateMessage) -> Message:
    """Append a message given by a client (its caller has checked that the thread has room: `check_thread_room`);
    its attachments join the thread's tool resources."""
    message = Message(
        id=ctx.ids.new("message"),
        created_at=ctx.clock.now(),
        thread_id=thread_id,
        role=body.role,
        content=shaping.message_content(body.content),
        attachments=shaping.attachments(body.attachments),
        metadata=dict(body.metadata or {}),
    )
    ctx.store.messages[thread_id].add(message.id, message.created_at, message)
    attach_to_thread(ctx, ctx.store.thread(thread_id), message.attachments)
    return message


def post_message(ctx: Context, thread_id: str, body: rm.CreateMessage) -> Message:
    """The create-message endpoint: refused while the thread has an active run."""
    ctx.store.ensure_no_active_run_for_message(thread_id)
    if body.attachments:  # the thread is looked up only for a message with attachments
        check_attachments_fit(code_interpreter_files(ctx.store.thread(thread_id)), [body], "attachments")
    check_thread_room(ctx, thread_id, 1)
    return add_message(ctx, thread_id, body)


def modify_message(message: Message, body: rm.ModifyMessage) -> Message:
    message.metadata = shaping.updated_metadata(message.metadata, body.metadata)
    return message


def delete_message(ctx: Context, thread_id: str, message_id: str) -> None:
    ctx.store.message(thread_id, message_id)
    ctx.store.messages[thread_id].remove(message_id)
