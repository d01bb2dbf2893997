"""What a `respond_with` function returns when its answer is not a reply's text: one turn's action.

Each function takes what the script method of the same name takes (without `assistant_id`: the responder's turn
already has its place) and checks it the same way: a mistake is a TypeError or ValueError naming the function
(`fake_assistants.turns.call_function: ...`) and what to pass.

    from fake_assistants import turns

    def answer(ctx):
        if "weather" in ctx.last_user_text:
            return turns.call_function("get_weather", {"city": "Paris"})
        return "I can only tell the weather."

    fake.script.respond_with(answer, repeat=True)

The script method of the same name documents each one (`Script.call_function`, ...).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from .core.types import Json
from .runs.script import (
    Action,
    BrokenStream,
    CodeInterpreter,
    Fail,
    FileSearch,
    FunctionCalls,
    Incomplete,
    Reply,
    Say,
    Script,
    SearchResult,
)

__all__ = [
    "Action",
    "BrokenStream",
    "CodeInterpreter",
    "Fail",
    "FileSearch",
    "FunctionCalls",
    "Incomplete",
    "Reply",
    "Say",
    "SearchResult",
    "break_stream",
    "call_function",
    "call_functions",
    "code_interpreter",
    "fail",
    "file_search",
    "incomplete",
    "reply",
    "say",
]


_A = TypeVar("_A", Reply, Say, FunctionCalls, CodeInterpreter, FileSearch, Fail, Incomplete, BrokenStream)
# what the script's checks say that is about scripting, not about a responder's answer
_SCRIPT_ONLY_HINT = " (to let the run answer with the default reply, script no turn)"


def _built(queue: Callable[[Script], Script], kind: type[_A]) -> _A:
    """The action the script method queues (it checks and converts what it is given); its mistakes are named as
    this module's (`fake_assistants.turns.reply: ...`)."""
    try:
        action = queue(Script()).turns[-1].action
    except (TypeError, ValueError) as error:
        message = str(error).replace("fake.script.", "fake_assistants.turns.", 1).replace(_SCRIPT_ONLY_HINT, "")
        raise type(error)(message) from None
    if not isinstance(action, kind):  # pragma: no cover - each method queues its own kind
        raise TypeError(f"expected a {kind.__name__}, the script queued {action!r}")
    return action


def reply(text: str, *, search: bool = True) -> Reply:
    """The model's final answer: the run completes with a message of `text` (`Script.reply`; `search=False`: no
    file_search before it)."""
    return _built(lambda script: script.reply(text, search=search), Reply)


def say(text: str) -> Say:
    """A message part-way through the run; the run goes on with the next turn (`Script.say`)."""
    return _built(lambda script: script.say(text), Say)


def call_function(name: str, arguments: Json | str | None = None) -> FunctionCalls:
    """A call of one function: the run stops in `requires_action` (`Script.call_function`)."""
    return _built(lambda script: script.call_function(name, arguments), FunctionCalls)


def call_functions(calls: Sequence[tuple[str, Json | str | None]]) -> FunctionCalls:
    """Parallel function calls, `[(name, arguments), ...]` (`Script.call_functions`)."""
    return _built(lambda script: script.call_functions(calls), FunctionCalls)


def code_interpreter(input: str, logs: str | None = None, *, images: Sequence[bytes] = (),
                     files: Mapping[str, bytes] | Sequence[tuple[str, bytes]] = ()) -> CodeInterpreter:
    """A code_interpreter step, then the next turn (`Script.code_interpreter`)."""
    return _built(lambda script: script.code_interpreter(input, logs, images=images, files=files), CodeInterpreter)


def file_search(query: str | None = None, results: Sequence[SearchResult | str] | None = None) -> FileSearch:
    """A file_search step over the run's vector stores, or reporting `results` (`Script.file_search`)."""
    return _built(lambda script: script.file_search(query, results), FileSearch)


def fail(code: str = "server_error", message: str | None = None) -> Fail:
    """The run fails with `last_error` (`Script.fail`)."""
    return _built(lambda script: script.fail(code, message), Fail)


def incomplete(reason: str = "max_completion_tokens", text: str | None = None) -> Incomplete:
    """The run ends `incomplete` (`Script.incomplete`)."""
    return _built(lambda script: script.incomplete(reason, text), Incomplete)


def break_stream(text: str = "This answer breaks off", after_deltas: int = 1,
                 message: str | None = None) -> BrokenStream:
    """The answer breaks off after `after_deltas` text deltas (`Script.break_stream`)."""
    return _built(lambda script: script.break_stream(text, after_deltas, message), BrokenStream)
