"""Vector-store search through the real SDK: deterministic ranking over the stored chunks, `max_num_results`,
query lists, `rewrite_query`, attribute `filters` and `ranking_options`."""

from __future__ import annotations

from typing import Any

import pytest

from fake_assistants import FakeAssistants
from files_support import GARDEN, PLANETS, RECIPES, expect_error, store_with, upload
from sdk_matrix import Sdk

SMALL_CHUNKS = {"type": "static", "static": {"max_chunk_size_tokens": 100, "chunk_overlap_tokens": 0}}
FILLER = b"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt. " * 12


def texts(page: Any) -> list[str]:
    return [result.content[0].text for result in page.data]


async def test_the_chunk_with_the_query_words_comes_first(client: Sdk) -> None:
    passage = b"The lighthouse keeper logged every storm in a leather notebook, with a note on its damage. "
    document = FILLER + passage + FILLER
    stored = await upload(client, "log.txt", document)
    store = await client.vector_stores.create(file_ids=[stored.id], chunking_strategy=SMALL_CHUNKS)
    await client.vector_stores.files.poll(stored.id, vector_store_id=store.id)

    page = await client.vector_stores.search(store.id, query="Which storms did the lighthouse keeper note?")

    best = page.data[0]
    assert (best.file_id, best.filename, best.score) == (stored.id, "log.txt", 1.0)
    assert "lighthouse keeper logged every storm" in best.content[0].text
    # the filler shares none of the terms: at the default threshold, 0, its chunks follow with score 0
    assert [r.score for r in page.data[1:]] == [0.0] * (len(page.data) - 1)
    assert len(page.data) > 1
    assert best.content[0].type == "text"
    assert len(best.content[0].text.encode()) <= 100 * 4  # one chunk of 100 tokens, not the file
    assert page.search_query == ["Which storms did the lighthouse keeper note?"]
    assert (page.has_more, page.next_page) == (False, None)


async def test_results_rank_by_how_many_query_terms_a_chunk_holds(client: Sdk) -> None:
    store, _ = await store_with(client, ("planets.txt", PLANETS), ("garden.txt", GARDEN), ("recipes.txt", RECIPES))

    page = await client.vector_stores.search(store.id, query="red planet tomatoes")

    assert [(r.filename, r.score) for r in page.data] == [
        ("planets.txt", 0.6667), ("garden.txt", 0.3333), ("recipes.txt", 0.0)]
    assert all(0 <= r.score <= 1 for r in page.data)


async def test_more_occurrences_win_a_tie(client: Sdk) -> None:
    store, _ = await store_with(client, ("once.txt", b"A note about bread."),
                                ("thrice.txt", b"Bread, bread and more bread."))

    page = await client.vector_stores.search(store.id, query="bread")

    assert [(r.filename, r.score) for r in page.data] == [("thrice.txt", 1.0), ("once.txt", 1.0)]


async def test_matching_ignores_case_plurals_and_stop_words(client: Sdk) -> None:
    store, _ = await store_with(client, ("garden.txt", GARDEN))

    page = await client.vector_stores.search(store.id, query="What about the TOMATO plant?")

    assert [r.score for r in page.data] == [1.0]


async def test_no_shared_word_still_finds_chunks_at_threshold_0(client: Sdk) -> None:
    """Scores stand for embedding similarities: at the default threshold, 0, the best chunks come back even
    when they share no word with the query (score 0, in file and chunk order); any higher threshold drops
    them. (The fake used to answer an empty page here.)"""
    store, _ = await store_with(client, ("garden.txt", GARDEN), ("recipes.txt", RECIPES))

    page = await client.vector_stores.search(store.id, query="submarine")
    stop_words_only = await client.vector_stores.search(store.id, query="what is the")
    strict = await client.vector_stores.search(store.id, query="submarine",
                                               ranking_options={"score_threshold": 0.01})

    assert [(r.filename, r.score) for r in page.data] == [("garden.txt", 0.0), ("recipes.txt", 0.0)]
    assert [r.content[0].text for r in page.data] == [GARDEN.decode(), RECIPES.decode()]
    assert stop_words_only.model_dump() | {"search_query": None} == page.model_dump() | {"search_query": None}
    assert strict.data == []


