"""A burst of events goes out as one chunk holding exactly what each event alone would be; whatever reads a
stream event by event (the journal, a stream fault, a poller) sees a burst's events one by one."""

from __future__ import annotations

from collections.abc import Iterator

from fake_assistants.core.sse import DONE, chunk_events, encode_event, encode_stream
from fake_assistants.core.types import Burst, Event, StreamItem, flattened

BURST = Burst("msg_1", 2, tuple({"value": f"line {n}\n\n\u00e9\""} for n in range(3)))
DELTAS: tuple[Event, ...] = tuple(
    ("thread.message.delta", {"id": "msg_1", "object": "thread.message.delta",
                              "delta": {"content": [{"index": 2, "type": "text", "text": text}]}})
    for text in BURST.texts)


def test_a_burst_is_one_chunk_of_its_events_as_each_is_encoded_alone() -> None:
    first: Event = ("thread.run.created", {"id": "run_1"})
    chunks = list(encode_stream(iter([first, BURST])))

    assert BURST.events == DELTAS
    assert chunks == [encode_event(*first), b"".join(encode_event(*event) for event in DELTAS), DONE]
    assert chunk_events(chunks[1]) == [encode_event(*event) for event in DELTAS]  # "\n\n" in text is escaped
    assert chunk_events(chunks[0]) == [chunks[0]]


def test_flattened_gives_a_bursts_events_one_by_one_and_closes_what_it_reads() -> None:
    closed: list[bool] = []

    def items() -> Iterator[StreamItem]:
        try:
            yield ("thread.run.created", {})
            yield BURST
            yield ("thread.run.completed", {})
        finally:
            closed.append(True)

    assert [name for name, _ in flattened(items())] == [
        "thread.run.created", *["thread.message.delta"] * 3, "thread.run.completed"]
    assert closed == [True]

    reading = flattened(items())
    assert next(reading)[0] == "thread.run.created"
    reading.close()
    assert closed == [True, True]
