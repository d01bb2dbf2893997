"""The file_search tool in runs, through the real SDK: the tool_calls step (ranking options, results, `content`
only with include[]), the answer's `【n:m†name】` markers and their `file_citation` annotations, scripted
queries and results, tool_resources and attachments, and expired stores."""

from __future__ import annotations

import re
from typing import Any

import pytest

from fake_assistants import FakeAssistants
from fake_assistants.runs.script import SearchResult
from files_support import DAY, GARDEN, PLANETS, RECIPES, clock_of, expect_error, store_with, upload
from sdk_matrix import START, Sdk
from stream_support import collect_events, compress

SEARCH_CONTENT = "step_details.tool_calls[*].file_search.results[*].content"
MARKER = re.compile(r"\u3010(\d+):(\d+)\u2020([^\u3011]+)\u3011")
FILE_SEARCH: Any = {"type": "file_search"}


async def ask(client: Sdk, store_id: str, question: str, **run: Any) -> tuple[Any, Any]:
    """An assistant with file_search over the store, a thread with the question, and the finished run."""
    assistant = await client.beta.assistants.create(
        model="gpt-4o", tools=[FILE_SEARCH], tool_resources={"file_search": {"vector_store_ids": [store_id]}})
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": question}])
    done = await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id, **run)
    return thread, done


async def steps_and_answer(client: Sdk, run: Any, include: list[str] | None = None) -> tuple[Any, Any, Any]:
    steps = await client.beta.threads.runs.steps.list(run.id, thread_id=run.thread_id, order="asc",
                                                      **({"include": include} if include else {}))
    tool_step, message_step = steps.data
    answer = await client.beta.threads.messages.retrieve(message_step.step_details.message_creation.message_id,
                                                         thread_id=run.thread_id)
    return tool_step, message_step, answer


def assert_citations_slice_their_markers(text: Any) -> list[Any]:
    """Every annotation's indexes cut exactly its marker out of the text; the markers are well formed."""
    for annotation in text.annotations:
        assert text.value[annotation.start_index:annotation.end_index] == annotation.text
        assert MARKER.fullmatch(annotation.text), annotation.text
    assert len(MARKER.findall(text.value)) == len(text.annotations)
    return list(text.annotations)


async def test_upload_store_search_and_cite(client: Sdk) -> None:
    """The acceptance path: upload, store, create_and_poll, search, then a run that cites the file."""
    uploaded = await upload(client, "planets.txt", PLANETS)
    store = await client.vector_stores.create(name="Planets")
    attached = await client.vector_stores.files.create_and_poll(file_id=uploaded.id, vector_store_id=store.id)
    assert attached.status == "completed"
    found = await client.vector_stores.search(store.id, query="Why is Mars red?")
    assert (found.data[0].file_id, found.data[0].content[0].text) == (uploaded.id, PLANETS.decode())

    _, run = await ask(client, store.id, "Why is Mars red?")

    assert run.status == "completed"
    tool_step, _, answer = await steps_and_answer(client, run)
    (call,) = tool_step.step_details.tool_calls
    assert call.type == "file_search"
    assert call.id.startswith("call_")
    (annotation,) = assert_citations_slice_their_markers(answer.content[0].text)
    assert (annotation.type, annotation.file_citation.file_id) == ("file_citation", uploaded.id)
    assert MARKER.fullmatch(annotation.text).group(3) == "planets.txt"  # type: ignore[union-attr]


async def test_step_reports_ranking_options_and_results(client: Sdk) -> None:
    store, (planets, garden, recipes) = await store_with(
        client, ("planets.txt", PLANETS), ("garden.txt", GARDEN), ("recipes.txt", RECIPES))

    _, run = await ask(client, store.id, "red planet tomatoes")

    tool_step, message_step, answer = await steps_and_answer(client, run)
    assert (tool_step.type, tool_step.status, message_step.type) == ("tool_calls", "completed", "message_creation")
    search = tool_step.step_details.tool_calls[0].file_search
    assert search.ranking_options.model_dump() == {"ranker": "default_2024_08_21", "score_threshold": 0.0}
    assert [(r.file_id, r.file_name, r.score) for r in search.results] == [
        (planets.id, "planets.txt", 0.6667), (garden.id, "garden.txt", 0.3333), (recipes.id, "recipes.txt", 0.0)]
    assert all(r.content is None for r in search.results)  # only with include[]
    cited = assert_citations_slice_their_markers(answer.content[0].text)
    assert [a.file_citation.file_id for a in cited] == [planets.id, garden.id]


