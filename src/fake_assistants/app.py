"""The request pipeline: ApiRequest -> ApiResponse through an ordered list of layers around the route handler.

Each layer is one concern in one module of `layers/`, made around the next one (`api/pipeline.py`). The first
list works on HTTP answers, the second on the handler's reply before it is encoded; `App.build` is the whole
order, outermost first. docs/ARCHITECTURE.md follows one request through it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from functools import partial

from .api.context import Context
from .api.pipeline import Answer, Exchange, Respond, call_handler, compose
from .api.routes import ALL_ROUTES
from .api.routing import Route, RouteTable
from .api.validation import decoded_object
from .core.errors import ApiError
from .core.wire import ApiRequest, ApiResponse
from .layers.error_envelope import ErrorEnvelope
from .layers.faults import FaultInjection, Faults
from .layers.headers import ResponseHeaders
from .layers.id_prefixes import IdPrefixes
from .layers.journal import Journal, Journaling
from .layers.lenient import LenientRequests, StandIns
from .layers.locking import Locking, set_aside
from .layers.replies import ReplyEncoding
from .layers.route_match import KnownRoute, RouteMatch
from .layers.run_settling import RunSettling
from .layers.v1 import V1View
from .layers.versions import VersionCheck

_TABLES: dict[int, tuple[tuple[Route, ...], RouteTable[Route]]] = {}


def route_table(routes: tuple[Route, ...]) -> RouteTable[Route]:
    """The router for `routes`, built once per process for each routes tuple (a table never changes once built):
    a new fake does not index the routes again. Keyed by identity, as hashing 50 routes costs a table lookup."""
    found = _TABLES.get(id(routes))
    if found is None or found[0] is not routes:
        if len(_TABLES) >= 8:  # only the built-in route sets are expected: never let the cache grow
            _TABLES.clear()
        found = _TABLES[id(routes)] = (routes, RouteTable(routes))
    return found[1]


class App:
    """One fake's request pipeline, with the state its layers keep: the lock, the journal, the fault schedule."""

    def __init__(self, ctx: Context, routes: tuple[Route, ...] = ALL_ROUTES) -> None:
        self.ctx = ctx
        self.routes: RouteTable[Route] = route_table(routes)
        self.lock = threading.RLock()
        self.clock = ctx.engine.world.clock  # read once per request (Locking)
        ctx.engine.set_aside = partial(set_aside, self.lock, self.clock)  # a run's model answers, the lock set aside
        self.journal = Journal()  # fake.calls
        self.faults = Faults()  # fake.faults
        self.internal_errors = ctx.engine.internal_errors  # fake.internal_errors: what answered a 500
        self._stand_ins: StandIns | None = None  # lenient mode
        self.pipeline = self.build()

    @property
    def stand_ins(self) -> StandIns | None:
        return self._stand_ins

    @stand_ins.setter
    def stand_ins(self, stand_ins: StandIns | None) -> None:
        """Lenient mode on (stand-ins) or off (None): the pipeline is built again with its layers."""
        self._stand_ins = stand_ins
        self.pipeline = self.build()

    def build(self) -> Respond:
        """The layers, outermost first."""
        http: list[Callable[[Respond], Respond]] = [
            partial(Locking, lock=self.lock, clock=self.clock),  # one request at a time; each stream chunk too
            partial(RouteMatch, routes=self.routes),  # route name and path parameters
            partial(Journaling, journal=self.journal),  # fake.calls
            # x-request-id (drawn first), date, the service's headers
            partial(ResponseHeaders, ids=self.ctx.ids, options=self.ctx.options, clock=self.clock),
            partial(FaultInjection, faults=self.faults, on_break=self.break_run, model_of=self.model_of),  # fake.faults
            partial(ErrorEnvelope, errors=self.internal_errors),  # ApiError -> its envelope; else 500 server_error
        ]
        lenient = self._stand_ins
        handler: list[Callable[[Answer], Answer]] = [
            partial(KnownRoute, routes=self.routes),  # 404 for a path no route serves
            partial(VersionCheck, options=self.ctx.options),  # OpenAI-Beta: assistants=v2 (or v1)
            *([] if lenient is not None and lenient.any_prefix else [IdPrefixes]),  # thread_..., run_...
            partial(RunSettling, ctx=self.ctx),  # the thread's active run moves as its policy says
            partial(V1View, ctx=self.ctx),  # v1 handlers and v1 views, for assistants=v1
            *([] if lenient is None else [partial(LenientRequests, stand_ins=lenient)]),  # stand-ins
        ]
        endpoint: Respond = ReplyEncoding(compose(handler, call_handler(self.ctx)))
        return compose(http, endpoint)

    def handle(self, request: ApiRequest) -> ApiResponse:
        return self.pipeline(Exchange(request))

    def model_of(self, exchange: Exchange) -> str | None:
        """The model a request is for, as a rate limit names it: its body's `model`, else its assistant's (the body's
        `assistant_id` or the path's), else its run's; None when it names none. Read only when a fault answers."""
        body = decoded_object(exchange.request.body) or {}  # as a handler decodes it: no RecursionError, say
        model = body.get("model")
        if isinstance(model, str):
            return model
        store, params = self.ctx.store, exchange.params
        assistant_id = body.get("assistant_id")
        assistant = store.assistants.get(assistant_id if isinstance(assistant_id, str)
                                         else params.get("assistant_id", ""))
        if assistant is not None:
            return assistant.model
        run = store.find_run(params.get("thread_id", ""), params.get("run_id", ""))
        return None if run is None else run.model

    def break_run(self, streamed: tuple[str, str] | None, error: ApiError, texts: Mapping[str, str]) -> None:
        """A scheduled stream fault broke the stream of this (thread id, run id): the run fails, its message cut
        off keeping the text its deltas sent (`texts`)."""
        if streamed is None:
            return
        with self.lock:
            run = self.ctx.store.find_run(*streamed)
            if run is not None:
                self.ctx.engine.break_off(run, error, texts)
