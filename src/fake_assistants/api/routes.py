"""Every route the fake serves, and the URL prefixes they are served under."""

from __future__ import annotations

from dataclasses import replace

from ..core.api_versions import V2_ONLY
from .endpoints import assistants, files, messages, runs, threads, vector_store_files, vector_stores
from .routing import Route
from .v1 import endpoints as v1_endpoints

API_PREFIX = "/v1"
# AzureOpenAI sends the same routes under /openai (`/openai/assistants?api-version=...`; assistants paths have no
# /deployments/ segment). Unknown query parameters such as `api-version` are ignored, as everywhere.
AZURE_PREFIX = "/openai"
API_PREFIXES = (API_PREFIX, AZURE_PREFIX)

V2_ROUTES: tuple[Route, ...] = (
    *assistants.ROUTES, *threads.ROUTES, *messages.ROUTES, *runs.ROUTES, *files.ROUTES,
    *(replace(route, versions=V2_ONLY) for route in (*vector_stores.ROUTES, *vector_store_files.ROUTES)),
)
# Every route: the current (v2) API and the six routes only Assistants v1 had (assistant and message files).
ALL_ROUTES: tuple[Route, ...] = (*V2_ROUTES, *v1_endpoints.ROUTES)


def api_route_path(path: str) -> str | None:
    """The route part of `path` after its API prefix (`/v1` or Azure's `/openai`), or None without one."""
    for prefix in API_PREFIXES:
        if path.startswith(prefix + "/"):
            return path[len(prefix):]
    return None
