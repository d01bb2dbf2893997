"""Vector stores: create (directly, as a tool_resources helper, or as a thread's own store), modify,
delete and search."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ...core import error_catalog as catalog
from ...core.types import Json
from ...model.assistant import Assistant
from ...model.file import StoredFile
from ...model.thread import Thread
from ...model.vector_store import VectorStore, VectorStoreFile
from ...runs import search as vs_search
from .. import file_requests as fr
from .. import request_models as rm
from .. import shaping
from ..context import Context
from .files import expire_files
from .vector_store_files import attach_file, live_store, settle_store, strategy_of

THREAD_STORE_EXPIRY = fr.ExpiresAfter(anchor="last_active_at", days=7)  # a thread's own store (attachments)
DEFAULT_MAX_RESULTS = 10


def new_vector_store(ctx: Context, body: fr.CreateVectorStore, param: str = "chunking_strategy") -> VectorStore:
    """Create a store and attach its files (also used by the `vector_stores` tool_resources helper).

    Everything is checked before anything is made: a bad strategy or an unknown file creates nothing.
    """
    strategy = strategy_of(body.chunking_strategy, param)
    expire_files(ctx)
    for file_id in body.file_ids or []:
        ctx.store.file(file_id)
    now = ctx.clock.now()
    store = VectorStore(
        id=ctx.ids.new("vector_store"), created_at=now, name=body.name, description=body.description,
        metadata=dict(body.metadata or {}), last_active_at=now,
    )
    store.set_expiry(None if body.expires_after is None else body.expires_after.model_dump())
    ctx.store.add_vector_store(store)
    for file_id in body.file_ids or []:
        attach_file(ctx, store, file_id, strategy, {})
    return store


def modify_vector_store(ctx: Context, store: VectorStore, body: fr.ModifyVectorStore) -> VectorStore:
    """`name`, `metadata` (merged) and `expires_after` as given; an explicit null `expires_after` removes the
    expiry (and a null `name` the name). Changing the policy of an expired store does not revive it."""
    store.metadata = shaping.updated_metadata(store.metadata, body.metadata)  # first: it may refuse
    given = body.model_fields_set
    if "name" in given:
        store.name = body.name
    now = ctx.clock.now()
    if not store.expire_if_due(now):
        # a modify is activity: `last_active_at` moves, and an expiry anchored there (the simple-openai
        # recordings: a modify 3 s after the create reads both 3 s later)
        store.touch(now)
        if "expires_after" in given:
            store.set_expiry(None if body.expires_after is None else body.expires_after.model_dump())
    return store


def delete_vector_store(ctx: Context, vector_store_id: str) -> None:
    """Delete the store and unlink it: every assistant and thread naming it in
    `tool_resources.file_search.vector_store_ids` no longer does (the key stays, with what is left, possibly
    `[]`), as the Assistants overview notebook shows after `vector_stores.delete`."""
    ctx.store.vector_store(vector_store_id)
    ctx.store.remove_vector_store(vector_store_id)
    owners: list[Assistant | Thread] = [*ctx.store.assistants.values(), *ctx.store.threads.values()]
    for owner in owners:
        file_search = owner.tool_resources.get("file_search") or {}
        ids = file_search.get("vector_store_ids") or []
        if vector_store_id in ids:
            kept = [i for i in ids if i != vector_store_id]
            owner.tool_resources = {**owner.tool_resources, "file_search": {**file_search, "vector_store_ids": kept}}


@dataclass(frozen=True, slots=True)
class SearchResults:
    queries: list[str]  # as searched: rewritten when the request asked for it
    hits: list[vs_search.Hit]


def search(ctx: Context, vector_store_id: str, body: fr.SearchVectorStore) -> SearchResults:
    """The deterministic search (see runs/search.py) over the store's completed files; counts as activity.

    `rewrite_query: true` searches for the fake's rewrite of each query (its terms, see `search.rewrite`).
    The `ranker` does not change the fake's ranking.
    """
    store = live_store(ctx, vector_store_id)
    settle_store(ctx, store, poll=False)
    store.touch(ctx.clock.now())
    queries = [body.query] if isinstance(body.query, str) else list(body.query)
    if body.rewrite_query:
        queries = [vs_search.rewrite(q) for q in queries]
    threshold = body.ranking_options.score_threshold if body.ranking_options else None
    filters = body.filters.model_dump() if body.filters is not None else None
    hits = vs_search.search(
        queries, _candidates(ctx, store.id), max_results=body.max_num_results or DEFAULT_MAX_RESULTS,
        threshold=threshold or 0.0, filters=filters,
    )
    return SearchResults(queries, hits)


def _candidates(ctx: Context, vector_store_id: str) -> list[tuple[VectorStoreFile, StoredFile]]:
    pairs: list[tuple[VectorStoreFile, StoredFile]] = []
    for vs_file in ctx.store.vs_files[vector_store_id].values():
        stored = ctx.store.files.get(vs_file.id)
        if stored is not None:
            pairs.append((vs_file, stored))
    return pairs


def check_file_search(resources: rm.ToolResources | None) -> None:
    """`file_search` takes exactly one of `vector_store_ids` and the `vector_stores` helper (the spec's oneOf):
    checked before the object's id is drawn, so that a refused request spends none."""
    file_search = None if resources is None else resources.file_search
    if file_search is not None and (file_search.vector_store_ids is None) == (file_search.vector_stores is None):
        raise catalog.file_search_needs_one_of()


def helper_stores(ctx: Context, resources: rm.ToolResources | None) -> list[str]:
    """The `tool_resources.file_search.vector_stores` helper: create each store, return their ids."""
    if resources is None or resources.file_search is None:
        return []
    created: list[str] = []
    for number, helper in enumerate(resources.file_search.vector_stores or []):
        # Already validated as a helper, whose file_ids may be more than a vector_stores.create's 500.
        body = fr.CreateVectorStore.model_construct(
            file_ids=helper.file_ids, chunking_strategy=helper.chunking_strategy, metadata=helper.metadata)
        param = f"tool_resources.file_search.vector_stores[{number}].chunking_strategy"
        created.append(new_vector_store(ctx, body, param).id)
    return created


def check_attachments_fit(files: Iterable[str], messages: Sequence[rm.CreateMessage], param: str) -> None:
    """Before any message is added: the code_interpreter attachments of `messages` (whose place is `param`, a list
    such as `messages`, or one message's `attachments`) would not take the thread's `files` past 20. Each new file
    id counts once; the first message that would is named. Messages without attachments (most) cost one look."""
    if not any(message.attachments for message in messages):
        return
    ids = set(files)
    for index, message in enumerate(messages):
        for attachment in message.attachments or []:
            if any(tool.type == "code_interpreter" for tool in attachment.tools or []):
                ids.add(attachment.file_id)
        if len(ids) > rm.MAX_CODE_INTERPRETER_FILES:
            named = param if param == "attachments" else f"{param}[{index}].attachments"
            raise catalog.too_many_code_interpreter_files(named, rm.MAX_CODE_INTERPRETER_FILES, len(ids))


def code_interpreter_files(thread: Thread) -> list[str]:
    """The file ids a thread's code_interpreter has (its own list: read it, do not change it)."""
    resources: Json = thread.tool_resources.get("code_interpreter") or {}
    files: list[str] = resources.get("file_ids") or []
    return files


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
            store = _thread_store(ctx, thread)
            if attachment["file_id"] in ctx.store.files:  # like tool_resources, unknown ids are kept, not checked
                attach_file(ctx, store, attachment["file_id"], strategy_of(None), {})


def _thread_store(ctx: Context, thread: Thread) -> VectorStore:
    """The thread's vector store; a new one (7 days after its last activity) when it has none, or only a
    deleted or expired one."""
    ids = thread.tool_resources.setdefault("file_search", {"vector_store_ids": []})["vector_store_ids"]
    current = ctx.store.vector_stores.get(ids[0]) if ids else None
    if current is not None and not current.expire_if_due(ctx.clock.now()):
        return current
    store = new_vector_store(ctx, fr.CreateVectorStore(expires_after=THREAD_STORE_EXPIRY))
    ids[:] = [store.id]
    return store
