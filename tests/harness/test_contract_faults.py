"""Fault injection through the real SDK with its default retries: `fake.faults` and what the SDK makes of it.

Every SDK test runs in each cell of the matrix (sync | async) x (httpx | httpx2) with `max_retries` left at the
SDK's default (2), so retried requests show up in the journal (`fake.calls`). .ci/run runs this module on
openai 3.x, 2.54.0 and 1.109.1.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from typing import Any, cast

import openai
import pytest

from fake_assistants import FakeAssistants, TransportFault
from sdk_matrix import REQUEST_ID, Sdk, Variant, open_sdk

pytestmark = pytest.mark.sdk_contract  # .ci/run runs this module on the older SDK majors too

SERVER_ERROR_START = "The server had an error processing your request. Sorry about that!"
RATE_LIMIT_START = "Rate limit reached for gpt-4o in organization org-fake-assistants on requests per min (RPM)"


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries of a timeout or a dropped connection have no `retry-after-ms` to follow, so the SDK backs off
    0.5 s, then 1 s. This sets that initial delay to 0 (the number of retries is unchanged), so the tests
    of those faults do not sleep. Where the SDK has no such constant the tests just take longer."""
    import openai._base_client as base_client

    if hasattr(base_client, "INITIAL_RETRY_DELAY"):
        monkeypatch.setattr(base_client, "INITIAL_RETRY_DELAY", 0.0)


@pytest.fixture
async def retrying(fake: FakeAssistants, variant: Variant) -> AsyncIterator[Sdk]:
    """The real SDK on `fake` with the SDK's default retries (the matrix's `client` has none)."""
    async with open_sdk(fake, variant, max_retries=openai.DEFAULT_MAX_RETRIES) as sdk:
        yield sdk


async def events_of(stream: Any) -> list[str]:
    """The names of a stream's events, read to the end (sync or async stream)."""
    names: list[str] = []
    await read_until_error(stream, names)
    return names


async def read_until_error(stream: Any, names: list[str]) -> None:
    """Read a stream to its end, collecting event names as they come (an error ends it by raising)."""
    if hasattr(stream, "__aiter__"):
        async for event in stream:
            names.append(event.event)
    else:
        for event in stream:
            names.append(event.event)


async def thread_with_question(client: Sdk) -> tuple[Any, Any]:
    assistant = await client.beta.assistants.create(model="gpt-4o")
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": "What is 2 + 2?"}])
    return assistant, thread


# -- HTTP errors -----------------------------------------------------------------------------------


async def test_rate_limit_then_success_is_retried(retrying: Sdk, fake: FakeAssistants) -> None:
    fault = fake.faults.rate_limit("assistants.create")

    assistant = await retrying.beta.assistants.create(model="gpt-4o", name="Tutor")

    assert assistant.name == "Tutor"
    calls = fake.calls["assistants.create"]
    assert calls.call_count == 2
    assert [call.status for call in calls] == [429, 200]
    limited = calls[0]
    assert limited.fault == "http_error"
    assert limited.response["error"]["code"] == "rate_limit_exceeded"
    assert limited.response["error"]["type"] == "requests"
    assert limited.response["error"]["message"].startswith(RATE_LIMIT_START)
    assert limited.response_header("retry-after-ms") == "1"
    assert calls.last.response["id"] == assistant.id
    assert (fault.hits, fault.spent, fake.faults.pending) == (1, True, [])
    assert [a.id for a in (await retrying.beta.assistants.list()).data] == [assistant.id]  # the 429 made nothing


HTTP_DATE = "Wed, 21 Oct 2026 07:28:00 GMT"


@pytest.mark.parametrize(("given", "sent"), [(3, "3"), (HTTP_DATE, HTTP_DATE)], ids=["seconds", "http-date"])
async def test_an_http_fault_can_send_retry_after(client: Sdk, fake: FakeAssistants, given: Any, sent: str) -> None:
    """`retry-after` (seconds or an HTTP date), which the SDK reads after `retry-after-ms`: for code that backs
    off on its own."""
    fake.faults.rate_limit("assistants.create", retry_after=given, retry_after_ms=None)
    fake.faults.server_error("assistants.list", retry_after=given)

    with pytest.raises(openai.RateLimitError) as limited:
        await client.beta.assistants.create(model="gpt-4o")
    with pytest.raises(openai.InternalServerError) as failed:
        await client.beta.assistants.list()

    assert limited.value.response.headers.get("retry-after") == sent
    assert "retry-after-ms" not in limited.value.response.headers
    assert (failed.value.response.headers.get("retry-after"), failed.value.response.headers.get("retry-after-ms")) == (
        sent, "1")


