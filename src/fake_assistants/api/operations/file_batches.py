"""File batches: create (every file checked first), read (which lets their ingestion progress), cancel."""

from __future__ import annotations

from typing import Any

from ...core.types import Json
from ...model import file_batch_lifecycle
from ...model.vector_store import FileBatch, VectorStoreFile
from ..context import Context
from .files import expire_files
from .vector_store_files import attach_file, live_store

BatchEntry = tuple[str, Json, dict[str, Any]]  # (file id, resolved strategy, attributes)


def create_batch(ctx: Context, vector_store_id: str, entries: list[BatchEntry]) -> FileBatch:
    """Every File must exist and the store be live before the batch is made; then each file is attached."""
    expire_files(ctx)
    for file_id, _, _ in entries:
        ctx.store.file(file_id)
    store = live_store(ctx, vector_store_id)
    batch = FileBatch(id=ctx.ids.new("file_batch"), created_at=ctx.clock.now(),
                      vector_store_id=store.id, file_ids=[e[0] for e in entries])
    ctx.store.batches[batch.id] = batch
    for file_id, strategy, attributes in entries:
        attach_file(ctx, store, file_id, strategy, attributes, batch.id)
    return batch


def settle_batch(ctx: Context, batch: FileBatch, *, poll: bool) -> list[VectorStoreFile]:
    """A read of the batch lets its files' ingestion progress (`poll`: a retrieve); returns its files."""
    expire_files(ctx)
    files = ctx.store.batch_files(batch)
    for vs_file in files:
        ctx.ingestion.on_read(vs_file, ctx.store.files.get(vs_file.id), poll=poll)
    return files


def cancel_batch(ctx: Context, batch: FileBatch) -> list[VectorStoreFile]:
    """An in-progress batch and its in-progress files become `cancelled` at once; a finished batch stays
    as it is. Returns the batch's files."""
    files = ctx.store.batch_files(batch)
    if file_batch_lifecycle.can(batch.status(files), "cancel"):
        file_batch_lifecycle.cancel(batch, files)
    return files
