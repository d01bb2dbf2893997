"""One fake as a server exposes it: the API-key check, the control API under `/__fake__/`, the Assistants API.

Sans-IO: `ServedFake(fake, api_key=...)` is the `ApiRequest -> ApiResponse` handler the ASGI app serves.
"""

from __future__ import annotations

import hmac
from typing import Protocol

from ..core import error_catalog as catalog
from ..core.envelope import error_response
from ..core.errors import ApiError
from ..core.wire import ApiRequest, ApiResponse
from .control_api import ControlApi, Steerable, is_control_path


class Servable(Steerable, Protocol):
    """A fake a server can expose: steerable by the control API, and answering the Assistants API."""

    def handle(self, request: ApiRequest) -> ApiResponse: ...


class ServedFake:
    """Checks `Authorization: Bearer <api_key>` when a key is set (on every path), then routes the request."""

    def __init__(self, fake: Servable, *, api_key: str | None = None) -> None:
        self.fake = fake
        self.control = ControlApi(fake)
        self.api_key = api_key

    def __call__(self, request: ApiRequest) -> ApiResponse:
        denied = check_api_key(request.header("authorization"), self.api_key)
        if denied is not None:
            return self._refuse(denied)
        if is_control_path(request.path):
            return self.control.handle(request)
        return self.fake.handle(request)

    def _refuse(self, error: ApiError) -> ApiResponse:
        with self.fake.app.lock:
            request_id = self.fake.ctx.ids.request_id()
        return error_response(error, [("x-request-id", request_id)])


def check_api_key(authorization: str | None, expected: str | None) -> ApiError | None:
    """None when the request may pass: no key is required, or it sent `Authorization: Bearer <expected>`."""
    if expected is None:
        return None
    scheme, _, given = (authorization or "").strip().partition(" ")
    given = given.strip()
    if scheme.lower() != "bearer" or not given:
        return catalog.missing_api_key()
    if not hmac.compare_digest(given.encode(), expected.encode()):
        return catalog.incorrect_api_key(given)
    return None