@pytest.mark.parametrize(("options", "wait"), [
    ({}, "1ms"),
    ({"retry_after_ms": 2500}, "2.5s"),
    ({"retry_after_ms": None, "retry_after": 30}, "30s"),
    ({"retry_after_ms": 20_000, "retry_after": 30}, "20s"),  # the SDK reads retry-after-ms first
], ids=["default", "retry-after-ms", "retry-after", "both"])
async def test_a_rate_limit_message_tells_the_wait_its_headers_tell(client: Sdk, fake: FakeAssistants,
                                                                    options: dict[str, Any], wait: str) -> None:
    """Code that reads the wait from the message (many wrappers do) and code that reads the headers agree."""
    fake.faults.rate_limit("threads.create", **options)

    with pytest.raises(openai.RateLimitError) as limited:
        await client.beta.threads.create()

    assert f"Please try again in {wait}." in limited.value.message


async def test_an_http_fault_can_carry_more_headers(client: Sdk, fake: FakeAssistants) -> None:
    """For code that throttles on `x-ratelimit-*` (no Assistants recording shows which the service sent)."""
    fake.faults.rate_limit("threads.create", headers={"X-RateLimit-Remaining-Requests": "0",
                                                      "x-ratelimit-reset-requests": "20s"})

    with pytest.raises(openai.RateLimitError) as limited:
        await client.beta.threads.create()

    headers = limited.value.response.headers
    assert (headers["x-ratelimit-remaining-requests"], headers["x-ratelimit-reset-requests"]) == ("0", "20s")
    assert headers["retry-after-ms"] == "1"  # the fault's own, as before


async def test_rate_limit_on_every_attempt_raises_rate_limit_error(retrying: Sdk, fake: FakeAssistants) -> None:
    fake.faults.rate_limit("threads.create", count=None)

    with pytest.raises(openai.RateLimitError) as raised:
        await retrying.beta.threads.create()

    assert raised.value.status_code == 429
    assert raised.value.code == "rate_limit_exceeded"
    assert fake.calls["threads.create"].call_count == 1 + openai.DEFAULT_MAX_RETRIES
    assert raised.value.request_id == fake.calls.last.request_id


async def test_a_rate_limit_names_the_model_of_the_request(client: Sdk, fake: FakeAssistants) -> None:
    """As the service's 429s did: the body's model, else the assistant's, else the run's; gpt-4o for none."""
    assistant = await client.beta.assistants.create(model="gpt-4-turbo")
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    run = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    await client.beta.threads.runs.retrieve(run.id, thread_id=thread.id)

    async def limited(call: Any) -> str:
        with pytest.raises(openai.RateLimitError) as raised:
            await call()
        return cast(dict[str, Any], raised.value.body)["message"].split(" in organization")[0]

    fake.faults.rate_limit("*", count=None)
    assert [
        await limited(lambda: client.beta.assistants.create(model="gpt-3.5-turbo")),
        await limited(lambda: client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)),
        await limited(lambda: client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id,
                                                               model="gpt-4o-mini")),
        await limited(lambda: client.beta.assistants.retrieve(assistant.id)),
        await limited(lambda: client.beta.threads.runs.retrieve(run.id, thread_id=thread.id)),
        await limited(lambda: client.beta.threads.create()),
    ] == ["Rate limit reached for gpt-3.5-turbo", "Rate limit reached for gpt-4-turbo",
          "Rate limit reached for gpt-4o-mini", "Rate limit reached for gpt-4-turbo",
          "Rate limit reached for gpt-4-turbo", "Rate limit reached for gpt-4o"]
    fake.faults.clear()


async def test_server_error_with_should_retry_false_is_not_retried(retrying: Sdk, fake: FakeAssistants) -> None:
    fake.faults.server_error("threads.create", should_retry=False)

    with pytest.raises(openai.InternalServerError) as raised:
        await retrying.beta.threads.create()

    assert raised.value.status_code == 500
    assert fake.calls["threads.create"].call_count == 1
    assert fake.calls.last.response_header("x-should-retry") == "false"
    body = raised.value.body
    assert isinstance(body, dict)
    assert body["type"] == "server_error"
    assert body["message"].startswith(SERVER_ERROR_START)
    assert f"(Please include the request ID {raised.value.request_id} in your email.)" in body["message"]
    assert REQUEST_ID.fullmatch(raised.value.request_id or "")
    assert len(fake.store.threads) == 0  # the request never reached the fake