async def test_result_content_only_with_include(client: Sdk) -> None:
    store, _ = await store_with(client, ("planets.txt", PLANETS))
    _, run = await ask(client, store.id, "iron oxide")

    plain = await client.beta.threads.runs.steps.list(run.id, thread_id=run.thread_id, order="asc")
    included = await client.beta.threads.runs.steps.list(run.id, thread_id=run.thread_id, order="asc",
                                                         include=[SEARCH_CONTENT])
    one = await client.beta.threads.runs.steps.retrieve(plain.data[0].id, thread_id=run.thread_id, run_id=run.id,
                                                        include=[SEARCH_CONTENT])

    (bare,) = plain.data[0].step_details.tool_calls[0].file_search.results
    (full,) = included.data[0].step_details.tool_calls[0].file_search.results
    assert bare.content is None
    assert [(c.type, c.text) for c in full.content] == [("text", PLANETS.decode())]
    assert one.step_details.tool_calls[0].file_search.results[0].content == full.content


async def test_ranking_options_of_the_tool_apply(client: Sdk) -> None:
    store, (planets, _) = await store_with(client, ("planets.txt", PLANETS), ("garden.txt", GARDEN))
    assistant = await client.beta.assistants.create(
        model="gpt-4o",
        tools=[{"type": "file_search", "file_search": {"max_num_results": 1,
                                                       "ranking_options": {"ranker": "auto", "score_threshold": 0.5}}}],
        tool_resources={"file_search": {"vector_store_ids": [store.id]}})
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": "red planet tomatoes"}])

    run = await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)

    tool_step, _, _ = await steps_and_answer(client, run)
    search = tool_step.step_details.tool_calls[0].file_search
    assert search.ranking_options.model_dump() == {"ranker": "auto", "score_threshold": 0.5}
    assert [r.file_id for r in search.results] == [planets.id]


