"""Chunking strategies (auto = static 800/400) and the chunks of a file, as byte spans of its text.

The text is what file_search reads (runs/document_text.py): a text file's own bytes, a document's extracted
text. A chunk is never copied out of it: it is a `(start, end)` span into those bytes, produced lazily, so
a vector store holding a 50 MB text file keeps one copy of it (the File's). A token counts as
4 bytes; span edges move back to just after a whitespace byte (or else to the start of a UTF-8
character), so a chunk does not cut a word or a character in two.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..core import error_catalog as catalog
from ..core.types import Json

AUTO_STRATEGY: Json = {"type": "static", "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400}}
BYTES_PER_TOKEN = 4
EDGE_LOOKBACK = 64  # how far an edge may move back to find a whitespace byte
_WHITESPACE = (b" ", b"\n", b"\t", b"\r", b"\f", b"\v")

Span = tuple[int, int]


def resolve(strategy: Json | None, param: str = "chunking_strategy") -> Json:
    """The strategy a vector-store file reports: `auto` (or none) is static 800/400; a static one is checked.

    Its sizes are already within their documented ranges (request validation); what is left is the
    rule between the two: the overlap must not exceed half of the chunk size, an integer bound that
    depends on the other field, reported in the wording of any other bound.
    """
    if strategy is None or strategy.get("type") == "auto":
        return {"type": "static", "static": dict(AUTO_STRATEGY["static"])}
    static = strategy["static"]
    most = static["max_chunk_size_tokens"] // 2
    if static["chunk_overlap_tokens"] > most:
        name = f"{param}.static.chunk_overlap_tokens"
        raise catalog.number_above_max(name, most, static["chunk_overlap_tokens"], integer=True)
    return {"type": "static", "static": {"max_chunk_size_tokens": static["max_chunk_size_tokens"],
                                         "chunk_overlap_tokens": static["chunk_overlap_tokens"]}}


def spans(data: bytes, strategy: Json) -> Iterator[Span]:
    """The chunks of `data`: windows of `max_chunk_size_tokens` overlapping by `chunk_overlap_tokens`."""
    size = strategy["static"]["max_chunk_size_tokens"] * BYTES_PER_TOKEN
    step = size - strategy["static"]["chunk_overlap_tokens"] * BYTES_PER_TOKEN
    length = len(data)
    if length <= size:
        if length:
            yield (0, length)
        return
    start = 0
    while True:
        nominal = start + size
        if nominal >= length:
            yield (start, length)
            return
        end = _edge(data, nominal, floor=start + 1)
        yield (start, end)
        start = _edge(data, start + step, floor=start + 1) if step < size else end


def count(data: bytes, strategy: Json) -> int:
    return sum(1 for _ in spans(data, strategy))


def text(data: bytes, span: Span) -> str:
    """The text of one chunk (a small copy of its bytes, decoded)."""
    return data[span[0]:span[1]].decode("utf-8", "replace")


def _edge(data: bytes, position: int, *, floor: int) -> int:
    """`position`, moved back to just after the nearest whitespace byte, else to a character start."""
    low = max(floor, position - EDGE_LOOKBACK)
    best = max(data.rfind(space, low, position) for space in _WHITESPACE)
    if best != -1:
        return best + 1
    while position > floor and data[position] & 0xC0 == 0x80:  # a UTF-8 continuation byte
        position -= 1
    return position
