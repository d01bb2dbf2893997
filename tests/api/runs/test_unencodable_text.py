"""Text a test gives the fake that no answer of the service could carry (a lone surrogate: half of a UTF-16 pair,
which UTF-8 cannot encode) is refused where it is given, naming what holds it. Before, it was taken, and the
answer that carried it broke: a 500 the SDK retried, or an encoder's error out of a stream."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cassette_files import exchange
from fake_assistants import FakeAssistants, UnencodableText
from fake_assistants.cassettes.reader import CassetteError
from fake_assistants.runs.script import Fail, FunctionCalls, Incomplete, Reply, Say, TextStream, TurnContext
from runs_support import assistant_and_thread
from sdk_matrix import Sdk
from stream_support import collect_events

LONE = "before \ud800 after"


async def test_after_a_refused_reply_lists_and_streams_answer(client: Sdk, fake: FakeAssistants) -> None:
    assistant, thread = await assistant_and_thread(client, "hi")

    with pytest.raises(UnencodableText, match=r"a reply's text holds a lone surrogate \('\\ud800' at index 7\)"):
        fake.script.reply(LONE)
    fake.script.reply("fine")
    stream = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True)
    events = await collect_events(stream)
    listed = await client.beta.threads.messages.list(thread_id=thread.id)

    assert events[-1].event == "thread.run.completed"
    assert [m.content[0].text.value for m in listed.data] == ["fine", "hi"]  # type: ignore[union-attr]


def say(context: TurnContext) -> Say:
    return Say(LONE)


def call(context: TurnContext) -> FunctionCalls:
    return FunctionCalls((("lookup", json.dumps({"q": 1})[:-1] + LONE),))


def fail(context: TurnContext) -> Fail:
    return Fail("server_error", LONE)


def incomplete(context: TurnContext) -> Incomplete:
    return Incomplete(LONE)


@pytest.mark.parametrize(("responder", "what"), [
    (say, "a said message's text"), (call, "a function call's arguments"), (fail, "a failure's message"),
    (incomplete, "an incomplete answer's reason"),
])
async def test_a_responder_action_with_a_lone_surrogate_fails_the_run_naming_it(
        client: Sdk, fake: FakeAssistants, responder: object, what: str) -> None:
    fake.script.respond_with(responder)  # type: ignore[arg-type]
    assistant, thread = await assistant_and_thread(client, "hi")

    run = await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    listed = await client.beta.threads.messages.list(thread_id=thread.id)

    assert run.status == "failed"
    assert run.last_error.message.startswith(  # type: ignore[union-attr]
        f"fake-assistants: the responder raised UnencodableText: fake-assistants: {what} holds a lone surrogate")
    assert listed.data[-1].content[0].text.value == "hi"  # type: ignore[union-attr]  # the list still answers
    ((_, error),) = fake.script.responder_errors
    assert isinstance(error, UnencodableText)


async def test_a_streamed_chunk_with_a_lone_surrogate_fails_the_run_after_the_chunks_before_it(
        client: Sdk, fake: FakeAssistants) -> None:
    fake.script.respond_with(lambda context: Reply(TextStream(iter(["fine so far, ", "then \udc00"]))))
    assistant, thread = await assistant_and_thread(client, "hi")

    stream = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True)
    events = await collect_events(stream)
    listed = await client.beta.threads.messages.list(thread_id=thread.id)

    deltas = [e.data.delta.content[0].text.value for e in events if e.event == "thread.message.delta"]  # type: ignore
    assert deltas == ["fine so far, "]
    assert events[-1].event == "thread.run.failed"
    assert events[-1].data.last_error.message.startswith(  # type: ignore[union-attr]
        "fake-assistants: the responder raised UnencodableText: fake-assistants: a responder's streamed chunk holds a "
        "lone surrogate ('\\udc00' at index 5)")
    assert [m.role for m in listed.data] == ["assistant", "user"]
    assert len(fake.script.responder_errors) == 1


async def test_a_model_stream_failing_with_a_lone_surrogate_fails_the_run_with_it_escaped(
        client: Sdk, fake: FakeAssistants) -> None:
    def broken(context: TurnContext) -> Reply:
        return Reply(TextStream(iter(["cut "]), failure=f"the backend said {LONE}"))

    fake.script.respond_with(broken)
    assistant, thread = await assistant_and_thread(client, "hi")

    run = await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)

    assert run.status == "failed"
    assert run.last_error.message == "the backend said before \\ud800 after"  # type: ignore[union-attr]


@pytest.mark.parametrize("field", ["message", "type", "code", "param"])
def test_a_fault_with_a_lone_surrogate_is_refused_where_it_is_scheduled(field: str) -> None:
    fake = FakeAssistants(seed=0)

    with pytest.raises(UnencodableText, match=f"a fault's {field} holds a lone surrogate"):
        fake.faults.error(status=400, **{"message": "Bad.", field: LONE})  # type: ignore[arg-type]
    with pytest.raises(UnencodableText, match="a fault's message holds a lone surrogate"):
        fake.faults.stream_error(message=LONE)

    assert fake.openai_client().beta.assistants.list().data == []  # nothing was scheduled


def test_an_ingestion_failure_with_a_lone_surrogate_is_refused_where_it_is_set() -> None:
    fake = FakeAssistants(seed=0)

    with pytest.raises(UnencodableText, match="an ingestion failure's message holds a lone surrogate"):
        fake.ingestion.fail(message=LONE)

    assert fake.ingestion.rules == []


def test_a_cassette_whose_recorded_answer_holds_a_lone_surrogate_is_refused_naming_the_run(tmp_path: Path) -> None:
    thread, run = "thread_Jf5Wn1Qs8Lp3Xk7Vb2Mz6Rt4", "run_Aq7Zt3Lp9Xm2Kv5Nb8Rd4Hw1"
    assistant = "asst_Pr3Kq8Lm2Xv7Nb4Tz9Rd6Hc1"
    shown = {"id": run, "object": "thread.run", "created_at": 1700000010, "assistant_id": assistant,
             "thread_id": thread, "status": "completed", "model": "gpt-4o", "instructions": None, "tools": []}
    reply = {"id": "msg_Cv8Lp2Qz5Tx9Nm3Kb7Rw4Hd1", "object": "thread.message", "created_at": 1700000020,
             "thread_id": thread, "role": "assistant", "assistant_id": assistant, "run_id": run, "attachments": [],
             "metadata": {}, "content": [{"type": "text", "text": {"value": LONE, "annotations": []}}]}
    interactions = [
        exchange("POST", f"/threads/{thread}/runs", {**shown, "status": "queued"}, {"assistant_id": assistant}),
        exchange("GET", f"/threads/{thread}/runs/{run}", shown),
        exchange("GET", f"/threads/{thread}/messages", {"object": "list", "data": [reply], "has_more": False}),
    ]
    path = tmp_path / "surrogate.json"
    path.write_text(json.dumps({"version": 1, "interactions": interactions}), encoding="utf-8")

    with pytest.raises(CassetteError, match=f"recorded run {run} cannot be replayed: fake-assistants: a reply's text "
                                            "holds a lone surrogate"):
        FakeAssistants.from_cassette(path)
