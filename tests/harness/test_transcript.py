"""`fake.transcript()`: what the fake held and saw, thread by thread, deterministic and bounded.

The SDK tests run in every cell of the matrix (sync | async) x (httpx | httpx2).
"""

from __future__ import annotations

import json
import re

import pytest

from fake_assistants import ApiRequest, FakeAssistants
from fake_assistants.core.clock import ManualClock
from fake_assistants.progression import after_polls
from fake_assistants.state.transcript import CUT_MARKER, Limits, build, render
from project_paths import README
from sdk_matrix import START, Sdk, new_fake, open_sdk, settle
from stream_support import collect_events

WEATHER_TOOL = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}


async def weather_conversation(client: Sdk, fake: FakeAssistants, *, stream: bool) -> tuple[str, str]:
    """A scripted function call, its output and the reply, polled or streamed. Returns (thread id, run id)."""
    fake.script.call_function("get_weather", {"city": "Paris"}).reply("It is sunny in Paris.")
    assistant = await client.beta.assistants.create(model="gpt-4o", name="Weather bot", tools=[WEATHER_TOOL])
    thread = await client.beta.threads.create()
    await client.beta.threads.messages.create(thread.id, role="user", content="What's the weather in Paris?")
    if stream:
        events = await collect_events(await client.beta.threads.runs.create(
            thread_id=thread.id, assistant_id=assistant.id, stream=True))
        run = next(e.data for e in events if e.event == "thread.run.requires_action")
        call = run.required_action.submit_tool_outputs.tool_calls[0]
        await collect_events(await client.beta.threads.runs.submit_tool_outputs(
            run_id=run.id, thread_id=thread.id, tool_outputs=[{"tool_call_id": call.id, "output": "22 C"}],
            stream=True))
    else:
        run = await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
        call = run.required_action.submit_tool_outputs.tool_calls[0]
        await client.beta.threads.runs.submit_tool_outputs_and_poll(
            run_id=run.id, thread_id=thread.id, tool_outputs=[{"tool_call_id": call.id, "output": "22 C"}])
    return thread.id, run.id


async def test_a_function_call_conversation_reads_in_order(client: Sdk, fake: FakeAssistants) -> None:
    thread_id, run_id = await weather_conversation(client, fake, stream=False)

    text = fake.transcript()
    lines = text.splitlines()
    assert lines[0] == "fake-assistants transcript: 1 thread"
    assert lines[2] == f"thread {thread_id} · created 2023-11-14 22:13:20 UTC"
    expected_in_order = [
        "22:13:20  user msg_", ': "What\'s the weather in Paris?"',
        f"22:13:20  run {run_id} · assistant asst_", '("Weather bot") · model gpt-4o',
        "tools: function get_weather",
        "status: queued 22:13:20 → in_progress 22:13:20 → requires_action 22:13:20 → queued 22:13:20 → "
        "in_progress 22:13:20 → completed 22:13:20",
        "tool_calls", 'function get_weather({"city":"Paris"}) [call_', '] → output "22 C"',
        "message_creation", "assistant msg_", '"It is sunny in Paris."',
        "usage: prompt ",
    ]
    position = 0
    for fragment in expected_in_order:
        found = text.find(fragment, position)
        assert found >= 0, f"{fragment!r} not found after position {position} in:\n{text}"
        position = found + len(fragment)
    assert "instructions" not in text  # the run kept its assistant's instructions
    assert "shortened" not in text  # nothing was long


async def test_steps_no_turn_asked_for_say_they_are_the_fakes_default(client: Sdk, fake: FakeAssistants) -> None:
    """A test that forgot a turn reads the fake's default reply in its transcript, marked as such."""
    fake.script.call_function("get_weather", {"city": "Paris"})  # and no reply after the tool output
    assistant = await client.beta.assistants.create(model="gpt-4o", tools=[WEATHER_TOOL])
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": "Weather?"}])
    run = await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    call = run.required_action.submit_tool_outputs.tool_calls[0]
    await client.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run.id, thread_id=thread.id, tool_outputs=[{"tool_call_id": call.id, "output": "22 C"}])

    steps = [line.strip() for line in fake.transcript().splitlines() if line.strip().startswith("step ")]
    assert [step.split(" ", 2)[2] for step in steps] == [
        "tool_calls",  # scripted
        "message_creation · from the fake's default (no turn was scripted)",
    ]


