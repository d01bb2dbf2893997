"""Types shared by every layer: JSON values, stream events and the two wire shapes."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import Any, Literal

Shape = Literal["recorded", "schema"]
Json = dict[str, Any]
Event = tuple[str, Any]  # one server-sent event before encoding: (name, data)


@dataclass(frozen=True, slots=True)
class Burst:
    """Text deltas of one message made together (a scripted reply's after its first): the stream changes
    nothing between them, so a client's request takes effect after the last of them. A stream sends them in one
    chunk, as a network delivers several events at once. `texts` are the deltas' `text` parts; `events` the
    `thread.message.delta` events they are."""

    message_id: str
    index: int  # the text's place among the message's content parts
    texts: tuple[Json, ...]

    @property
    def events(self) -> tuple[Event, ...]:
        message_id, index = self.message_id, self.index
        return tuple([text_delta(message_id, index, text) for text in self.texts])


def message_delta(message_id: str, part: Json) -> Event:
    """The `thread.message.delta` event adding `part` (one content part, or a piece of one) to a message."""
    return ("thread.message.delta", {"id": message_id, "object": "thread.message.delta", "delta": {"content": [part]}})


def text_content(value: str, annotations: list[Json]) -> Json:
    """A message's text content part, as a stored message holds it."""
    return {"type": "text", "text": {"value": value, "annotations": annotations}}


def text_part(index: int, text: Any) -> Json:
    """A piece of a message's text content part number `index`: `text` is `{"value": ...}`, with the piece's
    annotations where it has any."""
    return {"index": index, "type": "text", "text": text}


def text_delta(message_id: str, index: int, text: Any) -> Event:
    """The delta adding a piece of text (`text_part`) to a message."""
    return message_delta(message_id, text_part(index, text))


StreamItem = Event | Burst  # what a stream's events are produced as: one event, or a burst of them


def flattened(items: Iterator[StreamItem]) -> Generator[Event, None, None]:
    """`items` one event at a time (a burst's events in order); closing this closes `items` too."""
    try:
        for item in items:
            if isinstance(item, Burst):
                yield from item.events
            else:
                yield item
    finally:
        close = getattr(items, "close", None)
        if close is not None:
            close()
