"""HTTP semantics with no HTTP library: ApiRequest -> ApiResponse."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from .api.context import Context
from .api.endpoints import assistants, files, messages, runs, threads, vector_store_files, vector_stores
from .api.routing import Call, Reply, Route, RouteTable, check_id_prefixes
from .api.v1 import endpoints as v1_endpoints
from .api.v1 import view as v1_view
from .core import error_catalog as catalog
from .core.api_versions import V2_ONLY, ApiVersion, check_route_version, requested_version
from .core.errors import ApiError
from .core.sse import EventStream, stream_response
from .core.wire import ApiRequest, ApiResponse, json_body
from .layers.faults import Faults
from .layers.journal import Journal
from .layers.lenient import StandIns

API_PREFIX = "/v1"
# AzureOpenAI sends the same routes under /openai (`/openai/assistants?api-version=...`; assistants paths have no
# /deployments/ segment). Unknown query parameters such as `api-version` are ignored, as everywhere.
AZURE_PREFIX = "/openai"
API_PREFIXES = (API_PREFIX, AZURE_PREFIX)
OPENAI_VERSION = "2020-10-01"
PROCESSING_MS = "1"  # deterministic: real timing is not something tests should depend on

V2_ROUTES: tuple[Route, ...] = (
    *assistants.ROUTES, *threads.ROUTES, *messages.ROUTES, *runs.ROUTES, *files.ROUTES,
    *(replace(route, versions=V2_ONLY) for route in (*vector_stores.ROUTES, *vector_store_files.ROUTES)),
)
# Every route: the current (v2) API and the six routes only Assistants v1 had (assistant and message files).
ALL_ROUTES: tuple[Route, ...] = (*V2_ROUTES, *v1_endpoints.ROUTES)


class App:
    """Routes a request, checks the beta header, runs the handler and wraps errors in the envelope."""

    def __init__(self, ctx: Context, routes: tuple[Route, ...] = ALL_ROUTES) -> None:
        self.ctx = ctx
        self.routes = RouteTable(routes)
        self.lock = threading.RLock()
        self.journal = Journal()  # fake.calls
        self.faults = Faults()  # fake.faults
        self.stand_ins: StandIns | None = None  # lenient mode

    def handle(self, request: ApiRequest) -> ApiResponse:
        with self.lock:
            request_id = self.ctx.ids.request_id()
            matched = self._match(request)
            route = matched[0].name if matched else None
            call = self.journal.begin(request, route, matched[1] if matched else {})
            response = self.faults.answer(route, call, request_id) or self._answer(request, matched, request_id)
            response.headers.extend(
                [
                    ("x-request-id", request_id),
                    ("openai-version", OPENAI_VERSION),
                    ("openai-processing-ms", PROCESSING_MS),
                    ("openai-poll-after-ms", str(self.ctx.options.poll_after_ms)),
                ]
            )
            if response.is_stream:
                self.faults.watch_stream(route, response, call, request_id, self._break_run)
            self.journal.finish(call, response)
        return response

    def _match(self, request: ApiRequest) -> tuple[Route, dict[str, str]] | None:
        route_path = api_route_path(request.path)
        return None if route_path is None else self.routes.match(request.method, route_path)

    def _answer(self, request: ApiRequest, matched: tuple[Route, dict[str, str]] | None,
                request_id: str) -> ApiResponse:
        try:
            return self._dispatch(request, matched)
        except ApiError as error:
            return self._json(error.status, error.body())
        except Exception:  # never a traceback over the wire
            return self._json(500, catalog.server_error(request_id).body())

    def _break_run(self, streamed: tuple[str, str] | None, error: ApiError) -> None:
        """A scheduled stream fault broke the stream of this (thread id, run id): the run fails."""
        if streamed is None:
            return
        with self.lock:
            run = self.ctx.store.find_run(*streamed)
            if run is not None:
                self.ctx.engine.break_off(run, error)

    def _dispatch(self, request: ApiRequest, matched: tuple[Route, dict[str, str]] | None) -> ApiResponse:
        if matched is None:
            raise catalog.invalid_url(request.method, request.path)
        route, params = matched
        version = requested_version(request.header("openai-beta"), self.ctx.options.api_versions,
                                    required=route.beta == "required")
        check_route_version(version, route.versions)
        if self.stand_ins is None or not self.stand_ins.any_prefix:
            check_id_prefixes(params)
        if "thread_id" in params:
            polled = params.get("run_id") if route.name == "runs.retrieve" else None
            self._settle_thread(params["thread_id"], poll_of=polled, read=request.method == "GET")
        if self.stand_ins is not None:
            prepared = self.stand_ins.prepare(route.name, params, request)
            if not isinstance(prepared, ApiRequest):
                return self._reply(prepared, version)  # lenient mode answered itself
            request = prepared
        handler = v1_endpoints.HANDLERS.get(route.name, route.handler) if version == "v1" else route.handler
        reply = handler(self.ctx, Call(params, request.query, request.body, request.headers))
        return self._reply(reply, version)

    def _reply(self, reply: Reply, version: ApiVersion | None) -> ApiResponse:
        """The handler's answer on the wire, as the requested API version shows it."""
        if isinstance(reply, EventStream):
            events = v1_view.events(self.ctx, reply.events) if version == "v1" else reply.events
            reply = stream_response(events)
        if isinstance(reply, ApiResponse):
            if reply.is_stream:
                reply.body = self._locked(reply.body)  # type: ignore[arg-type]
            return reply
        return self._json(200, v1_view.render(self.ctx, reply) if version == "v1" else reply)

    def _settle_thread(self, thread_id: str, poll_of: str | None, *, read: bool) -> None:
        """Reading a thread's run, steps or messages lets its active run progress, as the policy says.

        Any other request on the thread lets the run expire, so a write never sees an expired run as active.
        """
        run = self.ctx.store.active_run(thread_id)
        if run is None:
            return
        if read:
            self.ctx.engine.on_read(run, poll=poll_of == run.id)
        else:
            self.ctx.engine.on_write(run)

    def _locked(self, chunks: Iterator[bytes]) -> Iterator[bytes]:
        """Produce stream chunks one at a time under the fake's lock; closing this closes `chunks` too."""
        try:
            while True:
                with self.lock:
                    chunk = next(chunks, None)
                if chunk is None:
                    return
                yield chunk
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                with self.lock:
                    close()

    @staticmethod
    def _json(status: int, body: dict[str, Any]) -> ApiResponse:
        return ApiResponse(status, [("content-type", "application/json")], json_body(body))


def api_route_path(path: str) -> str | None:
    """The route part of `path` after its API prefix (`/v1` or Azure's `/openai`), or None without one."""
    for prefix in API_PREFIXES:
        if path.startswith(prefix + "/"):
            return path[len(prefix):]
    return None
