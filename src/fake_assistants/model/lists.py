"""The list envelope and the deletion answer every object type shares."""

from __future__ import annotations

from ..core.types import Json


def deleted(object_id: str, object_type: str) -> Json:
    return {"id": object_id, "object": f"{object_type}.deleted", "deleted": True}


def list_envelope(data: list[Json], has_more: bool) -> Json:
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": has_more,
    }
