"""`@pytest.mark.fake_assistants(...)`: options applied to the fixtures, merged module < class < function,
and refused with a message naming the option when unknown or ill-typed."""

from __future__ import annotations

import textwrap

import pytest

INI = "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"


def run(pytester: pytest.Pytester, source: str, *args: str) -> pytest.RunResult:
    pytester.makeini(INI)
    pytester.makepyfile(test_user=textwrap.dedent(source))
    return pytester.runpytest("-W", "ignore::DeprecationWarning", *args)


def test_options_reach_the_fake_and_the_clients(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
        import pytest
        from fake_assistants import ManualClock
        from fake_assistants.progression import Manual, after_polls

        @pytest.mark.fake_assistants(
            seed="abc", shape="schema", progression="manual", strict_script=True, poll_after_ms=25,
            stream_chunk_chars=3, clock="manual", base_url="http://testserver/v1", max_retries=0,
            strict_response_validation=True,
        )
        def test_every_option(fake_assistants, openai_client):
            assert fake_assistants.seed == "abc"
            assert fake_assistants.options.shape == "schema"
            assert fake_assistants.options.poll_after_ms == 25
            assert fake_assistants.options.stream_chunk_chars == 3
            assert isinstance(fake_assistants.engine.policy, Manual)
            assert fake_assistants.script.strict is True
            assert isinstance(fake_assistants.clock, ManualClock)
            assert str(openai_client.base_url) == "http://testserver/v1/"
            assert openai_client.max_retries == 0
            response = openai_client.beta.threads.with_raw_response.create()
            assert response.headers["openai-poll-after-ms"] == "25"
            assert response.http_request.url.host == "testserver"
            thread = response.parse()
            assert thread.created_at == 1_700_000_000

        @pytest.mark.fake_assistants(lenient=True)
        def test_lenient(openai_client):
            assert openai_client.beta.assistants.retrieve("asst_made_up").id == "asst_made_up"

        @pytest.mark.fake_assistants(api_versions=("v1", "v2"))
        def test_api_versions(fake_assistants):
            from fake_assistants import ApiRequest
            request = ApiRequest.build("GET", "/v1/assistants", headers={"OpenAI-Beta": "assistants=v1"})
            assert fake_assistants.options.api_versions == ("v1", "v2")
            assert fake_assistants.handle(request).status == 200

        @pytest.mark.fake_assistants(progression=after_polls(2), http="httpx")
        async def test_policy_objects_and_http_library(fake_assistants, async_openai_client):
            assert fake_assistants.engine.policy == after_polls(2)
            import httpx
            assert isinstance(async_openai_client._client, httpx.AsyncClient)
            assert (await async_openai_client.beta.threads.create()).object == "thread"

        def test_defaults(fake_assistants, openai_client):
            assert (fake_assistants.seed, fake_assistants.options.shape) == (0, "recorded")
            assert fake_assistants.options.poll_after_ms == 0
            assert str(openai_client.base_url) == "https://api.openai.com/v1/"
    """)

    result.assert_outcomes(passed=5)


def test_module_class_and_function_markers_merge_closest_first(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
        import pytest

        pytestmark = pytest.mark.fake_assistants(seed=1, shape="schema", poll_after_ms=10)

        def test_module_level(fake_assistants):
            assert (fake_assistants.seed, fake_assistants.options.shape) == (1, "schema")
            assert fake_assistants.options.poll_after_ms == 10

        @pytest.mark.fake_assistants(seed=2, strict_script=True)
        class TestClass:
            def test_class_level(self, fake_assistants):
                assert (fake_assistants.seed, fake_assistants.options.shape) == (2, "schema")
                assert fake_assistants.script.strict is True

            @pytest.mark.fake_assistants(poll_after_ms=5, shape="recorded")
            def test_function_level(self, fake_assistants):
                assert fake_assistants.seed == 2
                assert fake_assistants.options.shape == "recorded"
                assert fake_assistants.options.poll_after_ms == 5
                assert fake_assistants.script.strict is True
    """)

    result.assert_outcomes(passed=3)


