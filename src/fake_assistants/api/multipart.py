"""multipart/form-data request bodies, parsed without copying the file more than once."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser
from urllib.parse import unquote

from ..core import error_catalog as catalog


@dataclass(frozen=True, slots=True)
class Part:
    name: str
    filename: str | None
    content_type: str | None
    data: bytes


def boundary_of(content_type: str | None) -> str:
    header = Message()
    header["content-type"] = content_type or ""
    boundary = header.get_param("boundary")
    if header.get_content_type() != "multipart/form-data" or not isinstance(boundary, str) or not boundary:
        raise catalog.not_multipart(content_type)
    return boundary


def parse(body: bytes, content_type: str | None) -> list[Part]:
    delimiter = b"--" + boundary_of(content_type).encode("latin-1")
    view = memoryview(body)
    parts: list[Part] = []
    position = body.find(delimiter)
    while position != -1:
        start = position + len(delimiter)
        if body[start:start + 2] == b"--":
            break
        start = body.find(b"\r\n", start) + 2
        end = body.find(b"\r\n" + delimiter, start)
        if start < 2 or end == -1:
            raise catalog.malformed_multipart()
        parts.append(_part(view[start:end]))
        position = end + 2
    return parts


def _part(chunk: memoryview) -> Part:
    raw = chunk.tobytes() if len(chunk) < 16_384 else bytes(chunk[:16_384])
    split = raw.find(b"\r\n\r\n")
    if split == -1:
        raise catalog.malformed_multipart()
    headers = HeaderParser().parsestr(raw[:split].decode("utf-8", "replace"))
    disposition = Message()
    disposition["content-disposition"] = headers.get("content-disposition", "")
    name = disposition.get_param("name", header="content-disposition")
    filename = _filename(disposition)
    data = chunk[split + 4:].tobytes()
    return Part(str(name or ""), filename, headers.get("content-type"), data)


def _filename(disposition: Message) -> str | None:
    value = disposition.get_param("filename*", header="content-disposition")
    if isinstance(value, str) and "''" in value:
        return unquote(value.split("''", 1)[1])
    value = disposition.get_param("filename", header="content-disposition")
    if isinstance(value, tuple):  # RFC 2231 form, already split by the email package
        return unquote(value[2])
    return None if value is None else str(value)
