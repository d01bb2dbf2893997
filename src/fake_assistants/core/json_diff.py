"""Where two JSON values differ, leaf by leaf, for messages: `request.messages[0].content: recorded "a", now "b"`."""

from __future__ import annotations

import json

_ABSENT = object()


def differences(recorded: object, now: object, path: str = "request", *, shared_only: bool = False) -> list[str]:
    """Where `now` differs from `recorded`: `path: recorded X, now Y` for each differing leaf. `shared_only`: only
    where both have a value (a key or an item one of them lacks is not a difference)."""
    if isinstance(recorded, dict) and isinstance(now, dict):
        keys = [k for k in recorded if k in now] if shared_only else [*recorded, *(k for k in now if k not in recorded)]
        found: list[str] = []
        for key in keys:
            found.extend(differences(recorded.get(key), now.get(key), f"{path}.{key}", shared_only=shared_only))
        return found
    if isinstance(recorded, list) and isinstance(now, list):
        count = min(len(recorded), len(now)) if shared_only else max(len(recorded), len(now))
        found = []
        for index in range(count):
            left = recorded[index] if index < len(recorded) else None
            right = now[index] if index < len(now) else None
            found.extend(differences(left, right, f"{path}[{index}]", shared_only=shared_only))
        return found
    if recorded == now:
        return []
    return [f"{path}: recorded {short(recorded)}, now {short(now)}"]


def short(value: object, limit: int = 80) -> str:
    """`value` as JSON, cut to `limit` characters."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit - 3] + "..."
