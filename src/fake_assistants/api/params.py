"""Query-string parameters: list cursors and `include[]`."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..core import error_catalog as catalog
from ..store.pagination import ListParams

ORDERS = ("asc", "desc")
SEARCH_CONTENT = "step_details.tool_calls[*].file_search.results[*].content"  # the one `include[]` value
_INTEGER = re.compile(r"-?[0-9]+")
_MAX_DIGITS = 1000  # longer is out of range anyway (and int() refuses more than 4300 digits)


def query_value(query: Sequence[tuple[str, str]], name: str) -> str | None:
    for key, value in query:
        if key == name:
            return value
    return None


def query_values(query: Sequence[tuple[str, str]], name: str) -> list[str]:
    """Array parameters in bracket form (`include[]=a&include[]=b`), as the SDK sends them."""
    return [v for k, v in query if k in (name, f"{name}[]")]


def parse_int(name: str, raw: str, minimum: int, maximum: int) -> int:
    """ASCII digits with an optional minus only: Python's int() also takes `1_0`, ` 5` and non-ASCII digits."""
    if not _INTEGER.fullmatch(raw):
        raise catalog.invalid_type(name, "an integer", "a string")
    if len(raw) > _MAX_DIGITS:  # too many digits to be in range
        if raw.startswith("-"):
            raise catalog.number_below_min(name, minimum, raw, integer=True)
        raise catalog.number_above_max(name, maximum, raw, integer=True)
    value = int(raw)
    if value > maximum:
        raise catalog.number_above_max(name, maximum, value, integer=True)
    if value < minimum:
        raise catalog.number_below_min(name, minimum, value, integer=True)
    return value


def list_params(
    query: Sequence[tuple[str, str]],
    *,
    default_limit: int = 20,
    max_limit: int = 100,
    allow_before: bool = True,
) -> ListParams:
    raw_limit = query_value(query, "limit")
    limit = default_limit if raw_limit is None else parse_int("limit", raw_limit, 1, max_limit)
    order = query_value(query, "order") or "desc"
    if order not in ORDERS:
        raise catalog.invalid_value("order", order, ORDERS)
    after = query_value(query, "after") or None
    before = (query_value(query, "before") or None) if allow_before else None
    return ListParams(limit=limit, order="asc" if order == "asc" else "desc", after=after, before=before)


def include_search_content(query: Sequence[tuple[str, str]]) -> bool:
    """`include[]` of runs and steps: whether file_search results carry their content (the only value)."""
    values = query_values(query, "include")
    for value in values:
        if value != SEARCH_CONTENT:
            raise catalog.invalid_value("include[]", value, [SEARCH_CONTENT])
    return bool(values)
