"""The headers layer: every answer carries a request id and the service's own headers.

The request id is the first id a request draws from the fake's seeded stream (x-request-id); error
envelopes that name a request (server errors) use the same one.
"""

from __future__ import annotations

from ..api.pipeline import Exchange, Respond
from ..core.ids import IdFactory
from ..core.options import Options
from ..core.wire import ApiResponse

OPENAI_VERSION = "2020-10-01"
PROCESSING_MS = "1"  # deterministic: real timing is not something tests should depend on


class ResponseHeaders:
    def __init__(self, inner: Respond, ids: IdFactory, options: Options) -> None:
        self.inner = inner
        self.ids = ids
        self.options = options

    def __call__(self, exchange: Exchange) -> ApiResponse:
        exchange.request_id = request_id = self.ids.request_id()
        response = self.inner(exchange)
        response.headers += (
            ("x-request-id", request_id),
            _VERSION,
            _PROCESSING,
            ("openai-poll-after-ms", str(self.options.poll_after_ms)),
        )
        return response


_VERSION = ("openai-version", OPENAI_VERSION)
_PROCESSING = ("openai-processing-ms", PROCESSING_MS)
