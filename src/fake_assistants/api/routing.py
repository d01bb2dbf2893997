"""The route table: the one source of truth for what is implemented, and the one router.

`RouteTable` matches a method and a path against path templates (`/threads/{thread_id}/runs`); it is generic over
the route record, so the Assistants API (`Route`) and the control API (its own records) share it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, Protocol, TypeVar

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


@dataclass(slots=True)
class Call:
    """One routed request: path parameters, query pairs, raw body and headers. Handlers only read it (it is not
    frozen because one is built for every request, and a frozen dataclass costs three times as much to build)."""

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
    streams: bool = False  # answers with an event stream for `"stream": true` (the body's `stream`, in the spec)

    @property
    def segments(self) -> tuple[str, ...]:
        return segments_of(self.template)


class Routable(Protocol):
    """What the router matches a request against: a method and a path template with `{name}` parameters."""

    @property
    def method(self) -> str: ...

    @property
    def template(self) -> str: ...


R = TypeVar("R", bound=Routable)
Candidate = tuple[tuple[str, ...], R]  # a route with its template split into segments once
# A route with its template as a pattern over the path without its outer slashes: each literal segment as it
# is, each parameter one non-empty segment (a named group), so a match's groups are the path parameters.
Matcher = tuple[re.Pattern[str], R]


class RouteTable(Generic[R]):
    """The one router: the first route whose template matches, a literal segment before a parameter."""

    def __init__(self, routes: Iterable[R]) -> None:
        self.routes: tuple[R, ...] = tuple(routes)
        # (method, number of segments, first segment) -> the routes that can match, in the order they are
        # tried; (..., None) holds those whose first segment is a parameter, tried for any first segment.
        self._index: dict[tuple[str, int, str | None], list[Matcher[R]]] = {}
        candidates = [(segments_of(route.template), route) for route in self.routes]
        keys: dict[tuple[str, int, str | None], None] = {}
        for segments, route in candidates:
            first = None if segments[0].startswith("{") else segments[0]
            keys[(route.method, len(segments), first)] = None
        for key in keys:
            method, length, first = key
            found = [c for c in candidates if c[1].method == method and len(c[0]) == length
                     and (c[0][0] == first or c[0][0].startswith("{"))]
            found.sort(key=_parameter_positions)  # a literal segment beats a parameter: /threads/runs
            self._index[key] = [(_pattern(segments), route) for segments, route in found]

    def match(self, method: str, path: str) -> tuple[R, dict[str, str]] | None:
        stripped = path.strip("/")
        parts = stripped.split("/")
        found = self._index.get((method, len(parts), parts[0]))
        if found is None:
            found = self._index.get((method, len(parts), None), [])
        for pattern, route in found:
            matched = pattern.fullmatch(stripped)
            if matched is not None:
                return route, matched.groupdict()
        return None


def segments_of(template: str) -> tuple[str, ...]:
    return tuple(template.strip("/").split("/"))


def _parameter_positions(candidate: Candidate[Any]) -> tuple[bool, ...]:
    return tuple(segment.startswith("{") for segment in candidate[0])


def _pattern(template: Sequence[str]) -> re.Pattern[str]:
    """What a path (outer slashes stripped) of as many segments as `template` must be to match it: a literal
    segment itself, a parameter any non-empty segment (its group, named after it, in the template's order)."""
    return re.compile("/".join(f"(?P<{segment[1:-1]}>[^/]+)" if segment.startswith("{") else re.escape(segment)
                               for segment in template))


# The path parameters whose prefix is checked, with the prefix an id must begin with.
_REQUIRED_PREFIXES = {name: catalog.id_prefix_for(name) + "_" for name in PREFIXED_PARAMS}


def check_id_prefixes(params: Mapping[str, str]) -> None:
    for name, value in params.items():
        prefix = _REQUIRED_PREFIXES.get(name)
        if prefix is not None and not value.startswith(prefix):
            raise catalog.wrong_id_prefix(name, value)
