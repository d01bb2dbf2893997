"""Runs: create and start (on a thread, or with a new thread), modify.

Cancelling a run and submitting tool outputs are the engine's (runs/engine.py); so is everything a run
does once started. A started run comes with its first events, which a streamed answer sends first.
"""

from __future__ import annotations

from ...core import error_catalog as catalog
from ...core.types import Event, Json
from ...model.assistant import Assistant
from ...model.run import Run
from ...model.run_lifecycle import EXPIRES_AFTER_SECONDS
from ...model.thread import Thread
from .. import request_models as rm
from .. import run_requests as rr
from .. import shaping
from ..context import Context
from .messages import add_message, check_thread_room
from .threads import new_thread
from .vector_stores import check_attachments_fit, code_interpreter_files

Started = tuple[Run, list[Event]]  # a run the engine has begun, and its first events


def create_run(ctx: Context, thread: Thread, body: rr.CreateRun, *, include_search_content: bool,
               needs_input: bool = True) -> Started:
    """A run of `body.assistant_id` on `thread`, after its `additional_messages`, begun.

    `needs_input=False` (Assistants v1): a thread with no user message and an assistant without
    instructions still get a run, which v1 started (ruby-openai v1 cassettes, 2023-11 and 2024-04: 200).
    """
    assistant = ctx.store.assistant(body.assistant_id)
    ctx.store.ensure_no_active_run(thread.id)
    instructions = body.instructions if body.instructions is not None else assistant.instructions
    if body.additional_instructions:
        extra = body.additional_instructions
        instructions = f"{instructions}\n{extra}" if instructions else extra
    has_user_message = bool(body.additional_messages) or any(
        m.role == "user" for m in ctx.store.messages[thread.id].values()
    )
    if needs_input and not has_user_message and not instructions:
        raise catalog.invalid_thread()
    check_attachments_fit(code_interpreter_files(thread), body.additional_messages or [], "additional_messages")
    check_thread_room(ctx, thread.id, len(body.additional_messages or ()))
    for message in body.additional_messages or []:
        add_message(ctx, thread.id, message)
    run = _new_run(ctx, thread, assistant, body, instructions)
    if body.reasoning_effort is not None:
        run.reasoning_effort = body.reasoning_effort
    run.progress.include_search_content = include_search_content
    return _start(ctx, run, bool(body.stream), [])


def create_thread_and_run(ctx: Context, body: rr.CreateThreadAndRun) -> Started:
    """A new thread (with its messages) and a run on it, begun; the first event says the thread was made."""
    assistant = ctx.store.assistant(body.assistant_id)
    thread = new_thread(ctx, body.thread or rm.CreateThread(), messages_param="thread.messages")
    if body.tool_resources is not None and not thread.tool_resources:
        thread.tool_resources = shaping.tool_resources(body.tool_resources, [])
    if not thread.tool_resources and any(t["type"] == "code_interpreter" for t in assistant.tools):
        thread.tool_resources = {"code_interpreter": {"file_ids": []}}
    if body.stream:
        thread.tool_resources = streamed_tool_resources(thread.tool_resources)
    instructions = body.instructions if body.instructions is not None else assistant.instructions
    run = _new_run(ctx, thread, assistant, body, instructions)
    prelude: list[Event] = [("thread.created", thread.to_wire(ctx.options.shape))] if body.stream else []
    return _start(ctx, run, bool(body.stream), prelude)


# A run's `tool_resources`: every recorded run (449 of them, 2024-2026) lists `{}` in a JSON answer, whatever its
# thread holds (.NET BasicRunStepFunctionalityWorks: a thread with a code_interpreter file), and an empty
# code_interpreter file list in a stream (`streamed_tool_resources`); never a vector store or a file.


def _new_run(ctx: Context, thread: Thread, assistant: Assistant, body: rr.RunOverrides,
             instructions: str | None) -> Run:
    now = ctx.clock.now()
    run = Run(
        id=ctx.ids.new("run"), created_at=now, thread_id=thread.id, assistant_id=assistant.id,
        model=body.model or assistant.model, instructions=instructions,
        tools=shaping.tools(body.tools) if body.tools is not None else list(assistant.tools),
        expires_at=now + EXPIRES_AFTER_SECONDS, tool_resources={},
        metadata=dict(body.metadata or {}),
        temperature=float(body.temperature) if body.temperature is not None else assistant.temperature,
        top_p=float(body.top_p) if body.top_p is not None else assistant.top_p,
        max_completion_tokens=body.max_completion_tokens, max_prompt_tokens=body.max_prompt_tokens,
        response_format=(shaping.response_format(body.response_format)
                         if body.response_format is not None else assistant.response_format),
        parallel_tool_calls=True if body.parallel_tool_calls is None else body.parallel_tool_calls,
        file_ids=list(assistant.v1_files),
    )
    if body.truncation_strategy is not None:
        run.truncation_strategy = body.truncation_strategy.model_dump()
    if body.tool_choice is not None:
        choice = body.tool_choice
        run.tool_choice = choice if isinstance(choice, str) else choice.model_dump()
    return run


def _start(ctx: Context, run: Run, stream: bool, prelude: list[Event]) -> Started:
    """The engine stores the run and begins it; its first events follow `prelude` (their data built only for a
    stream to read)."""
    if stream:
        run.tool_resources = streamed_tool_resources(run.tool_resources)
    return run, prelude + ctx.engine.begin(run, streamed=stream)


def streamed_tool_resources(tool_resources: Json) -> Json:
    """Every recorded stream (2024-2026: a thread made by create-and-run, and every run event) lists an
    empty code_interpreter file list in `tool_resources`, whatever the tools; the non-streamed runs on
    the same kind of thread list `{}`. The streamed run keeps it, so a later retrieve agrees."""
    if "code_interpreter" in tool_resources:
        return tool_resources
    return {"code_interpreter": {"file_ids": []}, **tool_resources}


def modify_run(run: Run, body: rr.ModifyRun) -> Run:
    run.metadata = shaping.updated_metadata(run.metadata, body.metadata)
    return run
