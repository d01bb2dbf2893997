"""Scripted text the service could not have sent (a lone surrogate: half of a UTF-16 pair) is refused where it
is scripted, naming what holds it and where, instead of breaking the answer or the stream that carries it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fake_assistants import FakeAssistants
from fake_assistants.runs.script import Fail, Reply, Script, SearchResult, responder_failure, utf8_text

LONE = "before \ud800 after"

SCRIPTED: dict[str, Callable[[Script], object]] = {
    "a reply's text": lambda script: script.reply(LONE),
    "a said message's text": lambda script: script.say(LONE),
    "a function call": lambda script: script.call_function("lookup", LONE),
    "a code_interpreter step": lambda script: script.code_interpreter("print(1)", logs=LONE),
    "a file_search query": lambda script: script.file_search(LONE),
    "a file_search result": lambda script: script.file_search(results=[SearchResult("file-abc", text=LONE)]),
    "a broken stream's text or message": lambda script: script.break_stream(LONE),
    "a failure's message": lambda script: script.fail("server_error", LONE),
    "an incomplete answer's text": lambda script: script.incomplete(text=LONE),
}


@pytest.mark.parametrize("what", list(SCRIPTED))
def test_a_lone_surrogate_is_refused_where_it_is_scripted(what: str) -> None:
    script = Script()

    with pytest.raises(ValueError) as raised:
        SCRIPTED[what](script)

    assert str(raised.value).startswith(f"fake-assistants: {what} holds a lone surrogate ('\\ud800' at index 7)")
    assert "Write the character itself" in str(raised.value)
    assert script.turns == []


def test_text_that_encodes_as_utf8_is_scripted_as_given() -> None:
    script = Script().reply("naïve 🙂 \u2028 text")

    (turn,) = script.turns
    assert turn.action == Reply("naïve 🙂 \u2028 text")
    assert utf8_text("🙂", "anything") == "🙂"


def test_a_responder_error_naming_a_lone_surrogate_still_fails_the_run_with_a_message() -> None:
    failure = responder_failure(ValueError(LONE))

    assert failure == Fail("server_error", "fake-assistants: the responder raised ValueError: before \\ud800 after")


def test_a_scripted_reply_with_a_lone_surrogate_leaves_the_fake_usable() -> None:
    fake = FakeAssistants(seed=0)
    client = fake.openai_client()
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "hi"}])

    with pytest.raises(ValueError, match="lone surrogate"):
        fake.script.reply(LONE)
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)

    assert run.status == "completed"
    assert [m.role for m in client.beta.threads.messages.list(thread_id=thread.id)] == ["assistant", "user"]
