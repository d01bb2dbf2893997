"""The API-version layer: the `OpenAI-Beta: assistants=v2` (or `=v1`) header, checked against the route.

A missing or wrong header gets the service's own wording; a route the requested version did not have gets the
service's 400 `invalid_beta`: a v1-only route (assistant and message files) the wording the service answered
after v1, a v2-only route (vector stores, message delete) one asking for the v2 header. A request under Azure's
`/openai/` without the header asks for the version of its `api-version`, as Azure chose it. The version found is
kept on the exchange for the v1 layer.
"""

from __future__ import annotations

from ..api.params import query_value
from ..api.pipeline import Answer, Exchange
from ..api.routes import AZURE_PREFIX
from ..api.routing import Reply
from ..core import error_catalog as catalog
from ..core.api_versions import check_route_version, requested_version
from ..core.errors import ApiError
from ..core.options import Options

# Azure chose the Assistants version by `api-version`: v2 came with 2024-05-01-preview (v1 was 2024-02-15-preview
# to 2024-04-01-preview). Its REST examples send no `OpenAI-Beta` header; the SDK's AzureOpenAI sends both.
AZURE_FIRST_V2 = "2024-05-01"


class VersionCheck:
    def __init__(self, inner: Answer, options: Options) -> None:
        self.inner = inner
        self.options = options

    def __call__(self, exchange: Exchange) -> Reply:
        route = exchange.route
        assert route is not None  # KnownRoute comes first
        request = exchange.request
        header = request.header("openai-beta")
        api_version = None
        if header is None and request.path.startswith(AZURE_PREFIX + "/"):
            api_version = query_value(request.query, "api-version") or None  # empty: none
            header = azure_beta(api_version)
        try:
            exchange.version = requested_version(header, self.options.api_versions,
                                                 required=route.beta == "required")
        except ApiError as error:
            if api_version is not None:  # Azure chose v1 by the api-version: a newer one is the fix, not a header
                raise catalog.with_hint(error, f"api-version {api_version} is Assistants v1 on Azure; "
                                               f"{AZURE_FIRST_V2}-preview or later is v2") from None
            raise
        check_route_version(exchange.version, route.versions)
        return self.inner(exchange)


def azure_beta(api_version: str | None) -> str:
    """What an Azure request without the `OpenAI-Beta` header asks for: the version of its `api-version` (v2 without
    one)."""
    return "assistants=v1" if api_version is not None and api_version[:10] < AZURE_FIRST_V2 else "assistants=v2"
