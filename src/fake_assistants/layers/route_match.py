"""The route layers: which route a request is for (its name and path parameters), and a 404 for none.

Matching comes early, so the journal and the fault schedule know the route name; the 404 for a path no
route serves comes inside the error envelope, as the service's own `invalid_request_error`.
"""

from __future__ import annotations

from ..api.pipeline import Answer, Exchange, Respond
from ..api.routes import API_PREFIX, AZURE_PREFIX, CONTROL_PREFIX, api_route_path, below_deployment, other_api
from ..api.routing import Reply, Route, RouteTable
from ..core import error_catalog as catalog
from ..core.errors import ApiError
from ..core.wire import ApiResponse


class RouteMatch:
    def __init__(self, inner: Respond, routes: RouteTable[Route]) -> None:
        self.inner = inner
        self.routes = routes

    def __call__(self, exchange: Exchange) -> ApiResponse:
        route_path = api_route_path(exchange.request.path)
        matched = None if route_path is None else self.routes.match(exchange.request.method, route_path)
        if matched is not None:
            exchange.route, exchange.params = matched
        return self.inner(exchange)


class KnownRoute:
    def __init__(self, inner: Answer, routes: RouteTable[Route]) -> None:
        self.inner = inner
        self.routes = routes

    def __call__(self, exchange: Exchange) -> Reply:
        if exchange.route is None:
            raise self._unknown(exchange.request.method, exchange.request.path)
        return self.inner(exchange)

    def _unknown(self, method: str, path: str) -> ApiError:
        """The service's 404 for a path no route serves, with what the fake can tell of the mistake: another API's
        route, a route without its /v1 (a base URL that lacks it) or with two API prefixes (a client that adds /v1 to
        a base URL that has it), an Azure path with a deployment (another API's, or an Assistants route, which has
        none), the control API under /v1."""
        route_path = api_route_path(path)
        if route_path is None:
            if self.routes.match(method, path) is not None:
                return catalog.without_api_prefix(method, path, API_PREFIX)
            return catalog.invalid_url(method, path)
        prefix = path[:len(path) - len(route_path)]
        inner = api_route_path(route_path)  # what follows a second API prefix (/v1/v1/..., /openai/v1/...)
        if inner is not None and self.routes.match(method, inner) is not None:
            return catalog.api_prefix_twice(method, path, prefix, route_path[:len(route_path) - len(inner)])
        if prefix == AZURE_PREFIX and route_path.startswith("/deployments/"):  # Azure's other APIs' paths
            deployed = below_deployment(route_path)
            if self.routes.match(method, deployed) is not None:
                return catalog.azure_route_with_a_deployment(method, path, prefix + deployed)
            route_path = deployed
        api = other_api(route_path)
        if api is not None:
            return catalog.other_api(method, path, api)
        if route_path == CONTROL_PREFIX or route_path.startswith(CONTROL_PREFIX + "/"):
            return catalog.invalid_url_because(
                method, path, f"a served fake's control API is at {route_path}, beside the API, not under it.")
        return catalog.invalid_url(method, path)
