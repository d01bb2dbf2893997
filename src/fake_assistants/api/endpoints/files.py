"""/files: upload (multipart), list, retrieve, delete, download.

The uploaded bytes are stored once (one copy out of the request body, see multipart) and never copied again;
a file over 512 MB (the real limit, `multipart.MAX_FILE_BYTES`) is refused with a 413 before it is copied:
listing reports their length, vector stores chunk them as spans. A file uploaded with `expires_after`
is gone (404, out of every vector store) once the fake's clock reaches its `expires_at`.
"""

from __future__ import annotations

from ...core import error_catalog as catalog
from ...core.types import Json
from ...core.wire import ApiResponse
from ...model.lists import list_envelope
from .. import multipart
from ..context import Context
from ..operations import files as ops
from ..params import list_params, parse_int, query_value
from ..routing import Call, Reply, Route

UPLOAD_PURPOSES = ("fine-tune", "assistants", "batch", "user_data", "vision", "evals")
DEFAULT_FILENAME = "upload"  # a `file` part without a filename


def create(ctx: Context, call: Call) -> Json:
    parts = multipart.parse(call.body, call.headers.get("content-type"), max_file_bytes=multipart.MAX_FILE_BYTES)
    fields = {p.name: p for p in parts}
    if "file" not in fields:
        raise catalog.missing_parameter("file")
    if "purpose" not in fields:
        raise catalog.missing_parameter("purpose")
    purpose = fields["purpose"].data.decode("utf-8", "replace")
    if purpose not in UPLOAD_PURPOSES:
        raise catalog.invalid_purpose(purpose)
    stored = ops.upload_file(ctx, fields["file"].filename or DEFAULT_FILENAME, purpose, fields["file"].data,
                             _expires_after_seconds(fields))
    return stored.to_wire(ctx.options.shape)


def _expires_after_seconds(fields: dict[str, multipart.Part]) -> int | None:
    anchor = fields.get("expires_after[anchor]")
    seconds = fields.get("expires_after[seconds]")
    if anchor is None and seconds is None:
        return None
    if anchor is None:
        raise catalog.missing_parameter("expires_after.anchor")
    if anchor.data != b"created_at":
        raise catalog.invalid_value("expires_after.anchor", anchor.data.decode("utf-8", "replace"), ["created_at"])
    if seconds is None:
        raise catalog.missing_parameter("expires_after.seconds")
    return parse_int("expires_after.seconds", seconds.data.decode("ascii", "replace"), 3600, 2_592_000)


def list_(ctx: Context, call: Call) -> Json:
    ops.expire_files(ctx)
    params = list_params(call.query, default_limit=10_000, max_limit=10_000, allow_before=False)
    purpose = query_value(call.query, "purpose")
    page = ctx.store.files.page(params, None if not purpose else (lambda f: f.purpose == purpose))
    return list_envelope([f.to_wire(ctx.options.shape) for f in page.items], page.has_more)


def retrieve(ctx: Context, call: Call) -> Json:
    return ops.live_file(ctx, call.param("file_id")).to_wire(ctx.options.shape)


def delete(ctx: Context, call: Call) -> Json:
    file_id = call.param("file_id")
    ops.delete_file(ctx, file_id)
    return {"object": "file", "deleted": True, "id": file_id}  # (real) this order, like every File answer


def content(ctx: Context, call: Call) -> Reply:
    stored = ops.downloadable_file(ctx, call.param("file_id"))
    return ApiResponse(200, [("content-type", "application/octet-stream")], stored.data)


ROUTES = (
    Route("GET", "/files", "files.list", "listFiles", list_, beta="optional"),
    Route("POST", "/files", "files.create", "createFile", create, beta="optional"),
    Route("GET", "/files/{file_id}", "files.retrieve", "retrieveFile", retrieve, beta="optional"),
    Route("DELETE", "/files/{file_id}", "files.delete", "deleteFile", delete, beta="optional"),
    Route("GET", "/files/{file_id}/content", "files.content", "downloadFile", content, beta="optional"),
)
