"""Server-sent events in the real framing: `event: <name>\\ndata: <compact JSON>\\n\\n`, then `done`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .errors import ApiError
from .wire import ApiResponse, compact_json

CONTENT_TYPE = "text/event-stream; charset=utf-8"
DONE = b"event: done\ndata: [DONE]\n\n"


@dataclass(frozen=True, slots=True)
class EventStream:
    """A handler's streamed answer before encoding: the app shows it in the requested API version."""

    events: Iterator[tuple[str, Any]]


def encode_event(name: str, data: Any) -> bytes:
    return b"event: " + name.encode() + b"\ndata: " + compact_json(data) + b"\n\n"


def encode_stream(events: Iterable[tuple[str, Any]]) -> Iterator[bytes]:
    """Encode events lazily; an ApiError raised mid-stream becomes `event: error` with no `done`."""
    try:
        for name, data in events:
            yield encode_event(name, data)
    except ApiError as error:
        yield encode_event("error", error.body())
        return
    yield DONE


def stream_response(events: Iterable[tuple[str, Any]]) -> ApiResponse:
    return ApiResponse(200, [("content-type", CONTENT_TYPE)], encode_stream(events))
