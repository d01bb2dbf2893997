"""Assistants v1: the handlers a v1 request gets, and the six routes only v1 had.

A v1 request to a route both versions share is validated as v1, rewritten as the v2 request that does the
same (`v1_requests`), validated as that, and carried out by the same operations as v2 (api/operations);
the app shows the answer as v1 (`v1_view`). Routes whose v1 request is the v2 one (retrieve, list, delete,
cancel, submit_tool_outputs, ...) need no handler here.
"""

from __future__ import annotations

from typing import Any, TypeVar

import pydantic

from ...core import error_catalog as catalog
from ...core.api_versions import V1_ONLY
from ...core.types import Json
from ...model.assistant import Assistant
from ...model.lists import deleted, list_envelope
from ...model.message import Message
from ...store.pagination import OrderedTable
from .. import request_models as rm
from .. import run_requests as rr
from ..context import Context
from ..operations import assistants as assistant_ops
from ..operations import messages as message_ops
from ..operations import runs as run_ops
from ..operations import threads as thread_ops
from ..params import include_search_content, list_params
from ..routing import Call, Handler, Reply, Route
from ..run_replies import run_reply
from ..validation import decode_json_object, validate
from . import file_links as links
from . import requests as v1
from .view import message_file_ids

M = TypeVar("M", bound=pydantic.BaseModel)
# Run statuses v1 would not modify a run in (recorded: in_progress; queued is the same work not yet started).
V1_UNMODIFIABLE_RUNS = frozenset({"queued", "in_progress"})
# Models released after v2 went live, which v1 refused (ERRORS.md #18).
V2_ERA_MODELS = ("gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1", "o3", "o4", "chatgpt-4o")


def _v1_body(call: Call, model: type[M]) -> tuple[dict[str, Any], M]:
    """The request body as v1 took it (metadata values made strings), and the same validated as v1."""
    raw = v1.coerce_metadata(decode_json_object(call.body))
    return raw, validate(model, raw)


def _checked_model(model: str | None) -> None:
    if model is not None and model.startswith(V2_ERA_MODELS):
        raise catalog.model_not_in_v1(model)


def _run_model(ctx: Context, body: v1.RunOverrides) -> str | None:
    """The model a v1 run would use: its own, or its assistant's (one made through v2 may have a newer one)."""
    if body.model is not None:
        return body.model
    assistant = ctx.store.assistants.get(body.assistant_id)
    return None if assistant is None else assistant.model


# -- shared routes, v1 requests -------------------------------------------------------------------------


def create_assistant(ctx: Context, call: Call) -> Reply:
    raw, body = _v1_body(call, v1.CreateAssistant)
    _checked_model(body.model)
    links.check_files(ctx, body.file_ids or [])
    assistant = assistant_ops.create_assistant(ctx, validate(rm.CreateAssistant, v1.v2_assistant(raw)))
    reply = assistant.to_wire(ctx.options.shape)
    links.set_files(ctx, assistant, body.file_ids or [])
    return reply


def modify_assistant(ctx: Context, call: Call) -> Reply:
    assistant = ctx.store.assistant(call.param("assistant_id"))
    raw, body = _v1_body(call, v1.ModifyAssistant)
    _checked_model(body.model)
    links.check_files(ctx, body.file_ids or [])
    assistant_ops.modify_assistant(assistant, validate(rm.ModifyAssistant, v1.v2_assistant(raw)))
    reply = assistant.to_wire(ctx.options.shape)
    if body.file_ids is not None:
        links.set_files(ctx, assistant, body.file_ids)
    elif body.tools is not None:
        # new tools use the linked files too; other changes leave v2's tool_resources as v2 last set them
        links.project(ctx, assistant)
    return reply


def create_thread(ctx: Context, call: Call) -> Reply:
    raw, _ = _v1_body(call, v1.CreateThread)
    return thread_ops.new_thread(ctx, validate(rm.CreateThread, v1.v2_thread(raw))).to_wire(ctx.options.shape)


def modify_thread(ctx: Context, call: Call) -> Reply:
    thread = ctx.store.thread(call.param("thread_id"))
    raw, _ = _v1_body(call, v1.ModifyThread)
    return thread_ops.modify_thread(thread, validate(rm.ModifyThread, raw)).to_wire(ctx.options.shape)


def modify_message(ctx: Context, call: Call) -> Reply:
    message = ctx.store.message(call.param("thread_id"), call.param("message_id"))
    raw, _ = _v1_body(call, v1.ModifyMessage)
    modified = message_ops.modify_message(message, validate(rm.ModifyMessage, raw))
    return modified.to_wire(ctx.options.shape, modified=True)


def modify_run(ctx: Context, call: Call) -> Reply:
    """v1 refused to change a run the model was working on (ruby-openai v1 cassettes, 2023-11 and 2024-04:
    "Cannot update run with status 'in_progress'.", after the metadata was taken)."""
    run = ctx.store.run(call.param("thread_id"), call.param("run_id"))
    raw, _ = _v1_body(call, v1.ModifyRun)
    if run.status in V1_UNMODIFIABLE_RUNS:
        raise catalog.cannot_update_run(run.status)
    return run_ops.modify_run(run, validate(rr.ModifyRun, raw)).to_wire(ctx.options.shape)


def create_message(ctx: Context, call: Call) -> Reply:
    thread_id = call.param("thread_id")
    ctx.store.thread(thread_id)
    raw, _ = _v1_body(call, v1.CreateMessage)
    body = validate(rm.CreateMessage, v1.v2_message(raw))
    return message_ops.post_message(ctx, thread_id, body).to_wire(ctx.options.shape)


