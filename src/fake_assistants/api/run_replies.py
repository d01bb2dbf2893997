"""The answer to a request that starts or resumes a run: the run object, or the stream of its events."""

from __future__ import annotations

from ..core.sse import EventStream
from ..core.types import Event
from ..model.run import Run
from .context import Context
from .routing import Reply


def run_reply(ctx: Context, run: Run, events: list[Event], stream: bool) -> Reply:
    """Streamed: `events` (those so far), then the run's next ones as it goes on. Else the run as it is."""
    if not stream:
        return run.to_wire(ctx.options.shape)
    return EventStream(ctx.engine.stream(run, events))
