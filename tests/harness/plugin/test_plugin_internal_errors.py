"""An error inside the fake (its client got the service's 500 `server_error`) fails the test with its traceback,
even when the code under test swallowed the SDK's error; a test that failed on it shows it in a section."""

from __future__ import annotations

import textwrap

import pytest

BROKEN = """
    import openai
    import pytest

    def test_user(fake_assistants, openai_client, monkeypatch):
        monkeypatch.setattr(fake_assistants.store, "assistants", None)  # a fault inside the fake
        client = openai_client.with_options(max_retries=0)
        {body}
"""


def run(pytester: pytest.Pytester, body: str) -> pytest.RunResult:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_user=textwrap.dedent(BROKEN.format(body=body)))
    return pytester.runpytest("-W", "ignore::DeprecationWarning")


def test_an_internal_error_the_code_swallowed_fails_the_test(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
        try:
            client.beta.assistants.create(model="gpt-4o")
        except openai.InternalServerError:
            pass  # code under test that shrugs off a 500
    """)

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*fake_assistants: an error inside the fake answered a request with a 500 server_error:",
        "POST /v1/assistants (answered 500 server_error, request id req_*):",
        "Traceback (most recent call last):",
        "AttributeError: 'NoneType' object has no attribute *",
        "*otherwise this is a bug of fake-assistants*",
    ])


def test_a_test_that_failed_on_the_500_shows_the_error_inside(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
        client.beta.assistants.create(model="gpt-4o")
    """)

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*InternalServerError*",
        "*fake-assistants: errors inside the fake (its clients got 500 server_error)*",
        "POST /v1/assistants (answered 500 server_error, request id req_*):",
        "AttributeError: 'NoneType' object has no attribute *",
    ])
