"""Cursor pagination exactly as the Assistants list endpoints: limit, order, after, before."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

from ..core import error_catalog as catalog

T = TypeVar("T")
Order = Literal["asc", "desc"]
# How many deleted objects a table remembers the place of, so that a page cursor naming one just deleted (a client
# auto-paginating while another deletes) still pages from where it was; an older one is an unknown cursor.
REMEMBERED_DELETIONS = 1024


@dataclass(frozen=True, slots=True)
class ListParams:
    limit: int = 20
    order: Order = "desc"
    after: str | None = None
    before: str | None = None


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    has_more: bool


class OrderedTable(Generic[T]):
    """Objects by id, kept sorted by (created_at, creation sequence) for O(log n) cursor pages."""

    def __init__(self) -> None:
        self._items: dict[str, T] = {}
        self.by_id: Mapping[str, T] = self._items  # read-only: `get` without a Python frame, for per-event checks
        self._key_of: dict[str, tuple[int, int]] = {}
        self._keys: list[tuple[int, int]] = []
        self._ids: list[str] = []
        self._sequence = 0
        self._gone: dict[str, tuple[int, int]] = {}  # recently deleted id -> its key (REMEMBERED_DELETIONS)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, object_id: object) -> bool:
        return object_id in self._items

    def get(self, object_id: str) -> T | None:
        return self._items.get(object_id)

    def add(self, object_id: str, created_at: int, item: T) -> None:
        self._sequence += 1
        key = (created_at, self._sequence)
        self._items[object_id] = item
        self._key_of[object_id] = key
        if not self._keys or key > self._keys[-1]:
            self._keys.append(key)
            self._ids.append(object_id)
        else:
            position = bisect_left(self._keys, key)
            self._keys.insert(position, key)
            self._ids.insert(position, object_id)

    def remove(self, object_id: str) -> T | None:
        item = self._items.pop(object_id, None)
        if item is None:
            return None
        key = self._key_of.pop(object_id)
        position = bisect_left(self._keys, key)
        del self._keys[position]
        del self._ids[position]
        if len(self._gone) >= REMEMBERED_DELETIONS:
            del self._gone[next(iter(self._gone))]  # the oldest deletion
        self._gone[object_id] = key
        return item

    def values(self) -> Iterator[T]:
        """In creation order (ascending)."""
        return (self._items[i] for i in self._ids)

    def page(self, params: ListParams, keep: Callable[[T], bool] | None = None) -> Page[T]:
        keys, ids = self._keys, self._ids
        if keep is not None:
            chosen = [n for n, i in enumerate(self._ids) if keep(self._items[i])]
            keys, ids = [self._keys[n] for n in chosen], [self._ids[n] for n in chosen]
        low, high = 0, len(ids)
        ascending = params.order == "asc"
        if params.after is not None:
            cursor = self._cursor_key(params.after, "after")
            if ascending:
                low = bisect_right(keys, cursor)
            else:
                high = bisect_left(keys, cursor)
        if params.before is not None:
            cursor = self._cursor_key(params.before, "before")
            if ascending:
                high = bisect_left(keys, cursor)
            else:
                low = bisect_right(keys, cursor)
        from_end = params.before is not None and params.after is None
        take = max(0, min(params.limit, high - low))
        has_more = high - low > take
        # the page starts at the low end of the window unless it is taken from the end
        window = range(low, low + take) if ascending != from_end else range(high - take, high)
        positions = window if ascending else reversed(window)
        return Page([self._items[ids[n]] for n in positions], has_more)

    def _cursor_key(self, cursor: str, param: str) -> tuple[int, int]:
        key = self._key_of.get(cursor) or self._gone.get(cursor)
        if key is None:
            raise catalog.invalid_cursor(param, cursor)
        return key
