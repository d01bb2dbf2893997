"""/vector_stores/{id}/files and /file_batches: attach, list, retrieve, update, delete, content, batches."""

from __future__ import annotations

from typing import Any

from ...core import error_catalog as catalog
from ...core.types import Json
from ...model import chunking
from ...model.lists import deleted, list_envelope
from ...model.vector_store import FileBatch, VectorStore, VectorStoreFile
from .. import file_requests as fr
from .. import request_models as rm
from ..context import Context
from ..params import list_params, query_value
from ..routing import Call, Route
from ..validation import decode_json_object, validate

FILE_STATUSES = ("in_progress", "completed", "failed", "cancelled")


def attach_file(ctx: Context, store: VectorStore, file_id: str, strategy: Json,
                attributes: dict[str, Any] | None, batch_id: str | None = None) -> VectorStoreFile:
    """Attach a File to a store: a new in_progress vector-store file (re-attaching restarts it).

    `strategy` is already resolved (`chunking.resolve`); attaching counts as activity on the store.
    """
    stored = ctx.store.file(file_id)
    table = ctx.store.vs_files[store.id]
    table.remove(file_id)
    vs_file = VectorStoreFile(
        id=stored.id, created_at=ctx.clock.now(), vector_store_id=store.id,
        chunking_strategy=strategy, attributes=attributes, batch_id=batch_id,
    )
    table.add(vs_file.id, vs_file.created_at, vs_file)
    store.touch(ctx.clock.now())
    return vs_file


def strategy_of(value: rm.AutoChunkingStrategy | rm.StaticChunkingStrategy | None,
                param: str = "chunking_strategy") -> Json:
    """A request's chunking strategy, resolved and checked before anything is created."""
    return chunking.resolve(None if value is None else value.model_dump(), param)


def live_store(ctx: Context, vector_store_id: str) -> VectorStore:
    """A store that can still take files or be searched: an expired one is refused."""
    store = ctx.store.vector_store(vector_store_id)
    if store.expire_if_due(ctx.clock.now()):
        raise catalog.vector_store_expired(store.id)
    return store


def settle_store(ctx: Context, store: VectorStore, *, poll: bool) -> None:
    """A read of the store or its files lets ingestion progress (`poll`: a retrieve), and expiry happen."""
    ctx.store.expire_files(ctx.clock.now())
    store.expire_if_due(ctx.clock.now())
    for vs_file in ctx.store.vs_files[store.id].values():
        ctx.ingestion.on_read(vs_file, ctx.store.files.get(vs_file.id), poll=poll)


def _file_wire(ctx: Context, vs_file: VectorStoreFile) -> Json:
    return vs_file.to_wire(ctx.options.shape)


def create(ctx: Context, call: Call) -> Json:
    ctx.store.vector_store(call.param("vector_store_id"))
    body = validate(fr.CreateVectorStoreFile, decode_json_object(call.body))
    strategy = strategy_of(body.chunking_strategy)
    ctx.store.expire_files(ctx.clock.now())
    ctx.store.file(body.file_id)
    store = live_store(ctx, call.param("vector_store_id"))
    vs_file = attach_file(ctx, store, body.file_id, strategy, dict(body.attributes or {}))
    return _file_wire(ctx, vs_file)


def retrieve(ctx: Context, call: Call) -> Json:
    ctx.store.expire_files(ctx.clock.now())
    vs_file = ctx.store.vs_file(call.param("vector_store_id"), call.param("file_id"))
    ctx.ingestion.on_read(vs_file, ctx.store.files.get(vs_file.id), poll=True)
    return _file_wire(ctx, vs_file)


def update(ctx: Context, call: Call) -> Json:
    vs_file = ctx.store.vs_file(call.param("vector_store_id"), call.param("file_id"))
    body = validate(fr.UpdateVectorStoreFile, decode_json_object(call.body))
    vs_file.attributes = None if body.attributes is None else dict(body.attributes)
    return _file_wire(ctx, vs_file)


def delete(ctx: Context, call: Call) -> Json:
    """Detach the file from the store; the File itself is kept."""
    vector_store_id, file_id = call.param("vector_store_id"), call.param("file_id")
    ctx.store.vs_file(vector_store_id, file_id)
    ctx.store.vs_files[vector_store_id].remove(file_id)
    return deleted(file_id, "vector_store.file")


def list_(ctx: Context, call: Call) -> Json:
    store = ctx.store.vector_store(call.param("vector_store_id"))
    settle_store(ctx, store, poll=False)
    status = _status_filter(call)
    page = ctx.store.vs_files[store.id].page(
        list_params(call.query), None if status is None else (lambda f: f.status == status)
    )
    return list_envelope([_file_wire(ctx, f) for f in page.items], page.has_more)


def content(ctx: Context, call: Call) -> Json:
    """The parsed text of a completed file (one `text` item); nothing while it is not completed."""
    ctx.store.expire_files(ctx.clock.now())
    vs_file = ctx.store.vs_file(call.param("vector_store_id"), call.param("file_id"))
    stored = ctx.store.file(vs_file.id)
    ctx.ingestion.on_read(vs_file, stored, poll=False)
    text = stored.data.decode("utf-8", "replace") if vs_file.status == "completed" else ""
    return {
        "object": "vector_store.file_content.page",
        "data": [{"type": "text", "text": text}] if text else [],
        "has_more": False,
        "next_page": None,
    }


