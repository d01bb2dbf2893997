"""The route layers: which route a request is for (its name and path parameters), and a 404 for none.

Matching comes early, so the journal and the fault schedule know the route name; the 404 for a path no
route serves comes inside the error envelope, as the service's own `invalid_request_error`.
"""

from __future__ import annotations

from ..api.pipeline import Answer, Exchange, Respond
from ..api.routes import api_route_path, other_api
from ..api.routing import Reply, Route, RouteTable
from ..core import error_catalog as catalog
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
    def __init__(self, inner: Answer) -> None:
        self.inner = inner

    def __call__(self, exchange: Exchange) -> Reply:
        if exchange.route is None:
            request = exchange.request
            route_path = api_route_path(request.path)
            api = None if route_path is None else other_api(route_path)
            if api is not None:
                raise catalog.other_api(request.method, request.path, api)
            raise catalog.invalid_url(request.method, request.path)
        return self.inner(exchange)