async def test_server_error_is_retried_by_default(retrying: Sdk, fake: FakeAssistants) -> None:
    fake.faults.server_error("threads.create", status=503)

    thread = await retrying.beta.threads.create()

    assert [call.status for call in fake.calls["threads.create"]] == [503, 200]
    assert fake.calls.last.response["id"] == thread.id


async def test_bad_request_is_not_retried(retrying: Sdk, fake: FakeAssistants) -> None:
    fake.faults.error("threads.create", status=400, message="Something about this request is wrong.",
                      code="invalid_value", param="metadata", count=3)

    with pytest.raises(openai.BadRequestError) as raised:
        await retrying.beta.threads.create()

    assert (raised.value.code, raised.value.param) == ("invalid_value", "metadata")
    assert isinstance(raised.value.body, dict)
    assert raised.value.body["message"] == "Something about this request is wrong."
    assert fake.calls["threads.create"].call_count == 1
    assert fake.faults.pending[0].remaining == 2


async def test_faults_match_route_patterns_and_leave_other_routes_alone(retrying: Sdk, fake: FakeAssistants) -> None:
    with pytest.raises(ValueError, match=r"unknown pattern 'threads\.messages\.\*'"):  # matches no route name
        fake.faults.server_error("threads.messages.*", should_retry=False)
    fake.faults.server_error("messages.*", should_retry=False, count=2)

    thread = await retrying.beta.threads.create()
    with pytest.raises(openai.InternalServerError):
        await retrying.beta.threads.messages.create(thread.id, role="user", content="hi")
    with pytest.raises(openai.InternalServerError):
        await retrying.beta.threads.messages.list(thread.id)
    listed = await retrying.beta.threads.messages.list(thread.id)

    assert listed.data == []
    assert fake.calls.routes == ["threads.create", "messages.create", "messages.list", "messages.list"]
    assert fake.faults.pending == []


# -- timeouts and connection errors ----------------------------------------------------------------


@pytest.mark.usefixtures("no_backoff")
async def test_timeout_raises_api_timeout_error(retrying: Sdk, fake: FakeAssistants) -> None:
    fake.faults.timeout("threads.create", count=None)

    with pytest.raises(openai.APITimeoutError):
        await retrying.beta.threads.create()

    calls = fake.calls["threads.create"]
    assert calls.call_count == 1 + openai.DEFAULT_MAX_RETRIES
    assert {(call.fault, call.status) for call in calls} == {("timeout", None)}
    assert len(fake.store.threads) == 0


@pytest.mark.usefixtures("no_backoff")
async def test_one_timeout_is_retried(retrying: Sdk, fake: FakeAssistants) -> None:
    fake.faults.timeout("assistants.create")

    assistant = await retrying.beta.assistants.create(model="gpt-4o")

    assert [(call.fault, call.status) for call in fake.calls] == [("timeout", None), (None, 200)]
    assert fake.calls.last.response["id"] == assistant.id


@pytest.mark.usefixtures("no_backoff")
async def test_connection_error_raises_api_connection_error(retrying: Sdk, fake: FakeAssistants) -> None:
    fake.faults.connection_error(count=None)

    with pytest.raises(openai.APIConnectionError) as raised:
        await retrying.beta.assistants.list()

    assert not isinstance(raised.value, openai.APITimeoutError)
    assert fake.calls.filter(fault="connection_error").call_count == 1 + openai.DEFAULT_MAX_RETRIES


@pytest.mark.usefixtures("no_backoff")
@pytest.mark.parametrize("kind", ["timeout", "connection_error"])
async def test_an_answer_lost_after_handling_makes_the_retry_repeat_the_work(retrying: Sdk, fake: FakeAssistants,
                                                                             kind: str) -> None:
    """The service did the work and the answer never came back: the SDK's retry creates a second message, which
    code that is not safe to retry must cope with."""
    _, thread = await thread_with_question(retrying)
    getattr(fake.faults, kind)("messages.create", after_handling=True)

    message = await retrying.beta.threads.messages.create(thread.id, role="user", content="Are you there?")

    texts = [m.content[0].text.value for m in (await retrying.beta.threads.messages.list(thread.id, order="asc")).data]
    assert texts == ["What is 2 + 2?", "Are you there?", "Are you there?"]
    calls = fake.calls["messages.create"]
    assert [(call.fault, call.status) for call in calls] == [(kind, None), (None, 200)]
    assert calls.last.response["id"] == message.id
    assert fake.faults.pending == []


