"""Issue 17 in the plugin: quiet (the SDK's deprecation warnings filtered), safe (the real-API guard), and
helpful (unspent faults and scripted calls to undeclared functions fail the test), each switchable."""

from __future__ import annotations

import textwrap

import pytest

REAL_CALL = """
    import openai
    import pytest

    client = openai.OpenAI(api_key="sk-not-a-real-key")  # built at import time: not the fake's

    {marker}
    def test_calls_the_real_api(fake_assistants):
        client.beta.assistants.create(model="gpt-4o")
"""
SWALLOWED = """
    import openai

    client = openai.OpenAI(api_key="sk-not-a-real-key")

    def test_swallows_everything(openai_client):
        try:
            client.with_options(max_retries=0).beta.threads.create()
        except Exception:
            pass
"""
GUARD_MESSAGE = "*fake-assistants: this test sent a request to the real OpenAI API, which the fake did not answer:"


def times_shown(result: pytest.RunResult, text: str) -> int:
    """How many lines of the report show `text`, the short summary's one line per test left out (pytest writes it
    whole under CI, cut to the terminal's width elsewhere)."""
    return sum(text in line for line in result.outlines if not line.startswith(("FAILED ", "ERROR ")))


def run(pytester: pytest.Pytester, source: str, *args: str, ini: str = "") -> pytest.RunResult:
    pytester.makeini(f"[pytest]\nasyncio_default_fixture_loop_scope = function\n{ini}")
    pytester.makepyfile(test_user=textwrap.dedent(source))
    return pytester.runpytest("-p", "no:randomly", *args)


def test_a_module_level_client_fails_the_test_with_the_fix(pytester: pytest.Pytester) -> None:
    result = run(pytester, REAL_CALL.format(marker=""))

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        GUARD_MESSAGE,
        "*POST https://api.openai.com/v1/assistants",
        "*It was stopped before it reached the network*",
        "*monkeypatch.setattr(your_module, \"client\", openai_client)*",
        "*intercept=True*",
        "*block_real_api=False*--fake-assistants-allow-real-api*fake_assistants_block_real_api = false*",
    ])
    assert "APIConnectionError" not in result.stdout.str()  # no retries, no connection


def test_a_swallowed_request_still_fails_the_test(pytester: pytest.Pytester) -> None:
    result = run(pytester, SWALLOWED)

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([GUARD_MESSAGE, "*POST https://api.openai.com/v1/threads"])


@pytest.mark.parametrize(
    ("marker", "args", "ini"),
    [
        ("@pytest.mark.fake_assistants(block_real_api=False)", (), ""),
        ("", ("--fake-assistants-allow-real-api",), ""),
        ("", (), "fake_assistants_block_real_api = false"),
    ],
    ids=["marker", "command line", "ini"],
)
def test_the_guard_can_be_switched_off(pytester: pytest.Pytester, marker: str, args: tuple[str, ...],
                                       ini: str) -> None:
    """Switched off, the request goes to the network transport (here refused by a stand-in raising at once)."""
    pytester.makeconftest(textwrap.dedent("""
        import httpx, httpx2, pytest

        class Refused(BaseException):
            pass

        @pytest.fixture(autouse=True)
        def no_network(monkeypatch):
            def refuse(self, request):
                raise Refused(str(request.url))
            for library in (httpx, httpx2):
                monkeypatch.setattr(library.HTTPTransport, "handle_request", refuse)
    """))
    result = run(pytester, REAL_CALL.format(marker=marker), *args, ini=ini)

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*Refused: https://api.openai.com/v1/assistants*"])
    assert "sent a request to the real OpenAI API" not in result.stdout.str()


def test_the_marker_guards_a_test_without_fixtures(pytester: pytest.Pytester) -> None:
    source = REAL_CALL.format(marker="@pytest.mark.fake_assistants(block_real_api=True)").replace(
        "def test_calls_the_real_api(fake_assistants):", "def test_calls_the_real_api():")

    result = run(pytester, source)

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([GUARD_MESSAGE])


SUITE_WIDE = """
    import pytest


    def pytest_collection_modifyitems(items):
        for item in items:
            item.add_marker(pytest.mark.fake_assistants(block_real_api=True))
"""


def test_a_conftest_hook_guards_every_test_of_a_suite(pytester: pytest.Pytester) -> None:
    """The pytest-plugin guide's recipe: the ini option applies where the fake is used; this marks every test."""
    pytester.makeconftest(textwrap.dedent(SUITE_WIDE))
    source = REAL_CALL.format(marker="").replace("def test_calls_the_real_api(fake_assistants):",
                                                 "def test_calls_the_real_api():")

    result = run(pytester, source)

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([GUARD_MESSAGE])


def test_the_guard_is_gone_after_the_test() -> None:
    import httpx

    assert httpx.HTTPTransport.handle_request.__qualname__ == "HTTPTransport.handle_request"