async def test_search_is_deterministic(client: Sdk) -> None:
    store, _ = await store_with(client, ("planets.txt", PLANETS), ("garden.txt", GARDEN), ("recipes.txt", RECIPES))

    first = await client.vector_stores.search(store.id, query="the surface of the dough")
    second = await client.vector_stores.search(store.id, query="the surface of the dough")

    assert first.model_dump() == second.model_dump()


async def test_max_num_results(client: Sdk) -> None:
    document = b" ".join(b"Chapter %d mentions the comet." % n for n in range(200))
    store, _ = await store_with(client, ("comets.txt", document), chunking_strategy=SMALL_CHUNKS)

    default = await client.vector_stores.search(store.id, query="comet")
    three = await client.vector_stores.search(store.id, query="comet", max_num_results=3)

    assert len(default.data) == 10
    assert [r.content[0].text for r in three.data] == [r.content[0].text for r in default.data[:3]]
    await expect_error(
        lambda: client.vector_stores.search(store.id, query="comet", max_num_results=51), 400,
        "Invalid 'max_num_results': integer above maximum value. Expected a value <= 50, but got 51 instead.",
        param="max_num_results", code="integer_above_max_value",
    )


async def test_a_list_of_queries_searches_their_terms_together(client: Sdk) -> None:
    store, _ = await store_with(client, ("planets.txt", PLANETS), ("recipes.txt", RECIPES))

    page = await client.vector_stores.search(store.id, query=["iron oxide", "dough"])

    assert page.search_query == ["iron oxide", "dough"]
    assert [r.filename for r in page.data] == ["planets.txt", "recipes.txt"]


async def test_rewrite_query_reports_the_rewritten_query(client: Sdk) -> None:
    store, _ = await store_with(client, ("recipes.txt", RECIPES))

    page = await client.vector_stores.search(store.id, query="How long should I knead the Dough?",
                                             rewrite_query=True)

    assert page.search_query == ["long knead dough"]
    assert [r.filename for r in page.data] == ["recipes.txt"]


async def test_score_threshold_drops_weaker_results(client: Sdk) -> None:
    store, _ = await store_with(client, ("planets.txt", PLANETS), ("garden.txt", GARDEN))

    kept = await client.vector_stores.search(store.id, query="red planet tomatoes",
                                             ranking_options={"score_threshold": 0.5, "ranker": "none"})
    everything = await client.vector_stores.search(store.id, query="red planet tomatoes",
                                                   ranking_options={"score_threshold": 0.0, "ranker": "auto"})

    assert [r.filename for r in kept.data] == ["planets.txt"]
    assert [r.filename for r in everything.data] == ["planets.txt", "garden.txt"]
    await expect_error(
        lambda: client.vector_stores.search(store.id, query="x", ranking_options={"ranker": "fastest"}),  # type: ignore[typeddict-item]
        400, "Invalid value: 'fastest'. Supported values are: 'none', 'auto', and 'default-2024-11-15'.",
        param="ranking_options.ranker", code="invalid_value",
    )


async def test_only_completed_files_are_searched(client: Sdk, fake: FakeAssistants) -> None:
    fake.ingestion.set_policy("manual")
    stored = await upload(client, "planets.txt", PLANETS)
    store = await client.vector_stores.create(file_ids=[stored.id])

    before = await client.vector_stores.search(store.id, query="Mars")
    fake.finish_ingestion()
    after = await client.vector_stores.search(store.id, query="Mars")

    assert (len(before.data), len(after.data)) == (0, 1)


# -- attribute filters ------------------------------------------------------------------------------------


async def filtered_store(client: Sdk) -> Any:
    """Three one-sentence files about comets, with attributes to filter on."""
    store = await client.vector_stores.create()
    for name, attributes in [
        ("a.txt", {"author": "ada", "year": 2021, "public": True}),
        ("b.txt", {"author": "bob", "year": 2023, "public": False}),
        ("c.txt", {"author": "cy", "year": 2025}),
    ]:
        stored = await upload(client, name, b"A comet passed by.")
        await client.vector_stores.files.create_and_poll(file_id=stored.id, vector_store_id=store.id,
                                                         attributes=attributes)
    return store