async def test_a_script_can_fix_the_query(client: Sdk, fake: FakeAssistants) -> None:
    store, (planets, garden) = await store_with(client, ("planets.txt", PLANETS), ("garden.txt", GARDEN))
    fake.script.file_search(query="pruning tomato plants").reply("Prune them in early summer.")

    _, run = await ask(client, store.id, "Tell me about Mars")

    tool_step, _, answer = await steps_and_answer(client, run)
    results = tool_step.step_details.tool_calls[0].file_search.results
    assert [(r.file_id, r.score) for r in results] == [(garden.id, 0.6667), (planets.id, 0.0)]  # "pruning": no
    text = answer.content[0].text
    assert text.value.startswith("Prune them in early summer")
    (annotation,) = assert_citations_slice_their_markers(text)
    assert annotation.file_citation.file_id == garden.id
    # the step's own tokens are the query the model wrote, and a little around it (never 0, as recorded)
    assert tool_step.usage.completion_tokens == -(-len("pruning tomato plants") // 4) + 2


async def test_a_search_steps_tokens_match_the_recorded_search(client: Sdk) -> None:
    """openai-dotnet's FileSearchWorks: the model's search for this question counted 19 completion tokens."""
    store, _ = await store_with(client, ("planets.txt", PLANETS))

    _, run = await ask(client, store.id, "Using the files you have available, what's Filip's favorite food?")

    tool_step, message_step, _ = await steps_and_answer(client, run)
    assert tool_step.usage.completion_tokens == 19
    assert run.usage.completion_tokens == 19 + message_step.usage.completion_tokens


async def test_a_script_can_fix_the_results(client: Sdk, fake: FakeAssistants) -> None:
    store, (planets, recipes) = await store_with(client, ("planets.txt", PLANETS), ("recipes.txt", RECIPES))
    fake.script.file_search(results=[SearchResult(recipes.id, score=0.42, text="Knead the dough."), planets.id])
    fake.script.reply("Knead it, then look at Mars.")

    _, run = await ask(client, store.id, "anything", include=[SEARCH_CONTENT])

    tool_step, _, answer = await steps_and_answer(client, run, include=[SEARCH_CONTENT])
    results = tool_step.step_details.tool_calls[0].file_search.results
    assert [(r.file_id, r.file_name, r.score, r.content[0].text) for r in results] == [
        (recipes.id, "recipes.txt", 0.42, "Knead the dough."), (planets.id, "planets.txt", 1.0, PLANETS.decode())]
    cited = assert_citations_slice_their_markers(answer.content[0].text)
    assert [a.file_citation.file_id for a in cited] == [recipes.id, planets.id]


async def test_a_scripted_result_naming_no_file_fails_the_run(client: Sdk, fake: FakeAssistants) -> None:
    """Its answer would cite a file that does not exist: the run fails naming it, as other script mistakes do."""
    store, _ = await store_with(client, ("planets.txt", PLANETS))
    fake.script.file_search(results=["file-typo"]).reply("Mars.")

    _, run = await ask(client, store.id, "anything")

    assert (run.status, run.last_error.code) == ("failed", "server_error")
    said = ("the script's file_search results name 'file-typo', which is no File of this fake: upload the file first "
            "(client.files.create) and name its id")
    assert run.last_error.message == f"fake-assistants: {said}"
    assert fake.script.mistakes == [f"run {run.id}: {said}"]
    fake.script.clear()


async def test_no_results_means_no_citations(client: Sdk) -> None:
    """Above threshold 0 a question sharing no word with the files finds nothing, and the answer cites nothing.
    (At threshold 0 it finds the best chunks: test_a_question_in_other_words_is_answered_with_a_citation.)"""
    store, _ = await store_with(client, ("planets.txt", PLANETS))
    assistant = await client.beta.assistants.create(
        model="gpt-4o", tools=[{"type": "file_search", "file_search": {"ranking_options": {"score_threshold": 0.1}}}],
        tool_resources={"file_search": {"vector_store_ids": [store.id]}})
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": "submarine"}])
    run = await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)

    tool_step, _, answer = await steps_and_answer(client, run)
    assert tool_step.step_details.tool_calls[0].file_search.results == []
    assert answer.content[0].text.annotations == []
    assert not MARKER.search(answer.content[0].text.value)


async def test_streamed_citations_match_the_polled_message(client: Sdk) -> None:
    store, (planets,) = await store_with(client, ("planets.txt", PLANETS))
    assistant = await client.beta.assistants.create(
        model="gpt-4o", tools=[FILE_SEARCH], tool_resources={"file_search": {"vector_store_ids": [store.id]}})
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": "Why is Mars red?"}])

    stream = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True)
    events = await collect_events(stream)

    completed = next(e.data for e in events if e.event == "thread.message.completed")
    polled = await client.beta.threads.messages.retrieve(completed.id, thread_id=thread.id)
    assert polled.model_dump() == completed.model_dump()
    (annotation,) = assert_citations_slice_their_markers(completed.content[0].text)
    cited = [a for e in events if e.event == "thread.message.delta"
             for part in e.data.delta.content if part.type == "text" for a in part.text.annotations or []]
    assert [(a.index, a.text, a.start_index, a.end_index, a.file_citation.file_id) for a in cited] == [
        (0, annotation.text, annotation.start_index, annotation.end_index, planets.id)]
    step = next(e.data for e in events if e.event == "thread.run.step.completed" and e.data.type == "tool_calls")
    assert step.step_details.tool_calls[0].file_search.results[0].content is None


async def test_searching_in_a_run_is_activity(client: Sdk, fake: FakeAssistants) -> None:
    store, _ = await store_with(client, ("planets.txt", PLANETS), expires_after={"anchor": "last_active_at",
                                                                                 "days": 1})
    clock_of(fake).advance(500)

    await ask(client, store.id, "Mars")

    used = await client.vector_stores.retrieve(store.id)
    assert (used.last_active_at, used.expires_at) == (START + 500, START + 500 + DAY)