async def test_a_streamed_and_a_polled_run_differ_only_in_the_streamed_marker(client: Sdk) -> None:
    polled_fake, streamed_fake = new_fake(), new_fake()
    async with open_sdk(polled_fake, client.variant) as polled, open_sdk(streamed_fake, client.variant) as streamed:
        await weather_conversation(polled, polled_fake, stream=False)
        _, run_id = await weather_conversation(streamed, streamed_fake, stream=True)

    polled_text, streamed_text = polled_fake.transcript(), streamed_fake.transcript()
    assert polled_text != streamed_text
    (marked,) = [line for line in streamed_text.splitlines() if "streamed" in line]
    assert marked.startswith(f"  22:13:20  run {run_id} ") and marked.endswith(" · streamed")
    assert streamed_text.replace(" · streamed", "") == polled_text


async def test_the_same_test_gives_the_same_transcript(client: Sdk) -> None:
    texts = []
    for _ in range(2):
        fake = new_fake()
        async with open_sdk(fake, client.variant) as sdk:
            await weather_conversation(sdk, fake, stream=False)
        texts.append(fake.transcript())
    assert texts[0] == texts[1]
    assert json.loads(new_fake().transcript(format="json"))["threads"] == []


async def test_refused_requests_and_faults_are_listed_with_status_and_message(client: Sdk,
                                                                             fake: FakeAssistants) -> None:
    fake.script.call_function("get_weather", {"city": "Paris"})
    assistant = await client.beta.assistants.create(model="gpt-4o", tools=[WEATHER_TOOL])
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": "Weather?"}])
    run = await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    with pytest.raises(Exception, match="while a run"):
        await client.beta.threads.messages.create(thread.id, role="user", content="too soon")
    fake.faults.error("runs.retrieve", status=503, message="The service is busy.", should_retry=False)
    with pytest.raises(Exception, match="busy"):
        await client.beta.threads.runs.retrieve(run.id, thread_id=thread.id)
    with pytest.raises(Exception, match="No thread found"):
        await client.beta.threads.messages.list("thread_nope")

    text = fake.transcript()
    assert "status: queued 22:13:20 → in_progress 22:13:20 → requires_action 22:13:20\n" in text
    assert "(no output yet)" in text
    thread_part, other_part = text.split("requests about no thread of this fake")
    assert "  refused requests and faults:" in thread_part
    assert (f"POST /v1/threads/{thread.id}/messages (messages.create) → 400 · invalid_request_error: "
            f"Can't add messages to {thread.id} while a run {run.id} is active.") in thread_part
    assert (f"GET /v1/threads/{thread.id}/runs/{run.id} (runs.retrieve) → 503 · injected http_error · "
            "server_error: The service is busy.") in thread_part
    assert ("GET /v1/threads/thread_nope/messages (messages.list) → 404 · invalid_request_error: "
            "No thread found with id 'thread_nope'.") in other_part


async def test_a_write_refused_for_a_run_nobody_read_says_runs_move_when_read(client: Sdk,
                                                                             fake: FakeAssistants) -> None:
    """The service moved a run on its own; the fake moves it when read. A write right after the create is refused
    in both, but code that never reads the run stays refused in the fake: the transcript says why."""
    fake.set_progression(after_polls(1))
    assistant = await client.beta.assistants.create(model="gpt-4o")
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    run = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    with pytest.raises(Exception, match="while a run"):
        await client.beta.threads.messages.create(thread.id, role="user", content="unread")
    await client.beta.threads.runs.retrieve(run.id, thread_id=thread.id)  # read: in_progress, still active
    with pytest.raises(Exception, match="already has an active run"):
        await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)

    unread, read = [line for line in fake.transcript().splitlines() if "→ 400" in line]
    assert unread.endswith(f"is active. ({run.id} had not been read since it was created: the fake moves a run when a "
                           "client reads it (a retrieve or poll, a list of its thread's runs, messages or steps), by "
                           "the default policy at the first read)")
    assert read.endswith(f"already has an active run {run.id}.")


async def test_a_write_refused_for_a_run_whose_stream_was_closed_unread_says_so(client: Sdk,
                                                                               fake: FakeAssistants) -> None:
    assistant = await client.beta.assistants.create(model="gpt-4o")
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    stream = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True)
    await settle(stream.close())  # not one event read
    with pytest.raises(Exception, match="while a run"):
        await client.beta.threads.messages.create(thread.id, role="user", content="unread")

    (refused,) = [line for line in fake.transcript().splitlines() if "→ 400" in line]
    run = (await client.beta.threads.runs.list(thread.id)).data[0]
    assert refused.endswith(f"is active. ({run.id} came from a stream closed before any of its events was read (#2): "
                            "a run a stream carries moves as the stream is read, and once the stream is closed, the "
                            "fake moves a run when a client reads it (a retrieve or poll, a list of its thread's runs, "
                            "messages or steps), by the default policy at the first read)")


