"""Issue 20: `ChatCompletionsModel` drives runs from a chat-completions backend (a scripted one the tests start on
loopback), through the real SDK: the request it sends, tool calls, streams, failures, record and replay."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chat_backend import Answer, ChatBackend, chat_backend, chunks
from fake_assistants import FakeAssistants
from fake_assistants.responders import ChatCompletionsModel
from runs_support import assistant_and_thread, messages_of, text_of
from sdk_matrix import Sdk, settle
from stream_support import collect_events, events_of, opened

WEATHER = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}


@pytest.fixture
def backend() -> Iterator[ChatBackend]:
    with chat_backend() as started:
        yield started


def use_model(fake: FakeAssistants, backend: ChatBackend, **options: Any) -> ChatCompletionsModel:
    model = ChatCompletionsModel(base_url=backend.url, model="scripted-7b", **options)
    fake.script.respond_with(model, repeat=True)
    return model


async def ask(client: Sdk, text: str = "Hi", *, run: dict[str, Any] | None = None, **assistant: Any) -> Any:
    assistant.setdefault("tools", [WEATHER])
    created, thread = await assistant_and_thread(client, text, **assistant)
    return await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=created.id,
                                                          **(run or {}))


async def test_the_quickstart_completes_with_the_backends_text(client: Sdk, fake: FakeAssistants,
                                                               backend: ChatBackend) -> None:
    use_model(fake, backend)
    backend.reply("Hello from the model")
    created, thread = await assistant_and_thread(client, "First", instructions="You are terse.", tools=[])
    await client.beta.threads.messages.create(thread.id, role="user", content="Second")

    run = await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=created.id,
                                                         additional_instructions="Answer in English.")

    assert run.status == "completed"
    assert text_of((await messages_of(client, thread.id))[0]) == "Hello from the model"
    assert (run.usage.prompt_tokens, run.usage.completion_tokens) == (11, 7)
    (request,) = backend.requests
    assert request["model"] == "scripted-7b"
    assert (request["seed"], request["temperature"], request["stream"]) == (0, 0, True)
    assert request["messages"] == [
        {"role": "system", "content": "You are terse.\nAnswer in English."},
        {"role": "user", "content": "First"},
        {"role": "user", "content": "Second"},
    ]
    assert "tools" not in request


async def test_the_runs_override_and_its_settings_reach_the_backend(client: Sdk, fake: FakeAssistants,
                                                                   backend: ChatBackend) -> None:
    use_model(fake, backend, stream=False)
    backend.reply("ok")
    created, thread = await assistant_and_thread(client, "one", instructions="Assistant's", tools=[WEATHER])
    for text in ("two", "three"):
        await client.beta.threads.messages.create(thread.id, role="user", content=text)

    run = await client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=created.id, instructions="The run's override",
        tool_choice={"type": "function", "function": {"name": "get_weather"}}, parallel_tool_calls=False,
        response_format={"type": "json_object"}, max_completion_tokens=300,
        truncation_strategy={"type": "last_messages", "last_messages": 2})

    assert run.status == "completed"
    (request,) = backend.requests
    assert [m["content"] for m in request["messages"]] == ["The run's override", "two", "three"]
    assert request["tools"] == [WEATHER]
    assert request["tool_choice"] == {"type": "function", "function": {"name": "get_weather"}}
    assert request["parallel_tool_calls"] is False
    assert request["response_format"] == {"type": "json_object"}
    assert request["max_tokens"] == 300
    assert "stream" not in request


@pytest.mark.parametrize("stream", [True, False], ids=["streamed-backend", "whole-backend"])
async def test_a_function_call_round_trip(client: Sdk, fake: FakeAssistants, backend: ChatBackend,
                                          stream: bool) -> None:
    use_model(fake, backend, stream=stream)
    backend.call(("backend-call-1", "get_weather", '{"city": "Paris"}')).reply("It is 22C in Paris.")

    run = await ask(client, "Weather in Paris?")

    assert run.status == "requires_action"
    (call,) = run.required_action.submit_tool_outputs.tool_calls
    assert (call.function.name, json.loads(call.function.arguments)) == ("get_weather", {"city": "Paris"})
    assert call.id.startswith("call_") and call.id != "backend-call-1"
    run = await client.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run.id, thread_id=run.thread_id, tool_outputs=[{"tool_call_id": call.id, "output": "22C"}])

    assert run.status == "completed"
    assert text_of((await messages_of(client, run.thread_id))[0]) == "It is 22C in Paris."
    assert backend.requests[1]["messages"][-2:] == [
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "backend-call-1", "type": "function",
             "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}]},
        {"role": "tool", "tool_call_id": "backend-call-1", "content": "22C"},
    ]


async def test_two_parallel_calls_get_two_distinct_ids(client: Sdk, fake: FakeAssistants,
                                                        backend: ChatBackend) -> None:
    use_model(fake, backend)
    backend.call(("same", "get_weather", '{"city": "Paris"}'), ("same", "get_weather", '{"city": "Rome"}'))

    run = await ask(client)

    first, second = run.required_action.submit_tool_outputs.tool_calls
    assert first.id != second.id
    assert [json.loads(c.function.arguments)["city"] for c in (first, second)] == ["Paris", "Rome"]


async def test_a_streamed_run_delivers_the_backends_text(client: Sdk, fake: FakeAssistants,
                                                        backend: ChatBackend) -> None:
    use_model(fake, backend)
    backend.reply("One two three four")
    created, thread = await assistant_and_thread(client, "Count", tools=[])

    stream = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=created.id, stream=True)
    events = await collect_events(stream)

    deltas = [e.data.delta.content[0].text.value for e in events if e.event == "thread.message.delta"]
    assert "".join(deltas) == "One two three four"
    assert events[-1].event == "thread.run.completed"


async def test_a_streamed_run_gets_each_backend_chunk_as_it_arrives(client: Sdk, fake: FakeAssistants,
                                                                    backend: ChatBackend) -> None:
    use_model(fake, backend)
    gate = threading.Event()  # the backend sends its first word, then waits for the test to have read it
    backend.reply("One two three four", gate=gate)
    answer = backend.answers[-1]
    created, thread = await assistant_and_thread(client, "Count", tools=[])

    deltas: list[str] = []
    async with opened(client.raw.beta.threads.runs.stream(thread_id=thread.id, assistant_id=created.id)) as stream:
        async for event in events_of(stream):
            if event.event == "thread.message.delta":
                deltas.append(event.data.delta.content[0].text.value)
                gate.set()  # the first delta reached the client while the backend still held the rest
        (final,) = await settle(stream.get_final_messages())

    assert not answer.gate_timed_out, "the first delta reached the client only after the whole backend answer"
    assert deltas == ["One", " two", " three", " four"]
    assert final.content[0].text.value == "One two three four"
    assert (await settle(stream.get_final_run())).usage.completion_tokens == 7


async def test_a_backend_that_cannot_stream_tool_calls_is_asked_without_streaming(
        client: Sdk, fake: FakeAssistants, backend: ChatBackend) -> None:
    use_model(fake, backend, stream_tool_calls=False)
    backend.reply("No tools needed", usage=(5, 3)).reply("Plain")
    created, thread = await assistant_and_thread(client, "Hi", tools=[WEATHER])

    stream = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=created.id, stream=True)
    events = await collect_events(stream)
    toolless = await client.beta.assistants.create(model="gpt-4o")
    await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=toolless.id)

    assert "".join(e.data.delta.content[0].text.value for e in events
                   if e.event == "thread.message.delta") == "No tools needed"
    assert ["stream" in r for r in backend.requests] == [False, True]


@pytest.mark.parametrize("stream", [True, False], ids=["streamed-backend", "whole-backend"])
async def test_a_file_search_round_trip_cites_the_uploaded_file(client: Sdk, fake: FakeAssistants,
                                                               backend: ChatBackend, stream: bool) -> None:
    use_model(fake, backend, stream=stream)
    backend.call(("search-1", "file_search", '{"query": "Mars colour"}')).reply("Mars is red because of rust.")
    uploaded = await client.files.create(file=("planets.txt", b"Mars is red: its dust holds iron oxide, rust.\n"),
                                         purpose="assistants")
    store = await client.vector_stores.create(name="Planets")
    await client.vector_stores.files.create_and_poll(file_id=uploaded.id, vector_store_id=store.id)

    run = await ask(client, "Why is Mars red?", tools=[{"type": "file_search"}],
                    tool_resources={"file_search": {"vector_store_ids": [store.id]}})

    assert run.status == "completed"
    steps = (await client.beta.threads.runs.steps.list(run.id, thread_id=run.thread_id, order="asc")).data
    assert [s.step_details.type for s in steps] == ["tool_calls", "message_creation"]
    (search,) = steps[0].step_details.tool_calls
    assert (search.type, search.file_search.results[0].file_id) == ("file_search", uploaded.id)
    first, second = backend.requests
    assert first["tools"] == [{"type": "function", "function": {
        "name": "file_search", "description": first["tools"][0]["function"]["description"],
        "parameters": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}}}]
    assert second["messages"][-2]["tool_calls"][0]["id"] == "search-1"
    answered = second["messages"][-1]
    assert (answered["role"], answered["tool_call_id"]) == ("tool", "search-1")
    assert answered["content"].startswith("[planets.txt]\nMars is red")
    text = (await messages_of(client, run.thread_id))[0].content[0].text
    assert text.value == "Mars is red because of rust\u30101:0\u2020planets.txt\u3011."
    (citation,) = text.annotations
    assert citation.file_citation.file_id == uploaded.id
    assert text.value[citation.start_index:citation.end_index] == citation.text


@pytest.mark.parametrize("answer", ["Mars is red because of rust.",
                                    "Rust\u30100:0\u2020planets.txt\u3011 makes it red."],
                         ids=["fake-marker", "model-marker"])
async def test_a_streamed_answer_with_citations_sends_them_as_the_marker_rules_say(
        client: Sdk, fake: FakeAssistants, backend: ChatBackend, answer: str) -> None:
    use_model(fake, backend)
    backend.call(("search-1", "file_search", '{"query": "Mars"}')).reply(answer)
    uploaded = await client.files.create(file=("planets.txt", b"Mars is red: rust.\n"), purpose="assistants")
    store = await client.vector_stores.create(name="Planets", file_ids=[uploaded.id])
    created, thread = await assistant_and_thread(client, "Why is Mars red?", tools=[{"type": "file_search"}],
                                                 tool_resources={"file_search": {"vector_store_ids": [store.id]}})

    stream = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=created.id, stream=True)
    events = await collect_events(stream)

    parts = [e.data.delta.content[0].text for e in events if e.event == "thread.message.delta"]
    completed = next(e.data for e in events if e.event == "thread.message.completed").content[0].text
    assert "".join(p.value for p in parts) == completed.value
    assert completed.value.count("\u3010") == 1
    (marker,) = [p for p in parts if p.annotations]
    assert marker.value == completed.annotations[0].text
    assert marker.annotations[0].file_citation.file_id == uploaded.id
    assert [p.annotations for p in parts].count([]) == 1  # only the first delta says `annotations: []`


async def test_the_transcript_marks_the_steps_the_model_made(client: Sdk, fake: FakeAssistants,
                                                              backend: ChatBackend) -> None:
    model = use_model(fake, backend)
    backend.call(("c1", "get_weather", "{}")).reply("Sunny.")
    run = await ask(client)
    (call,) = run.required_action.submit_tool_outputs.tool_calls
    await client.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run.id, thread_id=run.thread_id, tool_outputs=[{"tool_call_id": call.id, "output": "sun"}])
    fake.script.clear()
    fake.script.reply("Scripted, not the model")
    await client.beta.threads.runs.create_and_poll(thread_id=run.thread_id, assistant_id=run.assistant_id)

    steps = [line.strip() for line in fake.transcript().splitlines() if line.strip().startswith("step ")]
    assert [line.endswith(" · from model scripted-7b") for line in steps] == [True, True, False]
    assert model.model_label == "model scripted-7b"


@pytest.mark.parametrize(
    ("status", "code"), [(429, "rate_limit_exceeded"), (500, "server_error"), (503, "server_error")])
async def test_backend_errors_fail_the_run(client: Sdk, fake: FakeAssistants, backend: ChatBackend,
                                           status: int, code: str) -> None:
    use_model(fake, backend)
    backend.fail(status)

    run = await ask(client)

    assert run.status == "failed"
    assert run.last_error.code == code
    assert run.last_error.message == f"fake-assistants: the model backend answered {status}: scripted {status}"


async def test_an_unreachable_backend_fails_the_run(client: Sdk, fake: FakeAssistants) -> None:
    with chat_backend() as stopped:
        url = stopped.url
    fake.script.respond_with(ChatCompletionsModel(base_url=url, model="m"), repeat=True)

    run = await ask(client)

    assert (run.status, run.last_error.code) == ("failed", "server_error")
    assert run.last_error.message.startswith("fake-assistants: the model backend could not be reached")


async def test_a_backend_timeout_fails_the_run(client: Sdk, fake: FakeAssistants, backend: ChatBackend) -> None:
    use_model(fake, backend, timeout=0.05)
    backend.hold()

    run = await ask(client)

    assert (run.status, run.last_error.code) == ("failed", "server_error")
    assert run.last_error.message == f"fake-assistants: the model backend did not answer within 0.05 s " \
                                     f"({backend.url}/chat/completions)"


async def test_a_whole_answer_to_a_streamed_request_is_read(client: Sdk, fake: FakeAssistants,
                                                             backend: ChatBackend) -> None:
    """A backend, or a proxy before it, that answers `"stream": true` with one JSON body: its answer is read."""
    use_model(fake, backend)
    backend.reply("Whole, not streamed", whole=True, finish_reason="length")

    run = await ask(client)

    assert backend.requests[0]["stream"] is True
    assert (run.status, run.incomplete_details.reason) == ("incomplete", "max_completion_tokens")
    assert text_of((await messages_of(client, run.thread_id))[0]) == "Whole, not streamed"


@pytest.mark.parametrize("stream", [True, False], ids=["streamed-request", "whole-request"])
@pytest.mark.parametrize(("content_type", "body", "shown"), [
    ("text/html", b"<html>Gateway says hi</html>", "'<html>Gateway says hi</html>'"),
    ("application/json", b'{"foo": "bar"}', """'{"foo": "bar"}'"""),
    ("application/json", b'{"choices": []}', """'{"choices": []}'"""),
    ("text/event-stream", b'data: {"foo": "bar"}\n\ndata: [DONE]\n\n', "a stream of 1 chunk with no choices"),
    ("text/event-stream", b"data: [DONE]\n\n", "an empty stream"),
])
async def test_a_200_that_is_not_a_chat_completion_fails_the_run(client: Sdk, fake: FakeAssistants,
                                                                 backend: ChatBackend, stream: bool,
                                                                 content_type: str, body: bytes,
                                                                 shown: str) -> None:
    """It read as an empty answer, the run `completed`: an eval would have scored empty answers."""
    use_model(fake, backend, stream=stream)
    backend.send_raw(content_type, body)

    run = await ask(client)

    assert (run.status, run.last_error.code) == ("failed", "server_error")
    if content_type == "text/event-stream" and not stream:  # read whole: the event stream is not JSON
        shown = repr(body.decode())
    assert run.last_error.message == ("fake-assistants: the model backend answered 200, but not with a chat "
                                      f"completion ({backend.url}/chat/completions): {shown}")


@pytest.mark.parametrize("content_type", ["Text/Event-Stream", "text/plain; charset=utf-8"])
async def test_an_event_stream_under_another_label_is_read(client: Sdk, fake: FakeAssistants, backend: ChatBackend,
                                                           content_type: str) -> None:
    """Media types are case-insensitive, and a proxy may label an event stream `text/plain`: it is still read."""
    use_model(fake, backend)
    stream = b"".join(f"data: {json.dumps(chunk)}\n\n".encode() for chunk in chunks(Answer(text="Hello there")))
    backend.send_raw(content_type, stream + b"data: [DONE]\n\n")

    run = await ask(client)

    assert run.status == "completed"
    assert text_of((await messages_of(client, run.thread_id))[0]) == "Hello there"


async def test_a_stream_that_carries_an_error_fails_the_run_with_its_words(client: Sdk, fake: FakeAssistants,
                                                                           backend: ChatBackend) -> None:
    use_model(fake, backend)
    backend.send_raw("text/event-stream", b'data: {"error": {"message": "Rate limit reached for model"}}\n\n'
                                          b"data: [DONE]\n\n")

    run = await ask(client)

    assert (run.status, run.last_error.code) == ("failed", "server_error")
    assert run.last_error.message.endswith("not with a chat completion "
                                           f"({backend.url}/chat/completions): 'Rate limit reached for model'")


async def test_a_stream_line_that_is_not_json_fails_the_run_naming_the_backend(
        client: Sdk, fake: FakeAssistants, backend: ChatBackend) -> None:
    use_model(fake, backend)
    backend.send_raw("text/event-stream", b"data: {not json\n\n")

    run = await ask(client)

    assert (run.status, run.last_error.code) == ("failed", "server_error")
    assert run.last_error.message == ("fake-assistants: the model backend's stream sent a line that is not JSON "
                                      f"({backend.url}/chat/completions): '{{not json'")


async def test_finish_reason_length_ends_the_run_incomplete(client: Sdk, fake: FakeAssistants,
                                                            backend: ChatBackend) -> None:
    use_model(fake, backend)
    backend.reply("Cut short", finish_reason="length")

    run = await ask(client)

    assert run.status == "incomplete"
    assert run.incomplete_details.reason == "max_completion_tokens"
    assert text_of((await messages_of(client, run.thread_id))[0]) == "Cut short"


# -- record and replay ---------------------------------------------------------------------------------------------


async def record_session(client: Sdk, fake: FakeAssistants, model: ChatCompletionsModel, text: str) -> str:
    fake.script.respond_with(model, repeat=True)
    run = await ask(client, text)
    call = run.required_action.submit_tool_outputs.tool_calls[0]
    run = await client.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run.id, thread_id=run.thread_id, tool_outputs=[{"tool_call_id": call.id, "output": "22C"}])
    assert run.status == "completed"
    return fake.transcript()


async def test_record_then_replay_with_the_backend_stopped(client: Sdk, fake: FakeAssistants,
                                                          tmp_path: Path) -> None:
    cassette = tmp_path / "eval.json"
    with chat_backend() as backend:
        backend.call(("b1", "get_weather", '{"city": "Oslo"}')).reply("Cold in Oslo.")
        recorded = await record_session(client, fake, ChatCompletionsModel(
            base_url=backend.url, model="m", record_to=cassette), "Weather in Oslo?")
    assert len(json.loads(cassette.read_text())["exchanges"]) == 2

    fake.reset()
    replayed = await record_session(client, fake, ChatCompletionsModel(model="m", replay_from=cassette),
                                    "Weather in Oslo?")

    assert replayed == recorded


async def test_a_changed_prompt_under_replay_fails_naming_the_difference(client: Sdk, fake: FakeAssistants,
                                                                       tmp_path: Path) -> None:
    cassette = tmp_path / "eval.json"
    with chat_backend() as backend:
        backend.reply("Recorded answer")
        fake.script.respond_with(ChatCompletionsModel(base_url=backend.url, model="m", record_to=cassette))
        assert (await ask(client, "Original question")).status == "completed"
    fake.reset()
    fake.script.respond_with(ChatCompletionsModel(model="m", replay_from=cassette))

    run = await ask(client, "Changed question")

    assert (run.status, run.last_error.code) == ("failed", "server_error")
    assert run.last_error.message.startswith("fake-assistants: the responder raised ReplayMiss: no recorded "
                                             "exchange for request ")
    assert ('the closest recorded request differs: request.messages[0].content: recorded "Original question", '
            'now "Changed question"') in run.last_error.message
    (_, error), = fake.script.responder_errors
    fake.script.responder_errors.clear()  # checked here: the plugin would fail this test for it
    assert type(error).__name__ == "ReplayMiss"


def test_a_model_that_cannot_work_is_refused_where_it_is_built(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"base_url is an http:// or https:// URL, .* not '127\.0\.0\.1:4011'"):
        ChatCompletionsModel(base_url="127.0.0.1:4011", model="m")
    with pytest.raises(FileNotFoundError, match=r"no recording to replay at .*missing\.json.*record_to="):
        ChatCompletionsModel(model="m", replay_from=tmp_path / "missing.json")