async def test_a_run_over_an_expired_store_fails(client: Sdk, fake: FakeAssistants) -> None:
    store, _ = await store_with(client, ("planets.txt", PLANETS), expires_after={"anchor": "last_active_at",
                                                                                 "days": 1})
    clock_of(fake).advance(DAY)

    _, run = await ask(client, store.id, "Mars")

    assert run.status == "failed"
    assert run.last_error.model_dump() == {"code": "server_error",
                                           "message": f"Vector store '{store.id}' has expired"}
    assert (await client.vector_stores.retrieve(store.id)).status == "expired"


# -- tool_resources and attachments ----------------------------------------------------------------------


async def test_the_vector_stores_helper_creates_a_store(client: Sdk) -> None:
    planets = await upload(client, "planets.txt", PLANETS)

    assistant = await client.beta.assistants.create(
        model="gpt-4o", tools=[FILE_SEARCH],
        tool_resources={"file_search": {"vector_stores": [{"file_ids": [planets.id], "metadata": {"k": "v"}}]}})

    (store_id,) = assistant.tool_resources.file_search.vector_store_ids
    store = await client.vector_stores.retrieve(store_id)
    assert (store.metadata, store.file_counts.total, store.status) == ({"k": "v"}, 1, "completed")
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": "iron oxide"}])
    run = await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    _, _, answer = await steps_and_answer(client, run)
    (annotation,) = assert_citations_slice_their_markers(answer.content[0].text)
    assert annotation.file_citation.file_id == planets.id


async def test_the_helper_validates_its_chunking_strategy(client: Sdk) -> None:
    planets = await upload(client)
    bad: Any = {"type": "static", "static": {"max_chunk_size_tokens": 100, "chunk_overlap_tokens": 60}}
    param = "tool_resources.file_search.vector_stores[0].chunking_strategy.static.chunk_overlap_tokens"

    await expect_error(lambda: client.beta.threads.create(tool_resources={"file_search": {"vector_stores": [
        {"file_ids": [planets.id], "chunking_strategy": bad}]}}), 400, param=param, code="integer_above_max_value")
    assert (await client.vector_stores.list()).data == []


ONE_OF = "Invalid request: exactly one of 'vector_store_ids' or 'vector_stores' must be provided."


@pytest.mark.parametrize("file_search", [
    {"vector_store_ids": ["vs_abc"], "vector_stores": [{"file_ids": []}]},
    {"vector_store_ids": [], "vector_stores": [{"file_ids": []}]},
    {},
], ids=["both", "both-with-no-ids", "neither"])
async def test_file_search_takes_store_ids_or_the_helper_not_both_nor_neither(client: Sdk, file_search: Any) -> None:
    """The spec's oneOf (CHECKLIST 1.1): answered before any store is made, on assistants, threads and the thread
    of a create-and-run."""
    resources: Any = {"file_search": file_search}
    param = "tool_resources.file_search"
    await expect_error(lambda: client.beta.assistants.create(model="gpt-4o", tool_resources=resources), 400,
                       message=ONE_OF, param=param, code="invalid_value")
    await expect_error(lambda: client.beta.threads.create(tool_resources=resources), 400,
                       message=ONE_OF, param=param, code="invalid_value")
    assistant = await client.beta.assistants.create(model="gpt-4o")
    await expect_error(lambda: client.beta.threads.create_and_run(
        assistant_id=assistant.id, thread={"tool_resources": resources}), 400, message=ONE_OF, param=param,
        code="invalid_value")
    assert (await client.vector_stores.list()).data == []


async def test_the_helper_takes_more_files_than_a_vector_store_create(client: Sdk) -> None:
    """The helper's limit is 100,000,000 ids, vector_stores.create's 500: 501 ids make one store of them (they
    were a 500 server_error before)."""
    planets = await upload(client)
    assistant = await client.beta.assistants.create(model="gpt-4o", tool_resources={
        "file_search": {"vector_stores": [{"file_ids": [planets.id] * 501}]}})
    (store_id,) = assistant.tool_resources.file_search.vector_store_ids
    assert [f.id for f in (await client.vector_stores.files.list(store_id)).data] == [planets.id]
    await expect_error(lambda: client.vector_stores.create(file_ids=[planets.id] * 501), 400,
                       param="file_ids", code="array_above_max_length")


