"""What a caller passed, as a mistake's message shows it: `int 42`, `str '2'`, `None`."""

from __future__ import annotations

MAX_SHOWN = 60  # characters of a value's repr, a longer one cut short


def given(value: object) -> str:
    """`value`'s type and repr (a long repr cut short), or `None`: what a test passed, for a message naming it."""
    if value is None:
        return "None"
    shown = repr(value)
    if len(shown) > MAX_SHOWN:
        shown = shown[:MAX_SHOWN - 3] + "..."
    return f"{type(value).__name__} {shown}"


def quoted(text: str, limit: int = 200) -> str:
    """`text`'s repr, cut to its first `limit` characters and `...` when longer: what another party sent, in a
    message."""
    return repr(text if len(text) <= limit else text[:limit] + "...")
