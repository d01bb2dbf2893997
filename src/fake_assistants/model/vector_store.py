"""Vector stores, vector-store files and file batches as stored, and their wire shapes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal, get_args

from ..core.types import Json, Shape

DAY = 86_400

# A vector-store file's status: changed only through vector_store_file_lifecycle. In the order the API
# lists them (`file_counts`, and the `filter` parameter's error).
IngestionStatus = Literal["in_progress", "completed", "failed", "cancelled"]
INGESTION_STATUSES: Final[tuple[IngestionStatus, ...]] = get_args(IngestionStatus)
# A batch's status, derived from its files and its `cancelled` flag (`FileBatch.status`, file_batch_lifecycle).
BatchStatus = Literal["in_progress", "completed", "failed", "cancelled"]
# A store's status, derived: `expired` for good once its expiry passed, else whether a file is in progress.
VectorStoreStatus = Literal["expired", "in_progress", "completed"]


def file_counts(statuses: Sequence[str]) -> Json:
    counts: Json = {status: statuses.count(status) for status in INGESTION_STATUSES}
    counts["total"] = len(statuses)
    return counts


@dataclass(slots=True)
class VectorStoreFile:
    id: str  # the File id
    created_at: int
    vector_store_id: str
    chunking_strategy: Json
    attributes: dict[str, Any] | None = field(default_factory=dict)
    status: IngestionStatus = "in_progress"
    last_error: Json | None = None
    usage_bytes: int = 0
    batch_ids: list[str] = field(default_factory=list)  # the batches it was attached in, oldest first
    polls: int = 0
    # A document's extracted text (runs/document_text.py), set when ingestion completes; None when the File's
    # bytes are its text (text and source files), so those are never copied.
    text: str | None = None

    def to_wire(self, shape: Shape) -> Json:
        return {
            "id": self.id,
            "object": "vector_store.file",
            "usage_bytes": self.usage_bytes,
            "created_at": self.created_at,
            "vector_store_id": self.vector_store_id,
            "status": self.status,
            "last_error": self.last_error,
            "chunking_strategy": self.chunking_strategy,
            "attributes": self.attributes,
        }


@dataclass(slots=True)
class VectorStore:
    id: str
    created_at: int
    name: str | None = None
    description: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    expires_after: Json | None = None
    expires_at: int | None = None
    last_active_at: int | None = None
    expired: bool = False
    # the files deleting their File took out of the store, which a delete still answers, once (detach_file)
    removed_with_file: list[str] = field(default_factory=list)

    def touch(self, now: int) -> None:
        """The store was used: `last_active_at` moves, and with it an expiry anchored there."""
        self.last_active_at = now
        self.set_expiry(self.expires_after)

    def set_expiry(self, expires_after: Json | None) -> None:
        """`{"anchor": "last_active_at", "days": n}`: expire n days after the last activity (None: never)."""
        self.expires_after = expires_after
        if expires_after is None:
            self.expires_at = None
        else:
            self.expires_at = (self.last_active_at or self.created_at) + expires_after["days"] * DAY

    def expire_if_due(self, now: int) -> bool:
        """Whether the store has expired (for good) by `now`."""
        if not self.expired and self.expires_at is not None and now >= self.expires_at:
            self.expired = True
        return self.expired

    def to_wire(self, shape: Shape, files: list[VectorStoreFile]) -> Json:
        statuses = [f.status for f in files]
        status: VectorStoreStatus = (
            "expired" if self.expired else ("in_progress" if "in_progress" in statuses else "completed")
        )
        name = self.name if self.name is not None or shape == "recorded" else ""
        return {
            "id": self.id,
            "object": "vector_store",
            "created_at": self.created_at,
            "name": name,
            "description": self.description,
            "usage_bytes": sum(f.usage_bytes for f in files),
            "file_counts": file_counts(statuses),
            "status": status,
            "expires_after": self.expires_after,
            "expires_at": self.expires_at,
            "last_active_at": self.last_active_at,
            "metadata": self.metadata,
        }


@dataclass(slots=True)
class FileBatch:
    id: str
    created_at: int
    vector_store_id: str
    file_ids: list[str]
    cancelled: bool = False  # set only by file_batch_lifecycle.cancel

    def status(self, files: Sequence[VectorStoreFile]) -> BatchStatus:
        """Cancelled once cancelled; else in progress while a file is; failed when every file (at least
        one) failed; else completed (see file_batch_lifecycle)."""
        if self.cancelled:
            return "cancelled"
        statuses = [f.status for f in files]
        if "in_progress" in statuses:
            return "in_progress"
        if statuses and all(s == "failed" for s in statuses):
            return "failed"
        return "completed"

    def to_wire(self, shape: Shape, files: list[VectorStoreFile]) -> Json:
        return {
            "id": self.id,
            # the service said "vector_store.file_batch"; the schema and SDK say "files_batch"
            "object": "vector_store.file_batch" if shape == "recorded" else "vector_store.files_batch",
            "created_at": self.created_at,
            "status": self.status(files),
            "vector_store_id": self.vector_store_id,
            "file_counts": file_counts([f.status for f in files]),
        }
