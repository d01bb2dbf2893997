"""Mistakes in scripting model turns are refused at the call that makes them, with a TypeError (a wrong type) or
a ValueError (a wrong value) whose message names the argument, what was given and what to pass instead; before,
`reply(42)` or `call_function("f", ["Paris"])` were queued and the run broke later with an internal 500."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest

from fake_assistants import FakeAssistants, Fault, Faults, ManualClock
from fake_assistants.runs.script import CodeInterpreter, FileSearch, FunctionCalls, Reply, Script, SearchResult

Mistake = Callable[[Script], object]

# (the call, the exception, what its message must say: the argument, what was given, the fix)
TYPE_MISTAKES: dict[str, tuple[Mistake, tuple[str, ...]]] = {
    "reply(42)": (lambda s: s.reply(42), ("fake.script.reply", "text must be a str", "int 42", 'reply("')),
    "reply(None)": (lambda s: s.reply(None), ("text must be a str", "not None", "default reply", 'reply("')),
    "reply(dict)": (lambda s: s.reply({"text": "hi"}), ("text must be a str", "dict {'text': 'hi'}",
                                                        "pass the text itself, 'hi'")),
    "say(b'')": (lambda s: s.say(b"hi"), ("fake.script.say", "text must be a str", "bytes b'hi'", 'say("')),
    "incomplete text": (lambda s: s.incomplete(text=7), ("fake.script.incomplete", "text must be a str or None",
                                                         "int 7", 'incomplete(text="')),
    "break_stream text": (lambda s: s.break_stream(None), ("fake.script.break_stream", "text must be a str",
                                                           'break_stream("')),
    "break_stream message": (lambda s: s.break_stream(message=500), ("message must be a str or None", "int 500",
                                                                     'break_stream(message="')),
    "break_stream after_deltas": (lambda s: s.break_stream(after_deltas="2"), (
        "after_deltas must be an int >= 0", "str '2'", "after_deltas=2")),
    "break_stream after_deltas bool": (lambda s: s.break_stream(after_deltas=True), (
        "after_deltas must be an int >= 0", "bool True")),
    "fail message": (lambda s: s.fail("server_error", {"message": "x"}), (
        "fake.script.fail", "message must be a str or None", 'fail("server_error", "')),
    "call_function name": (lambda s: s.call_function(None), ("fake.script.call_function", "name must be a str",
                                                             'call_function("get_weather"')),
    "call_function list": (lambda s: s.call_function("get_weather", ["Paris"]), (
        "fake.script.call_function", "arguments must be a dict, a str (the JSON text), or None",
        "list ['Paris']", '{"city": "Paris"}')),
    "call_function unencodable dict": (lambda s: s.call_function("get_weather", {"when": object()}), (
        "arguments must hold only JSON values", "convert the values first")),
    "call_functions dict": (lambda s: s.call_functions({"get_weather": {}}), (
        "fake.script.call_functions", "calls must be a list of (name, arguments) pairs",
        "dict {'get_weather': {}}", "call_functions(list(calls.items()))")),
    "call_functions names": (lambda s: s.call_functions(["get_weather", "get_time"]), (
        "calls[0] must be a (name, arguments) pair", "str 'get_weather'", 'call_functions([("get_weather"')),
    "call_functions arguments": (lambda s: s.call_functions([("a", {}), ("b", [1])]), (
        "calls[1]'s arguments must be a dict", "list [1]")),
    "code_interpreter input": (lambda s: s.code_interpreter(None), (
        "fake.script.code_interpreter", "input must be a str", 'code_interpreter("print(1 + 1)"')),
    "code_interpreter images": (lambda s: s.code_interpreter("x", images=b"\x89PNG"), (
        "images must be a list of images' bytes", "images=[png_bytes]")),
    "code_interpreter files": (lambda s: s.code_interpreter("x", files={"a.csv": "a,b"}), (
        "file 'a.csv' must be bytes", "str 'a,b'", "text.encode()")),
    "file_search results": (lambda s: s.file_search(results="file-abc"), (
        "fake.script.file_search", "results must be a list of file ids", "str 'file-abc'",
        'results=["file-abc"]')),
    "retrieval query": (lambda s: s.retrieval(42), ("fake.script.retrieval", "query must be a str or None")),
    "respond_with str": (lambda s: s.respond_with("hi"), (
        "fake.script.respond_with", "responder must be a callable", "str 'hi'", "call reply('hi')")),
    "assistant_id object": (lambda s: s.reply("hi", assistant_id=_Assistant()), (
        "assistant_id must be an assistant's id (a str)", "assistant_id='asst_1'")),
    "search score str": (lambda s: s.file_search(results=[SearchResult("file-abc", "0.5")]), (  # type: ignore[arg-type]
        "SearchResult: score must be a number from 0 to 1", "str '0.5'", "score=0.9")),
}

VALUE_MISTAKES: dict[str, tuple[Mistake, tuple[str, ...]]] = {
    "no calls": (lambda s: s.call_functions([]), ("calls must hold at least one call", 'call_functions([("')),
    "after_deltas negative": (lambda s: s.break_stream(after_deltas=-1), (
        "after_deltas must be >= 0", "not -1", "after_deltas=0")),
    "search score above 1": (lambda s: s.file_search(results=[SearchResult("file-abc", 1.7)]), (
        "SearchResult: score must be from 0 to 1, as the service's scores are, not 1.7", "score=1.0")),
    "search score below 0": (lambda s: s.file_search(results=[SearchResult("file-abc", -1.0)]), (
        "score must be from 0 to 1", "not -1.0")),
    "code_interpreter file with no name": (lambda s: s.code_interpreter("x", files={"": b"a,b"}), (
        "fake.script.code_interpreter: a file's name must not be empty, as '' is", 'files={"report.csv"')),
    "code_interpreter file named blank": (lambda s: s.code_interpreter("x", files=[(" ", b"a,b")]), (
        "a file's name must not be empty, as ' ' is",)),
    "call_function with no name": (lambda s: s.call_function(""), (
        "fake.script.call_function: name '' is not a name a function tool can have",
        "1 to 64 letters, digits, underscores or dashes", 'call_function("get_weather"')),
    "call_function name with a space": (lambda s: s.call_function("get weather"), (
        "name 'get weather' is not a name a function tool can have",)),
    "call_function name too long": (lambda s: s.call_function("f" * 65), ("is not a name a function tool can have",)),
    "call_functions name with a dot": (lambda s: s.call_functions([("get_weather", None), ("a.b", {})]), (
        "fake.script.call_functions: calls[1]'s name 'a.b' is not a name a function tool can have",
        'call_functions([("')),
}


class _Assistant:
    id = "asst_1"


MISTAKES = {**{name: (*mistake, TypeError) for name, mistake in TYPE_MISTAKES.items()},
            **{name: (*mistake, ValueError) for name, mistake in VALUE_MISTAKES.items()}}


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_a_mistake_is_refused_naming_the_fix(mistake: str) -> None:
    """A wrong type is a TypeError, a wrong value a ValueError; either names the argument and the fix, and
    scripts nothing."""
    call, said, error = MISTAKES[mistake]
    script = Script()

    with pytest.raises(error) as raised:
        call(script)

    assert type(raised.value) is error
    for part in said:
        assert part in str(raised.value), (part, str(raised.value))
    assert script.turns == []


def test_the_mistake_is_refused_by_fake_script_before_any_run() -> None:
    fake = FakeAssistants()

    with pytest.raises(TypeError, match=r"^fake\.script\.reply: text must be a str, not int 42"):
        fake.script.reply(42)  # type: ignore[arg-type]
    assert fake.script.pending == []


def test_valid_arguments_are_encoded_as_before() -> None:
    script = Script()
    script.call_function("a", '{"city":  "Paris"}').call_function("b", {"city": "Paris"}).call_function("c")
    script.call_functions([("d", None), ["e", '{"n": 1}']])  # type: ignore[list-item]
    script.call_function("f", '{"city": "Par')  # a model's malformed arguments, scripted on purpose

    assert [turn.action for turn in script.turns] == [
        FunctionCalls((("a", '{"city":  "Paris"}'),)),  # a str is kept as written
        FunctionCalls((("b", '{"city":"Paris"}'),)),
        FunctionCalls((("c", "{}"),)),
        FunctionCalls((("d", "{}"), ("e", '{"n": 1}'))),
        FunctionCalls((("f", '{"city": "Par'),)),
    ]


def test_every_name_a_function_tool_may_have_is_taken() -> None:
    names = ["x", "get-weather_2", "F" * 64, "0"]
    script = Script()
    for name in names:
        script.call_function(name)

    assert [turn.action for turn in script.turns] == [FunctionCalls(((name, "{}"),)) for name in names]


def test_valid_steps_are_scripted_as_before() -> None:
    script = Script()
    images = (image for image in [b"\x89PNG"])  # any iterable of bytes, read once
    script.code_interpreter("print(1)", "1", images=images, files=[("a.csv", b"a,b")])
    script.file_search("planets", results=["file-abc", SearchResult("file-def", 0.5)]).reply("Done.")

    assert [turn.action for turn in script.turns] == [
        CodeInterpreter("print(1)", "1", (b"\x89PNG",), (("a.csv", b"a,b"),)),
        FileSearch("planets", (SearchResult("file-abc"), SearchResult("file-def", 0.5))),
        Reply("Done."),
    ]


@pytest.mark.parametrize("owner", [Script, ManualClock, Faults, Fault], ids=lambda owner: owner.__name__)
def test_every_public_method_says_what_it_does(owner: type[Any]) -> None:
    methods = {name: member.fget if isinstance(member, property) else member for name, member in vars(owner).items()
               if not name.startswith("_") and (isinstance(member, property) or inspect.isfunction(member))}

    assert methods  # the check looked at something
    assert [name for name, method in methods.items() if not inspect.getdoc(method)] == []


def test_a_bytearray_or_memoryview_is_kept_as_bytes() -> None:
    """Accepted as binary, then copied: a memoryview could not be snapshot, nor either be served as a file."""
    script = Script()
    script.code_interpreter("x", images=[bytearray(b"\x89PNG")], files={"a.csv": memoryview(b"a,b\n")})

    (turn,) = script.turns
    assert turn.action == CodeInterpreter("x", None, (b"\x89PNG",), (("a.csv", b"a,b\n"),))
    assert isinstance(turn.action, CodeInterpreter)
    assert [type(image) for image in turn.action.images] == [bytes]
    assert [type(content) for _, content in turn.action.files] == [bytes]