@pytest.mark.parametrize(
    ("filters", "names"),
    [
        ({"type": "eq", "key": "author", "value": "bob"}, ["b.txt"]),
        ({"type": "ne", "key": "author", "value": "bob"}, ["a.txt", "c.txt"]),
        ({"type": "gt", "key": "year", "value": 2021}, ["b.txt", "c.txt"]),
        ({"type": "gte", "key": "year", "value": 2023}, ["b.txt", "c.txt"]),
        ({"type": "lt", "key": "year", "value": 2023}, ["a.txt"]),
        ({"type": "lte", "key": "year", "value": 2023.0}, ["a.txt", "b.txt"]),
        ({"type": "in", "key": "author", "value": ["ada", "cy"]}, ["a.txt", "c.txt"]),
        ({"type": "nin", "key": "author", "value": ["ada", "cy"]}, ["b.txt"]),
        ({"type": "eq", "key": "public", "value": True}, ["a.txt"]),
        ({"type": "eq", "key": "public", "value": 1}, []),  # a boolean is not a number
        ({"type": "gt", "key": "author", "value": 5}, []),  # a string does not compare with a number
        ({"type": "and", "filters": [{"type": "gte", "key": "year", "value": 2021},
                                     {"type": "ne", "key": "public", "value": False}]}, ["a.txt", "c.txt"]),
        ({"type": "or", "filters": [{"type": "eq", "key": "author", "value": "cy"},
                                    {"type": "and", "filters": [{"type": "eq", "key": "public", "value": True},
                                                                {"type": "lt", "key": "year", "value": 2022}]}]},
         ["a.txt", "c.txt"]),
    ],
    ids=["eq", "ne", "gt", "gte", "lt", "lte", "in", "nin", "eq-bool", "bool-is-not-number", "mixed-types", "and",
         "nested-or"],
)
async def test_filters(client: Sdk, filters: Any, names: list[str]) -> None:
    store = await filtered_store(client)

    page = await client.vector_stores.search(store.id, query="comet", filters=filters)

    assert sorted(r.filename for r in page.data) == names
    assert all(r.attributes for r in page.data)


@pytest.mark.parametrize(
    ("filters", "param", "code", "message"),
    [
        ({"type": "like", "key": "a", "value": "b"}, "filters.type", "invalid_value",
         "Invalid value: 'like'. Supported values are: 'eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', "
         "'and', and 'or'."),
        ({"type": "eq", "key": "a"}, "filters.value", "missing_required_parameter",
         "Missing required parameter: 'filters.value'."),
        ({"type": "and", "filters": [{"type": "eq", "key": 3, "value": "b"}]}, "filters.filters[0].key",
         "invalid_type", "Invalid type for 'filters.filters[0].key': expected a string, but got an integer instead."),
        ({"type": "eq", "key": "a", "value": {"x": 1}}, "filters.value", "invalid_type", None),
        ({"type": "eq", "key": "a", "value": "b", "extra": 1}, "filters.extra", "unknown_parameter",
         "Unknown parameter: 'filters.extra'."),
    ],
    ids=["unknown-type", "missing-value", "nested-wrong-type", "object-value", "unknown-key"],
)
async def test_bad_filters_are_rejected(client: Sdk, filters: Any, param: str, code: str,
                                        message: str | None) -> None:
    store = await client.vector_stores.create()

    await expect_error(lambda: client.vector_stores.search(store.id, query="x", filters=filters), 400, message,
                       param=param, code=code)


async def test_query_must_not_be_empty(client: Sdk) -> None:
    store = await client.vector_stores.create()

    await expect_error(lambda: client.vector_stores.search(store.id, query=""), 400, param="query",
                       code="empty_string")
    await expect_error(lambda: client.vector_stores.search(store.id, query=[]), 400, param="query",
                       code="empty_array")