QUIET = """
    def test_uses_the_assistants_api(openai_client):
        assistant = openai_client.beta.assistants.create(model="gpt-4o")
        openai_client.beta.threads.create_and_run_poll(
            assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "hi"}]})
"""


def test_the_sdk_deprecation_warnings_are_filtered(pytester: pytest.Pytester) -> None:
    result = run(pytester, QUIET, "-W", "error::DeprecationWarning")

    result.assert_outcomes(passed=1)
    assert "warnings summary" not in result.stdout.str()


def test_with_pytests_warnings_plugin_off_nothing_is_marked(pytester: pytest.Pytester) -> None:
    """`-p no:warnings` leaves pytest without its `filterwarnings` mark: the plugin adds none (it warned of an
    unknown mark, and under --strict-markers stopped the run with an internal error)."""
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_user=textwrap.dedent(QUIET))
    # its own process: in this one, pytest's marks know `filterwarnings` from the outer run's configuration
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:warnings", "--strict-markers")

    result.assert_outcomes(passed=1)
    assert "PytestUnknownMarkWarning" not in result.stdout.str() + result.stderr.str()


OWN_FAKE = """
    {imports}


    def test_builds_its_own_fake():
        client = {fake}.openai_client(max_retries=0)
        assert client.beta.assistants.create(model="gpt-4o").object == "assistant"


    def test_in_the_same_module_without_any_fake():
        import warnings

        warnings.warn("The Assistants API is deprecated in favor of the Responses API", DeprecationWarning)
"""


@pytest.mark.parametrize(("imports", "fake"), [
    ("from fake_assistants import FakeAssistants", "FakeAssistants(seed=0)"),
    ("import fake_assistants", "fake_assistants.FakeAssistants()"),
    ("from fake_assistants.fake import FakeAssistants", "FakeAssistants()"),
])
def test_they_are_filtered_in_a_module_that_imports_the_fake(pytester: pytest.Pytester, imports: str,
                                                             fake: str) -> None:
    """A test that builds a fake of its own (the README's property test) uses no fixture; its module imports
    fake_assistants, so each of its tests is quiet."""
    result = run(pytester, OWN_FAKE.format(imports=imports, fake=fake), "-W", "error::DeprecationWarning")

    result.assert_outcomes(passed=2)
    assert "warnings summary" not in result.stdout.str()


NO_FAKE = """
    import warnings


    def test_warns_without_any_fake():
        warnings.warn("The Assistants API is deprecated in favor of the Responses API", DeprecationWarning)
"""


CONFTEST_FAKE = """
    import pytest
    from fake_assistants import FakeAssistants


    @pytest.fixture
    def client():
        return FakeAssistants(seed=0).openai_client(max_retries=0)
"""


def test_they_are_filtered_below_a_conftest_that_imports_the_fake(pytester: pytest.Pytester) -> None:
    """A fixture of the project's conftest.py builds the fake; the test module imports nothing of it."""
    pytester.makeconftest(textwrap.dedent(CONFTEST_FAKE))
    source = """
        def test_uses_the_conftests_client(client):
            assert client.beta.assistants.create(model="gpt-4o").object == "assistant"
    """

    result = run(pytester, source, "-W", "error::DeprecationWarning")

    result.assert_outcomes(passed=1)


DOCTEST = '''
    """A module whose docstring shows the fake at work.

    >>> from fake_assistants import FakeAssistants
    >>> client = FakeAssistants(seed=0).openai_client(max_retries=0)
    >>> client.beta.assistants.create(model="gpt-4o").object
    'assistant'
    """
'''


def test_they_are_filtered_in_a_doctest_that_imports_the_fake(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(shown=textwrap.dedent(DOCTEST))

    result = pytester.runpytest("-p", "no:randomly", "--doctest-modules", "-W", "error::DeprecationWarning",
                                "shown.py")

    result.assert_outcomes(passed=1)


def test_a_module_that_does_not_import_the_fake_keeps_them(pytester: pytest.Pytester) -> None:
    result = run(pytester, NO_FAKE)

    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*warnings summary*", "*DeprecationWarning: The Assistants API is deprecated*"])


def test_an_ini_option_keeps_them(pytester: pytest.Pytester) -> None:
    result = run(pytester, QUIET, ini="fake_assistants_filter_deprecation_warnings = false")

    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*warnings summary*", "*DeprecationWarning*"])


UNSPENT_FAULT = """
    import pytest

    {marker}
    def test_schedules_a_fault_it_never_meets(fake_assistants, openai_client):
        fake_assistants.faults.rate_limit("runs.create")
        fake_assistants.faults.server_error("threads.*", count=None)
        openai_client.beta.assistants.create(model="gpt-4o")
"""


def test_an_unspent_fault_fails_the_test(pytester: pytest.Pytester) -> None:
    result = run(pytester, UNSPENT_FAULT.format(marker=""))

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*fake_assistants: 2 scheduled fault(s) were not used up:",
        "*- http_error 429 on runs.create: answered 0 request(s), 1 left",
        "*- http_error 500 on threads.*: answered 0 request(s), every further one",
        "*check_unspent_faults=False*fake_assistants_check_unspent_faults = false*",
    ])