@pytest.mark.usefixtures("no_backoff")
async def test_a_connection_lost_after_handling_is_the_librarys_remote_protocol_error(fake: FakeAssistants,
                                                                                      client: Sdk) -> None:
    fake.faults.connection_error("threads.create", after_handling=True)

    with pytest.raises(openai.APIConnectionError) as raised:
        await client.beta.threads.create()

    assert not isinstance(raised.value, openai.APITimeoutError)
    assert type(raised.value.__cause__).__name__ == "RemoteProtocolError"
    assert str(raised.value.__cause__) == "Server disconnected without sending a response."
    assert len(fake.store.threads) == 1  # made, and its answer lost


async def test_a_stream_lost_after_handling_leaves_its_run_going(client: Sdk, fake: FakeAssistants) -> None:
    assistant, thread = await thread_with_question(client)
    fake.faults.timeout("runs.create", after_handling=True)

    with pytest.raises(openai.APITimeoutError):
        await client.beta.threads.runs.create(thread.id, assistant_id=assistant.id, stream=True)

    (run,) = (await client.beta.threads.runs.list(thread.id)).data
    assert (await client.beta.threads.runs.retrieve(run.id, thread_id=thread.id)).status == "completed"


def test_after_handling_is_true_or_false() -> None:
    with pytest.raises(TypeError, match=r"after_handling must be True or False, not str 'yes'; pass after_handl"):
        FakeAssistants().faults.timeout(after_handling="yes")  # type: ignore[arg-type]


def test_a_fault_after_handling_says_so() -> None:
    fault = FakeAssistants().faults.connection_error("runs.create", after_handling=True)

    assert fault.describe() == "connection_error after handling on runs.create: answered 0 request(s), 1 left"


# -- a stream that breaks ----------------------------------------------------------------------------


async def test_mid_stream_error_raises_api_error_and_fails_the_run(retrying: Sdk, fake: FakeAssistants) -> None:
    assistant, thread = await thread_with_question(retrying)
    fake.faults.stream_error("runs.create", after_events=3)

    stream = await retrying.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True)
    names: list[str] = []
    with pytest.raises(openai.APIError) as raised:
        await read_until_error(stream, names)

    assert names == ["thread.run.created", "thread.run.queued", "thread.run.in_progress"]
    assert raised.value.message.startswith(SERVER_ERROR_START)
    call = fake.calls["runs.create"].last
    assert call.fault == "stream_error"
    assert call.event_names == [*names, "error"]  # and no `done`
    assert call.events[-1][1]["error"]["type"] == "server_error"
    run = (await retrying.beta.threads.runs.list(thread.id)).data[0]
    assert run.status == "failed"
    assert run.last_error is not None
    assert (run.last_error.code, run.last_error.message) == ("server_error", raised.value.message)
    # the thread is free again, and the next stream of the route is whole
    assert (await events_of(await retrying.beta.threads.runs.create(
        thread_id=thread.id, assistant_id=assistant.id, stream=True)))[-1] == "thread.run.completed"


async def test_stream_error_after_the_answer_started(retrying: Sdk, fake: FakeAssistants) -> None:
    assistant, thread = await thread_with_question(retrying)
    fake.script.reply("Two plus two is four, as counting on your fingers shows.")
    fake.faults.stream_error("runs.create", after_events=8)

    stream = await retrying.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True)
    names: list[str] = []
    with pytest.raises(openai.APIError):
        await read_until_error(stream, names)

    assert names[-2:] == ["thread.message.in_progress", "thread.message.delta"]
    messages = (await retrying.beta.threads.messages.list(thread.id)).data
    assert messages[0].role == "assistant"
    assert messages[0].status == "incomplete"
    assert messages[0].incomplete_details is not None
    assert messages[0].incomplete_details.reason == "run_failed"
    steps = (await retrying.beta.threads.runs.steps.list(messages[0].run_id or "", thread_id=thread.id)).data
    assert [step.status for step in steps] == ["failed"]


