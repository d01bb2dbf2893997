"""Assistant message text: file citations (markers and annotations) and the deltas a stream sends."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from itertools import chain, repeat

from ..core.types import Json
from ..model.run_progress import Citation

# A word (letters, digits, apostrophes) or a run of other marks, with the whitespace before it;
# trailing whitespace is a piece of its own.
# (Written as three alternatives, not `\s*(?:[\w'\u2019]+|[^\w\s]+)|\s+`: the same pieces, found faster.)
_TOKENS = re.compile(r"\s*[\w'\u2019]+|\s*[^\w\s]+|\s+")
_PIECE_END = re.compile(r"\S(?=\s)")  # the last character of a piece that whitespace follows
_WINDOW = 4096  # characters tokenized at a time: the pieces of a long text are made as a stream reads them


QUOTE_MAX_CHARS = 300


def quote_of(text: str) -> str:
    """The quote a citation shows: the found text with its whitespace collapsed, at most 300 characters."""
    return " ".join(text.split())[:QUOTE_MAX_CHARS]


# A citation marker as the model wrote it: `【4:0†favorite_foods.txt】` (message source, result, file name).
MARKER = re.compile("\u3010(\\d+):(\\d+)\u2020([^\u3011]+)\u3011")


def cite(text: str, citations: list[Citation], source: int,
         files: Mapping[str, str] | None = None) -> tuple[str, list[Json]]:
    """The answer's `file_citation` annotations.

    A text that already cites (it holds `【n:m†name】` markers, as a scripted reply copied from a recording
    does) is kept as it is: each marker naming a file of `files` (file name -> file id: what the run's
    searches found) gets its annotation in place, indexes covering the marker. Otherwise one
    `【source:i†filename】` marker per citation is put before the final period, with its annotation.
    """
    if MARKER.search(text):
        return text, in_place(text, files or {c.filename: c.file_id for c in citations})
    if not citations:
        return text, []
    head, tail = (text[:-1], ".") if text.endswith(".") else (text, "")
    annotations: list[Json] = []
    for index, citation in enumerate(citations):
        marker = f"\u3010{source}:{index}\u2020{citation.filename}\u3011"
        annotations.append({
            "type": "file_citation", "text": marker, "start_index": len(head),
            "end_index": len(head) + len(marker), "file_citation": {"file_id": citation.file_id},
        })
        head += marker
    return head + tail, annotations


def in_place(text: str, files: Mapping[str, str]) -> list[Json]:
    """An annotation for each marker of `text` whose file name is one of `files`, in text order."""
    return [
        {"type": "file_citation", "text": found.group(), "start_index": found.start(), "end_index": found.end(),
         "file_citation": {"file_id": files[found.group(3)]}}
        for found in MARKER.finditer(text) if found.group(3) in files
    ]


def text_deltas(text: str, annotations: list[Json], chunk_chars: int | None) -> Iterator[Json]:
    """The `text` parts of successive message deltas, produced lazily (the first at once): citation markers
    arrive as their own delta carrying the annotation (with `index` and an empty `quote`, as recorded); the first
    delta has `annotations: []`. An empty text still sends one (empty) delta."""
    if annotations:
        return _cited_deltas(text, annotations, chunk_chars)
    # The usual case, and the path of every piece of a long text: the first piece now, the others `{"value": ...}`
    # each as it is read, made from C (`dict.fromkeys(("value",), piece)`): no Python frame per piece.
    pieces = split_chunks(text, chunk_chars)
    first: Json = {"value": next(pieces, ""), "annotations": []}
    return chain((first,), map(dict.fromkeys, repeat(_VALUE), pieces))


_VALUE = ("value",)


def _cited_deltas(text: str, annotations: list[Json], chunk_chars: int | None) -> Iterator[Json]:
    first = True
    for value, cited in _pieces(text, annotations, chunk_chars):
        delta: Json = {"value": value}
        if cited is not None:
            quote = {"file_citation": {**cited["file_citation"], "quote": ""}} if "file_citation" in cited else {}
            delta["annotations"] = [{"index": annotations.index(cited), **cited, **quote}]
        elif first:
            delta["annotations"] = []
        first = False
        yield delta
    if first:
        yield {"value": "", "annotations": []}


def _pieces(text: str, annotations: list[Json], chunk_chars: int | None) -> Iterator[tuple[str, Json | None]]:
    """The text cut into chunks, each citation marker whole and paired with its annotation."""
    position = 0
    for annotation in annotations:
        for chunk in split_chunks(text[position:annotation["start_index"]], chunk_chars):
            yield chunk, None
        yield annotation["text"], annotation
        position = annotation["end_index"]
    for chunk in split_chunks(text[position:], chunk_chars):
        yield chunk, None


def split_chunks(text: str, chunk_chars: int | None) -> Iterator[str]:
    """Deterministic chunks, lazily: `chunk_chars` characters each, or (None) token-like pieces as the
    real stream sent them: a word or a run of punctuation, with the whitespace before it
    (`Hello`, `!`, ` I'm`, ` just`)."""
    if not text:
        return iter(())
    if chunk_chars:
        return (text[i:i + chunk_chars] for i in range(0, len(text), chunk_chars))
    return chain.from_iterable(_token_windows(text))  # piece by piece without a Python frame per piece


def _token_windows(text: str) -> Iterator[list[str]]:
    """`_TOKENS`' pieces of `text`, a window at a time: `findall` makes no match object per piece. A window ends
    where a word or a run of marks meets whitespace, which is where a piece ends whatever follows, so the pieces
    are those of the whole text."""
    start, end = 0, len(text)
    while start < end:
        boundary = _PIECE_END.search(text, start + _WINDOW) if start + _WINDOW < end else None
        cut = end if boundary is None else boundary.end()
        yield _TOKENS.findall(text, start, cut)
        start = cut
