"""Files: upload, delete, and what may be downloaded. A File whose `expires_at` has passed is gone."""

from __future__ import annotations

from ...core import error_catalog as catalog
from ...model.file import StoredFile
from ..context import Context

# (real) `Not allowed to download files of purpose: assistants`; files tools make (`assistants_output`) and
# every other purpose can be downloaded.
NOT_DOWNLOADABLE = frozenset({"assistants", "user_data"})


def upload_file(ctx: Context, filename: str, purpose: str, data: bytes,
                expires_after_seconds: int | None) -> StoredFile:
    """Store the uploaded bytes as they are (no copy); `expires_after_seconds` counts from the upload."""
    now = ctx.clock.now()
    stored = StoredFile(
        id=ctx.ids.new("file"), created_at=now, filename=filename, purpose=purpose, data=data,
        expires_at=None if expires_after_seconds is None else now + expires_after_seconds,
    )
    ctx.store.add_file(stored)
    return stored


def expire_files(ctx: Context) -> None:
    """Files uploaded with `expires_after` whose time is up are gone (out of every vector store too)."""
    ctx.store.expire_files(ctx.clock.now())


def live_file(ctx: Context, file_id: str) -> StoredFile:
    """The File, once those whose time is up are gone."""
    expire_files(ctx)
    return ctx.store.file(file_id)


def delete_file(ctx: Context, file_id: str) -> None:
    """Delete a File: it is gone from every vector store too."""
    live_file(ctx, file_id)
    ctx.store.remove_file(file_id)


def downloadable_file(ctx: Context, file_id: str) -> StoredFile:
    stored = live_file(ctx, file_id)
    if stored.purpose in NOT_DOWNLOADABLE:
        raise catalog.download_not_allowed(stored.purpose)
    return stored
