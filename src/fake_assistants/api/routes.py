"""Every route the fake serves, and the URL prefixes they are served under."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import replace
from fnmatch import fnmatchcase
from functools import cache
from typing import Any

from ..core.api_versions import V2_ONLY
from .endpoints import assistants, files, messages, runs, threads, vector_store_files, vector_stores
from .routing import Route, RouteTable
from .v1 import endpoints as v1_endpoints

API_PREFIX = "/v1"
# AzureOpenAI sends the same routes under /openai (`/openai/assistants?api-version=...`; assistants paths have no
# /deployments/ segment). `api-version` chooses the Assistants version of a request without the `OpenAI-Beta`
# header (layers/versions.py); other unknown query parameters are ignored, as everywhere.
AZURE_PREFIX = "/openai"
API_PREFIXES = (API_PREFIX, AZURE_PREFIX)
CONTROL_PREFIX = "/__fake__"  # a served fake's control API (server/control_api.py), beside the API, not under it

V2_ROUTES: tuple[Route, ...] = (
    *assistants.ROUTES, *threads.ROUTES, *messages.ROUTES, *runs.ROUTES, *files.ROUTES,
    *(replace(route, versions=V2_ONLY) for route in (*vector_stores.ROUTES, *vector_store_files.ROUTES)),
)
# Every route: the current (v2) API and the six routes only Assistants v1 had (assistant and message files).
ALL_ROUTES: tuple[Route, ...] = (*V2_ROUTES, *v1_endpoints.ROUTES)


def api_route_path(path: str) -> str | None:
    """The route part of `path` after its API prefix (`/v1` or Azure's `/openai`), or None without one."""
    for prefix, length in _PREFIX_SLASHES:
        if path.startswith(prefix):
            return path[length:]
    return None


_PREFIX_SLASHES = tuple((prefix + "/", len(prefix)) for prefix in API_PREFIXES)  # what api_route_path looks for

# The first path segment of the other OpenAI APIs, which the fake does not serve: their 404 names the API.
OTHER_APIS: dict[str, str] = {
    "responses": "Responses API", "chat": "Chat Completions API", "completions": "Completions API",
    "conversations": "Conversations API", "embeddings": "Embeddings API", "models": "Models API",
    "moderations": "Moderations API", "images": "Images API", "audio": "Audio API", "realtime": "Realtime API",
    "fine_tuning": "Fine-tuning API", "batches": "Batch API", "uploads": "Uploads API", "evals": "Evals API",
    "containers": "Containers API", "organization": "Administration API",
}


def other_api(route_path: str) -> str | None:
    """The OpenAI API, not served here, that a route path (after its API prefix) belongs to, or None."""
    return OTHER_APIS.get(route_path.strip("/").partition("/")[0])


def for_another_api(path: str) -> bool:
    """Whether a request path is for an OpenAI API the fake does not serve (`/v1/responses`, `/v1/chat/completions`,
    Azure's `/openai/deployments/<name>/chat/completions`, ...): what `other_apis=` transports answer."""
    route_path = api_route_path(path)
    if route_path is None:
        return False
    if path.startswith(AZURE_PREFIX + "/deployments/"):  # Azure's other APIs name a deployment first
        route_path = below_deployment(route_path)
    return other_api(route_path) is not None


def below_deployment(route_path: str) -> str:
    """What follows an Azure deployment in a route path: `/chat/completions` of `/deployments/gpt-4o/chat/completions`
    (empty for `/deployments/gpt-4o`)."""
    return "/" + route_path.split("/", 3)[3] if route_path.count("/") >= 3 else ""


# The name of every route, in the table's order: what faults, the journal and the control API take as `route`.
ROUTE_NAMES: tuple[str, ...] = tuple(dict.fromkeys(route.name for route in ALL_ROUTES))
PATTERN_CHARACTERS = frozenset("*?[")


class UnknownRoute(KeyError, ValueError):
    """A route name (or pattern) that names no route, with the closest names as a suggestion.

    `route` is the name given, `suggestions` the closest route names (for a request path, the routes served
    there); `paths`: whether the caller also matches request paths (the journal's `path=`). `str()` is the message
    for Python code; `over_http` the same for a client of the control API, which points to `GET /__fake__/routes`
    (and `GET /__fake__/calls?path=`) instead of Python names."""

    def __init__(self, route: str, suggestions: Sequence[str] = (), paths: bool = False) -> None:
        super().__init__(_unknown_route_text(route, suggestions, paths, http=False))
        self.route = route
        self.suggestions = tuple(suggestions)
        self.paths = paths

    def __str__(self) -> str:
        return str(self.args[0])

    def __reduce__(self) -> tuple[Any, ...]:  # pickles (xdist, processes), with notes and other state
        return UnknownRoute, (self.route, self.suggestions, self.paths), self.__dict__

    @property
    def over_http(self) -> str:
        return _unknown_route_text(self.route, self.suggestions, self.paths, http=True)


def _unknown_route_text(route: str, suggestions: Sequence[str], paths: bool, *, http: bool) -> str:
    hint = f" (did you mean {' or '.join(repr(name) for name in suggestions)}?)" if suggestions else ""
    kind = "pattern" if PATTERN_CHARACTERS & set(route) else "route"
    listing = "GET /__fake__/routes" if http else "fake_assistants.ROUTES"
    path = ""
    if route.startswith("/") and paths:
        path = ("; a request path is matched by path=, as GET /__fake__/calls?path=/v1/threads/*" if http
                else "; a request path is matched by path=, as fake.calls.filter(path='/v1/threads/*')")
    elif route.startswith("/"):
        path = "; a fault names a route, not a request path"
    return (f"unknown {kind} {route!r}{hint}; route names are resource.action, such as 'runs.create' "
            f"({listing} lists them all){path}")


def routes_at(path: str) -> list[str]:
    """The names of the routes the router serves at `path`, one per method (`/v1/threads/thread_abc/runs`:
    runs.list and runs.create); none for a path with no API prefix or no route."""
    route_path = api_route_path(path.split("?")[0])
    if route_path is None:
        return []
    table = _every_route()
    return [found[0].name for method in dict.fromkeys(route.method for route in table.routes)
            if (found := table.match(method, route_path)) is not None]


@cache
def _every_route() -> RouteTable[Route]:
    """The router over every route (built when a path is first given for a route name, not at import)."""
    return RouteTable(ALL_ROUTES)


def check_route(route: str, *, paths: bool = False) -> str:
    """`route` if it is a route name, or a pattern (`runs.*`) that matches at least one; else UnknownRoute,
    suggesting the closest names (for a request path, the routes served there). `paths`: the caller also matches
    request paths, which the message then points to."""
    if route in ROUTE_NAMES or (
        PATTERN_CHARACTERS & set(route) and any(fnmatchcase(name, route) for name in ROUTE_NAMES)
    ):
        return route
    if route.startswith("/"):
        raise UnknownRoute(route, routes_at(route), paths=paths)
    sdk_name = route_of_sdk_method(route)
    close = [sdk_name] if sdk_name is not None else difflib.get_close_matches(route, ROUTE_NAMES, n=2, cutoff=0.6)
    raise UnknownRoute(route, close, paths=paths)


# The SDK's helpers that poll or stream: the request each one starts with.
_SDK_HELPERS = {
    "create_and_poll": "create", "create_and_stream": "create", "stream": "create", "poll": "retrieve",
    "submit_tool_outputs_and_poll": "submit_tool_outputs", "submit_tool_outputs_stream": "submit_tool_outputs",
    "create_and_run_poll": "create_and_run", "create_and_run_stream": "create_and_run",
}
_UPLOADS = ("upload", "upload_and_poll")  # a vector store's upload helpers upload the file first: files.create


def route_of_sdk_method(name: str) -> str | None:
    """The route an SDK method's path names (`beta.threads.runs.create` -> `runs.create`), or of the request
    an SDK helper starts with (`client.beta.threads.create_and_run_poll` -> `threads.create_and_run`,
    `vector_stores.files.upload_and_poll` -> `files.create`), or None."""
    parts = name.split(".")
    while parts and parts[0] in ("client", "openai_client", "beta"):
        parts = parts[1:]
    if len(parts) > 2 and parts[0] == "threads" and parts[1] in ("runs", "messages"):
        parts = parts[1:]
    if parts and parts[-1] in _UPLOADS:
        parts = ["files", "create"]
    elif parts:
        parts[-1] = _SDK_HELPERS.get(parts[-1], parts[-1])
    found = ".".join(parts)
    return found if found != name and found in ROUTE_NAMES else None
