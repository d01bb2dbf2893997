"""`runs/tool_choice.py`: reading a run's tool_choice, and what it rules out (sans-IO)."""

from __future__ import annotations

import pytest

from fake_assistants.runs.tool_choice import ToolChoice, missing_tool, refused_answer, refused_call

WEATHER = {"type": "function", "function": {"name": "get_weather"}}


@pytest.mark.parametrize(("value", "read"), [
    ("auto", ToolChoice("auto")),
    ("none", ToolChoice("none")),
    ("required", ToolChoice("required")),
    ({"type": "function", "function": {"name": "f"}}, ToolChoice("forced", "function", "f")),
    ({"type": "file_search"}, ToolChoice("forced", "file_search")),
    ({"type": "code_interpreter"}, ToolChoice("forced", "code_interpreter")),
])
def test_a_tool_choice_is_read(value: object, read: ToolChoice) -> None:
    assert ToolChoice.of(value) == read  # type: ignore[arg-type]


def test_what_satisfies_a_choice() -> None:
    forced = ToolChoice.of({"type": "function", "function": {"name": "f"}})
    assert not forced.satisfied_by([("function", "g"), ("file_search", None)])
    assert forced.satisfied_by([("function", "f")])
    assert ToolChoice.of("required").satisfied_by([("code_interpreter", None)])
    assert not ToolChoice.of("required").satisfied_by([])
    assert ToolChoice.of("none").satisfied_by([]) and ToolChoice.of("auto").satisfied_by([])


def test_who_searches_first() -> None:
    assert ToolChoice.of({"type": "file_search"}).searches_first([{"type": "file_search"}])
    assert not ToolChoice.of({"type": "file_search"}).searches_first([])  # a tool the run lacks: refused instead
    assert ToolChoice.of("required").searches_first([{"type": "file_search"}])
    assert not ToolChoice.of("required").searches_first([WEATHER])
    assert not ToolChoice.of({"type": "function", "function": {"name": "get_weather"}}).searches_first(
        [{"type": "file_search"}])


def test_what_is_refused() -> None:
    assert refused_call("function", ["get_weather"], ToolChoice.of("auto"), True, []) is None
    assert "tool_choice is \"none\"" in (refused_call("file_search", [], ToolChoice.of("none"), True, []) or "")
    assert "parallel_tool_calls is false" in (
        refused_call("function", ["a", "b"], ToolChoice.of("auto"), False, []) or "")
    forced = ToolChoice.of({"type": "function", "function": {"name": "get_weather"}})
    assert refused_call("function", ["get_weather"], forced, True, []) is None
    assert refused_call("code_interpreter", [], forced, True, [("function", "get_weather")]) is None
    assert refused_answer(forced, [("function", "get_weather")], [WEATHER], scripted=True) is None
    assert "which this run does not declare" in (refused_answer(forced, [], [], scripted=False) or "")
    assert missing_tool("code_interpreter", [{"type": "code_interpreter"}]) is None
    assert "(its tools: function 'get_weather')" in (missing_tool("file_search", [WEATHER]) or "")


def test_required_names_the_turns_the_run_can_take() -> None:
    required = ToolChoice.of("required")
    code = [{"type": "code_interpreter"}]
    assert (refused_answer(required, [], code, scripted=True) or "").endswith(
        "Script a tool turn first: fake.script.code_interpreter(...)")
    assert (refused_answer(required, [], [], scripted=False) or "").endswith(
        "and this run has no tools: give it one, or create the run with another tool_choice")
