"""The error layer: an `ApiError` becomes the OpenAI error envelope; anything else a 500 `server_error`.

Never a traceback over the wire: an unexpected exception answers as the service's own server error, naming
the request id.
"""

from __future__ import annotations

from ..api.pipeline import Exchange, Respond
from ..core import error_catalog as catalog
from ..core.envelope import error_response
from ..core.errors import ApiError
from ..core.wire import ApiResponse


class ErrorEnvelope:
    def __init__(self, inner: Respond) -> None:
        self.inner = inner

    def __call__(self, exchange: Exchange) -> ApiResponse:
        try:
            return self.inner(exchange)
        except ApiError as error:
            return error_response(error)
        except Exception:  # never a traceback over the wire
            return error_response(catalog.server_error(exchange.request_id))
