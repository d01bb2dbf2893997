"""multipart/form-data request bodies, parsed without copying the file more than once.

A file part is copied once out of the body (after its size is checked against `MAX_FILE_BYTES`, the real
service's 512 MB per file); `describe` reads the fields of a body without copying any file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser
from email.utils import collapse_rfc2231_value

from ..core import error_catalog as catalog

MAX_FILE_BYTES = 512 * 1024 * 1024  # (real) "512 MB" per uploaded file
# what a multipart body may add around its file: boundaries, part headers, the other form fields
MAX_FORM_OVERHEAD_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Part:
    name: str
    filename: str | None
    content_type: str | None
    data: bytes


def boundary_of(content_type: str | None) -> str:
    header = Message()
    header["content-type"] = content_type or ""
    try:
        boundary = header.get_param("boundary")
        kind = header.get_content_type()
    except UnicodeError:  # a lone surrogate, which the email package cannot read (only a hand-built request has one)
        raise catalog.not_multipart(content_type) from None
    if kind != "multipart/form-data" or not isinstance(boundary, str) or not boundary:
        raise catalog.not_multipart(content_type)
    if not boundary.isascii():  # RFC 2046: a boundary is ASCII; no body can be split by any other
        raise catalog.malformed_multipart()
    return boundary


def parse(body: bytes, content_type: str | None, *, max_file_bytes: int | None = None) -> list[Part]:
    """The parts of `body`; a file part larger than `max_file_bytes` is refused before it is copied."""
    parts: list[Part] = []
    for name, filename, part_type, start, end in _spans(body, content_type):
        if filename is not None and max_file_bytes is not None and end - start > max_file_bytes:
            raise catalog.file_too_large(end - start, max_file_bytes)
        parts.append(Part(name, filename, part_type, body[start:end]))
    return parts


def describe(body: bytes, content_type: str | None) -> dict[str, object]:
    """The form fields of `body` as the journal shows them (files as their name, type and size), no copy."""
    fields: dict[str, object] = {}
    for name, filename, part_type, start, end in _spans(body, content_type):
        if filename is None:
            fields[name] = body[start:end].decode("utf-8", "replace")
        else:
            fields[name] = {"filename": filename, "content_type": part_type, "bytes": end - start}
    return fields


def _spans(body: bytes, content_type: str | None) -> Iterator[tuple[str, str | None, str | None, int, int]]:
    """Each part: its name, filename, content type, and where its data starts and ends in `body`."""
    delimiter = b"--" + boundary_of(content_type).encode("latin-1")
    position = body.find(delimiter)
    while position != -1:
        start = position + len(delimiter)
        if body[start:start + 2] == b"--":
            break
        start = body.find(b"\r\n", start) + 2
        end = body.find(b"\r\n" + delimiter, start)
        if start < 2 or end == -1:
            raise catalog.malformed_multipart()
        yield _part(body, start, end)
        position = end + 2


def _part(body: bytes, start: int, end: int) -> tuple[str, str | None, str | None, int, int]:
    split = body.find(b"\r\n\r\n", start, min(end, start + 16_384))
    if split == -1:
        raise catalog.malformed_multipart()
    headers = HeaderParser().parsestr(body[start:split].decode("utf-8", "replace"))
    disposition = Message()
    disposition["content-disposition"] = headers.get("content-disposition", "")
    name = _parameter(disposition, "name")
    return name or "", _parameter(disposition, "filename"), headers.get("content-type"), split + 4, end


def _parameter(disposition: Message, key: str) -> str | None:
    """A Content-Disposition parameter. Its RFC 2231 form (`filename*=utf-8''r%C3%A9sum%C3%A9.pdf`, which .NET's
    HttpClient sends beside a plain `filename` for a name that is not ASCII) comes first, as RFC 6266 says, decoded
    in the charset it names (the email package calls it `filename` too, and leaves its bytes as Latin-1)."""
    plain: str | None = None
    for found, value in disposition.get_params(header="content-disposition") or ():
        if found != key:
            continue
        if isinstance(value, tuple):
            return collapse_rfc2231_value(value, errors="replace")
        if plain is None:
            plain = value
    return plain
