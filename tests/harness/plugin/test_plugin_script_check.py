"""The plugin's teardown check: scripted turns no run used fail the test, switchable by marker and ini option."""

from __future__ import annotations

import textwrap

import pytest

UNUSED_TURN = """
    import pytest

    {marker}
    def test_scripts_two_turns_uses_one(fake_assistants, openai_client):
        fake_assistants.script.reply("used").reply("never used")
        assistant = openai_client.beta.assistants.create(model="gpt-4o")
        run = openai_client.beta.threads.create_and_run_poll(
            assistant_id=assistant.id, thread={{"messages": [{{"role": "user", "content": "hi"}}]}}
        )
        assert run.status == "completed"
"""


def run(pytester: pytest.Pytester, source: str, ini: str = "") -> pytest.RunResult:
    pytester.makeini(f"[pytest]\nasyncio_default_fixture_loop_scope = function\n{ini}")
    pytester.makepyfile(test_user=textwrap.dedent(source))
    return pytester.runpytest("-W", "ignore::DeprecationWarning")


def test_unconsumed_script_fails_the_test(pytester: pytest.Pytester) -> None:
    result = run(pytester, UNUSED_TURN.format(marker=""))

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*fake_assistants: 1 scripted turn(s) were never used by a run:",
        "*- Reply(text='never used')",
        "*check_unconsumed_script=False*fake_assistants_check_unconsumed_script = false*",
    ])


def test_every_kind_of_unused_turn_is_listed(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
        def test_nothing_runs(fake_assistants):
            fake_assistants.script.call_function("get_weather", {"city": "Paris"}).fail("rate_limit_exceeded")
            fake_assistants.script.reply("for one assistant", assistant_id="asst_abc")
    """)

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*3 scripted turn(s) were never used by a run:",
        "*- FunctionCalls(calls=(('get_weather', '{\"city\":\"Paris\"}'),))",
        "*- Fail(code='rate_limit_exceeded', *",
        "*- Reply(text='for one assistant') (assistant asst_abc: this fake has no such assistant now)",
    ])


def test_fully_consumed_script_passes(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
        def test_uses_every_turn(fake_assistants, openai_client):
            fake_assistants.script.reply("only turn")
            fake_assistants.script.respond_with(lambda turn: "forever", repeat=True)  # repeating turns never count
            assistant = openai_client.beta.assistants.create(model="gpt-4o")
            run = openai_client.beta.threads.create_and_run_poll(
                assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "hi"}]}
            )
            assert run.status == "completed"
    """)

    result.assert_outcomes(passed=1)


def test_marker_switches_the_check_off(pytester: pytest.Pytester) -> None:
    result = run(pytester, UNUSED_TURN.format(marker="@pytest.mark.fake_assistants(check_unconsumed_script=False)"))

    result.assert_outcomes(passed=1)


def test_ini_option_switches_the_check_off(pytester: pytest.Pytester) -> None:
    result = run(pytester, UNUSED_TURN.format(marker=""), ini="fake_assistants_check_unconsumed_script = false\n")

    result.assert_outcomes(passed=1)


def test_marker_switches_it_back_on_over_the_ini_option(pytester: pytest.Pytester) -> None:
    result = run(pytester, UNUSED_TURN.format(marker="@pytest.mark.fake_assistants(check_unconsumed_script=True)"),
                 ini="fake_assistants_check_unconsumed_script = false\n")

    result.assert_outcomes(failed=1)


def test_a_failing_test_reports_its_own_failure_only(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
        def test_fails_first(fake_assistants):
            fake_assistants.script.reply("never used")
            assert 1 == 2, "the test's own failure"
    """)

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*the test's own failure*"])
    result.stdout.no_fnmatch_line("*were never used by a run*")


def test_tests_without_the_fake_are_not_checked(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
        from fake_assistants import FakeAssistants

        def test_own_fake():
            FakeAssistants().script.reply("a fake the plugin did not make")
    """)

    result.assert_outcomes(passed=1)


def test_a_turn_for_an_assistant_the_fake_has_is_listed_plainly(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
        def test_scopes_a_reply_to_an_assistant_never_run(fake_assistants, openai_client):
            assistant = openai_client.beta.assistants.create(model="gpt-4o")
            fake_assistants.script.reply("for later", assistant_id=assistant.id)
    """)

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*- Reply(text='for later') (assistant asst_*)"])
    assert "no such assistant" not in result.stdout.str()


def test_turns_scripted_on_a_fake_the_test_built_itself_are_named(pytester: pytest.Pytester) -> None:
    """The fixtures' client talks to the fixture's fake: turns scripted on another fake the test built go unused
    (the run answers with the default reply), and the test fails saying which fake to script."""
    result = run(pytester, """
        from fake_assistants import FakeAssistants

        def test_scripts_its_own_fake(openai_client):
            mine = FakeAssistants()
            mine.script.reply("scripted, but on another fake")
            assistant = openai_client.beta.assistants.create(model="gpt-4o")
            run = openai_client.beta.threads.create_and_run_poll(
                assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "hi"}]})
            assert run.status == "completed"
    """)

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*fake_assistants: 1 scripted turn(s) on a FakeAssistants the test built itself were never used by a run:",
        "*- Reply(text='scripted, but on another fake')",
        "The plugin's clients (openai_client, async_openai_client, intercept) talk to the test's own fake, the "
        "fake_assistants fixture, not to one the test builds.*",
    ])


def test_a_fake_the_test_uses_through_its_own_client_is_fine(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
        from fake_assistants import FakeAssistants

        def test_two_fakes_each_used(fake_assistants, openai_client):
            mine = FakeAssistants()
            mine.script.reply("mine")
            client = mine.openai_client()
            assistant = client.beta.assistants.create(model="gpt-4o")
            client.beta.threads.create_and_run_poll(
                assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "hi"}]})
            spare = FakeAssistants()  # built, never scripted: nothing to say
            assert openai_client.beta.assistants.list().data == []
    """)

    result.assert_outcomes(passed=1)


