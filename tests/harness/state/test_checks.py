"""`FakeAssistants.check()`: the plugin's checks for tests outside it (a hypothesis example, unittest, a script)."""

from __future__ import annotations

import re
import textwrap

import openai
import pytest

from fake_assistants import FakeAssistants, FakeCheckError

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def quickstart(client: openai.OpenAI, tools: list[dict[str, object]] | None = None) -> str:
    """Run one assistant on one question; the run's status."""
    assistant = client.beta.assistants.create(model="gpt-4o", tools=tools or [])  # type: ignore[arg-type]
    run = client.beta.threads.create_and_run_poll(
        assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "hi"}]}
    )
    return run.status


def test_a_fake_all_used_passes() -> None:
    fake = FakeAssistants()
    fake.script.reply("hello")

    assert quickstart(fake.openai_client()) == "completed"
    fake.check()  # nothing to say


def test_it_is_an_assertion_error_so_every_runner_counts_it_as_a_failure() -> None:
    assert issubclass(FakeCheckError, AssertionError)


def test_an_unused_turn_is_named_with_the_switch() -> None:
    fake = FakeAssistants()
    fake.script.reply("used").reply("never used")
    quickstart(fake.openai_client())

    with pytest.raises(FakeCheckError) as raised:
        fake.check()

    message = str(raised.value)
    assert "1 scripted turn(s) were never used by a run" in message
    assert "Reply(text='never used')" in message
    assert "check(unconsumed_script=False)" in message
    fake.check(unconsumed_script=False)


def test_an_unspent_fault_is_named_with_the_switch() -> None:
    fake = FakeAssistants()
    fake.faults.rate_limit("runs.create")

    with pytest.raises(FakeCheckError, match=r"1 scheduled fault\(s\) were not used up") as raised:
        fake.check()

    assert "check(unspent_faults=False)" in str(raised.value)
    fake.check(unspent_faults=False)


def test_a_call_to_an_undeclared_function_is_a_mistake_even_when_the_app_saw_only_a_failed_run() -> None:
    fake = FakeAssistants()
    fake.script.call_function("get_weather", {"city": "Paris"})

    assert quickstart(fake.openai_client()) == "failed"  # what the application sees
    with pytest.raises(FakeCheckError) as raised:
        fake.check()

    message = str(raised.value)
    assert "the script asked for something no run could do" in message
    assert "get_weather" in message


def test_a_responder_that_raised_is_shown_with_its_traceback() -> None:
    fake = FakeAssistants()

    def broken(context: object) -> str:
        raise KeyError("the key the responder wanted")

    fake.script.respond_with(broken)
    assert quickstart(fake.openai_client()) == "failed"

    with pytest.raises(FakeCheckError) as raised:
        fake.check()

    message = str(raised.value)
    assert "a responder raised while it made a turn" in message
    assert "KeyError: 'the key the responder wanted'" in message
    assert "in broken" in message  # the traceback, down to the responder's own frame


def test_every_finding_is_in_one_message() -> None:
    fake = FakeAssistants()
    fake.script.call_function("get_weather", {}).reply("never used")
    fake.faults.timeout("files.create")
    quickstart(fake.openai_client())

    with pytest.raises(FakeCheckError) as raised:
        fake.check()

    message = str(raised.value)
    assert message.index("no run could do") < message.index("never used by a run") < message.index("not used up")


def test_reset_clears_what_check_reads() -> None:
    fake = FakeAssistants()
    fake.script.call_function("get_weather", {}).reply("never used")
    fake.faults.timeout("files.create")
    quickstart(fake.openai_client())

    fake.reset()

    fake.check()


PROPERTY_TEST = """
    from hypothesis import given, settings, strategies as st

    from fake_assistants import FakeAssistants

    @settings(max_examples=30, deadline=None, database=None)
    @given(name=st.sampled_from(["get_weather", "get_time", "search"]))
    def test_the_app_answers_every_call(name):
        fake = FakeAssistants()
        fake.script.call_function(name, {}).reply("done")
        client = fake.openai_client(max_retries=0)
        tools = [{"type": "function", "function": {"name": "get_weather"}},
                 {"type": "function", "function": {"name": "get_time"}}]
        assistant = client.beta.assistants.create(model="gpt-4o", tools=tools)
        run = client.beta.threads.create_and_run_poll(
            assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "hi"}]})
        if run.status == "requires_action":
            calls = run.required_action.submit_tool_outputs.tool_calls
            client.beta.threads.runs.submit_tool_outputs_and_poll(
                run_id=run.id, thread_id=run.thread_id,
                tool_outputs=[{"tool_call_id": call.id, "output": "ok"} for call in calls])
        client.close()
        fake.check()
"""


def test_checked_in_each_hypothesis_example_the_example_that_made_the_mistake_is_shown(
    pytester: pytest.Pytester,
) -> None:
    pytest.importorskip("hypothesis")
    pytester.makepyfile(test_property=textwrap.dedent(PROPERTY_TEST))

    result = pytester.runpytest("-p", "no:randomly", "-W", "ignore::DeprecationWarning")

    result.assert_outcomes(failed=1)
    output = result.stdout.str()
    # hypothesis reports the failing example ("Falsifying example:" in older releases, "Failing test case:" now),
    # and the mistake is the one that example made
    assert re.search(r"Falsifying example|Failing test case", output), output
    assert "the script calls function 'search', which this run does not declare" in output
    assert "FakeCheckError: fake_assistants: the script asked for something no run could do" in output


def test_findings_are_what_check_reads_without_raising() -> None:
    fake = FakeAssistants()
    assert not fake.findings()
    fake.script.call_function("get_weather", {}).reply("never used")
    quickstart(fake.openai_client())

    findings = fake.findings()
    quiet = fake.findings(unconsumed_script=False)

    assert findings and quiet
    assert len(findings.mistakes) == 1 and "get_weather" in findings.mistakes[0]
    assert findings.unused_turns == ["  - Reply(text='never used')"]
    assert quiet.unused_turns == ()
    with pytest.raises(FakeCheckError) as raised:
        fake.check()
    assert str(raised.value) == findings.message()
