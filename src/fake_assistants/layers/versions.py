"""The API-version layer: the `OpenAI-Beta: assistants=v2` (or `=v1`) header, checked against the route.

A missing or wrong header gets the service's own wording; a route the requested version did not have gets the
service's 400 `invalid_beta`: a v1-only route (assistant and message files) the wording the service answered
after v1, a v2-only route (vector stores, message delete) one asking for the v2 header. The version found is kept
on the exchange for the v1 layer.
"""

from __future__ import annotations

from ..api.pipeline import Answer, Exchange
from ..api.routing import Reply
from ..core.api_versions import check_route_version, requested_version
from ..core.options import Options


class VersionCheck:
    def __init__(self, inner: Answer, options: Options) -> None:
        self.inner = inner
        self.options = options

    def __call__(self, exchange: Exchange) -> Reply:
        route = exchange.route
        assert route is not None  # KnownRoute comes first
        exchange.version = requested_version(exchange.request.header("openai-beta"), self.options.api_versions,
                                             required=route.beta == "required")
        check_route_version(exchange.version, route.versions)
        return self.inner(exchange)
