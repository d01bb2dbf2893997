"""Scripted text the service could not have sent (a lone surrogate: half of a UTF-16 pair) is refused where it
is scripted, naming the field that holds it and where, instead of breaking the answer or the stream that carries
it. tests/api/runs/test_unencodable_text.py follows it through the SDK."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fake_assistants import UnencodableText
from fake_assistants.runs.script import (
    Fail,
    FunctionCalls,
    Incomplete,
    Reply,
    Script,
    SearchResult,
    TextStream,
    responder_failure,
)

LONE = "before \ud800 after"

SCRIPTED: dict[str, Callable[[Script], object]] = {
    "a reply's text": lambda script: script.reply(LONE),
    "a said message's text": lambda script: script.say(LONE),
    "a function call's arguments": lambda script: script.call_functions([("ok", "{}"), ("lookup", LONE)]),
    "a code_interpreter step's input": lambda script: script.code_interpreter(LONE),
    "a code_interpreter step's logs": lambda script: script.code_interpreter("print(1)", logs=LONE),
    "a code_interpreter step's file name": lambda script: script.code_interpreter("x", files={LONE: b"1"}),
    "a file_search step's query": lambda script: script.file_search(LONE),
    "a file_search result's file id": lambda script: script.file_search(results=[LONE]),
    "a file_search result's text": lambda script: script.file_search(results=[SearchResult("file-abc", text=LONE)]),
    "a broken stream's text": lambda script: script.break_stream(LONE),
    "a broken stream's message": lambda script: script.break_stream("text", message=LONE),
    "a failure's message": lambda script: script.fail("server_error", LONE),
    "an incomplete answer's text": lambda script: script.incomplete(text=LONE),
}


@pytest.mark.parametrize("what", list(SCRIPTED))
def test_a_lone_surrogate_is_refused_where_it_is_scripted(what: str) -> None:
    script = Script()

    with pytest.raises(UnencodableText) as raised:
        SCRIPTED[what](script)

    assert str(raised.value).startswith(f"fake-assistants: {what} holds a lone surrogate ('\\ud800' at index 7)")
    assert "Write the character itself" in str(raised.value)
    assert script.turns == []


@pytest.mark.parametrize(("build", "what"), [
    (lambda: Fail(LONE, "message"), "a failure's code"),
    (lambda: Incomplete(LONE), "an incomplete answer's reason"),
    (lambda: FunctionCalls((("lookup", LONE),)), "a function call's arguments"),
    (lambda: FunctionCalls(((LONE, "{}"),)), "a function call's name"),  # a script refuses it sooner (its rule)
])
def test_actions_a_responder_builds_are_checked_too(build: Callable[[], object], what: str) -> None:
    with pytest.raises(UnencodableText, match=f"^fake-assistants: {what} holds a lone surrogate"):
        build()


def test_text_that_encodes_as_utf8_is_scripted_as_given() -> None:
    script = Script().reply("naïve 🙂 \u2028 text")

    (turn,) = script.turns
    assert turn.action == Reply("naïve 🙂 \u2028 text")


def test_a_model_stream_is_checked_chunk_by_chunk_as_it_arrives() -> None:
    stream = TextStream(iter([LONE]))

    assert Reply(stream).text is stream  # nothing read yet: the engine checks each chunk it takes


def test_a_responder_error_naming_a_lone_surrogate_still_fails_the_run_with_a_message() -> None:
    failure = responder_failure(ValueError(LONE))

    assert failure == Fail("server_error", "fake-assistants: the responder raised ValueError: before \\ud800 after")