def create_run(ctx: Context, call: Call) -> Reply:
    """A thread with no user message and an assistant without instructions still get a run, which v1
    started (ruby-openai v1 cassettes, 2023-11 and 2024-04: 200)."""
    thread = ctx.store.thread(call.param("thread_id"))
    raw, body = _v1_body(call, v1.CreateRun)
    _checked_model(_run_model(ctx, body))
    include_content = include_search_content(call.query)
    v2_body = validate(rr.CreateRun, v1.v2_run(raw))
    run, events = run_ops.create_run(ctx, thread, v2_body, include_search_content=include_content,
                                     needs_input=False)
    return run_reply(ctx, run, events, bool(v2_body.stream))


def create_thread_and_run(ctx: Context, call: Call) -> Reply:
    raw, body = _v1_body(call, v1.CreateThreadAndRun)
    _checked_model(_run_model(ctx, body))
    v2_body = validate(rr.CreateThreadAndRun, v1.v2_run(raw))
    return run_reply(ctx, *run_ops.create_thread_and_run(ctx, v2_body), bool(v2_body.stream))


HANDLERS: dict[str, Handler] = {
    "assistants.create": create_assistant,
    "assistants.update": modify_assistant,
    "threads.create": create_thread,
    "threads.update": modify_thread,
    "messages.create": create_message,
    "messages.update": modify_message,
    "runs.update": modify_run,
    "runs.create": create_run,
    "threads.create_and_run": create_thread_and_run,
}


# -- routes only v1 had: assistant files and message files ----------------------------------------------


def _assistant_file(assistant: Assistant, file_id: str) -> Json:
    return {"id": file_id, "object": "assistant.file", "created_at": assistant.v1_files[file_id],
            "assistant_id": assistant.id}


def _message_file(message: Message, file_id: str) -> Json:
    return {"id": file_id, "object": "thread.message.file", "created_at": message.created_at,
            "message_id": message.id}


def create_assistant_file(ctx: Context, call: Call) -> Json:
    assistant = ctx.store.assistant(call.param("assistant_id"))
    body = validate(v1.CreateAssistantFile, decode_json_object(call.body))
    links.link(ctx, assistant, body.file_id)
    return _assistant_file(assistant, body.file_id)


def retrieve_assistant_file(ctx: Context, call: Call) -> Json:
    assistant = ctx.store.assistant(call.param("assistant_id"))
    return _assistant_file(assistant, _linked(assistant, call.param("file_id")))


def delete_assistant_file(ctx: Context, call: Call) -> Json:
    """Only the link goes (and the file from the assistant's v2 tool resources); the File is kept."""
    assistant = ctx.store.assistant(call.param("assistant_id"))
    file_id = _linked(assistant, call.param("file_id"))
    links.unlink(ctx, assistant, file_id)
    return deleted(file_id, "assistant.file")


def list_assistant_files(ctx: Context, call: Call) -> Json:
    assistant = ctx.store.assistant(call.param("assistant_id"))
    table: OrderedTable[Json] = OrderedTable()
    for file_id, linked_at in assistant.v1_files.items():
        table.add(file_id, linked_at, _assistant_file(assistant, file_id))
    page = table.page(list_params(call.query))
    return list_envelope(list(page.items), page.has_more)


def retrieve_message_file(ctx: Context, call: Call) -> Json:
    message = ctx.store.message(call.param("thread_id"), call.param("message_id"))
    file_id = call.param("file_id")
    if file_id not in _message_files(message):
        raise catalog.not_found("message_file", file_id)
    return _message_file(message, file_id)


def list_message_files(ctx: Context, call: Call) -> Json:
    message = ctx.store.message(call.param("thread_id"), call.param("message_id"))
    table: OrderedTable[Json] = OrderedTable()
    for file_id in _message_files(message):
        table.add(file_id, message.created_at, _message_file(message, file_id))
    page = table.page(list_params(call.query))
    return list_envelope(list(page.items), page.has_more)


def _message_files(message: Message) -> list[str]:
    """Each file once: a file given twice is one MessageFile (a list must not show an object twice)."""
    return list(dict.fromkeys(message_file_ids({"attachments": message.attachments})))


def _linked(assistant: Assistant, file_id: str) -> str:
    if file_id not in assistant.v1_files:
        raise catalog.not_found("assistant_file", file_id)
    return file_id


_ASSISTANT_FILES = "/assistants/{assistant_id}/files"
_MESSAGE_FILES = "/threads/{thread_id}/messages/{message_id}/files"
ROUTES = (
    Route("GET", _ASSISTANT_FILES, "assistants.files.list", "listAssistantFiles", list_assistant_files,
          versions=V1_ONLY),
    Route("POST", _ASSISTANT_FILES, "assistants.files.create", "createAssistantFile", create_assistant_file,
          versions=V1_ONLY),
    Route("GET", _ASSISTANT_FILES + "/{file_id}", "assistants.files.retrieve", "getAssistantFile",
          retrieve_assistant_file, versions=V1_ONLY),
    Route("DELETE", _ASSISTANT_FILES + "/{file_id}", "assistants.files.delete", "deleteAssistantFile",
          delete_assistant_file, versions=V1_ONLY),
    Route("GET", _MESSAGE_FILES, "messages.files.list", "listMessageFiles", list_message_files, versions=V1_ONLY),
    Route("GET", _MESSAGE_FILES + "/{file_id}", "messages.files.retrieve", "getMessageFile",
          retrieve_message_file, versions=V1_ONLY),
)
