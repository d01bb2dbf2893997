"""/vector_stores/{id}/files and /file_batches: attach, list, retrieve, update, delete, content, batches."""

from __future__ import annotations

from ...core import error_catalog as catalog
from ...core.types import Json
from ...model.lists import deleted, list_envelope
from ...model.vector_store import INGESTION_STATUSES, VectorStoreFile
from .. import file_requests as fr
from .. import request_models as rm
from ..context import Context
from ..operations import file_batches as batch_ops
from ..operations import vector_store_files as ops
from ..params import list_params, query_value
from ..routing import Call, Route
from ..validation import decode_json_object, validate


def _file_wire(ctx: Context, vs_file: VectorStoreFile) -> Json:
    return vs_file.to_wire(ctx.options.shape)


def create(ctx: Context, call: Call) -> Json:
    ctx.store.vector_store(call.param("vector_store_id"))
    body = validate(fr.CreateVectorStoreFile, decode_json_object(call.body))
    strategy = ops.strategy_of(body.chunking_strategy)
    vs_file = ops.add_file(ctx, call.param("vector_store_id"), body.file_id, strategy, dict(body.attributes or {}))
    return _file_wire(ctx, vs_file)


def retrieve(ctx: Context, call: Call) -> Json:
    return _file_wire(ctx, ops.poll_file(ctx, call.param("vector_store_id"), call.param("file_id")))


def update(ctx: Context, call: Call) -> Json:
    vs_file = ctx.store.vs_file(call.param("vector_store_id"), call.param("file_id"))
    body = validate(fr.UpdateVectorStoreFile, decode_json_object(call.body))
    return _file_wire(ctx, ops.set_attributes(vs_file, body.attributes))


def delete(ctx: Context, call: Call) -> Json:
    """Detach the file from the store; the File itself is kept."""
    file_id = call.param("file_id")
    ops.detach_file(ctx, call.param("vector_store_id"), file_id)
    return deleted(file_id, "vector_store.file")


def list_(ctx: Context, call: Call) -> Json:
    store = ctx.store.vector_store(call.param("vector_store_id"))
    ops.settle_store(ctx, store, poll=False)
    status = _status_filter(call)
    page = ctx.store.vs_files[store.id].page(
        list_params(call.query), None if status is None else (lambda f: f.status == status)
    )
    return list_envelope([_file_wire(ctx, f) for f in page.items], page.has_more)


def content(ctx: Context, call: Call) -> Json:
    """The parsed text of a completed file (one `text` item); nothing while it is not completed."""
    text = ops.parsed_text(ctx, call.param("vector_store_id"), call.param("file_id"))
    return {
        "object": "vector_store.file_content.page",
        "data": [{"type": "text", "text": text}] if text else [],
        "has_more": False,
        "next_page": None,
    }


def _status_filter(call: Call) -> str | None:
    status = query_value(call.query, "filter")
    if status is not None and status not in INGESTION_STATUSES:
        raise catalog.invalid_value("filter", status, INGESTION_STATUSES)
    return status


# -- file batches -----------------------------------------------------------------------------------


def create_batch(ctx: Context, call: Call) -> Json:
    ctx.store.vector_store(call.param("vector_store_id"))
    body = validate(fr.CreateFileBatch, decode_json_object(call.body))
    batch = batch_ops.create_batch(ctx, call.param("vector_store_id"), _batch_entries(body))
    return batch.to_wire(ctx.options.shape, ctx.store.batch_files(batch))


def _batch_entries(body: fr.CreateFileBatch) -> list[batch_ops.BatchEntry]:
    """Exactly one of `file_ids` (sharing `chunking_strategy` and `attributes`) or `files` (each its own)."""
    if (body.file_ids is None) == (body.files is None):
        raise catalog.batch_needs_one_of()
    if body.files is not None:
        return [
            (f.file_id, ops.strategy_of(f.chunking_strategy, f"files[{n}].chunking_strategy"),
             dict(f.attributes or {}))
            for n, f in enumerate(body.files)
        ]
    strategy = ops.strategy_of(body.chunking_strategy)
    return [(file_id, strategy, dict(body.attributes or {})) for file_id in body.file_ids or []]


def retrieve_batch(ctx: Context, call: Call) -> Json:
    batch = ctx.store.batch(call.param("vector_store_id"), call.param("batch_id"))
    return batch.to_wire(ctx.options.shape, batch_ops.settle_batch(ctx, batch, poll=True))


def cancel_batch(ctx: Context, call: Call) -> Json:
    """In-progress files become `cancelled` at once (the batch with them); a finished batch stays as it is."""
    batch = ctx.store.batch(call.param("vector_store_id"), call.param("batch_id"))
    validate(rm.EmptyBody, decode_json_object(call.body))
    return batch.to_wire(ctx.options.shape, batch_ops.cancel_batch(ctx, batch))


def list_batch_files(ctx: Context, call: Call) -> Json:
    batch = ctx.store.batch(call.param("vector_store_id"), call.param("batch_id"))
    batch_ops.settle_batch(ctx, batch, poll=False)
    status = _status_filter(call)
    table = ctx.store.vs_files[batch.vector_store_id]
    page = table.page(list_params(call.query),
                      lambda f: batch.id in f.batch_ids and (status is None or f.status == status))
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
