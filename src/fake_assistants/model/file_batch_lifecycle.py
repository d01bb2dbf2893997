"""The file batch state machine: one table owns the one status change a batch makes itself.

A batch stores no status: what it reports is derived from its files and its `cancelled` flag
(`FileBatch.status`, model/vector_store.py), in this order:

- `cancelled`: the batch was cancelled (the one change a batch makes itself: `cancel`, below);
- `in_progress`: some file of the batch is still being ingested;
- `failed`: every file of the batch failed (and it has at least one);
- `completed`: otherwise (its files completed or failed, or it has none left).

So a batch moves from `in_progress` to `completed` or `failed` as its last file finishes (each file by
its own table, vector_store_file_lifecycle), and to `cancelled` only by `cancel`, which the table allows
only from `in_progress`: the batch and each of its in-progress files become cancelled; files already
finished stay as they are. A finished batch cannot be cancelled (the endpoint answers it unchanged).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Literal

from . import transitions
from . import vector_store_file_lifecycle as file_lifecycle
from .vector_store import BatchStatus, FileBatch, VectorStoreFile

BatchTrigger = Literal["cancel"]

BATCH_TRANSITIONS: Final[dict[BatchStatus, dict[BatchTrigger, BatchStatus]]] = {
    "in_progress": {"cancel": "cancelled"},
    "completed": {},
    "failed": {},
    "cancelled": {},
}


def can(status: BatchStatus, trigger: BatchTrigger) -> bool:
    return transitions.can(BATCH_TRANSITIONS, status, trigger)


def cancel(batch: FileBatch, files: Sequence[VectorStoreFile]) -> None:
    """Cancel an in-progress batch and its in-progress files (`IllegalTransition` for a finished batch)."""
    transitions.next_status(BATCH_TRANSITIONS, batch.status(files), "cancel")
    batch.cancelled = True
    for vs_file in files:
        if file_lifecycle.can(vs_file.status, "cancel"):
            file_lifecycle.cancel(vs_file)
