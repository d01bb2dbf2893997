"""Assistants v1: the handlers a v1 request gets, and the six routes only v1 had.

A v1 request to a route both versions share is validated as v1, rewritten as the v2 request that does the
same (`v1_requests`) and handled by the v2 handler; the app shows the answer as v1 (`v1_view`). Routes whose
v1 request is the v2 one (retrieve, list, delete, cancel, submit_tool_outputs, ...) need no handler here.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

import pydantic

from ...core import error_catalog as catalog
from ...core.api_versions import V1_ONLY
from ...core.types import Json
from ...model.assistant import Assistant
from ...model.lists import deleted, list_envelope
from ...model.message import Message
from ...store.pagination import OrderedTable
from ..context import Context
from ..endpoints import assistants, messages, runs, threads
from ..params import list_params
from ..routing import Call, Handler, Reply, Route
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


def _with_body(call: Call, body: dict[str, Any]) -> Call:
    return Call(call.path_params, call.query, json.dumps(body).encode(), call.headers)


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
    reply = assistants.create(ctx, _with_body(call, v1.v2_assistant(raw)))
    links.set_files(ctx, ctx.store.assistant(reply["id"]), body.file_ids or [])
    return reply


def modify_assistant(ctx: Context, call: Call) -> Reply:
    assistant = ctx.store.assistant(call.param("assistant_id"))
    raw, body = _v1_body(call, v1.ModifyAssistant)
    _checked_model(body.model)
    links.check_files(ctx, body.file_ids or [])
    reply = assistants.modify(ctx, _with_body(call, v1.v2_assistant(raw)))
    if body.file_ids is not None:
        links.set_files(ctx, assistant, body.file_ids)
    elif body.tools is not None:
        # new tools use the linked files too; other changes leave v2's tool_resources as v2 last set them
        links.project(ctx, assistant)
    return reply


def create_thread(ctx: Context, call: Call) -> Reply:
    raw, _ = _v1_body(call, v1.CreateThread)
    return threads.create(ctx, _with_body(call, v1.v2_thread(raw)))


def modify_thread(ctx: Context, call: Call) -> Reply:
    ctx.store.thread(call.param("thread_id"))
    raw, _ = _v1_body(call, v1.ModifyThread)
    return threads.modify(ctx, _with_body(call, raw))


def modify_message(ctx: Context, call: Call) -> Reply:
    ctx.store.message(call.param("thread_id"), call.param("message_id"))
    raw, _ = _v1_body(call, v1.ModifyMessage)
    return messages.modify(ctx, _with_body(call, raw))


def modify_run(ctx: Context, call: Call) -> Reply:
    """v1 refused to change a run the model was working on (ruby-openai v1 cassettes, 2023-11 and 2024-04:
    "Cannot update run with status 'in_progress'.", after the metadata was taken)."""
    run = ctx.store.run(call.param("thread_id"), call.param("run_id"))
    raw, _ = _v1_body(call, v1.ModifyRun)
    if run.status in V1_UNMODIFIABLE_RUNS:
        raise catalog.cannot_update_run(run.status)
    return runs.modify(ctx, _with_body(call, raw))


def create_message(ctx: Context, call: Call) -> Reply:
    ctx.store.thread(call.param("thread_id"))
    raw, _ = _v1_body(call, v1.CreateMessage)
    return messages.create(ctx, _with_body(call, v1.v2_message(raw)))


def create_run(ctx: Context, call: Call) -> Reply:
    ctx.store.thread(call.param("thread_id"))
    raw, body = _v1_body(call, v1.CreateRun)
    _checked_model(_run_model(ctx, body))
    return runs.create(ctx, _with_body(call, v1.v2_run(raw)), needs_input=False)


def create_thread_and_run(ctx: Context, call: Call) -> Reply:
    raw, body = _v1_body(call, v1.CreateThreadAndRun)
    _checked_model(_run_model(ctx, body))
    return runs.create_thread_and_run(ctx, _with_body(call, v1.v2_run(raw)))


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