async def test_a_file_search_attachment_goes_to_the_threads_own_store(client: Sdk, fake: FakeAssistants) -> None:
    garden = await upload(client, "garden.txt", GARDEN)
    assistant = await client.beta.assistants.create(model="gpt-4o", tools=[FILE_SEARCH])
    thread = await client.beta.threads.create()
    clock_of(fake).advance(60)

    await client.beta.threads.messages.create(thread.id, role="user", content="When should I prune tomatoes?",
                                              attachments=[{"file_id": garden.id, "tools": [FILE_SEARCH]}])

    updated = await client.beta.threads.retrieve(thread.id)
    (store_id,) = updated.tool_resources.file_search.vector_store_ids
    store = await client.vector_stores.retrieve(store_id)
    assert store.expires_after.model_dump() == {"anchor": "last_active_at", "days": 7}
    assert (store.last_active_at, store.expires_at) == (START + 60, START + 60 + 7 * DAY)
    assert [f.id for f in (await client.vector_stores.files.list(store_id)).data] == [garden.id]

    run = await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    _, _, answer = await steps_and_answer(client, run)
    (annotation,) = assert_citations_slice_their_markers(answer.content[0].text)
    assert annotation.file_citation.file_id == garden.id

    recipes = await upload(client, "recipes.txt", RECIPES)
    await client.beta.threads.messages.create(thread.id, role="user", content="And bread?",
                                              attachments=[{"file_id": recipes.id, "tools": [FILE_SEARCH]}])
    again = await client.beta.threads.retrieve(thread.id)
    assert again.tool_resources.file_search.vector_store_ids == [store_id]  # the same store, one more file
    assert (await client.vector_stores.retrieve(store_id)).file_counts.total == 2


async def test_an_expired_thread_store_is_replaced_by_a_new_one(client: Sdk, fake: FakeAssistants) -> None:
    garden = await upload(client, "garden.txt", GARDEN)
    thread = await client.beta.threads.create(messages=[
        {"role": "user", "content": "hi", "attachments": [{"file_id": garden.id, "tools": [FILE_SEARCH]}]}])
    (old_store,) = (await client.beta.threads.retrieve(thread.id)).tool_resources.file_search.vector_store_ids
    clock_of(fake).advance(7 * DAY)

    await client.beta.threads.messages.create(thread.id, role="user", content="again",
                                              attachments=[{"file_id": garden.id, "tools": [FILE_SEARCH]}])

    (new_store,) = (await client.beta.threads.retrieve(thread.id)).tool_resources.file_search.vector_store_ids
    assert new_store != old_store
    assert (await client.vector_stores.retrieve(old_store)).status == "expired"
    assert (await client.vector_stores.retrieve(new_store)).status == "completed"


async def test_a_code_interpreter_attachment_joins_the_threads_file_ids(client: Sdk) -> None:
    data = await upload(client, "data.csv", b"a,b\n1,2\n")
    thread = await client.beta.threads.create()
    attachment: Any = {"file_id": data.id, "tools": [{"type": "code_interpreter"}]}

    await client.beta.threads.messages.create(thread.id, role="user", content="Sum it", attachments=[attachment])

    updated = await client.beta.threads.retrieve(thread.id)
    assert updated.tool_resources.code_interpreter.file_ids == [data.id]
    assert updated.tool_resources.file_search is None


def code_files(ids: list[str]) -> list[Any]:
    return [{"file_id": file_id, "tools": [{"type": "code_interpreter"}]} for file_id in ids]


