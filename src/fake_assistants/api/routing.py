"""The route table: the one source of truth for what is implemented."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ..core import error_catalog as catalog
from ..core.api_versions import BOTH, ApiVersion
from ..core.sse import EventStream
from ..core.wire import ApiResponse
from .context import Context

Beta = Literal["required", "optional"]
Reply = dict[str, Any] | ApiResponse | EventStream

# Path parameters whose prefix the real service checks before looking anything up.
PREFIXED_PARAMS = frozenset(
    {"assistant_id", "thread_id", "message_id", "run_id", "step_id", "vector_store_id", "batch_id"}
)


@dataclass(frozen=True, slots=True)
class Call:
    """One routed request: path parameters, query pairs, raw body and headers."""

    path_params: Mapping[str, str]
    query: Sequence[tuple[str, str]]
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)

    def param(self, name: str) -> str:
        return self.path_params[name]


Handler = Callable[[Context, Call], Reply]


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    template: str
    name: str
    operation_id: str
    handler: Handler
    beta: Beta = "required"
    versions: frozenset[ApiVersion] = BOTH  # the Assistants API versions that had this route

    @property
    def segments(self) -> tuple[str, ...]:
        return tuple(self.template.strip("/").split("/"))


class RouteTable:
    def __init__(self, routes: Iterable[Route]) -> None:
        self.routes = tuple(routes)
        self._index: dict[tuple[str, int], list[Route]] = {}
        for route in self.routes:
            self._index.setdefault((route.method, len(route.segments)), []).append(route)
        for candidates in self._index.values():  # a literal segment beats a parameter: /threads/runs
            candidates.sort(key=_parameter_positions)

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        parts = path.strip("/").split("/")
        for route in self._index.get((method, len(parts)), ()):
            params = _match_segments(route.segments, parts)
            if params is not None:
                return route, params
        return None


def _parameter_positions(route: Route) -> tuple[bool, ...]:
    return tuple(segment.startswith("{") for segment in route.segments)


def _match_segments(template: Sequence[str], parts: Sequence[str]) -> dict[str, str] | None:
    params: dict[str, str] = {}
    for expected, actual in zip(template, parts, strict=True):
        if expected.startswith("{"):
            if not actual:
                return None
            params[expected[1:-1]] = actual
        elif expected != actual:
            return None
    return params


def check_id_prefixes(params: Mapping[str, str]) -> None:
    for name, value in params.items():
        if name in PREFIXED_PARAMS and not value.startswith(catalog.id_prefix_for(name) + "_"):
            raise catalog.wrong_id_prefix(name, value)
