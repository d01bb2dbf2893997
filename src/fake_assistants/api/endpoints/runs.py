"""/threads/{thread_id}/runs, /threads/runs and run steps."""

from __future__ import annotations

from ...core.types import Json
from ...model.lists import list_envelope
from ...model.run import Run
from .. import request_models as rm
from .. import run_requests as rr
from ..context import Context
from ..operations import runs as ops
from ..params import include_search_content, list_params
from ..routing import Call, Reply, Route
from ..run_replies import run_reply
from ..validation import decode_json_object, validate


def create(ctx: Context, call: Call) -> Reply:
    thread = ctx.store.thread(call.param("thread_id"))
    include_content = include_search_content(call.query)
    body = validate(rr.CreateRun, decode_json_object(call.body))
    run, events = ops.create_run(ctx, thread, body, include_search_content=include_content)
    return run_reply(ctx, run, events, bool(body.stream))


def create_thread_and_run(ctx: Context, call: Call) -> Reply:
    body = validate(rr.CreateThreadAndRun, decode_json_object(call.body))
    return run_reply(ctx, *ops.create_thread_and_run(ctx, body), bool(body.stream))


def retrieve(ctx: Context, call: Call) -> Json:
    run = ctx.store.run(call.param("thread_id"), call.param("run_id"))
    return run.to_wire(ctx.options.shape)


def list_(ctx: Context, call: Call) -> Json:
    page = ctx.store.thread_runs(call.param("thread_id")).page(list_params(call.query))
    return list_envelope([r.to_wire(ctx.options.shape) for r in page.items], page.has_more)


def modify(ctx: Context, call: Call) -> Json:
    run = ctx.store.run(call.param("thread_id"), call.param("run_id"))
    body = validate(rr.ModifyRun, decode_json_object(call.body))
    return ops.modify_run(run, body).to_wire(ctx.options.shape)


def cancel(ctx: Context, call: Call) -> Json:
    run = ctx.store.run(call.param("thread_id"), call.param("run_id"))
    validate(rm.EmptyBody, decode_json_object(call.body))
    ctx.engine.cancel(run)
    return run.to_wire(ctx.options.shape)


def submit_tool_outputs(ctx: Context, call: Call) -> Reply:
    run = ctx.store.run(call.param("thread_id"), call.param("run_id"))
    body = validate(rr.SubmitToolOutputs, decode_json_object(call.body))
    events = ctx.engine.submit_tool_outputs(run, [(o.tool_call_id, o.output) for o in body.tool_outputs],
                                            streamed=bool(body.stream))
    return run_reply(ctx, run, events, bool(body.stream))


def list_steps(ctx: Context, call: Call) -> Json:
    run = ctx.store.run(call.param("thread_id"), call.param("run_id"))
    include = include_search_content(call.query)
    page = ctx.store.steps[run.id].page(list_params(call.query))
    shape = ctx.options.shape
    return list_envelope([_read_step(s.to_wire(shape, include_search_content=include), run)
                          for s in page.items], page.has_more)


def retrieve_step(ctx: Context, call: Call) -> Json:
    step = ctx.store.step(call.param("thread_id"), call.param("run_id"), call.param("step_id"))
    run = ctx.store.run(call.param("thread_id"), call.param("run_id"))  # there: its step is
    return _read_step(step.to_wire(ctx.options.shape, include_search_content=include_search_content(call.query)), run)


def _read_step(wire: Json, run: Run) -> Json:
    """A step read over REST shares its run's `expires_at` as the run is now: null once the run has ended (the
    .NET recordings of steps read after their run completed), where its stream events showed the run's while it
    was active (SEQUENCES.md 6)."""
    wire["expires_at"] = run.expires_at
    return wire


ROUTES = (
    Route("POST", "/threads/runs", "threads.create_and_run", "createThreadAndRun", create_thread_and_run,
          streams=True),
    Route("GET", "/threads/{thread_id}/runs", "runs.list", "listRuns", list_),
    Route("POST", "/threads/{thread_id}/runs", "runs.create", "createRun", create, streams=True),
    Route("GET", "/threads/{thread_id}/runs/{run_id}", "runs.retrieve", "getRun", retrieve),
    Route("POST", "/threads/{thread_id}/runs/{run_id}", "runs.update", "modifyRun", modify),
    Route("POST", "/threads/{thread_id}/runs/{run_id}/cancel", "runs.cancel", "cancelRun", cancel),
    Route("POST", "/threads/{thread_id}/runs/{run_id}/submit_tool_outputs", "runs.submit_tool_outputs",
          "submitToolOuputsToRun", submit_tool_outputs, streams=True),
    Route("GET", "/threads/{thread_id}/runs/{run_id}/steps", "runs.steps.list", "listRunSteps", list_steps),
    Route("GET", "/threads/{thread_id}/runs/{run_id}/steps/{step_id}", "runs.steps.retrieve", "getRunStep",
          retrieve_step),
)
