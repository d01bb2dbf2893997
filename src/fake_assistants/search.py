"""Deterministic vector-store search: term overlap scores, attribute filters, stable ordering."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .file_resources import StoredFile, VectorStoreFile

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Hit:
    file: VectorStoreFile
    stored: StoredFile
    chunk: str
    score: float


STOPWORDS = frozenset(
    {
        "a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from", "has",
        "have", "how", "i", "in", "is", "it", "its", "me", "my", "of", "on", "or", "s", "so",
        "that", "the", "their", "them", "there", "these", "they", "this", "to", "use", "using", "was", "we", "what",
        "when", "where", "which", "who", "why", "will", "with", "you", "your",
    }
)


def terms(text: str) -> set[str]:
    """Lower-cased words without stop words, with a plural `s` dropped (files ~ file)."""
    words = (w.lower() for w in _WORD.findall(text))
    return {w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words if w not in STOPWORDS}


def score(query_terms: set[str], chunk: str) -> float:
    if not query_terms:
        return 0.0
    return round(len(query_terms & terms(chunk)) / len(query_terms), 4)


def search(
    queries: list[str],
    candidates: Iterable[tuple[VectorStoreFile, StoredFile]],
    *,
    max_results: int,
    threshold: float = 0.0,
    filters: dict[str, Any] | None = None,
) -> list[Hit]:
    """The best chunks for the union of the queries' words, best first; ties keep file and chunk order."""
    wanted = set().union(*(terms(q) for q in queries)) if queries else set()
    hits: list[Hit] = []
    for file, stored in candidates:
        if file.status != "completed" or (filters and not matches(filters, file.attributes or {})):
            continue
        for chunk in file.chunks:
            value = score(wanted, chunk)
            if value > threshold or (threshold == 0 and value > 0):
                hits.append(Hit(file, stored, chunk, value))
    hits.sort(key=lambda h: -h.score)
    return hits[:max_results]


def matches(condition: dict[str, Any], attributes: dict[str, Any]) -> bool:
    kind = condition.get("type")
    if kind in ("and", "or"):
        results = (matches(c, attributes) for c in condition.get("filters", []))
        return all(results) if kind == "and" else any(results)
    key, value = condition.get("key"), condition.get("value")
    if key not in attributes:
        return kind in ("ne", "nin")
    actual = attributes[key]
    return _compare(str(kind), actual, value)


def _compare(kind: str, actual: Any, value: Any) -> bool:
    try:
        if kind == "eq":
            return bool(actual == value)
        if kind == "ne":
            return bool(actual != value)
        if kind == "in":
            return actual in value
        if kind == "nin":
            return actual not in value
        if kind == "gt":
            return bool(actual > value)
        if kind == "gte":
            return bool(actual >= value)
        if kind == "lt":
            return bool(actual < value)
        if kind == "lte":
            return bool(actual <= value)
    except TypeError:
        return False
    return False
