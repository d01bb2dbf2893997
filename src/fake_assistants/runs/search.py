"""Deterministic vector-store search: query-term coverage of each chunk, attribute filters, stable ordering.

Scoring (the real service's embeddings are not reproducible, so the fake defines its own):

- a query's terms are its words, lower-cased, without stop words, a plural `s` dropped (`files` ~ `file`);
- a chunk's score is the share of the query terms it contains as whole words (case-insensitive),
  rounded to 4 places, in 0..1; a chunk with none of them scores 0;
- `score_threshold` drops results scoring below it. At the default threshold, 0, every chunk is a
  candidate, as with the service's embedding similarities: a question sharing no word with the files
  still finds their first chunks;
- results are ordered by score, then by how often the terms occur in the chunk, then by file (the
  store's order) and chunk position, and cut at `max_num_results`. So chunks with no shared term follow
  the others, in file and chunk order.

Chunks are spans of a file's text (see chunking and document_text): each is decoded while it is scored and
dropped again, and only the returned results keep their text, so searching a large file copies none of it.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ..model import chunking
from ..model.file import StoredFile
from ..model.vector_store import VectorStoreFile
from .document_text import searchable

_WORD = re.compile(r"\w+", re.UNICODE)

STOPWORDS = frozenset(
    {
        "a", "about", "all", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by", "can", "could",
        "did", "do", "does", "for", "from", "had", "has", "have", "he", "her", "his", "how", "i", "if", "in",
        "into", "is", "it", "its", "me", "my", "not", "of", "on", "or", "our", "s", "she", "should", "so",
        "some", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "to", "us",
        "use", "using", "was", "we", "were", "what", "when", "where", "which", "who", "why", "will", "with",
        "would", "you", "your",
    }
)


# The file_search tool's `max_num_results` when the tool does not set it (openapi.yaml, FileSearchTool):
# "The default is 20 for `gpt-4*` models and 5 for `gpt-3.5-turbo`."
TOOL_MAX_RESULTS = 20
TOOL_MAX_RESULTS_GPT_35 = 5


def default_max_results(model: str) -> int:
    """The file_search tool's default `max_num_results` for a run of `model`."""
    return TOOL_MAX_RESULTS_GPT_35 if model.startswith("gpt-3.5-turbo") else TOOL_MAX_RESULTS


@dataclass(frozen=True, slots=True)
class Hit:
    file: VectorStoreFile
    stored: StoredFile
    chunk: str
    score: float


def normalize(word: str) -> str:
    lowered = word.lower()
    return lowered[:-1] if len(lowered) > 3 and lowered.endswith("s") else lowered


def words(text: str) -> list[str]:
    """The query words that count, in order and once each."""
    found = (normalize(w) for w in _WORD.findall(text) if w.lower() not in STOPWORDS)
    return list(dict.fromkeys(found))


def rewrite(query: str) -> str:
    """What `rewrite_query: true` searches for: the query's terms, in order (the fake's deterministic rewrite)."""
    return " ".join(words(query)) or query


def forms_of(term: str) -> tuple[str, ...]:
    """The lower-cased words that normalize to `term`: the term itself or its plural."""
    return tuple(form for form in (term, term + "s") if normalize(form) == term)


def occurrences(lowered: str, forms: tuple[str, ...]) -> int:
    """How often one of `forms` is a whole word of `lowered` (a lower-cased text): `str.find`, not a regex,
    so a large file is scanned at C speed."""
    count = 0
    for form in forms:
        start = lowered.find(form)
        while start != -1:
            end = start + len(form)
            if (start == 0 or not _is_word(lowered[start - 1])) and (end == len(lowered) or not _is_word(lowered[end])):
                count += 1
            start = lowered.find(form, start + 1)
    return count


def _is_word(char: str) -> bool:
    """What a regular expression's `\\w` matches in a str."""
    return char.isalnum() or char == "_"


@dataclass(frozen=True, slots=True)
class _Scored:
    score: float
    occurrences: int
    order: tuple[int, int]  # (candidate, chunk)
    file: VectorStoreFile
    stored: StoredFile
    text: bytes  # the file's text (the File's own bytes for a text file: not a copy)
    span: chunking.Span


def search(
    queries: list[str],
    candidates: Iterable[tuple[VectorStoreFile, StoredFile]],
    *,
    max_results: int,
    threshold: float = 0.0,
    filters: dict[str, Any] | None = None,
) -> list[Hit]:
    """The best chunks for the union of the queries' terms, best first (see the module docstring)."""
    wanted = list(dict.fromkeys(t for q in queries for t in words(q)))
    scored = _score_all([forms_of(t) for t in wanted], candidates, threshold, filters)
    best = heapq.nsmallest(max_results, scored, key=lambda s: (-s.score, -s.occurrences, s.order))
    return [Hit(s.file, s.stored, chunking.text(s.text, s.span), s.score) for s in best]


def _score_all(
    terms_forms: list[tuple[str, ...]],
    candidates: Iterable[tuple[VectorStoreFile, StoredFile]],
    threshold: float,
    filters: dict[str, Any] | None,
) -> Iterator[_Scored]:
    for number, (file, stored) in enumerate(candidates):
        if file.status != "completed" or (filters and not matches(filters, file.attributes or {})):
            continue
        text = searchable(file, stored)
        for position, span in enumerate(chunking.spans(text, file.chunking_strategy)):
            lowered = chunking.text(text, span).lower()
            counts = [occurrences(lowered, forms) for forms in terms_forms]
            found = sum(1 for c in counts if c)
            value = round(found / len(terms_forms), 4) if terms_forms else 0.0
            if value >= threshold:
                yield _Scored(value, sum(counts), (number, position), file, stored, text, span)


# -- attribute filters ---------------------------------------------------------------------------------


def matches(condition: dict[str, Any], attributes: dict[str, Any]) -> bool:
    """A comparison (`eq` ... `nin` on `key`/`value`) or a compound (`and`/`or` over `filters`)."""
    kind = condition.get("type")
    if kind in ("and", "or"):
        results = (matches(c, attributes) for c in condition.get("filters", []))
        return all(results) if kind == "and" else any(results)
    key, value = condition.get("key"), condition.get("value")
    if key not in attributes:
        return kind in ("ne", "nin")
    return _compare(str(kind), attributes[key], value)


def _compare(kind: str, actual: Any, value: Any) -> bool:
    if kind in ("in", "nin"):
        options = value if isinstance(value, list) else [value]
        found = any(_equal(actual, option) for option in options)
        return found if kind == "in" else not found
    if kind == "eq":
        return _equal(actual, value)
    if kind == "ne":
        return not _equal(actual, value)
    if not _comparable(actual, value):
        return False
    if kind == "gt":
        return bool(actual > value)
    if kind == "gte":
        return bool(actual >= value)
    if kind == "lt":
        return bool(actual < value)
    if kind == "lte":
        return bool(actual <= value)
    return False


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def _equal(actual: Any, value: Any) -> bool:
    """Equal values of the same JSON type: `true` is not `1`, `1` is `1.0`."""
    return _kind(actual) == _kind(value) and bool(actual == value)


def _comparable(actual: Any, value: Any) -> bool:
    """Order compares numbers with numbers and strings with strings."""
    return _kind(actual) == _kind(value) and _kind(value) in ("number", "str")
