"""Properties of the chunks a vector store cuts a file into (spans of its bytes) and of the search over them."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from fake_assistants.model import chunking
from fake_assistants.model.file import StoredFile
from fake_assistants.model.vector_store import VectorStoreFile
from fake_assistants.runs import search

TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=3000)
SIZES = st.integers(min_value=100, max_value=400).flatmap(
    lambda size: st.tuples(st.just(size), st.integers(min_value=0, max_value=size // 2)))


def strategy(size: int, overlap: int) -> dict[str, Any]:
    return {"type": "static", "static": {"max_chunk_size_tokens": size, "chunk_overlap_tokens": overlap}}


@settings(max_examples=200, deadline=None)
@given(TEXT, SIZES)
def test_spans_cover_the_file_in_order_without_cutting_characters(text: str, sizes: tuple[int, int]) -> None:
    data = text.encode()
    size, overlap = sizes
    spans = list(chunking.spans(data, strategy(size, overlap)))

    if not data:
        assert spans == []
        return
    assert spans[0][0] == 0 and spans[-1][1] == len(data)
    for start, end in spans:
        assert 0 < end - start <= size * chunking.BYTES_PER_TOKEN
        data[start:end].decode("utf-8")  # never half a character
    for (start, end), (next_start, _) in pairwise(spans):
        assert start < next_start <= end  # moving forward, overlapping or touching, never leaving a gap
    assert chunking.count(data, strategy(size, overlap)) == len(spans)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["alpha", "beta", "gamma", "delta", "epsilon"]), min_size=1, max_size=600))
def test_without_overlap_the_chunks_partition_the_words(words: list[str]) -> None:
    data = " ".join(words).encode()

    spans = list(chunking.spans(data, strategy(100, 0)))

    assert b"".join(data[start:end] for start, end in spans) == data
    assert [w for start, end in spans for w in data[start:end].decode().split()] == words  # no word cut in two


def test_auto_is_static_800_400() -> None:
    assert chunking.resolve(None) == chunking.resolve({"type": "auto"}) == chunking.AUTO_STRATEGY


def candidate(name: str, text: str) -> tuple[VectorStoreFile, StoredFile]:
    stored = StoredFile(id=f"file-{name}", created_at=0, filename=name, purpose="assistants", data=text.encode())
    vs_file = VectorStoreFile(id=stored.id, created_at=0, vector_store_id="vs_1",
                              chunking_strategy=strategy(100, 50), status="completed")
    return vs_file, stored


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["comet", "Comets", "orbit", "ice", "tail", "dust", "sun"]), min_size=1,
                max_size=300), st.lists(st.sampled_from(["comet", "orbit", "tail", "moon"]), min_size=1, max_size=3))
def test_search_ranks_by_coverage_and_finds_what_is_there(words: list[str], query: list[str]) -> None:
    text = " ".join(words)
    hits = search.search([" ".join(query)], [candidate("a.txt", text)], max_results=50)
    sharing = search.search([" ".join(query)], [candidate("a.txt", text)], max_results=50, threshold=0.0001)

    wanted = set(search.words(" ".join(query)))
    present = wanted & set(search.words(text))
    scores = [hit.score for hit in hits]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= s <= 1 for s in scores)
    assert hits  # at threshold 0 every chunk is a candidate, sharing a term or not
    assert all(s > 0 for s in scores[:len(sharing)]) and all(s == 0 for s in scores[len(sharing):])
    assert bool(sharing) == bool(present)
    best = set(search.words(hits[0].chunk)) & wanted
    assert hits[0].score == round(len(best) / len(wanted), 4)