async def test_failed_incomplete_and_overridden_runs_say_why(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.fail("rate_limit_exceeded").incomplete("max_completion_tokens", "Half an ans")
    assistant = await client.beta.assistants.create(model="gpt-4o", instructions="Be brief.")
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id,
                                                   instructions="Be long.")

    text = fake.transcript(thread.id)
    assert "last_error: rate_limit_exceeded: Rate limit is exceeded. Try again in 60 seconds." in text
    assert "→ failed 22:13:20" in text
    assert 'instructions (this run\'s): "Be long."' in text
    assert "incomplete_details: reason max_completion_tokens" in text
    assert '· incomplete (max_tokens): "Half"' in text  # the incomplete answer as it stopped
    assert text.index("→ failed") < text.index("Be long.")  # the runs in the order they ran


async def test_code_interpreter_and_file_search_steps(client: Sdk, fake: FakeAssistants) -> None:
    uploaded = await client.files.create(file=("notes.txt", b"Mars is red because of iron oxide."),
                                         purpose="assistants")
    fake.script.code_interpreter("print(6 * 7)", logs="42").file_search(results=[uploaded.id]).reply("Done.")
    assistant = await client.beta.assistants.create(
        model="gpt-4o", tools=[{"type": "code_interpreter"}, {"type": "file_search"}])
    thread = await client.beta.threads.create(messages=[{
        "role": "user", "content": "Compute and look up",
        "attachments": [{"file_id": uploaded.id, "tools": [{"type": "code_interpreter"}]}]}])
    await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)

    text = fake.transcript()
    assert "tools: code_interpreter, file_search" in text
    assert f"attachments: {uploaded.id} (code_interpreter)" in text
    assert 'code_interpreter [call_' in text and 'input "print(6 * 7)"' in text and 'logs "42"' in text
    assert "file_search [call_" in text and "→ 1 result" in text
    assert f'{uploaded.id} "notes.txt" score 1.0 "Mars is red because of iron oxide."' in text


def test_long_texts_are_cut_with_a_marker_and_counted() -> None:
    fake = FakeAssistants(clock=ManualClock())
    fake.load_state({"threads": [{"id": "thread_t"}], "messages": [
        {"id": "msg_long", "thread_id": "thread_t", "role": "user", "content": "x" * 1000}]})

    text = fake.transcript()
    assert '"' + "x" * Limits().text + CUT_MARKER.format(1000 - Limits().text) + '"' in text
    assert text.endswith("shortened: 1 long text cut\n")


def test_a_thread_of_ten_thousand_messages_gives_a_bounded_transcript() -> None:
    fake = FakeAssistants(clock=ManualClock())
    messages = [{"id": f"msg_{n:05}", "thread_id": "thread_big", "role": "user", "content": f"message number {n}"}
                for n in range(10_000)]
    fake.load_state({"threads": [{"id": "thread_big"}], "messages": messages})

    text = fake.transcript()
    limits = Limits()
    assert len(text) < 16_000  # 100 short entries and a few lines: not 10,000 of them
    assert '"message number 0"' in text and '"message number 9"' in text  # the first entries
    assert '"message number 9999"' in text  # and the newest
    assert '"message number 5000"' not in text
    hidden = 10_000 - limits.entries
    assert f"  … {hidden:,} messages and 0 runs not shown (msg_{limits.head:05} … msg_{9999 - 90:05}) …" in text
    assert text.endswith(f"shortened: {hidden:,} messages and runs of long threads left out\n")


def test_the_whole_text_stops_at_its_character_limit() -> None:
    fake = FakeAssistants(clock=ManualClock())
    fake.load_state({"threads": [{"id": f"thread_{n}"} for n in range(30)], "messages": [
        {"id": f"msg_{n}", "thread_id": f"thread_{n}", "role": "user", "content": "y" * 200} for n in range(30)]})

    text = render(build(fake.store, []), Limits(chars=2_000))
    assert len(text) < 2_300
    assert "\n… transcript cut here: " in text and text.rstrip().endswith("characters cut")


