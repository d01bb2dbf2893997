"""A File as stored (the Files API), and its wire shape."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.types import Json, Shape


@dataclass(slots=True)
class StoredFile:
    id: str
    created_at: int
    filename: str
    purpose: str
    data: bytes
    expires_at: int | None = None

    def expired(self, now: int) -> bool:
        return self.expires_at is not None and now >= self.expires_at

    def to_wire(self, shape: Shape) -> Json:
        return {
            "object": "file",
            "id": self.id,
            "purpose": self.purpose,
            "filename": self.filename,
            "bytes": len(self.data),
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            "status": "processed",
            "status_details": None,
        }
