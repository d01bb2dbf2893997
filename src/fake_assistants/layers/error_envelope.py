"""The error layer: an `ApiError` becomes the OpenAI error envelope; anything else a 500 `server_error`.

Never a traceback over the wire: an unexpected exception answers as the service's own server error, naming
the request id. The exception itself is kept (`fake.internal_errors`) and logged (the `fake_assistants` logger),
so that a test, or a server's log, tells what went wrong inside.
"""

from __future__ import annotations

from ..api.pipeline import Exchange, Respond
from ..core import error_catalog as catalog
from ..core.envelope import error_response
from ..core.errors import ApiError, InternalError, note_internal_error
from ..core.wire import ApiResponse


class ErrorEnvelope:
    def __init__(self, inner: Respond, errors: list[InternalError]) -> None:
        self.inner = inner
        self.errors = errors

    def __call__(self, exchange: Exchange) -> ApiResponse:
        try:
            return self.inner(exchange)
        except ApiError as error:
            return error_response(error)
        except Exception as error:  # never a traceback over the wire
            where = f"{exchange.request.method} {exchange.request.path}"
            note_internal_error(self.errors, InternalError(exchange.request_id, where, error))
            return error_response(catalog.server_error(exchange.request_id))

