"""/vector_stores: create, list, retrieve, modify, delete, search."""

from __future__ import annotations

from .. import file_requests as fr
from .. import request_models as rm
from .. import search as vs_search
from ..context import Context
from ..file_resources import StoredFile, VectorStore, VectorStoreFile
from ..params import list_params
from ..resources import Json, Thread, deleted, list_envelope
from ..routing import Call, Route
from ..validation import decode_json_object, validate
from .vector_store_files import attach_file, settle_store

DAY = 86_400


def new_vector_store(ctx: Context, body: fr.CreateVectorStore) -> VectorStore:
    """Create a store and attach its files (also used by the `vector_stores` tool_resources helper)."""
    now = ctx.clock.now()
    store = VectorStore(
        id=ctx.ids.new("vector_store"), created_at=now, name=body.name, description=body.description,
        metadata=dict(body.metadata or {}), last_active_at=now,
    )
    if body.expires_after is not None:
        _set_expiry(store, body.expires_after)
    for file_id in body.file_ids or []:
        ctx.store.file(file_id)
    ctx.store.add_vector_store(store)
    strategy = body.chunking_strategy.model_dump() if body.chunking_strategy is not None else None
    for file_id in body.file_ids or []:
        attach_file(ctx, store.id, file_id, strategy, {})
    return store


def _set_expiry(store: VectorStore, expires_after: fr.ExpiresAfter) -> None:
    store.expires_after = expires_after.model_dump()
    store.expires_at = (store.last_active_at or store.created_at) + expires_after.days * DAY


def wire(ctx: Context, store: VectorStore) -> Json:
    settle_store(ctx, store, poll=True)
    return store.to_wire(ctx.options.shape, list(ctx.store.vs_files[store.id].values()))


def create(ctx: Context, call: Call) -> Json:
    body = validate(fr.CreateVectorStore, decode_json_object(call.body))
    store = new_vector_store(ctx, body)
    return store.to_wire(ctx.options.shape, list(ctx.store.vs_files[store.id].values()))


def retrieve(ctx: Context, call: Call) -> Json:
    return wire(ctx, ctx.store.vector_store(call.param("vector_store_id")))


def modify(ctx: Context, call: Call) -> Json:
    store = ctx.store.vector_store(call.param("vector_store_id"))
    body = validate(fr.ModifyVectorStore, decode_json_object(call.body))
    if body.name is not None:
        store.name = body.name
    if body.metadata is not None:
        store.metadata = dict(body.metadata)
    if body.expires_after is not None:
        _set_expiry(store, body.expires_after)
    return wire(ctx, store)


def delete(ctx: Context, call: Call) -> Json:
    vector_store_id = call.param("vector_store_id")
    ctx.store.vector_store(vector_store_id)
    ctx.store.remove_vector_store(vector_store_id)
    return deleted(vector_store_id, "vector_store")


def list_(ctx: Context, call: Call) -> Json:
    page = ctx.store.vector_stores.page(list_params(call.query))
    return list_envelope([wire(ctx, s) for s in page.items], page.has_more)


def search(ctx: Context, call: Call) -> Json:
    store = ctx.store.vector_store(call.param("vector_store_id"))
    body = validate(fr.SearchVectorStore, decode_json_object(call.body))
    settle_store(ctx, store, poll=True)
    store.last_active_at = ctx.clock.now()
    queries = [body.query] if isinstance(body.query, str) else list(body.query)
    threshold = body.ranking_options.score_threshold if body.ranking_options else None
    hits = vs_search.search(
        queries, _candidates(ctx, store.id), max_results=body.max_num_results or 10,
        threshold=threshold or 0.0, filters=body.filters,
    )
    return {
        "object": "vector_store.search_results.page",
        "search_query": queries,
        "data": [
            {"file_id": h.file.id, "filename": h.stored.filename, "score": h.score,
             "attributes": h.file.attributes or {}, "content": [{"type": "text", "text": h.chunk}]}
            for h in hits
        ],
        "has_more": False,
        "next_page": None,
    }


def _candidates(ctx: Context, vector_store_id: str) -> list[tuple[VectorStoreFile, StoredFile]]:
    pairs: list[tuple[VectorStoreFile, StoredFile]] = []
    for vs_file in ctx.store.vs_files[vector_store_id].values():
        stored = ctx.store.files.get(vs_file.id)
        if stored is not None:
            pairs.append((vs_file, stored))
    return pairs


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


def helper_stores(ctx: Context, resources: rm.ToolResources | None) -> list[str]:
    """The `tool_resources.file_search.vector_stores` helper: create each store, return their ids."""
    if resources is None or resources.file_search is None:
        return []
    created: list[str] = []
    for helper in resources.file_search.vector_stores or []:
        body = fr.CreateVectorStore(file_ids=helper.file_ids, chunking_strategy=helper.chunking_strategy,
                                    metadata=helper.metadata)
        created.append(new_vector_store(ctx, body).id)
    return created


def attach_to_thread(ctx: Context, thread: Thread, attachments: list[Json]) -> None:
    """Message attachments add their files to the thread's tool resources (CHECKLIST 1.3).

    code_interpreter: the file id joins `code_interpreter.file_ids`. file_search: the file is attached
    to the thread's vector store, created on demand with a 7-day `last_active_at` expiry.
    """
    for attachment in attachments:
        kinds = {tool["type"] for tool in attachment["tools"]}
        if "code_interpreter" in kinds:
            ids = thread.tool_resources.setdefault("code_interpreter", {"file_ids": []})["file_ids"]
            if attachment["file_id"] not in ids:
                ids.append(attachment["file_id"])
        if "file_search" in kinds:
            store_id = _thread_store(ctx, thread)
            if attachment["file_id"] in ctx.store.files:  # like tool_resources, unknown ids are kept, not checked
                attach_file(ctx, store_id, attachment["file_id"], None, {})


def _thread_store(ctx: Context, thread: Thread) -> str:
    ids = thread.tool_resources.setdefault("file_search", {"vector_store_ids": []})["vector_store_ids"]
    if ids and ids[0] in ctx.store.vector_stores:
        return str(ids[0])
    body = fr.CreateVectorStore(expires_after=fr.ExpiresAfter(anchor="last_active_at", days=7))
    store = new_vector_store(ctx, body)
    ids[:] = [store.id]
    return store.id
