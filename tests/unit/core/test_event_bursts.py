"""A burst of events goes out as one chunk holding exactly what each event alone would be; whatever reads a
stream event by event (the journal, a stream fault, a poller) sees a burst's events one by one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from fake_assistants.core.sse import DONE, chunk_events, encode_burst, encode_event, encode_stream, event_count
from fake_assistants.core.types import Burst, Event, Json, StreamItem, flattened
from fake_assistants.runs.engine import DELTAS_PER_CHUNK

ROOT = Path(__file__).resolve().parents[3]

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


plain_text = st.text(st.characters(exclude_categories=("Cs",)))  # a lone surrogate is no JSON string
annotation = st.fixed_dictionaries({
    "type": st.just("file_citation"), "text": plain_text, "start_index": st.integers(0, 2**70),
    "end_index": st.integers(0, 2**70), "file_citation": st.fixed_dictionaries({"file_id": plain_text})})
text_piece = st.one_of(
    st.fixed_dictionaries({"value": plain_text}),
    st.fixed_dictionaries({"value": plain_text, "annotations": st.lists(annotation, max_size=2)}))


@given(message_id=plain_text, index=st.integers(0, 5), texts=st.lists(text_piece, min_size=2, max_size=5))
def test_a_burst_encodes_as_its_events_do_one_by_one(message_id: str, index: int, texts: list[Json]) -> None:
    burst = Burst(message_id, index, tuple(texts))  # an int past 64 bits takes compact_json's second encoder

    chunk = encode_burst(burst)

    assert chunk == b"".join(encode_event(*event) for event in burst.events)
    assert event_count(chunk) == len(texts)
    assert chunk_events(chunk) == [encode_event(*event) for event in burst.events]


def test_the_docs_say_how_many_deltas_go_together() -> None:
    for page in ("README.md", "docs/guides/streaming.md"):
        assert f"{DELTAS_PER_CHUNK} at a time" in (ROOT / page).read_text(encoding="utf-8"), page
