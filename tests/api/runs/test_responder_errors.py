"""A `respond_with` callable that raises never hangs a test: its run ends `failed` (server_error, naming the
exception) on the first read after creation, and the plugin fails the test with the original traceback."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

import pytest

from fake_assistants import FakeAssistants, UnencodableText
from fake_assistants.runs.script import Reply, TextStream
from runs_support import assistant_and_thread, retrieve, steps_of
from sdk_matrix import Sdk
from stream_support import collect_events


def divide_by_zero(_context: object) -> str:
    return str(1 / 0)


async def test_a_raising_responder_fails_the_run_on_the_first_read(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.respond_with(lambda context: 1 / 0)  # type: ignore[arg-type,return-value]
    assistant, thread = await assistant_and_thread(client, "hi")

    created = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    run = await retrieve(client, created)

    assert created.status == "queued"
    assert run.status == "failed"
    assert run.last_error.code == "server_error"
    assert run.last_error.message == "fake-assistants: the responder raised ZeroDivisionError: division by zero"
    (step,) = await steps_of(client, run)  # like `script.fail("server_error")`: failed while writing its answer
    assert (step.status, step.last_error.code) == ("failed", "server_error")
    ((run_id, error),) = fake.script.responder_errors
    assert run_id == run.id
    assert isinstance(error, ZeroDivisionError)


@pytest.mark.parametrize(("returned", "named"), [
    (None, "the responder returned None (a branch of the function that returns nothing?)"),
    ({"text": "hi"},
     "the responder returned dict {'text': 'hi'} (return the text itself, 'hi', not a dict holding it)"),
    (3, "the responder returned int 3"),
], ids=["none", "dict", "int"])
async def test_a_responder_returning_neither_text_nor_an_action_fails_the_run(
        client: Sdk, fake: FakeAssistants, returned: object, named: str) -> None:
    """Not a run in progress for ever (None read as work dropped) nor a 500 (a dict read as an action)."""
    fake.script.respond_with(lambda context: returned)  # type: ignore[arg-type,return-value]
    assistant, thread = await assistant_and_thread(client, "hi")

    run = await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)

    assert (run.status, run.last_error.code) == ("failed", "server_error")
    assert run.last_error.message == (
        f"fake-assistants: the responder raised TypeError: {named}: return the reply's text (a str) or an action of "
        "fake_assistants.turns, such as turns.call_function(name, arguments)")
    ((_, error),) = fake.script.responder_errors  # the plugin fails the test with it
    assert isinstance(error, TypeError)
    fake.script.responder_errors.clear()


async def test_create_and_poll_returns_the_failed_run(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.respond_with(divide_by_zero)
    assistant, thread = await assistant_and_thread(client, "hi")

    run = await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)

    assert run.status == "failed"
    assert "ZeroDivisionError" in run.last_error.message


async def test_a_streamed_run_ends_failed_too(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.respond_with(divide_by_zero)
    assistant, thread = await assistant_and_thread(client, "hi")

    stream = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True)
    events = await collect_events(stream)

    names = [event.event for event in events]
    assert names[:3] == ["thread.run.created", "thread.run.queued", "thread.run.in_progress"]
    assert names[-1] == "thread.run.failed"
    assert "ZeroDivisionError" in events[-1].data.last_error.message


async def test_the_script_goes_on_after_a_raising_responder(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.respond_with(divide_by_zero).reply("fine")
    assistant, thread = await assistant_and_thread(client, "hi")

    first = await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    second = await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)

    assert (first.status, second.status) == ("failed", "completed")


class Interrupted(BaseException):
    """What is not an error of the responder's own: as KeyboardInterrupt, SystemExit or pytest.skip() are."""


def interrupt(_context: object) -> str:
    raise Interrupted("stopped by hand")


async def test_an_interrupted_responder_fails_its_run_and_the_interruption_goes_on(
        client: Sdk, fake: FakeAssistants) -> None:
    """The interruption reaches the caller; the run does not stay in_progress for ever (a poll would never end,
    the thread would keep an active run): it failed, naming what interrupted it."""
    fake.script.respond_with(interrupt).reply("after the interruption")
    assistant, thread = await assistant_and_thread(client, "hi")
    created = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)

    with pytest.raises(Interrupted):
        await retrieve(client, created)

    run = await retrieve(client, created)
    assert (run.status, run.last_error.code) == ("failed", "server_error")
    assert run.last_error.message == "fake-assistants: the responder raised Interrupted: stopped by hand"
    assert fake.script.responder_errors == []  # the interruption was raised to the caller: nothing to report twice
    again = await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    assert again.status == "completed"


async def test_an_interrupted_responder_on_a_stream_not_read_yet_is_announced_on_it(
        client: Sdk, fake: FakeAssistants) -> None:
    fake.script.respond_with(interrupt)
    assistant, thread = await assistant_and_thread(client, "hi")
    stream = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True)
    (run,) = fake.store.runs[thread.id].values()

    with pytest.raises(Interrupted):
        await client.beta.threads.runs.retrieve(run.id, thread_id=thread.id)
    events = await collect_events(stream)

    assert [e.event for e in events] == [  # the responder was asked before any step was opened
        "thread.run.created", "thread.run.queued", "thread.run.in_progress", "thread.run.failed"]
    assert events[-1].data.last_error.message == "fake-assistants: the responder raised Interrupted: stopped by hand"


async def test_a_model_stream_interrupted_between_chunks_fails_its_run(client: Sdk, fake: FakeAssistants) -> None:
    def chunks() -> Iterator[str]:
        yield "Half an ans"
        raise Interrupted("stopped mid-answer")

    fake.script.respond_with(lambda context: Reply(TextStream(chunks())))
    assistant, thread = await assistant_and_thread(client, "hi")
    created = await client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)

    with pytest.raises(Interrupted):
        await retrieve(client, created)

    run = await retrieve(client, created)
    assert run.status == "failed"
    assert "Interrupted: stopped mid-answer" in run.last_error.message


LONE_SURROGATE_MESSAGE = (
    "fake-assistants: the responder raised UnencodableText: fake-assistants: a reply's text holds a lone surrogate")


async def test_a_responder_answering_a_lone_surrogate_fails_the_run(client: Sdk, fake: FakeAssistants) -> None:
    fake.script.respond_with(lambda context: "half a pair: \ud83d")
    assistant, thread = await assistant_and_thread(client, "hi")

    run = await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)

    assert run.status == "failed"
    assert run.last_error.message.startswith(LONE_SURROGATE_MESSAGE)
    assert "('\\ud83d' at index 13)" in run.last_error.message
    ((_, error),) = fake.script.responder_errors
    assert isinstance(error, UnencodableText)


RAISING = """
    def test_uses_a_broken_responder(fake_assistants, openai_client):
        fake_assistants.script.respond_with(lambda context: 1 / 0)
        assistant = openai_client.beta.assistants.create(model="gpt-4o")
        run = openai_client.beta.threads.create_and_run_poll(
            assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "hi"}]})
        assert run.status == "failed"
"""


def test_under_the_plugin_the_test_fails_with_the_original_traceback(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_user=textwrap.dedent(RAISING))

    result = pytester.runpytest("-p", "no:randomly", "-W", "ignore::DeprecationWarning")

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*fake_assistants: a responder raised while it made a turn (its run failed with server_error):",
        "*run run_*:",
        "*Traceback (most recent call last):",
        "*fake_assistants.script.respond_with(lambda context: 1 / 0)*",
        "*ZeroDivisionError: division by zero",
    ])
