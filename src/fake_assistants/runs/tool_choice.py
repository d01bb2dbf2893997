"""What a run lets its model do: its tools, its `tool_choice` and its `parallel_tool_calls`.

The reference (`AssistantsApiToolChoiceOption`): "`none` means the model will not call any tools and instead
generates a message. `auto` ... can pick between generating a message or calling one or more tools. `required`
means the model must call one or more tools before responding to the user. Specifying a particular tool like
`{"type": "file_search"}` or `{"type": "function", "function": {"name": "my_function"}}` forces the model to
call that tool." So a forced tool (or, under `required`, any tool) is called before the run's first message;
after that call the model may answer. `parallel_tool_calls: false` allows one function call at a time.

A turn that does what its run does not allow is a mistake of the test (no recording can show it), named here with
its fix: the engine fails the run and keeps the text in `script.mistakes`, which the pytest plugin reports.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Literal

from ..core.types import Json

ToolType = Literal["function", "file_search", "code_interpreter"]

@dataclass(frozen=True, slots=True)
class ToolChoice:
    """A run's `tool_choice`: `mode` is `none`, `auto`, `required`, or `forced` (one tool: `tool`, and for a
    function its `function` name)."""

    mode: Literal["none", "auto", "required", "forced"]
    tool: ToolType | None = None
    function: str | None = None

    @classmethod
    def of(cls, value: str | Json) -> ToolChoice:
        if isinstance(value, str):
            return _MODES.get(value, _AUTO)
        if isinstance(value, dict):
            kind = value.get("type")
            if kind == "function":
                function = value.get("function")
                name = function.get("name") if isinstance(function, dict) else None
                return cls("forced", "function", name if isinstance(name, str) else None)
            if kind == "file_search" or kind == "code_interpreter":
                return cls("forced", kind)
        return cls("auto")

    def describe(self) -> str:
        """How the run's request said it, for a message."""
        if self.mode == "forced":
            if self.tool == "function":
                return f'tool_choice forces function {self.function!r}'
            return f'tool_choice forces {self.tool}'
        return f'tool_choice is "{self.mode}"'

    def satisfied_by(self, called: Collection[tuple[str, str | None]]) -> bool:
        """Whether the tool calls the run made so far (`(type, function name or None)`) meet what must come before
        its answer."""
        if self.mode == "required":
            return bool(called)
        if self.mode == "forced":
            return any(kind == self.tool and (self.tool != "function" or name == self.function)
                       for kind, name in called)
        return True

    def searches_first(self, tools: Sequence[Json]) -> bool:
        """Whether a run that must call a tool before it answers can meet that with a search of its own
        (file_search forced, or `required` with the file_search tool)."""
        if self.mode == "forced" and self.tool != "file_search":
            return False
        return self.mode in ("forced", "required") and has_tool(tools, "file_search")


_AUTO = ToolChoice("auto")
_MODES = {"auto": _AUTO, "none": ToolChoice("none"), "required": ToolChoice("required")}


def has_tool(tools: Sequence[Json], kind: str) -> bool:
    return any(tool.get("type") == kind for tool in tools)


def tool_list(tools: Sequence[Json]) -> str:
    """The run's tools as a message names them."""
    names = [f"function {tool['function']['name']!r}" if tool.get("type") == "function" else str(tool.get("type"))
             for tool in tools]
    return ", ".join(names) if names else "none"


def missing_tool(kind: ToolType, tools: Sequence[Json]) -> str | None:
    """What is wrong with a scripted file_search or code_interpreter step on a run without that tool, or None."""
    if has_tool(tools, kind):
        return None
    return (f"the script runs a {kind} step, but this run's tools do not include {kind} "
            f"(its tools: {tool_list(tools)}): add {_tool_json(kind)} to the assistant's (or the run's) tools, or "
            "script another turn")


def _tool_json(kind: str) -> str:
    """How a request names the tool, with Assistants v1's name for file_search."""
    v1 = ' (in Assistants v1, {"type": "retrieval"})' if kind == "file_search" else ""
    return f'{{"type": "{kind}"}}{v1}'


def refused_call(kind: ToolType, functions: Sequence[str], choice: ToolChoice, parallel: bool,
                 called: Collection[tuple[str, str | None]]) -> str | None:
    """What is wrong with a turn calling tools (`kind`; for functions their names, in order) on a run with `choice`,
    `parallel_tool_calls` and the calls made so far, or None."""
    what = _calling(kind, functions)
    if choice.mode == "none":
        return (f'{what}, but the run\'s tool_choice is "none" (the model calls no tool): script a reply, or '
                'create the run with another tool_choice')
    if choice.mode == "forced" and not choice.satisfied_by(called):
        wrong = kind != choice.tool or any(name != choice.function for name in functions)
        if wrong:
            return f"{what}, but the run's {choice.describe()} first: script that call before any other"
    if kind == "function" and len(functions) > 1 and not parallel:
        return (f"{what} at once, but the run's parallel_tool_calls is false (one call at a time): script each "
                "call as a turn of its own")
    return None


def refused_answer(choice: ToolChoice, called: Collection[tuple[str, str | None]], tools: Sequence[Json], *,
                   scripted: bool) -> str | None:
    """What is wrong with the run answering (a message) now, before the tool call its `choice` asks for, or None.
    `scripted`: a turn answers (else the run has no turn, and would give the default reply)."""
    if choice.satisfied_by(called):
        return None
    first = "the script answers with a message" if scripted else "no turn is scripted for the run"
    if choice.mode == "forced" and choice.tool == "function":
        declared = [tool["function"]["name"] for tool in tools if tool.get("type") == "function"]
        if choice.function not in declared:
            return (f"{first}, and the run's {choice.describe()}, which this run does not declare (its function "
                    f"tools: {', '.join(repr(name) for name in declared) or 'none'}): declare it among the "
                    "assistant's (or the run's) tools, or fix the name in tool_choice")
        return (f"{first}, but the run's {choice.describe()}, which the model calls before it answers: script "
                f"that call first, with fake.script.call_function({choice.function!r}, ...)")
    if choice.mode == "forced" and choice.tool is not None and not has_tool(tools, choice.tool):
        return (f"{first}, and the run's {choice.describe()}, which this run's tools do not include (its tools: "
                f"{tool_list(tools)}): add {_tool_json(choice.tool)} to the assistant's (or the run's) tools, or "
                "create the run with another tool_choice")
    if choice.mode == "forced":
        return (f"{first}, but the run's {choice.describe()}, which the model runs before it answers: script that "
                f"step first, with fake.script.{choice.tool}(...)")
    turns = [turn for kind, turn in (("function", "call_function(...)"), ("code_interpreter", "code_interpreter(...)"))
             if has_tool(tools, kind)]
    if not turns:
        return (f"{first}, but the run's {choice.describe()}: the model calls a tool before it answers, and this run "
                "has no tools: give it one, or create the run with another tool_choice")
    how = " or ".join(f"fake.script.{turn}" for turn in turns)
    return (f"{first}, but the run's {choice.describe()}: the model calls a tool before it answers. Script a tool "
            f"turn first: {how}")


def _calling(kind: ToolType, functions: Sequence[str]) -> str:
    if kind == "function":
        names = ", ".join(repr(name) for name in functions)
        return f"the script calls function {names}" if len(functions) == 1 else f"the script calls functions {names}"
    return f"the script runs a {kind} step"
