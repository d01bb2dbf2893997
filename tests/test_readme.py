"""The README's commands and code run as written."""

from __future__ import annotations

import re
from typing import Any

import pytest

from fake_assistants import FakeAssistants
from project_paths import CI_SCRIPT
from project_paths import README as README_FILE

README = README_FILE.read_text(encoding="utf-8")
QUESTION = "I need to solve the equation `3x + 11 = 14`. Can you help me?"


def code_blocks(language: str) -> list[str]:
    return re.findall(rf"^ *```{language}\n(.*?)^ *```", README, flags=re.DOTALL | re.MULTILINE)


def python_block(containing: str) -> str:
    (block,) = [b for b in code_blocks("python") if containing in b]
    return _dedent(block)


def _dedent(block: str) -> str:
    lines = block.splitlines()
    indent = min(len(line) - len(line.lstrip()) for line in lines if line.strip())
    return "\n".join(line[indent:] for line in lines) + "\n"


def test_install_and_test_are_two_commands() -> None:
    first = code_blocks("bash")[0]

    assert first.splitlines() == ['pip install -e ".[test]"', "python -m pytest"]


def test_ci_runs_the_readme_commands() -> None:
    ci = CI_SCRIPT.read_text(encoding="utf-8")

    assert 'pip install --quiet -e ".[test]"' in ci
    assert 'run_pytest "main" python\n' in ci


def test_quickstart_runs(capsys: pytest.CaptureFixture[str]) -> None:
    namespace: dict[str, Any] = {}

    exec(python_block("Please address the user as Jane Doe"), namespace)

    assert namespace["run"].status == "completed"
    messages = namespace["messages"].data
    assert [m.role for m in messages] == ["assistant", "user"]
    assert messages[1].content[0].text.value == QUESTION
    assert messages[0].run_id == namespace["run"].id
    assert capsys.readouterr().out.startswith("SyncCursorPage[Message](data=[Message(")
    namespace["client"].close()


def test_own_transport_snippet_runs() -> None:
    namespace: dict[str, Any] = {"FakeAssistants": FakeAssistants}

    exec(python_block("http_client=httpx.Client(transport=fake.httpx_transport()))"), namespace)

    client = namespace["client"]
    assert client.beta.threads.create().object == "thread"
    client.close()


def test_schema_shape_snippet_runs() -> None:
    namespace: dict[str, Any] = {"FakeAssistants": FakeAssistants}

    exec(python_block("client = fake.openai_client(_strict_response_validation=True)"), namespace)

    client = namespace["client"]
    thread = client.beta.threads.create()
    assert client.beta.threads.messages.create(thread.id, role="user", content="hi").status == "completed"
    client.close()


def test_fixture_examples_pass(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_readme_fixtures=python_block("def test_greets_the_user"))

    result = pytester.runpytest("-W", "ignore::DeprecationWarning")

    result.assert_outcomes(passed=2)


def test_scripting_snippet_runs() -> None:
    exec(compile(python_block("fake.script.call_function"), "README.md", "exec"), {})
