"""The README's property test runs as written, with at least 100 examples, and its claim about the `except` holds."""

from __future__ import annotations

import re
from typing import Any

import openai
import pytest
from hypothesis import Phase, settings

from fake_assistants.strategies import RunHistory
from project_paths import README as README_FILE

README = README_FILE.read_text(encoding="utf-8")
MIN_EXAMPLES = 100


def property_block() -> str:
    section = README[README.index("## Property testing"):]
    (block,) = [b for b in re.findall(r"^```python\n(.*?)^```", section, flags=re.DOTALL | re.MULTILINE)
                if "@given" in b]
    return block


def load(source: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "readme_property", "Phase": Phase}
    exec(compile(source, "README.md (Property testing)", "exec"), namespace)
    return namespace


def count_histories(monkeypatch: pytest.MonkeyPatch) -> list[RunHistory]:
    """Every history the property applies, recorded as it is applied."""
    applied: list[RunHistory] = []
    apply = RunHistory.apply

    def recording(history: RunHistory, fake: Any) -> None:
        applied.append(history)
        apply(history, fake)

    monkeypatch.setattr(RunHistory, "apply", recording)
    return applied


def test_readme_property_test_passes_with_at_least_100_examples(monkeypatch: pytest.MonkeyPatch) -> None:
    source = property_block()
    examples = int(re.search(r"max_examples=(\d+)", source).group(1))  # type: ignore[union-attr]
    assert examples >= MIN_EXAMPLES
    assert "ManualClock()" in source and "freezegun" not in source
    applied = count_histories(monkeypatch)
    # The same 100 examples every run: that they reach every terminal status is checked, not left to luck.
    previous = settings.get_current_profile_name()
    settings.register_profile("readme-derandomized", derandomize=True)
    settings.load_profile("readme-derandomized")
    try:
        load(source)["test_every_run_ends_in_a_terminal_state"]()
    finally:
        settings.load_profile(previous)

    assert len(applied) >= MIN_EXAMPLES
    assert {history.final_status for history in applied} == {
        "completed", "failed", "cancelled", "expired", "incomplete"}


def test_without_the_except_the_property_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """The README says hypothesis finds the history that breaks a loop with no `except`: it does."""
    source = property_block()
    naive = re.sub(
        r"        try:\n(.*?)        except openai\.BadRequestError:.*?\n.*?\n",
        lambda m: re.sub(r"^    ", "", m.group(1), flags=re.MULTILINE),
        source,
        flags=re.DOTALL,
    )
    assert "try:" not in naive and "submit_tool_outputs_and_poll" in naive
    # the first failure is enough: no shrinking, and nothing saved to the example database
    naive = naive.replace("@settings(", "@settings(phases=[Phase.generate], database=None, ", 1)

    with pytest.raises(openai.BadRequestError, match="do not accept tool outputs"):
        load(naive)["test_every_run_ends_in_a_terminal_state"]()
