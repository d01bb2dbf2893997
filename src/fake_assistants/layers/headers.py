"""The headers layer: every answer carries a request id and the service's own headers.

The request id is the first id a request draws from the fake's seeded stream (x-request-id); error
envelopes that name a request (server errors) use the same one. `date` is the fake's clock's time (the request's
one reading), as every recorded answer of the service carried one; `openai-organization` names the organization
the rate-limit wording names.
"""

from __future__ import annotations

from email.utils import formatdate
from functools import lru_cache

from ..api.pipeline import Exchange, Respond
from ..core.clock import RequestClock
from ..core.error_catalog import ORGANIZATION
from ..core.ids import IdFactory
from ..core.options import Options
from ..core.wire import ApiResponse

OPENAI_VERSION = "2020-10-01"
PROCESSING_MS = "1"  # deterministic: real timing is not something tests should depend on


class ResponseHeaders:
    def __init__(self, inner: Respond, ids: IdFactory, options: Options, clock: RequestClock) -> None:
        self.inner = inner
        self.ids = ids
        self.options = options
        self.clock = clock

    def __call__(self, exchange: Exchange) -> ApiResponse:
        exchange.request_id = request_id = self.ids.request_id()
        response = self.inner(exchange)
        response.headers += (
            ("x-request-id", request_id),
            *service_headers(self.clock.now()),
            ("openai-poll-after-ms", str(self.options.poll_after_ms)),
        )
        return response


@lru_cache(maxsize=16)
def service_headers(now: int) -> tuple[tuple[str, str], ...]:
    """The service's headers at the Unix second `now`: `date` (`Thu, 30 Oct 2025 21:58:57 GMT`), the organization,
    the version, the processing time. Made once per second, whichever fake asks (each test's fake is new, and
    requests come many to a second). A clock too far from today for an HTTP date (one that counts milliseconds:
    the year 55840) gets no `date`."""
    return (*date_header(now), _ORGANIZATION, _VERSION, _PROCESSING)


def date_header(now: int) -> tuple[tuple[str, str], ...]:
    """`(("date", ...),)` for the Unix second `now`, or none when no HTTP date says it."""
    try:
        return (("date", formatdate(now, usegmt=True)),)
    except (ValueError, OverflowError, OSError):  # past the year 9999, or before the platform's epoch
        return ()


_ORGANIZATION = ("openai-organization", ORGANIZATION)
_VERSION = ("openai-version", OPENAI_VERSION)
_PROCESSING = ("openai-processing-ms", PROCESSING_MS)
# every header this layer adds to an answer (a fault's `headers=` cannot give them)
ADDED_HEADERS = ("x-request-id", "date", _ORGANIZATION[0], _VERSION[0], _PROCESSING[0], "openai-poll-after-ms")
