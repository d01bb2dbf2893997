"""HTTP semantics with no HTTP library: ApiRequest -> ApiResponse."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from . import error_catalog as catalog
from .context import Context
from .endpoints import assistants, files, messages, runs, threads, vector_store_files, vector_stores
from .errors import ApiError
from .faults import Faults
from .journal import Journal
from .lenient import StandIns
from .routing import Call, Route, RouteTable, check_id_prefixes
from .wire import ApiRequest, ApiResponse, json_body

API_PREFIX = "/v1"
# AzureOpenAI sends the same routes under /openai (`/openai/assistants?api-version=...`; assistants paths have no
# /deployments/ segment). Unknown query parameters such as `api-version` are ignored, as everywhere.
AZURE_PREFIX = "/openai"
API_PREFIXES = (API_PREFIX, AZURE_PREFIX)
OPENAI_VERSION = "2020-10-01"
PROCESSING_MS = "1"  # deterministic: real timing is not something tests should depend on

ALL_ROUTES: tuple[Route, ...] = (
    *assistants.ROUTES, *threads.ROUTES, *messages.ROUTES, *runs.ROUTES,
    *files.ROUTES, *vector_stores.ROUTES, *vector_store_files.ROUTES,
)


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
        if route.beta == "required":
            check_beta_header(request.header("openai-beta"))
        elif request.header("openai-beta"):
            check_beta_header(request.header("openai-beta"), required=False)
        if self.stand_ins is None or not self.stand_ins.any_prefix:
            check_id_prefixes(params)
        if "thread_id" in params:
            polled = params.get("run_id") if route.name == "runs.retrieve" else None
            self._settle_thread(params["thread_id"], poll_of=polled, read=request.method == "GET")
        if self.stand_ins is not None:
            prepared = self.stand_ins.prepare(route.name, params, request)
            if not isinstance(prepared, ApiRequest):
                return self._json(200, prepared)  # lenient mode answered itself
            request = prepared
        reply = route.handler(self.ctx, Call(params, request.query, request.body, request.headers))
        if isinstance(reply, ApiResponse):
            if reply.is_stream:
                reply.body = self._locked(reply.body)  # type: ignore[arg-type]
            return reply
        return self._json(200, reply)

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


def check_beta_header(value: str | None, *, required: bool = True) -> None:
    """`OpenAI-Beta: assistants=v2` is required on assistants and threads routes."""
    versions = [
        part.split("=", 1)[1].strip()
        for part in (value or "").split(",")
        if part.strip().startswith("assistants=")
    ]
    if not versions:
        if required:
            raise catalog.missing_beta_header()
        return
    if "v2" in versions:
        return
    if "v1" in versions:
        raise catalog.v1_deprecated()
    raise catalog.missing_beta_header()
