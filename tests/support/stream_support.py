"""Helpers shared by the streaming tests (`tests/api/runs/test_stream_*.py`, and the v1 SDK tests).

The SDK's stream helpers differ between the sync and the async client (`with` / `async with`, plain /
awaited calls, `AssistantEventHandler` / `AsyncAssistantEventHandler`); these helpers let one test body
drive both, like `sdk_matrix.Sdk` does for plain calls.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from recordings import ID_PATTERN, recordings_dir

# One SSE event as the real service framed it: `event: <name>\ndata: <one line>\n\n`.
SSE_EVENT = re.compile(rb"event: ([a-z_.]+)\ndata: ([^\n]*)\n\n")
REQUEST_ID = re.compile(r"req_[0-9a-f]{32}")
DELTA_SUFFIX = ".delta"


@asynccontextmanager
async def opened(manager: Any) -> AsyncIterator[Any]:
    """Enter a stream manager from `runs.stream(...)` and friends, sync (`with`) or async (`async with`)."""
    if hasattr(manager, "__aenter__"):
        async with manager as stream:
            yield stream
    else:
        with manager as stream:
            yield stream


async def events_of(stream: Any) -> AsyncIterator[Any]:
    """Iterate a sync `Stream`/handler or an async one alike."""
    if hasattr(stream, "__aiter__"):
        async for event in stream:
            yield event
    else:
        for event in stream:
            yield event


async def collect_events(stream: Any) -> list[Any]:
    return [event async for event in events_of(stream)]


def compress(names: Iterable[str]) -> list[str]:
    """Event names with each run of one `*.delta` event kept once (the `x N` of SEQUENCES.md)."""
    compressed: list[str] = []
    for name in names:
        if not (compressed and name == compressed[-1] and name.endswith(DELTA_SUFFIX)):
            compressed.append(name)
    return compressed


def split_events(raw: bytes) -> list[tuple[str, bytes]]:
    """The (name, data) of every event in a raw SSE body; fails unless the body is exactly such events."""
    events: list[tuple[str, bytes]] = []
    position = 0
    for match in SSE_EVENT.finditer(raw):
        assert match.start() == position, f"not SSE framing at byte {position}: {raw[position:position + 80]!r}"
        events.append((match.group(1).decode(), match.group(2)))
        position = match.end()
    assert position == len(raw), f"trailing bytes after the last event: {raw[position:position + 80]!r}"
    return events


def recorded_stream(relative: str) -> bytes | None:
    """A recorded SSE body from the shared recordings, or None when they are absent."""
    root = recordings_dir()
    if root is None:
        return None
    return (Path(root) / relative).read_bytes()


_NORMALIZATIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r'"(\w+_at)":\d+'), r'"\1":0'),  # timestamps
    (re.compile(r'"(\w*tokens)":\d+'), r'"\1":0'),  # usage counts (a tokenizer's business)
    (re.compile(r'"(score)":[0-9.e-]+'), r'"\1":0'),  # search scores
    (re.compile(r'"(start_index|end_index)":\d+'), r'"\1":0'),  # citation positions in the text
    # the text itself: message text, code, function arguments and outputs, logs, result chunks
    (re.compile(r'"(value|input|arguments|output|logs|text)":"(?:[^"\\]|\\.)*"'), r'"\1":"~"'),
)


def normalized(raw: bytes) -> list[bytes]:
    """A raw SSE body with ids, times, token counts and text replaced, and runs of one delta event kept once.

    What is left is the framing byte for byte: event names and order, compact JSON, key order, nulls,
    numbers' formatting (`1.0`), raw UTF-8, the blank lines and the final `done`.
    """
    blocks: list[bytes] = []
    for name, data in split_events(raw):
        text = data.decode("utf-8")
        text = ID_PATTERN.sub(lambda found: _id_prefix(found.group()) + "*", text)
        text = REQUEST_ID.sub("req_*", text)
        for pattern, replacement in _NORMALIZATIONS:
            text = pattern.sub(replacement, text)
        block = f"event: {name}\ndata: {text}\n\n".encode()
        if blocks and blocks[-1] == block and name.endswith(DELTA_SUFFIX):
            continue
        blocks.append(block)
    return blocks


def _id_prefix(object_id: str) -> str:
    match = re.match(r"[a-z]+[_-]", object_id)
    assert match is not None
    return match.group()