async def test_attachments_cannot_take_a_threads_code_interpreter_past_20_files(client: Sdk) -> None:
    """The thread's `code_interpreter.file_ids` holds at most 20 (the spec): a message whose attachments would
    take it past them is refused, before anything is made, so the thread never shows a list it would refuse."""
    ids = [(await upload(client, f"data{n}.csv", b"a,b\n")).id for n in range(21)]
    thread = await client.beta.threads.create(tool_resources={"code_interpreter": {"file_ids": ids[:19]}})
    # a file already there counts once: 20 files
    await client.beta.threads.messages.create(thread.id, role="user", content="More",
                                              attachments=code_files(ids[18:20]))

    error = await expect_error(lambda: client.beta.threads.messages.create(
        thread.id, role="user", content="Too many", attachments=code_files(ids[20:])),
        400, param="attachments", code="array_above_max_length")
    assert "at most 20 files" in error.message and "would give it 21" in error.message
    assert len((await client.beta.threads.messages.list(thread.id)).data) == 1
    updated = await client.beta.threads.retrieve(thread.id)
    assert updated.tool_resources.code_interpreter.file_ids == ids[:20]
    await client.beta.threads.update(thread.id, tool_resources=updated.tool_resources.model_dump())  # sent back whole

    message = {"role": "user", "content": "x", "attachments": code_files(ids[10:])}
    first = {"role": "user", "content": "ok", "attachments": code_files(ids[:10])}
    await expect_error(lambda: client.beta.threads.create(messages=[first, message]),
                       400, param="messages[1].attachments", code="array_above_max_length")
    assistant = await client.beta.assistants.create(model="gpt-4o", tools=[{"type": "code_interpreter"}])
    await expect_error(lambda: client.beta.threads.create_and_run(assistant_id=assistant.id, thread={
        "messages": [message], "tool_resources": {"code_interpreter": {"file_ids": ids[:10]}}}),
        400, param="thread.messages[0].attachments", code="array_above_max_length")
    await expect_error(lambda: client.beta.threads.runs.create(
        thread.id, assistant_id=assistant.id, additional_messages=[message]),
        400, param="additional_messages[0].attachments", code="array_above_max_length")
    assert len((await client.beta.threads.messages.list(thread.id)).data) == 1  # nothing was added
    assert (await client.beta.threads.runs.list(thread.id)).data == []


# -- as the service did it: search before a scripted answer, markers annotated in place, ranking at 0 -----------

# FileSearchWorks (openai-dotnet): the file, the question and the recorded answer.
FAVORITE_FOODS = (b"This file describes the favorite foods of several people.\n\nSummanus Ferdinand: tacos\n"
                  b"Tekakwitha Effie: pizza\nFilip Carola: cake")
QUESTION = "Using the files you have available, what's Filip's favorite food?"
RECORDED_ANSWER = "Filip's favorite food is cake\u30104:0\u2020favorite_foods.txt\u3011."
RECORDED_EVENTS = [
    "thread.run.created", "thread.run.queued", "thread.run.in_progress",
    "thread.run.step.created", "thread.run.step.in_progress", "thread.run.step.delta", "thread.run.step.completed",
    "thread.run.step.created", "thread.run.step.in_progress", "thread.message.created", "thread.message.in_progress",
    "thread.message.delta", "thread.message.completed", "thread.run.step.completed", "thread.run.completed",
]  # FileSearchStreamingWorks__stream.sse, its deltas counted once, without `done`


def assert_recorded_answer(text: Any, file_id: str) -> None:
    """The recorded answer, its one annotation covering exactly the marker (indexes 29..53, as recorded)."""
    assert text.value == RECORDED_ANSWER
    (annotation,) = text.annotations
    assert (annotation.type, annotation.text, annotation.start_index, annotation.end_index) == (
        "file_citation", "\u30104:0\u2020favorite_foods.txt\u3011", 29, 53)
    assert annotation.file_citation.file_id == file_id


async def test_a_scripted_reply_searches_first_and_its_marker_is_cited(client: Sdk, fake: FakeAssistants) -> None:
    store, (foods,) = await store_with(client, ("favorite_foods.txt", FAVORITE_FOODS))
    fake.script.reply(RECORDED_ANSWER)

    _, run = await ask(client, store.id, QUESTION, include=[SEARCH_CONTENT])

    listed = await client.beta.threads.runs.steps.list(run.id, thread_id=run.thread_id, include=[SEARCH_CONTENT])
    message_step, tool_step = listed.data  # newest first, as recorded
    assert (message_step.type, tool_step.type) == ("message_creation", "tool_calls")
    (call,) = tool_step.step_details.tool_calls
    assert call.file_search.ranking_options.model_dump() == {"ranker": "default_2024_08_21", "score_threshold": 0.0}
    assert [(r.file_id, r.file_name, r.content[0].text) for r in call.file_search.results] == [
        (foods.id, "favorite_foods.txt", FAVORITE_FOODS.decode())]
    assert call.file_search.results[0].score > 0
    answer = await client.beta.threads.messages.retrieve(message_step.step_details.message_creation.message_id,
                                                         thread_id=run.thread_id)
    assert_recorded_answer(answer.content[0].text, foods.id)