@pytest.mark.parametrize(
    ("marker", "ini"),
    [("@pytest.mark.fake_assistants(check_unspent_faults=False)", ""),
     ("", "fake_assistants_check_unspent_faults = false")],
    ids=["marker", "ini"],
)
def test_the_fault_check_can_be_switched_off(pytester: pytest.Pytester, marker: str, ini: str) -> None:
    run(pytester, UNSPENT_FAULT.format(marker=marker), ini=ini).assert_outcomes(passed=1)


UNDECLARED = """
    def test_scripts_a_misspelled_function(fake_assistants, openai_client):
        fake_assistants.script.call_function("get_wether", {"city": "Paris"})
        tools = [{"type": "function", "function": {"name": "get_weather"}}]
        assistant = openai_client.beta.assistants.create(model="gpt-4o", tools=tools)
        run = openai_client.beta.threads.create_and_run_poll(
            assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "hi"}]})
        assert run.status == "failed"
        assert "its function tools: 'get_weather'" in run.last_error.message
        # the model was calling a function, not writing: no message step, no empty assistant message
        assert openai_client.beta.threads.runs.steps.list(run.id, thread_id=run.thread_id).data == []
        assert [m.role for m in openai_client.beta.threads.messages.list(run.thread_id).data] == ["user"]
"""


def test_a_scripted_call_to_an_undeclared_function_fails_the_test(pytester: pytest.Pytester) -> None:
    result = run(pytester, UNDECLARED)

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*fake_assistants: the script asked for something no run could do (the run failed):",
        "*- run run_*: the script calls function 'get_wether', which this run does not declare "
        "(its function tools: 'get_weather'): declare it among the assistant's (or the run's) tools, or fix the "
        "name in the script",
    ])


SELF_BUILT = """
    import pytest
    from fake_assistants import FakeAssistants

    pytestmark = pytest.mark.fake_assistants()


    def test_builds_its_own_fake():
        fake = FakeAssistants(seed=0)  # as a property test does, one per example
        client = fake.openai_client()
        assistant = client.beta.assistants.create(model="gpt-4o")
        fake.script.call_function("get_wether", {"city": "Paris"})
        run = client.beta.threads.create_and_run_poll(
            assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "Weather?"}]})
        assert run.status in {"completed", "failed", "requires_action"}


    def test_a_plain_test_is_left_alone():
        pass
"""


def test_a_fake_the_test_built_itself_is_checked_too(pytester: pytest.Pytester) -> None:
    """Under the marker (or the fixtures), a script mistake on a fake the test body built fails the test, as on the
    fixture's: the property-testing guide builds one per example."""
    result = run(pytester, SELF_BUILT)

    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "*fake_assistants: the script asked for something no run could do (the run failed):",
        "*- run run_*: the script calls function 'get_wether', which this run does not declare*",
    ])


NO_KEY_CLIENT = """
    import openai
    import pytest

    {marker}
    def test_builds_its_own_client(fake_assistants):
        openai.OpenAI().beta.threads.create()
"""


def test_a_client_built_with_no_key_is_explained(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    result = run(pytester, NO_KEY_CLIENT.format(marker=""))

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*fake-assistants: a client built with no API key*",
        "The code under test built its own OpenAI client, and the SDK found no API key.*"
        "mark the test @pytest.mark.fake_assistants(intercept=True); or hand the code the client of the "
        "`openai_client` fixture.",
    ])


