"""The request pipeline's parts: the exchange a request travels in, and how layers are stacked.

A layer is a callable made around the next one (Starlette's middleware model): `compose(layers, endpoint)`
builds `layers[0](layers[1](... layers[-1](endpoint)))`, so the first layer listed is the outermost. Layers
that work on HTTP answers (`Respond`) sit outside the one that encodes handler replies; layers that work on
the handler's reply (`Answer`: a JSON object, an event stream or a response) sit inside it. `app.py` lists them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import FunctionType, MethodType
from typing import Literal, TypeVar, cast

from ..core.api_versions import ApiVersion
from ..core.wire import ApiRequest, ApiResponse
from .context import Context
from .routing import Call, Handler, Reply, Route

# The kinds of injected fault (`layers/faults.py` makes them; the journal records them, `RecordedCall.fault`)
FaultKind = Literal["http_error", "timeout", "connection_error", "stream_error", "dropped_stream"]


@dataclass(slots=True)
class Exchange:
    """One request on its way through the pipeline, and what the layers found out about it on the way."""

    request: ApiRequest
    request_id: str = ""
    route: Route | None = None
    params: dict[str, str] = field(default_factory=dict)
    version: ApiVersion | None = None  # the Assistants API version the request asked for
    handler: Handler | None = None  # None: the route's own handler
    fault: FaultKind | None = None  # the kind of injected fault that answered or broke this request


Respond = Callable[[Exchange], ApiResponse]
Answer = Callable[[Exchange], Reply]
T = TypeVar("T")


def compose(layers: Sequence[Callable[[T], T]], endpoint: T) -> T:
    """`endpoint` inside `layers`, the first one outermost.

    Each layer is handed the next one (and the last the endpoint) as its bound `__call__`, not as the object:
    calling an object goes through its type's call slot (a lookup of `__call__` and a new argument tuple on every
    call), a bound method straight into its function. For a request through a dozen layers that was about 3% of
    the fake's own instructions. The bound method is the type's, as calling the object would use."""
    endpoint = _direct(endpoint)
    for layer in reversed(layers):
        endpoint = _direct(layer(endpoint))
    return endpoint


def _direct(layer: T) -> T:
    """`layer`'s type's `__call__` bound to it, where that type defines one in Python; anything else (a function,
    a bound method, a class) as it is."""
    call = type(layer).__call__  # a class without one finds type's own, not a function
    if isinstance(call, FunctionType) and not isinstance(layer, type):
        return cast(T, MethodType(call, layer))
    return layer


def call_handler(ctx: Context) -> Answer:
    """The end of the pipeline: the route's handler (or the one a layer chose) on the routed request."""

    def endpoint(exchange: Exchange) -> Reply:
        assert exchange.route is not None  # the route layer answered a request without a route
        request = exchange.request
        handler = exchange.handler or exchange.route.handler
        return handler(ctx, Call(exchange.params, request.query, request.body, request.headers))

    return endpoint
