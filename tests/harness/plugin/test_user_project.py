"""tests/user_project run as a user runs it (CI also runs it against the built wheel in a fresh venv): a fresh
pytest process in a copy of the project, with only the plugin's own warning filters."""

from __future__ import annotations

import shutil

import pytest

from project_paths import TESTS

USER_PROJECT = TESTS / "user_project"


def test_the_user_project_passes_but_for_the_guarded_call(pytester: pytest.Pytester,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    for path in USER_PROJECT.iterdir():
        if path.suffix in (".py", ".ini"):
            shutil.copy(path, pytester.path / path.name)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-not-a-real-key")  # the app's module-level OpenAI() needs one

    # pytest-asyncio is not the user's (a user project has openai and pytest): anyio runs the async test
    result = pytester.runpytest_subprocess("-p", "no:asyncio", "-p", "no:randomly", "-p", "no:cacheprovider")

    result.assert_outcomes(passed=7, failed=1)
    result.stdout.fnmatch_lines([
        "*fake-assistants: this test sent a request to the real OpenAI API, which the fake did not answer:",
        "*POST https://api.openai.com/v1/assistants",
        "FAILED test_weather_app.py::test_the_real_api_through_the_module_level_client*",  # CI adds the reason
    ])
    assert "warnings summary" not in result.stdout.str()
