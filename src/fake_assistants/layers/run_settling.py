"""The run-settling layer: a request on a thread lets its active run move before the handler sees it.

Reading a thread's run, steps or messages lets its active run progress as the progression policy says
(a retrieve of that run counts as a poll); any other request on the thread lets the run expire, so a write
never sees an expired run as active. Under `immediate` progression a cancelled run finishes cancelling on any
request on its thread, reads and writes alike, as the real service finished on its own: a client that cancels
and then creates the next run is not told the thread still has an active run.
"""

from __future__ import annotations

from ..api.context import Context
from ..api.pipeline import Answer, Exchange
from ..api.routing import Reply
from ..runs.progression import Immediate


class RunSettling:
    def __init__(self, inner: Answer, ctx: Context) -> None:
        self.inner = inner
        self.ctx = ctx

    def __call__(self, exchange: Exchange) -> Reply:
        thread_id = exchange.params.get("thread_id")
        if thread_id is not None:
            run = self.ctx.store.active_run(thread_id)
            if run is not None:
                if exchange.request.method == "GET":
                    route = exchange.route.name if exchange.route is not None else None
                    polled = route == "runs.retrieve" and exchange.params.get("run_id") == run.id
                    self.ctx.engine.on_read(run, poll=polled, listed=route == "runs.list")
                elif run.status == "cancelling" and isinstance(self.ctx.engine.policy_for(run), Immediate):
                    self.ctx.engine.on_read(run, poll=False)
                else:
                    self.ctx.engine.on_write(run)
        return self.inner(exchange)