def test_turns_on_the_fixture_fake_while_the_runs_went_to_another_are_explained(pytester: pytest.Pytester) -> None:
    """The reverse mistake: the fixture's fake is scripted, and the code's client talks to a fake the test built."""
    result = run(pytester, """
        from fake_assistants import FakeAssistants

        def test_uses_its_own_fakes_client(fake_assistants):
            fake_assistants.script.reply("scripted on the fixture's fake")
            client = FakeAssistants().openai_client()
            assistant = client.beta.assistants.create(model="gpt-4o")
            run = client.beta.threads.create_and_run_poll(
                assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "hi"}]})
            assert run.status == "completed"
    """)

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*fake_assistants: 1 scripted turn(s) were never used by a run:",
        "*- Reply(text=\"scripted on the fixture's fake\")",
        "No run of the test's fake (the fake_assistants fixture) took them, but 1 run(s) went to a FakeAssistants the "
        "test built itself: that fake's clients (other.openai_client()) talk to it, not to the fixture's.*",
    ])


def test_a_failing_test_on_another_fakes_client_says_where_the_runs_went(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
        from fake_assistants import FakeAssistants

        def test_reads_the_answer(fake_assistants):
            fake_assistants.script.reply("expected")
            client = FakeAssistants().openai_client()
            assistant = client.beta.assistants.create(model="gpt-4o")
            run = client.beta.threads.create_and_run_poll(
                assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "hi"}]})
            assert client.beta.threads.messages.list(run.thread_id).data[0].content[0].text.value == "expected"
    """)

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*fake-assistants: scripted turns no run used*",
        "  - Reply(text='expected')",
        "No run of the test's fake (the fake_assistants fixture) took them, but 1 run(s) went to a FakeAssistants*",
    ])


ASKS_AND_READS = """
    import pytest
    from fake_assistants import FakeAssistants

    def test_reads_the_answer(fake_assistants, openai_client):
        {script}
        assistant = openai_client.beta.assistants.create(model="gpt-4o")
        run = openai_client.beta.threads.create_and_run_poll(
            assistant_id=assistant.id, thread={{"messages": [{{"role": "user", "content": "hi"}}]}})
        text = openai_client.beta.threads.messages.list(run.thread_id).data[0].content[0].text.value
        assert text == "expected"
"""


def test_a_failing_test_names_turns_on_its_own_fake_in_a_section(pytester: pytest.Pytester) -> None:
    result = run(pytester, ASKS_AND_READS.format(script='FakeAssistants().script.reply("expected")'))

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*fake-assistants: turns scripted on a fake the test built itself, which no run used*",
        "  - Reply(text='expected')",
    ])


def test_a_failing_test_shows_the_turns_no_run_used(pytester: pytest.Pytester) -> None:
    """The check above runs only when the test passed; a failing test's report still lists the turns left, which
    often say why it failed (here a reply scoped to an assistant the runs are not of)."""
    result = run(pytester, ASKS_AND_READS.format(
        script='fake_assistants.script.reply("scoped", assistant_id="asst_doesnotexist")'))

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*fake-assistants: scripted turns no run used*",
        "When the test failed, these turns were still waiting for a run (a turn given an assistant_id waits for a "
        "run of that assistant; the others for any run):",
        "  - Reply(text='scoped') (assistant asst_doesnotexist: this fake has no such assistant now)",
    ])
    assert "scripted turn(s) were never used" not in result.stdout.str()  # not the passing test's check


def test_a_failing_test_with_every_turn_used_has_no_such_section(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
        def test_fails_after_using_its_turn(fake_assistants, openai_client):
            fake_assistants.script.reply("used")
            assistant = openai_client.beta.assistants.create(model="gpt-4o")
            openai_client.beta.threads.create_and_run_poll(
                assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "hi"}]})
            assert False, "the test's own failure"
    """)

    result.assert_outcomes(failed=1)
    assert "scripted turns no run used" not in result.stdout.str()


def test_the_check_that_fails_a_test_for_its_unused_turns_lists_them_once(pytester: pytest.Pytester) -> None:
    result = run(pytester, UNUSED_TURN.format(marker=""))

    result.assert_outcomes(failed=1)
    assert "scripted turns no run used" not in result.stdout.str()  # not again, in a section of its own
