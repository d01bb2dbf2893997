"""Server-sent events in the real framing: `event: <name>\\ndata: <compact JSON>\\n\\n`, then `done`."""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from .errors import ApiError
from .types import Burst, StreamItem, text_delta
from .wire import ApiResponse, compact_json

CONTENT_TYPE = "text/event-stream; charset=utf-8"
DONE = b"event: done\ndata: [DONE]\n\n"


@dataclass(frozen=True, slots=True)
class EventStream:
    """A handler's streamed answer before encoding (the v1 layer shows it as v1 did)."""

    events: Iterator[StreamItem]


# `event: <name>\ndata: ` for each event name met so far (the API has a few dozen; the cache stops at 256).
_HEADS: dict[str, bytes] = {}


def _head(name: str) -> bytes:
    head = _HEADS.get(name)
    if head is None:
        head = b"event: " + name.encode() + b"\ndata: "
        if len(_HEADS) < 256:
            _HEADS[name] = head
    return head


def encode_event(name: str, data: Any) -> bytes:
    return b"".join((_head(name), compact_json(data), b"\n\n"))


def encode_stream(events: Iterable[StreamItem]) -> Generator[bytes, None, None]:
    """Encode events lazily, one chunk per event and one per burst; an ApiError raised mid-stream becomes
    `event: error` with no `done`."""
    heads, head, join, dumps = _HEADS, _head, b"".join, orjson.dumps
    try:
        for item in events:
            if isinstance(item, Burst):
                yield encode_burst(item)
                continue
            name, data = item
            try:  # `compact_json`, inline: this runs once per event
                encoded = dumps(data)
            except TypeError:
                encoded = compact_json(data)
            yield join((heads.get(name) or head(name), encoded, b"\n\n"))
    except ApiError as error:
        yield encode_event("error", error.body())
        return
    yield DONE


def encode_burst(burst: Burst) -> bytes:
    """A burst's events in one chunk, each as `encode_event` writes it. The bytes around each delta's text part
    are the same for all of them: they are cut once from one delta encoded with a null text (the text is the
    event's last value, so its null is the last in the bytes)."""
    dumps = orjson.dumps
    before, after = encode_event(*text_delta(burst.message_id, burst.index, None)).rsplit(b"null", 1)
    try:  # `compact_json`, inline: this runs once per delta
        return b"".join([before + dumps(text) + after for text in burst.texts])
    except TypeError:
        return b"".join([before + compact_json(text) + after for text in burst.texts])


class EventBody:
    """A streamed answer's body: `events` encoded as the client reads them (an iterator of chunks, one event
    or one burst each). Layers that work on events (a stream fault) find them in `events` before the first
    read."""

    __slots__ = ("chunks", "events")

    def __init__(self, events: Iterator[StreamItem]) -> None:
        self.events = events
        self.chunks: Generator[bytes, None, None] = encode_stream(events)

    def __iter__(self) -> Iterator[bytes]:
        return self.chunks  # read straight from the encoder: no call of `__next__` per event

    def __next__(self) -> bytes:
        return next(self.chunks)

    def close(self) -> None:
        self.chunks.close()
        close = getattr(self.events, "close", None)
        if close is not None:
            close()


def event_count(chunk: bytes) -> int:
    """How many events a chunk of an encoded stream holds (one, or a burst's). Compact JSON writes a line break
    inside a string as `\\n`, so a blank line only ever ends an event."""
    return chunk.count(b"\n\n")


def chunk_events(chunk: bytes) -> list[bytes]:
    """The events a chunk of an encoded stream holds, each with its blank line."""
    if event_count(chunk) <= 1:
        return [chunk]
    return [event + b"\n\n" for event in chunk.split(b"\n\n") if event]


def stream_response(events: Iterator[StreamItem]) -> ApiResponse:
    return ApiResponse(200, [("content-type", CONTENT_TYPE)], EventBody(events))