def test_a_loaded_run_shows_its_status_as_loaded_and_one_thread_can_be_asked_for() -> None:
    fake = FakeAssistants(clock=ManualClock())
    fake.load_state({"assistants": [{"id": "asst_a", "model": "gpt-4o"}],
                     "threads": [{"id": "thread_a"}, {"id": "thread_b"}],
                     "runs": [{"id": "run_r", "thread_id": "thread_a", "assistant_id": "asst_a",
                               "status": "completed"}]})

    text = fake.transcript("thread_a")
    assert "thread_b" not in text
    assert f"status: completed {22}:13:20 (loaded in this status)" in text
    assert "  (no messages)" in fake.transcript("thread_b")
    with pytest.raises(KeyError, match="thread_nope"):
        fake.transcript("thread_nope")


def test_runs_interleave_with_messages_made_in_the_same_second() -> None:
    fake = FakeAssistants(clock=ManualClock(START))
    fake.script.reply("first answer").reply("second answer")
    client = fake.openai_client()
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create()
    for question in ("first question", "second question"):
        client.beta.threads.messages.create(thread.id, role="user", content=question)
        run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
        client.beta.threads.runs.retrieve(run.id, thread_id=thread.id)
    client.beta.threads.messages.create(thread.id, role="user", content="thanks")

    text = fake.transcript()
    order = [text.index(f'"{t}"') for t in ("first question", "first answer", "second question", "second answer",
                                            "thanks")]
    assert order == sorted(order)


def test_journal_entries_print_readably(fake: FakeAssistants) -> None:
    client = fake.openai_client(max_retries=0)
    thread = client.beta.threads.create(metadata={"k": "v" * 200})
    with pytest.raises(Exception, match="No thread found"):
        client.beta.threads.messages.list("thread_nope")

    created, refused = fake.calls
    assert str(created) == (
        f'POST /v1/threads (threads.create) → 200 · body {{"metadata":{{"k":"{"v" * 82}… [+121 chars] · '
        f"thread {thread.id}")
    assert str(refused) == ("GET /v1/threads/thread_nope/messages (messages.list) → 404 · "
                            "invalid_request_error: No thread found with id 'thread_nope'.")
    assert 'body={"metadata"' in repr(created)
    assert str(fake.calls).splitlines() == [f"#0 {created}", f"#1 {refused}"]
    assert str(fake.calls["runs.*"]) == "no calls (route='runs.*')"
    # a filtered sequence numbers its calls and shows each one's place in the whole journal (the transcript's #n)
    assert str(fake.calls.filter(status=404)) == f"#0 (fake.calls[1]) {refused}"
    assert str(fake.calls.filter(method="GET")[-1:]) == f"#0 (fake.calls[1]) {refused}"
    assert str(fake.calls[1:]) == f"#0 (fake.calls[1]) {refused}"


def test_the_readme_example_prints_the_transcript_it_shows(capsys: pytest.CaptureFixture[str]) -> None:
    readme = README.read_text(encoding="utf-8")
    start = readme.index("\n## Transcripts: what the fake saw\n")
    section = readme[start:readme.index("\n## ", start + 1)]
    code = re.findall(r"^```python\n(.*?)^```", section, flags=re.DOTALL | re.MULTILINE)[0]
    shown = re.findall(r"^```text\n(.*?)^```", section, flags=re.DOTALL | re.MULTILINE)[0]
    namespace: dict[str, object] = {"__name__": "readme"}
    exec(compile(code, "README.md (Transcripts)", "exec"), namespace)

    assert capsys.readouterr().out == shown + "\n"  # print() adds a newline to the transcript's own


def test_a_v1_request_refused_as_the_service_did_says_how_to_serve_v1() -> None:
    """An app pinned to openai<1.21 against a fake built without `api_versions`: the wire keeps the service's
    `invalid_beta` wording; the transcript names the option."""
    fake = FakeAssistants(seed=0)
    refused = fake.handle(ApiRequest.build("POST", "/v1/assistants", headers={"OpenAI-Beta": "assistants=v1"},
                                           body=b'{"model": "gpt-4-turbo"}'))

    assert refused.status == 400
    (line,) = [line for line in fake.transcript().splitlines() if "#0 POST /v1/assistants" in line]
    assert line.endswith('(this fake serves v2 only; FakeAssistants(api_versions=("v1", "v2")), the marker option '
                         "api_versions or serve --api-versions v1,v2 serves v1 too)")
    served = FakeAssistants(seed=0, api_versions=("v1", "v2"))
    served.handle(ApiRequest.build("POST", "/v1/assistants", headers={"OpenAI-Beta": "assistants=v1"},
                                   body=b'{"model": "gpt-4o"}'))  # refused for its model, not its version
    assert "serves v2 only" not in served.transcript()
