"""/vector_stores: create, list, retrieve, modify, delete, search."""

from __future__ import annotations

from ...core.types import Json
from ...model.lists import deleted, list_envelope
from ...model.vector_store import VectorStore
from .. import file_requests as fr
from ..context import Context
from ..operations import vector_stores as ops
from ..operations.vector_store_files import settle_store
from ..params import list_params
from ..routing import Call, Route
from ..validation import decode_json_object, validate


def _wire(ctx: Context, store: VectorStore) -> Json:
    return store.to_wire(ctx.options.shape, list(ctx.store.vs_files[store.id].values()))


def _settled_wire(ctx: Context, store: VectorStore, *, poll: bool) -> Json:
    settle_store(ctx, store, poll=poll)
    return _wire(ctx, store)


def create(ctx: Context, call: Call) -> Json:
    body = validate(fr.CreateVectorStore, decode_json_object(call.body))
    return _wire(ctx, ops.new_vector_store(ctx, body))


def retrieve(ctx: Context, call: Call) -> Json:
    """A retrieve counts as a poll of the store's in-progress files (apps poll the store's status)."""
    return _settled_wire(ctx, ctx.store.vector_store(call.param("vector_store_id")), poll=True)


def modify(ctx: Context, call: Call) -> Json:
    store = ctx.store.vector_store(call.param("vector_store_id"))
    body = validate(fr.ModifyVectorStore, decode_json_object(call.body))
    return _settled_wire(ctx, ops.modify_vector_store(ctx, store, body), poll=False)


def delete(ctx: Context, call: Call) -> Json:
    vector_store_id = call.param("vector_store_id")
    ops.delete_vector_store(ctx, vector_store_id)
    return deleted(vector_store_id, "vector_store")


def list_(ctx: Context, call: Call) -> Json:
    page = ctx.store.vector_stores.page(list_params(call.query))
    return list_envelope([_settled_wire(ctx, s, poll=False) for s in page.items], page.has_more)


def search(ctx: Context, call: Call) -> Json:
    """The store's search results; `search_query` reports the queries as searched (see `ops.search`)."""
    ctx.store.vector_store(call.param("vector_store_id"))
    body = validate(fr.SearchVectorStore, decode_json_object(call.body))
    results = ops.search(ctx, call.param("vector_store_id"), body)
    return {
        "object": "vector_store.search_results.page",
        "search_query": results.queries,
        "data": [
            {"file_id": h.file.id, "filename": h.stored.filename, "score": h.score,
             "attributes": h.file.attributes or {}, "content": [{"type": "text", "text": h.chunk}]}
            for h in results.hits
        ],
        "has_more": False,
        "next_page": None,
    }


ROUTES = (
    Route("GET", "/vector_stores", "vector_stores.list", "listVectorStores", list_, beta="optional"),
    Route("POST", "/vector_stores", "vector_stores.create", "createVectorStore", create, beta="optional"),
    Route("GET", "/vector_stores/{vector_store_id}", "vector_stores.retrieve", "getVectorStore", retrieve,
          beta="optional"),
    Route("POST", "/vector_stores/{vector_store_id}", "vector_stores.update", "modifyVectorStore", modify,
          beta="optional"),
    Route("DELETE", "/vector_stores/{vector_store_id}", "vector_stores.delete", "deleteVectorStore", delete,
          beta="optional"),
    Route("POST", "/vector_stores/{vector_store_id}/search", "vector_stores.search", "searchVectorStore", search,
          beta="optional"),
)
