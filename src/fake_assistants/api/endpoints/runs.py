"""/threads/{thread_id}/runs, /threads/runs and run steps."""

from __future__ import annotations

from ...core import error_catalog as catalog
from ...core.sse import EventStream
from ...core.types import Json
from ...model.assistant import Assistant
from ...model.lists import list_envelope
from ...model.run import Run
from ...model.run_lifecycle import EXPIRES_AFTER_SECONDS
from ...model.thread import Thread
from ...runs.engine import Event
from .. import request_models as rm
from .. import run_requests as rr
from .. import shaping
from ..context import Context
from ..params import list_params, query_values
from ..routing import Call, Reply, Route
from ..validation import decode_json_object, validate
from .messages import add_message
from .threads import new_thread

SEARCH_CONTENT = "step_details.tool_calls[*].file_search.results[*].content"


def create(ctx: Context, call: Call, *, needs_input: bool = True) -> Reply:
    """`needs_input=False` (Assistants v1): a thread with no user message and an assistant without
    instructions still get a run, which v1 started (ruby-openai v1 cassettes, 2023-11 and 2024-04: 200)."""
    thread = ctx.store.thread(call.param("thread_id"))
    include_content = _include_search_content(call)
    body = validate(rr.CreateRun, decode_json_object(call.body))
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
    for message in body.additional_messages or []:
        add_message(ctx, thread.id, message)
    run = _new_run(ctx, thread, assistant, body, instructions)
    if body.reasoning_effort is not None:
        run.reasoning_effort = body.reasoning_effort
    run.extra["include_search_content"] = include_content
    return _start(ctx, run, bool(body.stream), [])


def create_thread_and_run(ctx: Context, call: Call) -> Reply:
    body = validate(rr.CreateThreadAndRun, decode_json_object(call.body))
    assistant = ctx.store.assistant(body.assistant_id)
    thread_body = body.thread or rm.CreateThread()
    thread = new_thread(ctx, thread_body)
    if body.tool_resources is not None and not thread.tool_resources:
        thread.tool_resources = shaping.tool_resources(body.tool_resources, [])
    if not thread.tool_resources and any(t["type"] == "code_interpreter" for t in assistant.tools):
        thread.tool_resources = {"code_interpreter": {"file_ids": []}}
    if body.stream:
        thread.tool_resources = streamed_tool_resources(thread.tool_resources)
    instructions = body.instructions if body.instructions is not None else assistant.instructions
    run = _new_run(ctx, thread, assistant, body, instructions)
    return _start(ctx, run, bool(body.stream), [("thread.created", thread.to_wire(ctx.options.shape))])


def _new_run(ctx: Context, thread: Thread, assistant: Assistant, body: rr.RunOverrides,
             instructions: str | None) -> Run:
    now = ctx.clock.now()
    run = Run(
        id=ctx.ids.new("run"), created_at=now, thread_id=thread.id, assistant_id=assistant.id,
        model=body.model or assistant.model, instructions=instructions,
        tools=shaping.tools(body.tools) if body.tools is not None else list(assistant.tools),
        expires_at=now + EXPIRES_AFTER_SECONDS, tool_resources=thread.tool_resources,
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


def _start(ctx: Context, run: Run, stream: bool, prelude: list[Event]) -> Reply:
    if stream:
        run.tool_resources = streamed_tool_resources(run.tool_resources)
    first = ctx.engine.begin(run)
    if not stream:
        return run.to_wire(ctx.options.shape)
    return EventStream(ctx.engine.stream(run, prelude + first))


def streamed_tool_resources(tool_resources: Json) -> Json:
    """Every recorded stream (2024-2026: a thread made by create-and-run, and every run event) lists an
    empty code_interpreter file list in `tool_resources`, whatever the tools; the non-streamed runs on
    the same kind of thread list `{}`. The streamed run keeps it, so a later retrieve agrees."""
    if "code_interpreter" in tool_resources:
        return tool_resources
    return {"code_interpreter": {"file_ids": []}, **tool_resources}


def retrieve(ctx: Context, call: Call) -> Json:
    run = ctx.store.run(call.param("thread_id"), call.param("run_id"))
    return run.to_wire(ctx.options.shape)


def list_(ctx: Context, call: Call) -> Json:
    page = ctx.store.thread_runs(call.param("thread_id")).page(list_params(call.query))
    return list_envelope([r.to_wire(ctx.options.shape) for r in page.items], page.has_more)


def modify(ctx: Context, call: Call) -> Json:
    run = ctx.store.run(call.param("thread_id"), call.param("run_id"))
    body = validate(rr.ModifyRun, decode_json_object(call.body))
    if body.metadata is not None:
        run.metadata = dict(body.metadata)
    return run.to_wire(ctx.options.shape)


def cancel(ctx: Context, call: Call) -> Json:
    run = ctx.store.run(call.param("thread_id"), call.param("run_id"))
    validate(rm.EmptyBody, decode_json_object(call.body))
    ctx.engine.cancel(run)
    return run.to_wire(ctx.options.shape)


def submit_tool_outputs(ctx: Context, call: Call) -> Reply:
    run = ctx.store.run(call.param("thread_id"), call.param("run_id"))
    body = validate(rr.SubmitToolOutputs, decode_json_object(call.body))
    events = ctx.engine.submit_tool_outputs(run, [(o.tool_call_id, o.output) for o in body.tool_outputs])
    if not body.stream:
        return run.to_wire(ctx.options.shape)
    return EventStream(ctx.engine.stream(run, events))


def list_steps(ctx: Context, call: Call) -> Json:
    run = ctx.store.run(call.param("thread_id"), call.param("run_id"))
    include = _include_search_content(call)
    page = ctx.store.steps[run.id].page(list_params(call.query))
    shape = ctx.options.shape
    return list_envelope([s.to_wire(shape, include_search_content=include) for s in page.items], page.has_more)


def retrieve_step(ctx: Context, call: Call) -> Json:
    step = ctx.store.step(call.param("thread_id"), call.param("run_id"), call.param("step_id"))
    return step.to_wire(ctx.options.shape, include_search_content=_include_search_content(call))


def _include_search_content(call: Call) -> bool:
    values = query_values(call.query, "include")
    for value in values:
        if value != SEARCH_CONTENT:
            raise catalog.invalid_value("include[]", value, [SEARCH_CONTENT])
    return bool(values)




ROUTES = (
    Route("POST", "/threads/runs", "threads.create_and_run", "createThreadAndRun", create_thread_and_run),
    Route("GET", "/threads/{thread_id}/runs", "runs.list", "listRuns", list_),
    Route("POST", "/threads/{thread_id}/runs", "runs.create", "createRun", create),
    Route("GET", "/threads/{thread_id}/runs/{run_id}", "runs.retrieve", "getRun", retrieve),
    Route("POST", "/threads/{thread_id}/runs/{run_id}", "runs.update", "modifyRun", modify),
    Route("POST", "/threads/{thread_id}/runs/{run_id}/cancel", "runs.cancel", "cancelRun", cancel),
    Route("POST", "/threads/{thread_id}/runs/{run_id}/submit_tool_outputs", "runs.submit_tool_outputs",
          "submitToolOuputsToRun", submit_tool_outputs),
    Route("GET", "/threads/{thread_id}/runs/{run_id}/steps", "runs.steps.list", "listRunSteps", list_steps),
    Route("GET", "/threads/{thread_id}/runs/{run_id}/steps/{step_id}", "runs.steps.retrieve", "getRunStep",
          retrieve_step),
)
