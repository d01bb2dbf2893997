"""The vector-store file state machine: one table owns every ingestion status change.

`INGESTION_TRANSITIONS[status][trigger] -> new status`. A vector-store file is made `in_progress` (lenient
mode's stand-ins are made `completed`); the functions below are the only code that assigns its `status`
afterwards, and each sets the fields that go with the new status:

- `complete`: ingestion ended well (runs/ingestion.py); `usage_bytes` is the File's size.
- `fail`: ingestion failed (a failure rule, an unsupported file type, a File deleted first); `last_error`
  says why and the file uses no bytes.
- `cancel`: the file's batch was cancelled while the file was in progress (file_batch_lifecycle).

Every status but `in_progress` is final. A file attached to a store again is a new `in_progress` file
(the attach replaces the old one), not a transition.
"""

from __future__ import annotations

from typing import Final, Literal

from . import transitions
from .vector_store import IngestionStatus, VectorStoreFile

IngestionTrigger = Literal["complete", "fail", "cancel"]

INGESTION_TRANSITIONS: Final[dict[IngestionStatus, dict[IngestionTrigger, IngestionStatus]]] = {
    "in_progress": {"complete": "completed", "fail": "failed", "cancel": "cancelled"},
    "completed": {},
    "failed": {},
    "cancelled": {},
}


def can(status: IngestionStatus, trigger: IngestionTrigger) -> bool:
    return transitions.can(INGESTION_TRANSITIONS, status, trigger)


def apply(vs_file: VectorStoreFile, trigger: IngestionTrigger) -> IngestionStatus:
    """Move `vs_file` by `trigger` (`IllegalTransition` when the table has no such move)."""
    status = transitions.next_status(INGESTION_TRANSITIONS, vs_file.status, trigger)
    vs_file.status = status
    return status


def complete(vs_file: VectorStoreFile, usage_bytes: int) -> None:
    apply(vs_file, "complete")
    vs_file.usage_bytes = usage_bytes


def fail(vs_file: VectorStoreFile, code: str, message: str) -> None:
    apply(vs_file, "fail")
    vs_file.last_error = {"code": code, "message": message}
    vs_file.usage_bytes = 0


def cancel(vs_file: VectorStoreFile) -> None:
    apply(vs_file, "cancel")
