"""The reply layer, between the HTTP layers and the handler's: a handler's reply as an HTTP answer.

A JSON object is a 200 with the service's pretty-printed JSON; an event stream is a `text/event-stream`
answer whose body encodes the events lazily, as the client reads them; a response is passed on as it is.
"""

from __future__ import annotations

from ..api.pipeline import Answer, Exchange
from ..core.envelope import json_response
from ..core.sse import EventStream, stream_response
from ..core.wire import ApiResponse


class ReplyEncoding:
    def __init__(self, inner: Answer) -> None:
        self.inner = inner

    def __call__(self, exchange: Exchange) -> ApiResponse:
        reply = self.inner(exchange)
        if isinstance(reply, EventStream):
            return stream_response(reply.events)
        if isinstance(reply, ApiResponse):
            return reply
        return json_response(200, reply)
