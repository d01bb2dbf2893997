"""Assistant message text: file citations (markers and annotations) and the deltas a stream sends."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .resources import Json

_WORDS = re.compile(r"\S+\s*|\s+")


@dataclass(frozen=True, slots=True)
class Citation:
    file_id: str
    filename: str


def cite(text: str, citations: list[Citation], source: int) -> tuple[str, list[Json]]:
    """Put one `【source:i†filename】` marker per citation before the final period, with its annotation."""
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


def text_deltas(text: str, annotations: list[Json], chunk_chars: int | None) -> list[Json]:
    """The `text` parts of successive message deltas: citation markers arrive as their own delta
    carrying the annotation (with `index` and an empty `quote`, as recorded); the first delta has
    `annotations: []`."""
    pieces: list[tuple[str, Json | None]] = []
    position = 0
    for annotation in annotations:
        pieces += [(c, None) for c in split_chunks(text[position:annotation["start_index"]], chunk_chars)]
        pieces.append((annotation["text"], annotation))
        position = annotation["end_index"]
    pieces += [(c, None) for c in split_chunks(text[position:], chunk_chars)]
    deltas: list[Json] = []
    chosen: list[tuple[str, Json | None]] = pieces or [("", None)]
    for number, (value, cited) in enumerate(chosen):
        delta: Json = {"value": value}
        if cited is not None:
            delta["annotations"] = [{
                "index": annotations.index(cited), **cited,
                "file_citation": {**cited["file_citation"], "quote": ""},
            }]
        elif number == 0:
            delta["annotations"] = []
        deltas.append(delta)
    return deltas


def split_chunks(text: str, chunk_chars: int | None) -> list[str]:
    if not text:
        return []
    if chunk_chars:
        return [text[i:i + chunk_chars] for i in range(0, len(text), chunk_chars)]
    return _WORDS.findall(text)
