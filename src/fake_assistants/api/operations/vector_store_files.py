"""Vector-store files: attach, detach, read (which lets ingestion progress), and the store checks they use."""

from __future__ import annotations

import json
from typing import Any

from ...core import error_catalog as catalog
from ...core.types import Json
from ...model import chunking
from ...model.vector_store import VectorStore, VectorStoreFile
from ...runs.document_text import searchable
from .. import request_models as rm
from ..context import Context
from .files import expire_files


def strategy_of(value: rm.AutoChunkingStrategy | rm.StaticChunkingStrategy | None,
                param: str = "chunking_strategy") -> Json:
    """A request's chunking strategy, resolved and checked before anything is created."""
    return chunking.resolve(None if value is None else value.model_dump(), param)


def attach_file(ctx: Context, store: VectorStore, file_id: str, strategy: Json,
                attributes: dict[str, Any] | None, batch_id: str | None = None) -> VectorStoreFile:
    """Attach a File to a store: a new in_progress vector-store file; attaching counts as activity on the store.

    A file the store already has, in progress or completed, attached again with the same chunking strategy and
    attributes is kept as it is and joins the batch: the simple-openai recordings show a second batch of two
    files the store had already ingested `completed` with 2 completed, even when cancelled at once. A failed or
    cancelled file, or one given other settings, starts again. `strategy` is already resolved (`strategy_of`).
    """
    stored = ctx.store.file(file_id)
    table = ctx.store.vs_files[store.id]
    now = ctx.clock.now()
    store.touch(now)
    kept = table.get(file_id)
    if (kept is not None and kept.status in ("in_progress", "completed") and kept.chunking_strategy == strategy
            and same_attributes(kept.attributes, attributes)):
        if batch_id is not None and batch_id not in kept.batch_ids:
            kept.batch_ids.append(batch_id)
        return kept
    table.remove(file_id)
    if file_id in store.removed_with_file:  # attached again (lenient mode's stand-in File): a delete is a delete
        store.removed_with_file.remove(file_id)
    vs_file = VectorStoreFile(
        id=stored.id, created_at=now, vector_store_id=store.id,
        chunking_strategy=strategy, attributes=attributes, batch_ids=[] if batch_id is None else [batch_id],
    )
    table.add(vs_file.id, vs_file.created_at, vs_file)
    return vs_file


def same_attributes(kept: dict[str, Any] | None, given: dict[str, Any] | None) -> bool:
    """Whether a file's attributes and a request's are the same JSON: `true`, `1` and `1.0` differ, and none (null)
    is no attributes (`{}`)."""
    return json.dumps(kept or {}, sort_keys=True) == json.dumps(given or {}, sort_keys=True)


def live_store(ctx: Context, vector_store_id: str) -> VectorStore:
    """A store that can still take files or be searched: an expired one is refused."""
    store = ctx.store.vector_store(vector_store_id)
    if store.expire_if_due(ctx.clock.now()):
        raise catalog.vector_store_expired(store.id)
    return store


def settle_store(ctx: Context, store: VectorStore, *, poll: bool) -> None:
    """A read of the store or its files lets ingestion progress (`poll`: a retrieve), and expiry happen."""
    expire_files(ctx)
    store.expire_if_due(ctx.clock.now())
    for vs_file in ctx.store.vs_files[store.id].values():
        ctx.ingestion.on_read(vs_file, ctx.store.files.get(vs_file.id), poll=poll)


def add_file(ctx: Context, vector_store_id: str, file_id: str, strategy: Json,
             attributes: dict[str, Any]) -> VectorStoreFile:
    """The create endpoint: the File must exist (and not have expired) and the store must be live."""
    expire_files(ctx)
    ctx.store.file(file_id)
    store = live_store(ctx, vector_store_id)
    return attach_file(ctx, store, file_id, strategy, attributes)


def poll_file(ctx: Context, vector_store_id: str, file_id: str) -> VectorStoreFile:
    """A retrieve of the file: it counts as a poll of its ingestion."""
    expire_files(ctx)
    vs_file = ctx.store.vs_file(vector_store_id, file_id)
    ctx.ingestion.on_read(vs_file, ctx.store.files.get(vs_file.id), poll=True)
    return vs_file


def set_attributes(vs_file: VectorStoreFile, attributes: dict[str, Any] | None) -> VectorStoreFile:
    vs_file.attributes = None if attributes is None else dict(attributes)
    return vs_file


def detach_file(ctx: Context, vector_store_id: str, file_id: str) -> None:
    """Detach the file from the store; the File itself is kept.

    A file that deleting its File took out of the store answers as detached, once: the simple-openai recordings
    (2024-05) delete the File, then the vector-store file, and read `"deleted": true`.
    """
    store = ctx.store.vector_store(vector_store_id)
    table = ctx.store.vs_files[vector_store_id]
    if table.get(file_id) is None and file_id in store.removed_with_file:
        store.removed_with_file.remove(file_id)
        return
    ctx.store.vs_file(vector_store_id, file_id)  # the 404 (or lenient mode's stand-in)
    table.remove(file_id)


def parsed_text(ctx: Context, vector_store_id: str, file_id: str) -> str:
    """The parsed text of a completed file (a document's extracted text, see runs/document_text.py); empty
    while it is not completed (the read lets it progress)."""
    expire_files(ctx)
    vs_file = ctx.store.vs_file(vector_store_id, file_id)
    stored = ctx.store.file(vs_file.id)
    ctx.ingestion.on_read(vs_file, stored, poll=False)
    return searchable(vs_file, stored).decode("utf-8", "replace") if vs_file.status == "completed" else ""
