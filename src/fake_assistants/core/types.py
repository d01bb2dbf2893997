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
    """Text deltas of one message made together, with nothing in between that a client could see or change (a
    scripted reply's after its first): a stream sends them in one chunk, as a network would deliver them.
    `texts` are the deltas' `text` parts; `events` the `thread.message.delta` events they are."""

    message_id: str
    index: int  # the text's place among the message's content parts
    texts: tuple[Json, ...]

    @property
    def events(self) -> tuple[Event, ...]:
        message_id, index = self.message_id, self.index
        return tuple([message_delta(message_id, {"index": index, "type": "text", "text": text}) for text in self.texts])


def message_delta(message_id: str, part: Json) -> Event:
    """The `thread.message.delta` event adding `part` (one content part, or a piece of one) to a message."""
    return ("thread.message.delta", {"id": message_id, "object": "thread.message.delta", "delta": {"content": [part]}})


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