def test_intercept_makes_that_client_the_fakes(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    result = run(pytester, NO_KEY_CLIENT.format(marker="@pytest.mark.fake_assistants(intercept=True)"))

    result.assert_outcomes(passed=1)
    assert "a client built with no API key" not in result.stdout.str()


def test_other_failures_get_no_such_hint(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    result = run(pytester, """
        import openai

        def test_fails_otherwise(fake_assistants):
            raise openai.OpenAIError("something else")
    """)

    result.assert_outcomes(failed=1)
    assert "a client built with no API key" not in result.stdout.str()


def test_an_azure_client_with_no_key_gets_no_such_hint(pytester: pytest.Pytester,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """AzureOpenAI asks for AZURE_OPENAI_API_KEY, for which intercept sets no placeholder: the hint would not help."""
    monkeypatch.delenv("AZURE_OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    result = run(pytester, """
        import openai

        def test_builds_an_azure_client(fake_assistants):
            openai.AzureOpenAI(azure_endpoint="https://contoso.openai.azure.com", api_version="2024-05-01-preview")
    """)

    result.assert_outcomes(failed=1)
    assert "AZURE_OPENAI_API_KEY" in result.stdout.str()
    assert "a client built with no API key" not in result.stdout.str()


TURNED_INTO_ANOTHER_ERROR = """
    import openai

    client = openai.OpenAI(api_key="sk-not-a-real-key")


    def endpoint():
        \"\"\"What a web framework's test client does with an error inside the app: another error comes out.\"\"\"
        try:
            client.with_options(max_retries=0).beta.threads.create()
        except BaseException:
            raise RuntimeError("This portal is not running") from None


    def test_through_the_web_app(openai_client):
        endpoint()
"""


def test_a_stop_that_came_out_as_another_error_is_in_the_report(pytester: pytest.Pytester) -> None:
    result = run(pytester, TURNED_INTO_ANOTHER_ERROR)

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*RuntimeError: This portal is not running",
        "*fake-assistants: requests to the real OpenAI API that the guard stopped*",
        GUARD_MESSAGE,
        "*POST https://api.openai.com/v1/threads",
    ])


@pytest.mark.parametrize("source", [REAL_CALL.format(marker=""), SWALLOWED], ids=["raised", "swallowed"])
def test_the_guards_own_failure_is_not_repeated_in_a_section(pytester: pytest.Pytester, source: str) -> None:
    result = run(pytester, source)

    result.assert_outcomes(failed=1)
    assert times_shown(result, "this test sent a request to the real OpenAI API") == 1
    assert "requests to the real OpenAI API that the guard stopped" not in result.stdout.str()


CACHED_CLIENT = """
    import functools

    import openai
    import pytest


    @functools.cache
    def get_client():
        return openai.OpenAI()  # built lazily, under the first test's intercept, then kept


    @pytest.mark.fake_assistants(intercept=True)
    def test_first(fake_assistants):
        assert get_client().beta.threads.create().object == "thread"


    @pytest.mark.fake_assistants(intercept=True)
    def test_second(fake_assistants):
        fake_assistants.script.reply("the second test's answer")
        get_client().beta.threads.create()
"""


def test_a_client_kept_from_an_earlier_test_is_told_its_fake_has_ended(pytester: pytest.Pytester) -> None:
    result = run(pytester, CACHED_CLIENT)

    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "*BadRequestError*fake-assistants: this request went to the fake of the test "
        "test_user.py::test_first, which has ended. A client built in that test is still in use*",
    ])


TEARDOWN_USES_THE_FAKE = """
    import pytest

    kept = {}


    @pytest.fixture
    def cleanup_after():
        yield
        kept["client"].beta.threads.delete(kept["thread"])  # torn down after the fake's fixture: it still answers


    def test_cleans_up_after_itself(cleanup_after, fake_assistants):
        client = kept["client"] = fake_assistants.openai_client()
        kept["thread"] = client.beta.threads.create().id
"""


def test_the_tests_own_fixtures_may_use_its_fake_while_they_are_torn_down(pytester: pytest.Pytester) -> None:
    result = run(pytester, TEARDOWN_USES_THE_FAKE)

    result.assert_outcomes(passed=1)


SWALLOWED_THEN_TEARDOWN_ERROR = """
    import openai
    import pytest

    client = openai.OpenAI(api_key="sk-not-a-real-key")


    @pytest.fixture
    def breaks_at_teardown():
        yield
        raise RuntimeError("teardown broke")


    def test_swallows(breaks_at_teardown, openai_client):
        try:
            client.with_options(max_retries=0).beta.threads.create()
        except BaseException:
            pass
"""


def test_the_guards_message_is_not_repeated_on_a_teardown_error(pytester: pytest.Pytester) -> None:
    result = run(pytester, SWALLOWED_THEN_TEARDOWN_ERROR)

    result.assert_outcomes(failed=1, errors=1)
    assert times_shown(result, "this test sent a request to the real OpenAI API") == 1


OTHER_API_CALL = """
    import openai

    client = openai.OpenAI(api_key="sk-not-a-real-key")


    def test_classifies_then_answers(openai_client):
        client.with_options(max_retries=0).chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "Billing?"}])
"""


def test_a_stopped_request_for_another_api_names_other_apis(pytester: pytest.Pytester) -> None:
    result = run(pytester, OTHER_API_CALL)

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        GUARD_MESSAGE, "*POST https://api.openai.com/v1/chat/completions",
        "*A request above is for another OpenAI API, which the fake does not serve*",
        "*other_apis=transport*",
    ])


def test_an_assistants_request_gets_no_other_api_hint(pytester: pytest.Pytester) -> None:
    result = run(pytester, REAL_CALL.format(marker=""))

    assert "another OpenAI API" not in result.stdout.str()
