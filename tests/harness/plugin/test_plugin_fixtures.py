"""The pytest plugin's fixtures, loaded the ways pytest loads plugins, under pytest-asyncio, anyio and xdist.

Each test runs a small test file with `pytester`, the way a user's suite would run.
"""

from __future__ import annotations

import textwrap

import pytest

ASYNCIO_AUTO = "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"

USES_EVERY_FIXTURE = """
    import openai
    from fake_assistants import FakeAssistants

    def test_fake(fake_assistants):
        assert isinstance(fake_assistants, FakeAssistants)
        assert fake_assistants.seed == 0

    def test_sync_client_talks_to_the_fake(fake_assistants, openai_client):
        assert isinstance(openai_client, openai.OpenAI)
        assistant = openai_client.beta.assistants.create(model="gpt-4o", name="Math Tutor")
        assert fake_assistants.store.assistants.get(assistant.id).name == "Math Tutor"

    async def test_async_client_talks_to_the_same_fake(fake_assistants, openai_client, async_openai_client):
        assert isinstance(async_openai_client, openai.AsyncOpenAI)
        thread = await async_openai_client.beta.threads.create()
        assert openai_client.beta.threads.retrieve(thread.id).id == thread.id
        assert thread.id in fake_assistants.store.threads
"""


def write(pytester: pytest.Pytester, source: str, **files: str) -> None:
    pytester.makepyfile(test_user=textwrap.dedent(source), **{k: textwrap.dedent(v) for k, v in files.items()})


def test_fixtures_are_present_through_autoload(pytester: pytest.Pytester) -> None:
    pytester.makeini(ASYNCIO_AUTO)
    write(pytester, USES_EVERY_FIXTURE)

    result = pytester.runpytest("-W", "ignore::DeprecationWarning")

    result.assert_outcomes(passed=3)


def test_every_test_gets_its_own_fake(pytester: pytest.Pytester) -> None:
    write(pytester, """
        import pytest

        @pytest.mark.parametrize("round", [1, 2, 3])
        def test_same_first_id_every_time(openai_client, round):
            assert openai_client.beta.assistants.list().data == []
            assert openai_client.beta.assistants.create(model="gpt-4o").id == "asst_asKxnyT4aUjuitCqd2Pn5H2y"
    """)

    result = pytester.runpytest("-W", "ignore::DeprecationWarning")

    result.assert_outcomes(passed=3)


def test_no_conftest_plugin_disables_it(pytester: pytest.Pytester) -> None:
    pytester.makeini(ASYNCIO_AUTO)
    write(pytester, """
        def test_fake(fake_assistants):
            pass
    """)

    result = pytester.runpytest("-p", "no:conftest_plugin")

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'fake_assistants' not found*"])


def test_pytest_plugins_in_a_conftest_does_not_clash_with_autoload(pytester: pytest.Pytester) -> None:
    pytester.makeconftest('pytest_plugins = ["conftest_plugin"]\n')
    pytester.makeini(ASYNCIO_AUTO)
    write(pytester, USES_EVERY_FIXTURE)

    result = pytester.runpytest("-W", "ignore::DeprecationWarning")

    result.assert_outcomes(passed=3)


def test_explicit_p_option_loads_it_without_autoload(pytester: pytest.Pytester,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makeconftest('pytest_plugins = ["conftest_plugin"]\n')
    write(pytester, """
        def test_fake(openai_client):
            assert openai_client.beta.threads.create().object == "thread"
    """)

    result = pytester.runpytest("-p", "conftest_plugin", "-W", "ignore::DeprecationWarning")

    result.assert_outcomes(passed=1)


def test_async_client_under_pytest_asyncio_strict_mode(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_mode = strict\nasyncio_default_fixture_loop_scope = function\n")
    write(pytester, """
        import pytest

        @pytest.mark.asyncio
        async def test_runs_a_thread(async_openai_client, fake_assistants):
            fake_assistants.script.reply("Hello from the script.")
            assistant = await async_openai_client.beta.assistants.create(model="gpt-4o")
            thread = await async_openai_client.beta.threads.create(
                messages=[{"role": "user", "content": "Hi"}]
            )
            run = await async_openai_client.beta.threads.runs.create_and_poll(
                thread_id=thread.id, assistant_id=assistant.id
            )
            assert run.status == "completed"
            messages = await async_openai_client.beta.threads.messages.list(thread_id=thread.id)
            assert messages.data[0].content[0].text.value == "Hello from the script."
    """)

    result = pytester.runpytest("-W", "ignore::DeprecationWarning")

    result.assert_outcomes(passed=1)


def test_async_client_under_anyio(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_mode = strict\nasyncio_default_fixture_loop_scope = function\n")
    write(pytester, """
        import pytest

        @pytest.fixture
        def anyio_backend():
            return "asyncio"

        @pytest.mark.anyio
        async def test_runs_a_thread(async_openai_client, openai_client):
            assistant = await async_openai_client.beta.assistants.create(model="gpt-4o", name="anyio")
            assert openai_client.beta.assistants.retrieve(assistant.id).name == "anyio"
            await async_openai_client.close()  # closing it early is fine: the fixture's own close is a no-op

        @pytest.mark.anyio
        async def test_another_fake(async_openai_client):
            assert (await async_openai_client.beta.assistants.list()).data == []
    """)

    result = pytester.runpytest("-p", "anyio", "-W", "ignore::DeprecationWarning")

    result.assert_outcomes(passed=2)


def test_under_xdist_each_worker_has_its_own_fakes(pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist", reason="pytest-xdist is a test dependency (pip install -e '.[test]')")
    pytester.makeini(ASYNCIO_AUTO)
    write(pytester, """
        import os
        import pytest

        @pytest.mark.parametrize("n", range(8))
        def test_isolated(openai_client, fake_assistants, n):
            assert os.environ.get("PYTEST_XDIST_WORKER", "").startswith("gw")
            first = openai_client.beta.assistants.create(model="gpt-4o")
            assert first.id == "asst_asKxnyT4aUjuitCqd2Pn5H2y"  # seed 0's first id: nothing was shared
            assert [a.id for a in openai_client.beta.assistants.list().data] == [first.id]
            assert len(fake_assistants.store.assistants) == 1
    """)

    result = pytester.runpytest_subprocess("-n", "2", "-W", "ignore::DeprecationWarning")

    result.assert_outcomes(passed=8)
