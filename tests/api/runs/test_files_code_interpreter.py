"""Files that code_interpreter makes, through the real SDK: image outputs (`image_file` content) and generated
files (`sandbox:/mnt/data/...` links with `file_path` annotations), downloadable as `assistants_output`,
and the same in steps, messages and streams."""

from __future__ import annotations

from typing import Any

from fake_assistants import FakeAssistants
from sdk_matrix import Sdk, settle
from stream_support import collect_events, opened

CODE_INTERPRETER: Any = {"type": "code_interpreter"}
PNG = b"\x89PNG\r\n\x1a\n fake image"
CSV = b"x,y\n1,2\n3,4\n"


async def run_code(client: Sdk, question: str = "Make a table") -> tuple[Any, Any]:
    assistant = await client.beta.assistants.create(model="gpt-4o", tools=[CODE_INTERPRETER])
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": question}])
    run = await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    return thread, run


async def answer_of(client: Sdk, run: Any) -> tuple[Any, Any]:
    steps = await client.beta.threads.runs.steps.list(run.id, thread_id=run.thread_id, order="asc")
    code_step, message_step = steps.data
    answer = await client.beta.threads.messages.retrieve(message_step.step_details.message_creation.message_id,
                                                         thread_id=run.thread_id)
    return code_step, answer


def file_paths(text: Any) -> list[tuple[str, str]]:
    """(annotated text, file id) of every file_path annotation, checking that its indexes slice its text."""
    found = []
    for annotation in text.annotations:
        assert text.value[annotation.start_index:annotation.end_index] == annotation.text
        if annotation.type == "file_path":
            found.append((annotation.text, annotation.file_path.file_id))
    return found


async def test_generated_file_is_linked_with_a_file_path_annotation(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.code_interpreter("df.to_csv('/mnt/data/table.csv')", logs="saved", files={"table.csv": CSV})
    fake.script.reply("Here it is: [Download the table](sandbox:/mnt/data/table.csv).")

    _, run = await run_code(client)

    assert run.status == "completed"
    code_step, answer = await answer_of(client, run)
    text = answer.content[0].text
    assert text.value == "Here it is: [Download the table](sandbox:/mnt/data/table.csv)."
    ((path, file_id),) = file_paths(text)
    assert path == "sandbox:/mnt/data/table.csv"
    generated = await client.files.retrieve(file_id)
    assert (generated.purpose, generated.filename, generated.bytes) == ("assistants_output", "/mnt/data/table.csv",
                                                                        len(CSV))
    assert (await client.files.content(file_id)).content == CSV  # assistants_output files can be downloaded
    assert [(a.file_id, [t.type for t in a.tools]) for a in answer.attachments] == [(file_id, ["code_interpreter"])]
    (call,) = code_step.step_details.tool_calls
    assert [(o.type, o.logs) for o in call.code_interpreter.outputs] == [("logs", "saved")]  # files are no outputs


async def test_an_unmentioned_file_gets_a_link_appended(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.code_interpreter("save()", files=[("report.md", b"# Report"), ("data.csv", CSV)])
    fake.script.reply("Both files are ready.")

    _, run = await run_code(client)

    _, answer = await answer_of(client, run)
    text = answer.content[0].text
    assert text.value == ("Both files are ready.\n\n[report.md](sandbox:/mnt/data/report.md)"
                          "\n\n[data.csv](sandbox:/mnt/data/data.csv)")
    linked = file_paths(text)
    assert [path for path, _ in linked] == ["sandbox:/mnt/data/report.md", "sandbox:/mnt/data/data.csv"]
    assert [(await client.files.content(file_id)).content for _, file_id in linked] == [b"# Report", CSV]
    assert [a.file_id for a in answer.attachments] == [file_id for _, file_id in linked]


async def test_image_outputs_become_image_file_content(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.code_interpreter("plt.savefig()", logs="ok", images=[PNG]).reply("The chart.")

    _, run = await run_code(client, "Plot it")

    code_step, answer = await answer_of(client, run)
    outputs = code_step.step_details.tool_calls[0].code_interpreter.outputs
    assert [o.type for o in outputs] == ["logs", "image"]
    image_id = outputs[1].image.file_id
    assert [part.type for part in answer.content] == ["image_file", "text"]
    assert answer.content[0].image_file.file_id == image_id
    assert (await client.files.retrieve(image_id)).purpose == "assistants_output"
    assert (await client.files.content(image_id)).content == PNG
    assert answer.attachments == []


async def test_citations_and_file_paths_together(client: Sdk, fake: FakeAssistants) -> None:
    notes = await client.files.create(file=("notes.txt", b"The budget is 42 euros."), purpose="assistants")
    store = await client.vector_stores.create(file_ids=[notes.id])
    fake.script.file_search().code_interpreter("write()", files={"budget.csv": b"42"})
    fake.script.reply("Saved to sandbox:/mnt/data/budget.csv as the notes say.")
    assistant = await client.beta.assistants.create(
        model="gpt-4o", tools=[CODE_INTERPRETER, {"type": "file_search"}],
        tool_resources={"file_search": {"vector_store_ids": [store.id]}})
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": "budget"}])

    run = await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)

    messages = await client.beta.threads.messages.list(thread.id, run_id=run.id)
    text = messages.data[0].content[0].text
    kinds = [a.type for a in text.annotations]
    assert kinds == ["file_path", "file_citation"]  # in the order of the text
    assert all(text.value[a.start_index:a.end_index] == a.text for a in text.annotations)
    assert text.annotations[1].file_citation.file_id == notes.id


async def test_the_stream_carries_the_same_annotations(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.code_interpreter("save()", logs="done", files={"table.csv": CSV}, images=[PNG])
    fake.script.reply("Download: sandbox:/mnt/data/table.csv")
    assistant = await client.beta.assistants.create(model="gpt-4o", tools=[CODE_INTERPRETER])
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": "go"}])

    stream = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True)
    events = await collect_events(stream)

    completed = next(e.data for e in events if e.event == "thread.message.completed")
    polled = await client.beta.threads.messages.retrieve(completed.id, thread_id=thread.id)
    assert polled.model_dump() == completed.model_dump()
    ((path, file_id),) = file_paths(completed.content[1].text)
    deltas = [part for e in events if e.event == "thread.message.delta" for part in e.data.delta.content]
    assert (deltas[0].type, deltas[0].index) == ("image_file", 0)
    annotated = [a for part in deltas if part.type == "text" for a in part.text.annotations or []]
    assert [(a.index, a.type, a.text, a.file_path.file_id) for a in annotated] == [(0, "file_path", path, file_id)]
    step_deltas = [e.data.delta.step_details.tool_calls[0] for e in events if e.event == "thread.run.step.delta"]
    outputs = [o for call in step_deltas if call.code_interpreter and call.code_interpreter.outputs
               for o in call.code_interpreter.outputs]
    assert [o.type for o in outputs] == ["logs", "image"]


async def test_the_sdk_stream_helper_accumulates_the_answer(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.code_interpreter("save()", files={"table.csv": CSV}).reply("See sandbox:/mnt/data/table.csv now.")
    assistant = await client.beta.assistants.create(model="gpt-4o", tools=[CODE_INTERPRETER])
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": "go"}])

    async with opened(client.raw.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id)) as stream:
        await settle(stream.until_done())
        (final,) = await settle(stream.get_final_messages())

    polled = await client.beta.threads.messages.retrieve(final.id, thread_id=thread.id)
    assert final.content[0].text.value == polled.content[0].text.value
    assert file_paths(final.content[0].text) == file_paths(polled.content[0].text)
