"""The README's marker, intercept and Azure examples run as written."""

from __future__ import annotations

import re
from typing import Any

import pytest

from project_paths import README as README_FILE

README = README_FILE.read_text(encoding="utf-8")


def block(section: str, containing: str) -> str:
    """The one python block of README section `section` that contains `containing`."""
    start = README.index(section)
    end = README.find("\n## ", start + len(section))
    text = README[start:end if end != -1 else None]
    (found,) = [b for b in re.findall(r"^```python\n(.*?)^```", text, flags=re.DOTALL | re.MULTILINE)
                if containing in b]
    return found


def run_examples(pytester: pytest.Pytester, source: str) -> pytest.RunResult:
    pytester.makeini("[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_readme_example=source)
    return pytester.runpytest("-W", "ignore::DeprecationWarning", "--strict-markers")


def test_marker_example_passes(pytester: pytest.Pytester) -> None:
    result = run_examples(pytester, block("### The `fake_assistants` marker", "pytestmark"))

    result.assert_outcomes(passed=1)


def test_intercept_examples_pass(pytester: pytest.Pytester) -> None:
    result = run_examples(pytester, block("## Intercepting clients your code builds", "def summarize"))

    result.assert_outcomes(passed=2)


def test_ini_option_in_the_readme_is_the_plugins(pytester: pytest.Pytester) -> None:
    (toml,) = re.findall(r"^```toml\n(.*?)^```", README, flags=re.DOTALL | re.MULTILINE)
    pytester.makefile(".toml", pyproject=toml + 'asyncio_default_fixture_loop_scope = "function"\n')
    pytester.makepyfile(test_left_over="def test_left_over(fake_assistants):\n"
                                       "    fake_assistants.script.reply('never used')\n")

    result = pytester.runpytest()

    result.assert_outcomes(passed=1)


def test_azure_snippet_runs() -> None:
    namespace: dict[str, Any] = {}

    exec(block("### Azure OpenAI", "AzureOpenAI("), namespace)

    assert namespace["assistant"].id.startswith("asst_")
    assert namespace["fake"].store.assistants.get(namespace["assistant"].id) is not None
    namespace["client"].close()