async def test_a_streamed_scripted_reply_searches_first_in_the_recorded_order(client: Sdk,
                                                                             fake: FakeAssistants) -> None:
    store, (foods,) = await store_with(client, ("favorite_foods.txt", FAVORITE_FOODS))
    assistant = await client.beta.assistants.create(
        model="gpt-4o", tools=[FILE_SEARCH], tool_resources={"file_search": {"vector_store_ids": [store.id]}})
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": QUESTION}])
    fake.script.reply(RECORDED_ANSWER)

    stream = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True)
    events = await collect_events(stream)

    assert compress(e.event for e in events) == RECORDED_EVENTS
    completed = next(e.data for e in events if e.event == "thread.message.completed")
    assert_recorded_answer(completed.content[0].text, foods.id)
    cited = [a for e in events if e.event == "thread.message.delta"
             for part in e.data.delta.content if part.type == "text" for a in part.text.annotations or []]
    assert [(a.index, a.start_index, a.end_index, a.file_citation.file_id) for a in cited] == [(0, 29, 53, foods.id)]
    polled = await client.beta.threads.messages.retrieve(completed.id, thread_id=thread.id)
    assert polled.model_dump() == completed.model_dump()
    steps = await client.beta.threads.runs.steps.list(completed.run_id, thread_id=thread.id)
    assert [s.type for s in steps.data] == ["message_creation", "tool_calls"]


async def test_a_scripted_search_then_a_reply_with_a_marker_cites_it_once(client: Sdk, fake: FakeAssistants) -> None:
    store, (foods,) = await store_with(client, ("favorite_foods.txt", FAVORITE_FOODS))
    fake.script.file_search().reply(RECORDED_ANSWER)

    _, run = await ask(client, store.id, QUESTION)

    steps = await client.beta.threads.runs.steps.list(run.id, thread_id=run.thread_id, order="asc")
    assert [s.type for s in steps.data] == ["tool_calls", "message_creation"]  # one search, not two
    _, _, answer = await steps_and_answer(client, run)
    assert_recorded_answer(answer.content[0].text, foods.id)  # no second marker appended


async def test_a_scripted_reply_without_markers_gets_the_searchs_citation(client: Sdk,
                                                                          fake: FakeAssistants) -> None:
    store, (foods,) = await store_with(client, ("favorite_foods.txt", FAVORITE_FOODS))
    fake.script.reply("Filip's favorite food is cake.")

    _, run = await ask(client, store.id, QUESTION)

    _, _, answer = await steps_and_answer(client, run)
    (annotation,) = assert_citations_slice_their_markers(answer.content[0].text)
    assert annotation.file_citation.file_id == foods.id


async def test_a_scripted_reply_without_file_search_stays_as_it_is(client: Sdk, fake: FakeAssistants) -> None:
    assistant = await client.beta.assistants.create(model="gpt-4o")
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": QUESTION}])
    fake.script.reply(RECORDED_ANSWER)

    run = await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)

    steps = await client.beta.threads.runs.steps.list(run.id, thread_id=thread.id)
    assert [s.type for s in steps.data] == ["message_creation"]
    messages = await client.beta.threads.messages.list(thread.id, run_id=run.id)
    assert (messages.data[0].content[0].text.value, messages.data[0].content[0].text.annotations) == (
        RECORDED_ANSWER, [])


