"""Assistants v1 file links (AssistantFiles) and how v2 sees them (V1.md section 4): v1's own operations.

A v1 file linked to an assistant was there for retrieval and code_interpreter alike. v2 shows it per tool:
in `tool_resources.code_interpreter.file_ids` when the assistant has code_interpreter, and in the
assistant's vector store (created when needed) when it has retrieval (`file_search`). Removing a link
through v1 removes the file from both; changing `tool_resources` through v2 leaves the v1 links alone
("Deleting Assistant Files via the v1 API also removes them from the v2 API. However, the inverse is not
true."). Message files need no table: they are the message's attachments (both tools), which v2 already
adds to the thread's tool resources.
"""

from __future__ import annotations

from ...core import error_catalog as catalog
from ...model.assistant import Assistant
from ...model.vector_store import VectorStore
from .. import file_requests as fr
from ..context import Context
from ..operations.vector_store_files import attach_file, strategy_of
from ..operations.vector_stores import new_vector_store
from .requests import V1_ASSISTANT_FILES


def check_files(ctx: Context, file_ids: list[str]) -> None:
    """Every file exists (before anything is changed)."""
    for file_id in file_ids:
        ctx.store.file(file_id)


def set_files(ctx: Context, assistant: Assistant, file_ids: list[str]) -> None:
    """A v1 create or modify with `file_ids`: the list replaces the links ("if a file was previously
    attached to the list but does not show up in the list, it will be deleted from the assistant")."""
    check_files(ctx, file_ids)
    for file_id in [f for f in assistant.v1_files if f not in file_ids]:
        unlink(ctx, assistant, file_id)
    for file_id in file_ids:
        link(ctx, assistant, file_id)


def link(ctx: Context, assistant: Assistant, file_id: str) -> int:
    """Link a file (linking it again keeps the first link); returns when it was linked."""
    ctx.store.file(file_id)
    if file_id not in assistant.v1_files:
        if len(assistant.v1_files) >= V1_ASSISTANT_FILES:
            raise catalog.too_many_assistant_files(assistant.id, V1_ASSISTANT_FILES)
        assistant.v1_files[file_id] = ctx.clock.now()
    project(ctx, assistant)
    return assistant.v1_files[file_id]


def unlink(ctx: Context, assistant: Assistant, file_id: str) -> None:
    """Remove a link, and the file from the assistant's v2 tool resources. The File itself is kept."""
    assistant.v1_files.pop(file_id, None)
    code = assistant.tool_resources.get("code_interpreter")
    if code is not None and file_id in code["file_ids"]:
        code["file_ids"].remove(file_id)
    for store_id in assistant.tool_resources.get("file_search", {}).get("vector_store_ids", []):
        table = ctx.store.vs_files.get(store_id)
        if table is not None:
            table.remove(file_id)


def project(ctx: Context, assistant: Assistant) -> None:
    """Show every linked file in v2 as the assistant's current tools would use it."""
    if not assistant.v1_files:
        return
    kinds = {tool["type"] for tool in assistant.tools}
    if "code_interpreter" in kinds:
        ids = assistant.tool_resources.setdefault("code_interpreter", {"file_ids": []})["file_ids"]
        ids.extend(f for f in assistant.v1_files if f not in ids)
    if "file_search" in kinds:
        store = _assistant_store(ctx, assistant)
        table = ctx.store.vs_files[store.id]
        for file_id in assistant.v1_files:
            if file_id not in table and file_id in ctx.store.files:
                attach_file(ctx, store, file_id, strategy_of(None), {})


def _assistant_store(ctx: Context, assistant: Assistant) -> VectorStore:
    """The assistant's vector store (v2 allows one), or a new one without expiry."""
    ids = assistant.tool_resources.setdefault("file_search", {"vector_store_ids": []})["vector_store_ids"]
    current = ctx.store.vector_stores.get(ids[0]) if ids else None
    if current is not None:
        return current
    store = new_vector_store(ctx, fr.CreateVectorStore())
    ids[:] = [store.id]
    return store
