"""The Assistants v1 layer: a v1 request is served by its v1 handler, and the answer is shown as v1 showed it.

v1 is a view over the one (v2) store: v1 handlers validate v1 bodies and rewrite them onto the v2 operations
(`api/v1/endpoints.py`); answers and stream events are rendered with v1's key sets (`api/v1/view.py`).
"""

from __future__ import annotations

from ..api.context import Context
from ..api.pipeline import Answer, Exchange
from ..api.routing import Reply
from ..api.v1 import endpoints, view
from ..core.sse import EventStream
from ..core.wire import ApiResponse


class V1View:
    def __init__(self, inner: Answer, ctx: Context) -> None:
        self.inner = inner
        self.ctx = ctx

    def __call__(self, exchange: Exchange) -> Reply:
        if exchange.version != "v1":
            return self.inner(exchange)
        assert exchange.route is not None
        exchange.handler = endpoints.HANDLERS.get(exchange.route.name)
        reply = self.inner(exchange)
        if isinstance(reply, EventStream):
            return EventStream(view.events(self.ctx, reply.events))
        if isinstance(reply, ApiResponse):
            return reply
        return view.render(self.ctx, reply)
