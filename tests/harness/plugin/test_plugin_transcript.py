"""The plugin's report section: a failing test that used the fake shows its transcript ("fake-assistants"), a passing
one shows none; the marker, the command line and the ini option switch it off, on failure, or always."""

from __future__ import annotations

import textwrap

import pytest

WEATHER_TEST = """
    import json

    import pytest

    {marker}
    def test_weather(fake_assistants, openai_client):
        fake_assistants.script.call_function("get_weather", {{"city": "Paris"}}).reply("It is sunny in Paris.")
        assistant = openai_client.beta.assistants.create(
            model="gpt-4o", name="Weather bot",
            tools=[{{"type": "function", "function": {{"name": "get_weather", "parameters": {{"type": "object"}}}}}}],
        )
        thread = openai_client.beta.threads.create()
        openai_client.beta.threads.messages.create(thread.id, role="user", content="What's the weather in Paris?")
        run = openai_client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
        call = run.required_action.submit_tool_outputs.tool_calls[0]
        run = openai_client.beta.threads.runs.submit_tool_outputs_and_poll(
            run_id=run.id, thread_id=thread.id, tool_outputs=[{{"tool_call_id": call.id, "output": "22 C, sunny"}}],
        )
        reply = openai_client.beta.threads.messages.list(thread.id).data[0].content[0].text.value
        assert reply == {expected!r}
"""
FAILING = "It is raining."  # the scripted reply is "It is sunny in Paris.": this assertion fails
PASSING = "It is sunny in Paris."


def run(pytester: pytest.Pytester, *, marker: str = "", expected: str = FAILING, ini: str = "",
        args: tuple[str, ...] = ()) -> pytest.RunResult:
    pytester.makeini(f"[pytest]\nasyncio_default_fixture_loop_scope = function\n{ini}")
    pytester.makepyfile(test_user=textwrap.dedent(WEATHER_TEST.format(marker=marker, expected=expected)))
    return pytester.runpytest("-W", "ignore::DeprecationWarning", *args)


def section(result: pytest.RunResult) -> str:
    """The text of the report's "fake-assistants" section (empty when there is none)."""
    lines = result.stdout.lines
    starts = [i for i, line in enumerate(lines) if line.strip("- ") == "fake-assistants" and line.startswith("-")]
    if not starts:
        return ""
    body = []
    for line in lines[starts[0] + 1:]:
        if line.startswith(("---", "===")):
            break
        body.append(line)
    return "\n".join(body)


def test_a_failing_test_shows_the_story_of_its_thread(pytester: pytest.Pytester) -> None:
    result = run(pytester)

    result.assert_outcomes(failed=1)
    text = section(result)
    assert '"What\'s the weather in Paris?"' in text  # the user message
    assert 'function get_weather({"city":"Paris"})' in text  # the function call with its arguments
    assert 'output "22 C, sunny"' in text  # the submitted output
    statuses = next(line for line in text.splitlines() if "status:" in line)
    assert [part.split()[0] for part in statuses.split("status:")[1].split("→")] == [
        "queued", "in_progress", "requires_action", "queued", "in_progress", "completed"]
    assert '"It is sunny in Paris."' in text  # the final reply
    assert 'assistant asst_' in text and '("Weather bot")' in text
    # next to the captured output, after the traceback
    assert result.stdout.str().index("AssertionError") < result.stdout.str().index("- fake-assistants -")


def test_a_passing_test_shows_no_section(pytester: pytest.Pytester) -> None:
    result = run(pytester, expected=PASSING, args=("-rA",))

    result.assert_outcomes(passed=1)
    assert section(result) == ""


@pytest.mark.parametrize("how", ["marker", "command line", "ini"])
def test_off_turns_it_off(pytester: pytest.Pytester, how: str) -> None:
    result = run(
        pytester,
        marker='@pytest.mark.fake_assistants(transcript="off")' if how == "marker" else "",
        args=("--fake-assistants-transcript=off",) if how == "command line" else (),
        ini="fake_assistants_transcript = off" if how == "ini" else "",
    )

    result.assert_outcomes(failed=1)
    assert section(result) == ""


@pytest.mark.parametrize("how", ["marker", "command line", "ini"])
def test_always_shows_it_for_a_passing_test_too(pytester: pytest.Pytester, how: str) -> None:
    result = run(
        pytester, expected=PASSING,
        marker='@pytest.mark.fake_assistants(transcript="always")' if how == "marker" else "",
        args=("-rP", *(("--fake-assistants-transcript=always",) if how == "command line" else ())),
        ini="fake_assistants_transcript = always" if how == "ini" else "",
    )

    result.assert_outcomes(passed=1)
    assert 'function get_weather({"city":"Paris"})' in section(result)


def test_the_marker_wins_over_the_command_line_which_wins_over_the_ini(pytester: pytest.Pytester) -> None:
    on_by_marker = run(pytester, marker='@pytest.mark.fake_assistants(transcript="fail")',
                       args=("--fake-assistants-transcript=off",))
    assert "get_weather" in section(on_by_marker)

    off_by_command_line = run(pytester, args=("--fake-assistants-transcript=off",),
                              ini="fake_assistants_transcript = always")
    assert section(off_by_command_line) == ""


def test_a_test_without_the_fake_gets_no_section(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_plain="def test_fails():\n    assert 1 == 2\n")
    result = pytester.runpytest("--fake-assistants-transcript=always", "-rA")

    result.assert_outcomes(failed=1)
    assert section(result) == ""


def test_a_misspelled_mode_is_a_usage_error(pytester: pytest.Pytester) -> None:
    bad_marker = run(pytester, marker='@pytest.mark.fake_assistants(transcript="sometimes")')
    bad_marker.assert_outcomes(errors=1)
    bad_marker.stdout.fnmatch_lines(["*option 'transcript' must be one of None, 'off', 'fail', 'always'*"])

    bad_ini = run(pytester, ini="fake_assistants_transcript = sometimes")
    bad_ini.stderr.fnmatch_lines(["*fake_assistants_transcript must be one of off, fail, always*"])

    bad_option = run(pytester, args=("--fake-assistants-transcript=sometimes",))
    bad_option.stderr.fnmatch_lines(["*invalid choice: 'sometimes'*"])


def test_a_failure_before_the_fake_saw_anything_gets_no_transcript(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_user="def test_fails(fake_assistants):\n    assert 1 == 2\n")
    result = pytester.runpytest()

    result.assert_outcomes(failed=1)
    assert "fake-assistants transcript" not in result.stdout.str()  # the failure is none of the fake's business