def test_unknown_option_is_an_error_that_names_it(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
        import pytest

        @pytest.mark.fake_assistants(sed=3)
        def test_typo(fake_assistants):
            pass

        @pytest.mark.fake_assistants(colour="blue")
        def test_no_fixture_is_checked_too():
            pass
    """)

    result.assert_outcomes(errors=2)
    marker = "*@pytest.mark.fake_assistants: unknown option"
    for line in (f"{marker} 'sed' (did you mean 'seed'?); known options: seed, shape,*",
                 f"{marker} 'colour'; known options:*"):
        result.stdout.fnmatch_lines([line])  # one by one: the two tests may run in either order (pytest-randomly)
    assert "During handling of the above exception" not in result.stdout.str()  # each message once, not chained


def test_unknown_option_on_the_module_fails_each_test(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
        import pytest

        pytestmark = pytest.mark.fake_assistants(intercepts=True)

        def test_one(fake_assistants):
            pass

        def test_two(openai_client):
            pass
    """)

    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(["*unknown option 'intercepts' (did you mean 'intercept'?)*"])


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("shape='flat'", "option 'shape' must be one of 'recorded', 'schema', not 'flat'"),
        ("poll_after_ms=-1", "option 'poll_after_ms' must be an integer >= 0, not -1"),
        ("strict_script='yes'", "option 'strict_script' must be True or False, not 'yes'"),
        ("progression='eventually'", "option 'progression' must be 'immediate', 'manual' or a policy*"),
        ("progression=__import__('fake_assistants.progression').progression.after_polls",
         "option 'progression' must be * after_polls is a function, not a policy: call it, as after_polls(3)*"),
        ("base_url='http://testserver/api'", "option 'base_url' must be an http(s) URL ending in /v1 or /openai*"),
        ("seed=1.5", "option 'seed' must be an integer or a string, not 1.5"),
        ("clock=__import__('fake_assistants').ManualClock",
         "option 'clock' must be a clock, not the class ManualClock: pass ManualClock(), or 'manual'*"),
    ],
)
def test_ill_typed_option_is_an_error_that_names_it(pytester: pytest.Pytester, option: str, message: str) -> None:
    result = run(pytester, f"""
        import pytest

        @pytest.mark.fake_assistants({option})
        def test_bad(fake_assistants):
            pass
    """)

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"*@pytest.mark.fake_assistants: {message}*"])


def test_positional_arguments_are_refused(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
        import pytest

        @pytest.mark.fake_assistants("schema")
        def test_positional(fake_assistants):
            pass
    """)

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*@pytest.mark.fake_assistants takes keyword options only*"])


def test_marker_is_registered(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
        import pytest

        @pytest.mark.fake_assistants(seed=4)
        def test_strict_markers(fake_assistants):
            assert fake_assistants.seed == 4
    """, "--strict-markers")

    result.assert_outcomes(passed=1)
    listed = pytester.runpytest("--markers")
    listed.stdout.fnmatch_lines(["@pytest.mark.fake_assistants(**options): configure the fake_assistants,*"])