async def test_stream_error_inside_a_burst_of_deltas_breaks_after_exactly_n_events(
        retrying: Sdk, fake: FakeAssistants) -> None:
    assistant, thread = await thread_with_question(retrying)
    fake.options.stream_chunk_chars = 1  # 40 deltas: the first alone, then bursts the engine makes together
    fake.script.reply("x" * 40)
    fake.faults.stream_error("runs.create", after_events=12)  # 7 events before the text, then 5 deltas

    stream = await retrying.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True)
    names: list[str] = []
    with pytest.raises(openai.APIError):
        await read_until_error(stream, names)

    assert len(names) == 12
    assert names[-6:] == ["thread.message.in_progress", *["thread.message.delta"] * 5]
    call = fake.calls["runs.create"].last
    assert call.event_names == [*names, "error"]
    assert all(chunk.count(b"\n\n") == 1 for chunk in call.chunks)  # a faulted stream sends events one by one
    run = (await retrying.beta.threads.runs.list(thread.id)).data[0]
    assert run.status == "failed"
    # the message keeps the 5 deltas sent, not the burst of 16 the fake had made of them
    (message, _) = (await retrying.beta.threads.messages.list(thread.id)).data
    assert [part.text.value for part in message.content] == ["x" * 5]
    assert run.usage is not None and run.usage.completion_tokens == 2  # 5 characters, as the fake counts them


@pytest.mark.parametrize(("after", "kept"), [(7, []), (8, ["a"]), (9, ["ab"])], ids=["before-text", "first", "burst"])
async def test_a_message_cut_by_a_stream_error_keeps_the_text_sent(
        retrying: Sdk, fake: FakeAssistants, after: int, kept: list[str]) -> None:
    """The events after the break are never made, and a burst cut in two keeps only its deltas sent."""
    assistant, thread = await thread_with_question(retrying)
    fake.options.stream_chunk_chars = 1
    fake.script.reply("abcdefghijklmnopqrstuvwxyz")
    fake.faults.stream_error("runs.create", after_events=after)  # 7 events before the first delta

    stream = await retrying.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True)
    names: list[str] = []
    with pytest.raises(openai.APIError):
        await read_until_error(stream, names)

    (message, _) = (await retrying.beta.threads.messages.list(thread.id)).data
    assert [part.text.value for part in message.content] == kept


def dropped_connection_error() -> type[BaseException]:
    """What iterating a `stream=True` answer raises when its connection drops: openai 3.x wraps the transport's
    `RemoteProtocolError` as `APIConnectionError`; openai 1.x and 2.x (on httpx) let it through."""
    if int(openai.__version__.split(".")[0]) >= 3:
        return openai.APIConnectionError
    return cast(type[BaseException], importlib.import_module("httpx").RemoteProtocolError)


@pytest.mark.parametrize("after", [0, 9])
async def test_a_dropped_stream_raises_a_connection_error_and_the_run_goes_on(
        client: Sdk, fake: FakeAssistants, after: int) -> None:
    """The transport's own read error (openai 3.x: APIConnectionError), not `event: error`; the run is not failed: a
    poll finds it completed, with its whole answer, as the service's run went on without its stream."""
    assistant, thread = await thread_with_question(client)
    fake.options.stream_chunk_chars = 1
    fake.script.reply("Four, as counting shows.")
    fault = fake.faults.drop_stream("runs.create", after_events=after)

    stream = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True)
    names: list[str] = []
    with pytest.raises(dropped_connection_error()) as dropped:
        await read_until_error(stream, names)

    assert len(names) == after
    assert "peer closed connection without sending complete message body" in str(dropped.value.__cause__ or
                                                                                   dropped.value)
    (run,) = (await client.beta.threads.runs.list(thread.id)).data
    run = await client.beta.threads.runs.poll(run.id, thread_id=thread.id)
    assert run.status == "completed"
    (answer, _) = (await client.beta.threads.messages.list(thread.id)).data
    assert answer.content[0].text.value == "Four, as counting shows."
    call = fake.calls["runs.create"].last
    assert (call.fault, call.event_names, fault.hits) == ("dropped_stream", names, 1)


async def test_a_drop_past_the_streams_end_leaves_it_whole(client: Sdk, fake: FakeAssistants) -> None:
    assistant, thread = await thread_with_question(client)
    fake.faults.drop_stream("runs.create", after_events=1000)

    stream = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True)

    assert (await events_of(stream))[-1] == "thread.run.completed"


