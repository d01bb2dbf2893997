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


SETUP = ['pip install -e ".[test,conformance]"', "fake-assistants demo", "python -m pytest"]


def section(heading: str) -> str:
    start = README.index(f"\n{heading}\n")
    end = README.find("\n## ", start + len(heading) + 2)
    return README[start:end if end != -1 else None]


def test_the_readme_starts_with_the_users_install() -> None:
    headings = re.findall(r"^## (.+)$", README, flags=re.MULTILINE)
    assert headings[:3] == ["Install", "A test in ten lines", "Guides"]
    (install,) = re.findall(r"^```bash\n(.*?)^```", section("## Install"), flags=re.DOTALL | re.MULTILINE)
    commands = [line.split("#")[0].strip() for line in install.splitlines()]
    assert commands[0] == "pip install ./fake-assistants"
    assert any(c.startswith("pip install fake_assistants-") and c.endswith("-py3-none-any.whl") for c in commands)
    assert "fake-assistants demo" in commands
    assert not any(c in ("pip install fake-assistants", 'pip install "fake-assistants"') for c in commands)


def test_the_wheel_named_is_this_version() -> None:
    import fake_assistants

    assert f"fake_assistants-{fake_assistants.__version__}-py3-none-any.whl" in section("## Install")


def test_the_ten_line_test_passes_quietly(pytester: pytest.Pytester) -> None:
    (block,) = re.findall(r"^```python\n(.*?)^```", section("## A test in ten lines"), flags=re.DOTALL | re.MULTILINE)
    assert len(block.strip().splitlines()) <= 10
    pytester.makeini("[pytest]\n")
    pytester.makepyfile(test_ten_lines=block)

    # a user's plain project: pytest-asyncio (the suite's, which warns about its own settings) is not there
    result = pytester.runpytest("-p", "no:randomly", "-p", "no:asyncio", "-W", "error::DeprecationWarning")

    result.assert_outcomes(passed=1)
    assert "warnings summary" not in result.stdout.str()


def test_setup_is_install_run_and_test() -> None:
    (setup,) = re.findall(r"^```bash\n(.*?)^```", section("## Development"), flags=re.DOTALL | re.MULTILINE)

    assert setup.splitlines() == SETUP


def test_ci_runs_the_readme_commands() -> None:
    ci = CI_SCRIPT.read_text(encoding="utf-8")

    assert 'pip install --quiet -e ".[test,conformance]"' in ci
    assert '"$WORK/main/bin/fake-assistants" demo' in ci
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

    exec(python_block("http_client=httpx2.Client(transport=fake.httpx2_transport()))"), namespace)

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
    # As in a plain project: pytest-asyncio in its default (strict) mode, and no warning filter of our own.
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_readme_fixtures=python_block("def test_greets_the_user"))

    result = pytester.runpytest("-W", "error::DeprecationWarning")

    result.assert_outcomes(passed=2)


def test_scripting_snippet_runs() -> None:
    exec(compile(python_block("fake.script.call_function"), "README.md", "exec"), {})


def test_the_thread_size_example_runs() -> None:
    namespace: dict[str, Any] = {}
    exec(python_block("fake.options.max_thread_messages = 2"), namespace)

    fake = namespace["fake"]
    assert isinstance(fake, FakeAssistants)
    assert fake.calls["messages.create"].last.status == 400