def test_intercept_option_routes_clients_built_by_the_app(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
        import openai
        import pytest

        def app_creates_an_assistant():
            return openai.OpenAI().beta.assistants.create(model="gpt-4o", name="from the app").id

        @pytest.mark.fake_assistants(intercept=True)
        def test_intercepted(fake_assistants):
            assistant_id = app_creates_an_assistant()
            assert fake_assistants.store.assistants.get(assistant_id).name == "from the app"

        @pytest.mark.fake_assistants(intercept=True)
        async def test_intercepted_in_an_async_test(fake_assistants):
            client = openai.AsyncOpenAI()
            thread = await client.beta.threads.create()
            await client.close()
            assert thread.id in fake_assistants.store.threads

        def test_not_intercepted_without_the_option():
            from fake_assistants.transports.intercept import is_patched
            assert not is_patched()
    """)

    result.assert_outcomes(passed=3)


def test_the_marker_alone_gives_a_test_the_fake(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """As pytest-recording's `vcr` marker gives a test its cassette: no `fake_assistants` argument is needed for
    `intercept=True` to act on the clients the code builds, nor for the guard and the checks after the test."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)  # outside intercept, a client built with no key fails
    result = run(pytester, """
        import openai
        import pytest

        from fake_assistants import FakeAssistants

        def new_thread_id():  # application code building its own client
            return openai.OpenAI(max_retries=0).beta.threads.create().id

        @pytest.mark.fake_assistants(intercept=True, seed=1)
        def test_intercepted_without_the_fixture():
            seeded = FakeAssistants(seed=1).openai_client().beta.threads.create().id
            assert new_thread_id() == seeded

        @pytest.mark.fake_assistants(intercept=True)
        class TestAClass:
            def test_in_a_class(self):
                assert new_thread_id().startswith("thread_")

        real = openai.OpenAI(api_key="sk-not-a-real-key", max_retries=0)

        @pytest.mark.fake_assistants()
        def test_guarded_without_the_fixture():
            real.beta.threads.create()

        def test_no_marker_no_fake(request):
            assert "fake_assistants" not in request.fixturenames
    """)

    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(["*test_guarded_without_the_fixture*",
                                 "*this test sent a request to the real OpenAI API, which the fake did not answer*"])



def test_a_marker_without_intercept_gives_no_fake_to_a_test_that_builds_its_own(pytester: pytest.Pytester) -> None:
    """A module's `pytestmark` (the property-testing guide's, for the warning filter) configures the fixtures only:
    a test that builds its own fakes and asks for no fixture is not given one, nor checked as if it had one."""
    result = run(pytester, """
        import pytest
        from fake_assistants import FakeAssistants

        pytestmark = pytest.mark.fake_assistants()

        def test_builds_its_own(request):
            fake = FakeAssistants(seed=0)
            fake.script.reply("never said: the app sends nothing")
            fake.openai_client()
            assert "fake_assistants" not in request.fixturenames
    """)

    result.assert_outcomes(passed=1)


def test_intercept_on_a_hypothesis_test_is_refused_with_the_fix(pytester: pytest.Pytester) -> None:
    """Hypothesis leaves autouse fixtures out of its health check: one fake would serve every example."""
    result = run(pytester, """
        import pytest
        from hypothesis import given, settings, strategies as st

        @pytest.mark.fake_assistants(intercept=True)
        @settings(max_examples=3)
        @given(st.integers())
        def test_examples(n):
            pass
    """)

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*@pytest.mark.fake_assistants(intercept=True) on a hypothesis test: one fake "
                                 "would serve all its examples*FakeAssistants(seed=0).intercept()*"])


def test_a_missing_default_cassette_is_fine_for_a_test_that_sends_nothing(pytester: pytest.Pytester,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """As `vcr` at module level: a helper test with no cassette passes; a test that sends requests needs its own."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    result = run(pytester, """
        import openai
        import pytest

        pytestmark = pytest.mark.fake_assistants(cassette=True, intercept=True)

        def test_a_pure_helper():
            assert 1 + 1 == 2

        def test_sends_without_its_cassette():
            openai.OpenAI(max_retries=0).beta.threads.create()
    """)

    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "*the test's default cassette (cassette=True) is not there; looked for:*",
        "*The test sent requests to the fake its marker gave it, so it needs its cassette*"])


def test_a_missing_default_cassette_is_named_when_the_test_fails_first(pytester: pytest.Pytester,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A test without its cassette usually fails on the default reply before the check runs: its report says why."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    result = run(pytester, """
        import openai
        import pytest

        @pytest.mark.fake_assistants(cassette=True, intercept=True)
        def test_expects_the_recorded_answer():
            client = openai.OpenAI(max_retries=0)
            thread = client.beta.threads.create(messages=[{"role": "user", "content": "Weather in Paris?"}])
            assistant = client.beta.assistants.create(model="gpt-4o")
            client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
            answer = client.beta.threads.messages.list(thread_id=thread.id).data[0].content[0].text.value
            assert answer == "It is sunny in Paris."
    """)

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*+ This is a deterministic reply from fake-assistants to: Weather in Paris?",
        "*fake-assistants: the test's cassette is missing*",
        "*the test's default cassette (cassette=True) is not there; looked for:*",
        "*so it needs its cassette (or cassette=False for a fake without one). Without it, runs got the fake's "
        "default reply.",
    ])