async def test_stream_error_waits_for_a_streamed_answer(retrying: Sdk, fake: FakeAssistants) -> None:
    assistant, thread = await thread_with_question(retrying)
    fault = fake.faults.stream_error("runs.create", after_events=0)

    run = await retrying.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)  # not a stream
    assert fault.hits == 0
    assert (await retrying.beta.threads.runs.retrieve(run.id, thread_id=thread.id)).status == "completed"

    stream = await retrying.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True)
    names: list[str] = []
    with pytest.raises(openai.APIError):
        await read_until_error(stream, names)

    assert names == []
    assert fault.hits == 1
    runs = (await retrying.beta.threads.runs.list(thread.id)).data
    assert [r.status for r in runs] == ["failed", "completed"]


async def test_stream_errors_on_create_and_run_and_on_submit(retrying: Sdk, fake: FakeAssistants) -> None:
    assistant = await retrying.beta.assistants.create(
        model="gpt-4o", tools=[{"type": "function", "function": {"name": "get_weather"}}])
    fake.script.call_function("get_weather", {"city": "Paris"}).reply("Sunny.")
    fake.faults.stream_error("runs.submit_tool_outputs", after_events=2)
    fake.faults.stream_error("threads.create_and_run", after_events=0)

    broken: list[str] = []
    with pytest.raises(openai.APIError):
        await read_until_error(await retrying.beta.threads.create_and_run(
            assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "Hi"}]}, stream=True), broken)
    (thread,) = fake.store.threads.values()  # the stream broke before it named the thread
    (failed,) = (await retrying.beta.threads.runs.list(thread.id)).data
    assert (broken, failed.status, failed.last_error and failed.last_error.code) == ([], "failed", "server_error")

    names = await events_of(await retrying.beta.threads.runs.create(
        thread_id=thread.id, assistant_id=assistant.id, stream=True))
    assert names[-1] == "thread.run.requires_action"
    waiting = (await retrying.beta.threads.runs.list(thread.id)).data[0]
    call_id = waiting.required_action.submit_tool_outputs.tool_calls[0].id
    submitted: list[str] = []
    with pytest.raises(openai.APIError):
        await read_until_error(await retrying.beta.threads.runs.submit_tool_outputs(
            waiting.id, thread_id=thread.id, tool_outputs=[{"tool_call_id": call_id, "output": "22C"}], stream=True),
            submitted)

    assert submitted == ["thread.run.step.completed", "thread.run.queued"]
    after = await retrying.beta.threads.runs.retrieve(waiting.id, thread_id=thread.id)
    assert (after.status, after.last_error and after.last_error.code) == ("failed", "server_error")


# -- below the SDK: the transports and the sans-IO core ---------------------------------------------------


@pytest.mark.parametrize("library", ["httpx", "httpx2"])
def test_transports_raise_their_own_library_exceptions(library: str) -> None:
    module = pytest.importorskip(library)
    fake = FakeAssistants()
    transport = fake.httpx2_transport() if library == "httpx2" else fake.httpx_transport()
    fake.faults.timeout()
    fake.faults.connection_error()

    with module.Client(transport=transport, base_url="https://api.openai.com/v1") as http:
        with pytest.raises(module.ReadTimeout):
            http.get("/files")
        with pytest.raises(module.ConnectError):
            http.get("/files")
        assert http.get("/files").status_code == 200


def test_the_core_signals_transport_faults_without_an_http_library() -> None:
    from fake_assistants import ApiRequest

    fake = FakeAssistants()
    fake.faults.connection_error("files.list")

    with pytest.raises(TransportFault) as raised:
        fake.handle(ApiRequest.build("GET", "/v1/files"))

    assert raised.value.kind == "connection_error"
    assert fake.handle(ApiRequest.build("GET", "/v1/files")).status == 200


def test_scheduling_rejects_faults_that_cannot_happen() -> None:
    faults = FakeAssistants().faults

    with pytest.raises(ValueError, match="needs a message="):
        faults.error("threads.create", status=404)
    with pytest.raises(ValueError, match="4xx or 5xx"):
        faults.error(status=302, message="Found")
    with pytest.raises(ValueError, match="5xx"):
        faults.server_error(status=429)
    with pytest.raises(ValueError, match="count"):
        faults.timeout(count=0)
    with pytest.raises(ValueError, match="after_events"):
        faults.stream_error(after_events=-1)
    assert faults.pending == []