def _status_filter(call: Call) -> str | None:
    status = query_value(call.query, "filter")
    if status is not None and status not in FILE_STATUSES:
        raise catalog.invalid_value("filter", status, FILE_STATUSES)
    return status


# -- file batches -----------------------------------------------------------------------------------

BatchEntry = tuple[str, Json, dict[str, Any]]  # (file id, resolved strategy, attributes)


def create_batch(ctx: Context, call: Call) -> Json:
    ctx.store.vector_store(call.param("vector_store_id"))
    body = validate(fr.CreateFileBatch, decode_json_object(call.body))
    entries = _batch_entries(body)
    ctx.store.expire_files(ctx.clock.now())
    for file_id, _, _ in entries:
        ctx.store.file(file_id)
    store = live_store(ctx, call.param("vector_store_id"))
    batch = FileBatch(id=ctx.ids.new("file_batch"), created_at=ctx.clock.now(),
                      vector_store_id=store.id, file_ids=[e[0] for e in entries])
    ctx.store.batches[batch.id] = batch
    for file_id, strategy, attributes in entries:
        attach_file(ctx, store, file_id, strategy, attributes, batch.id)
    return batch.to_wire(ctx.options.shape, ctx.store.batch_files(batch))


def _batch_entries(body: fr.CreateFileBatch) -> list[BatchEntry]:
    """Exactly one of `file_ids` (sharing `chunking_strategy` and `attributes`) or `files` (each its own)."""
    if (body.file_ids is None) == (body.files is None):
        raise catalog.batch_needs_one_of()
    if body.files is not None:
        return [
            (f.file_id, strategy_of(f.chunking_strategy, f"files[{n}].chunking_strategy"), dict(f.attributes or {}))
            for n, f in enumerate(body.files)
        ]
    strategy = strategy_of(body.chunking_strategy)
    return [(file_id, strategy, dict(body.attributes or {})) for file_id in body.file_ids or []]


def _batch_wire(ctx: Context, batch: FileBatch, *, poll: bool) -> Json:
    ctx.store.expire_files(ctx.clock.now())
    files = ctx.store.batch_files(batch)
    for vs_file in files:
        ctx.ingestion.on_read(vs_file, ctx.store.files.get(vs_file.id), poll=poll)
    return batch.to_wire(ctx.options.shape, files)


def retrieve_batch(ctx: Context, call: Call) -> Json:
    batch = ctx.store.batch(call.param("vector_store_id"), call.param("batch_id"))
    return _batch_wire(ctx, batch, poll=True)


def cancel_batch(ctx: Context, call: Call) -> Json:
    """In-progress files become `cancelled` at once (the batch with them); a finished batch stays as it is."""
    batch = ctx.store.batch(call.param("vector_store_id"), call.param("batch_id"))
    validate(rm.EmptyBody, decode_json_object(call.body))
    files = ctx.store.batch_files(batch)
    if any(f.status == "in_progress" for f in files):
        batch.cancelled = True
        for vs_file in files:
            if vs_file.status == "in_progress":
                vs_file.status = "cancelled"
    return batch.to_wire(ctx.options.shape, files)


def list_batch_files(ctx: Context, call: Call) -> Json:
    batch = ctx.store.batch(call.param("vector_store_id"), call.param("batch_id"))
    _batch_wire(ctx, batch, poll=False)
    status = _status_filter(call)
    table = ctx.store.vs_files[batch.vector_store_id]
    page = table.page(list_params(call.query),
                      lambda f: f.batch_id == batch.id and (status is None or f.status == status))
    return list_envelope([_file_wire(ctx, f) for f in page.items], page.has_more)


_VS = "/vector_stores/{vector_store_id}"
ROUTES = (
    Route("GET", _VS + "/files", "vector_stores.files.list", "listVectorStoreFiles", list_, beta="optional"),
    Route("POST", _VS + "/files", "vector_stores.files.create", "createVectorStoreFile", create, beta="optional"),
    Route("GET", _VS + "/files/{file_id}", "vector_stores.files.retrieve", "getVectorStoreFile", retrieve,
          beta="optional"),
    Route("POST", _VS + "/files/{file_id}", "vector_stores.files.update", "updateVectorStoreFileAttributes",
          update, beta="optional"),
    Route("DELETE", _VS + "/files/{file_id}", "vector_stores.files.delete", "deleteVectorStoreFile", delete,
          beta="optional"),
    Route("GET", _VS + "/files/{file_id}/content", "vector_stores.files.content",
          "retrieveVectorStoreFileContent", content, beta="optional"),
    Route("POST", _VS + "/file_batches", "vector_stores.file_batches.create", "createVectorStoreFileBatch",
          create_batch, beta="optional"),
    Route("GET", _VS + "/file_batches/{batch_id}", "vector_stores.file_batches.retrieve",
          "getVectorStoreFileBatch", retrieve_batch, beta="optional"),
    Route("POST", _VS + "/file_batches/{batch_id}/cancel", "vector_stores.file_batches.cancel",
          "cancelVectorStoreFileBatch", cancel_batch, beta="optional"),
    Route("GET", _VS + "/file_batches/{batch_id}/files", "vector_stores.file_batches.list_files",
          "listFilesInVectorStoreBatch", list_batch_files, beta="optional"),
)