async def test_a_question_in_other_words_is_answered_with_a_citation(client: Sdk) -> None:
    """The Assistants overview notebook's question over a file sharing none of its words: at the default
    threshold, 0, the search still returns the best chunks, and the unscripted answer cites one."""
    paper = b"Gradient descent lowers a loss by stepping against its gradient; attention weighs tokens."
    store, (stored,) = await store_with(client, ("paper.txt", paper))

    _, run = await ask(client, store.id, "What are some cool math concepts behind this ML paper pdf?")

    tool_step, _, answer = await steps_and_answer(client, run)
    results = tool_step.step_details.tool_calls[0].file_search.results
    assert [(r.file_id, r.score) for r in results] == [(stored.id, 0.0)]
    (annotation,) = assert_citations_slice_their_markers(answer.content[0].text)
    assert annotation.file_citation.file_id == stored.id


@pytest.mark.parametrize(("model", "most"), [("gpt-3.5-turbo", 5), ("gpt-3.5-turbo-0125", 5), ("gpt-4o", 20)])
async def test_max_num_results_defaults_by_model(client: Sdk, model: str, most: int) -> None:
    """"The default is 20 for `gpt-4*` models and 5 for `gpt-3.5-turbo`" (the file_search tool's
    `max_num_results`); the tool as stored does not show the default, as the recordings show."""
    store, files = await store_with(client, *[(f"comet{n}.txt", b"A comet passed by.") for n in range(22)])
    few, _ = await store_with(client, *[(f"moon{n}.txt", b"The moon rose.") for n in range(8)])
    assistant = await client.beta.assistants.create(
        model=model, tools=[FILE_SEARCH], tool_resources={"file_search": {"vector_store_ids": [store.id]}})
    small = await client.beta.assistants.create(
        model=model, tools=[FILE_SEARCH], tool_resources={"file_search": {"vector_store_ids": [few.id]}})
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": "comet moon"}])

    run = await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    other = await client.beta.threads.create(messages=[{"role": "user", "content": "comet moon"}])
    eight = await client.beta.threads.runs.create_and_poll(thread_id=other.id, assistant_id=small.id)

    tool_step, _, _ = await steps_and_answer(client, run)
    results = tool_step.step_details.tool_calls[0].file_search.results
    assert [r.file_id for r in results] == [f.id for f in files[:most]]
    eight_step, _, _ = await steps_and_answer(client, eight)
    assert len(eight_step.step_details.tool_calls[0].file_search.results) == min(8, most)
    assert assistant.tools[0].file_search.max_num_results is None


async def test_a_refused_file_search_spends_no_id(client: Sdk) -> None:
    """The oneOf is checked before the assistant's (or thread's) id is drawn: the ids after are those a fake that
    never saw the refused request hands out."""
    both: Any = {"file_search": {"vector_store_ids": ["vs_abc"], "vector_stores": [{"file_ids": []}]}}
    await expect_error(lambda: client.beta.assistants.create(model="gpt-4o", tool_resources=both), 400,
                       message=ONE_OF, param="tool_resources.file_search", code="invalid_value")
    await expect_error(lambda: client.beta.threads.create(tool_resources=both), 400,
                       message=ONE_OF, param="tool_resources.file_search", code="invalid_value")
    assistant = await client.beta.assistants.create(model="gpt-4o")
    thread = await client.beta.threads.create()
    assert (assistant.id, thread.id) == ("asst_asKxnyT4aUjuitCqd2Pn5H2y", "thread_f0lW9mJ5tXw8ulbfT1jRfVSY")


async def test_a_reply_without_search_has_no_search_step_and_no_citation(client: Sdk, fake: FakeAssistants) -> None:
    store, _ = await store_with(client, ("planets.txt", PLANETS))
    fake.script.reply("Hello, how can I help?", search=False)

    _, run = await ask(client, store.id, "Hi there")

    steps = await client.beta.threads.runs.steps.list(run.id, thread_id=run.thread_id)
    (message_step,) = steps.data
    answer = (await client.beta.threads.messages.list(run.thread_id)).data[0]
    assert message_step.type == "message_creation"
    assert (answer.content[0].text.value, answer.content[0].text.annotations) == ("Hello, how can I help?", [])


def test_search_is_true_or_false() -> None:
    with pytest.raises(TypeError, match=r"search must be True or False, not str 'no'; pass search=False"):
        FakeAssistants().script.reply("Hi", search="no")  # type: ignore[arg-type]
