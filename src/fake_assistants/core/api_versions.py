"""Which Assistants API version a request asks for (its `OpenAI-Beta` header) and which ones a fake serves.

By default only v2 is served and `assistants=v1` gets the deprecation error the last real service sent.
With v1 enabled, v1 requests are served as v1 was in its final spec (`v1_endpoints`, `v1_view`).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Literal

from . import error_catalog as catalog

ApiVersion = Literal["v1", "v2"]
KNOWN_VERSIONS: tuple[ApiVersion, ...] = ("v1", "v2")
DEFAULT_VERSIONS: tuple[ApiVersion, ...] = ("v2",)
BOTH: frozenset[ApiVersion] = frozenset(KNOWN_VERSIONS)
V1_ONLY: frozenset[ApiVersion] = frozenset({"v1"})
V2_ONLY: frozenset[ApiVersion] = frozenset({"v2"})


def check_versions(values: Iterable[str] | str) -> tuple[ApiVersion, ...]:
    """The `api_versions` option, checked: a non-empty selection of "v1" and "v2" (or "v1,v2")."""
    items = [v.strip() for v in values.split(",")] if isinstance(values, str) else list(values)
    unknown = [v for v in items if v not in KNOWN_VERSIONS]
    if unknown or not items:
        raise ValueError(f"api_versions must name 'v1' and/or 'v2', got {items!r}")
    return tuple(v for v in KNOWN_VERSIONS if v in items)


@lru_cache(maxsize=64)  # a client sends the same header every time; an error is raised anew each time
def requested_version(header: str | None, enabled: tuple[ApiVersion, ...], *,
                      required: bool) -> ApiVersion | None:
    """The version the `OpenAI-Beta` header asks for, if this fake serves it; None when the header names
    none and none is required. Otherwise the real `invalid_beta` errors: the missing-header wording names
    the newest version served, and v1 not served is "deprecated"."""
    asked = [
        part.split("=", 1)[1].strip()
        for part in (header or "").split(",")
        if part.strip().startswith("assistants=")
    ]
    if not asked:
        if required:
            raise catalog.missing_beta_header(enabled[-1])
        return None
    for version in reversed(enabled):
        if version in asked:
            return version
    if "v1" in asked and "v1" not in enabled:
        raise catalog.v1_deprecated()
    raise catalog.missing_beta_header(enabled[-1])


def check_route_version(version: ApiVersion | None, served_by: frozenset[ApiVersion]) -> None:
    """A route of one version only, asked for in the other: v1-only routes (assistant and message files)
    answer as the real service did after v1; v2-only routes (vector stores, message delete) ask for v2."""
    asked: ApiVersion = version or "v2"
    if asked in served_by:
        return
    if "v1" in served_by:
        raise catalog.v1_endpoint_deprecated()
    raise catalog.missing_beta_header("v2")
