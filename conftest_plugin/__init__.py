"""pytest plugin for fake-assistants: fixtures, the `fake_assistants` marker and a teardown check.

Fixtures: `fake_assistants` (a fresh fake per test), `openai_client` (`openai.OpenAI` on it) and
`async_openai_client` (`openai.AsyncOpenAI` on it; a plain fixture, so pytest-asyncio and anyio tests both use it).
`@pytest.mark.fake_assistants(**options)` on a module (`pytestmark`), a class or a test configures them
(`fake_assistants.plugin_options.PluginOptions`); the closest marker wins per option. After a passing test,
scripted turns that no run used fail it, unless `check_unconsumed_script=False` or the ini option
`fake_assistants_check_unconsumed_script = false`.

Everything is per test: nothing is shared between tests, processes or pytest-xdist workers.

Registered through the `pytest11` entry point under the same name as this module, so autoload,
`-p conftest_plugin` and `pytest_plugins = ["conftest_plugin"]` all refer to one plugin.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from fake_assistants import FakeAssistants
from fake_assistants.plugin_options import MARKER, OptionsError, PluginOptions

CHECK_INI = "fake_assistants_check_unconsumed_script"
OPTIONS_KEY = pytest.StashKey[PluginOptions]()
FAKE_KEY = pytest.StashKey[FakeAssistants]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        CHECK_INI,
        type="bool",
        default=True,
        help="fake-assistants: fail a test whose scripted turns were not all used (default: true)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**options): configure the fake_assistants, openai_client and async_openai_client fixtures "
        f"(options: {', '.join(PluginOptions.names())})",
    )


def options_for(node: pytest.Item) -> PluginOptions:
    """The merged marker options of a test: module < class < function."""
    markers = list(node.iter_markers(name=MARKER))  # closest first
    for marker in markers:
        if marker.args:
            raise OptionsError(f"@pytest.mark.{MARKER} takes keyword options only, not {marker.args!r}")
    return PluginOptions.merge(marker.kwargs for marker in reversed(markers))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Validate the marker options of every test that has them, fixtures or not."""
    if item.get_closest_marker(MARKER) is None:
        return
    try:
        item.stash[OPTIONS_KEY] = options_for(item)
    except OptionsError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """After the test body passed: scripted turns left unused fail the test."""
    result = yield
    fake = item.stash.get(FAKE_KEY, None)
    if fake is not None:
        options = item.stash.get(OPTIONS_KEY, PluginOptions())
        if options.checks_unconsumed_script(bool(item.config.getini(CHECK_INI))):
            check_script_consumed(fake)
    return result


def check_script_consumed(fake: FakeAssistants) -> None:
    pending = fake.script.pending
    if not pending:
        return
    turns = "\n".join(f"  - {turn.action!r}" + (f" (assistant {turn.assistant_id})" if turn.assistant_id else "")
                      for turn in pending)
    pytest.fail(
        f"fake_assistants: {len(pending)} scripted turn(s) were never used by a run:\n{turns}\n"
        f"Use them, remove them, or switch this check off with "
        f"@pytest.mark.{MARKER}(check_unconsumed_script=False) or the ini option {CHECK_INI} = false.",
        pytrace=False,
    )


def _options(request: pytest.FixtureRequest) -> PluginOptions:
    node = request.node
    if OPTIONS_KEY not in node.stash:
        try:
            node.stash[OPTIONS_KEY] = options_for(node)
        except OptionsError as error:
            pytest.fail(str(error), pytrace=False)
    options: PluginOptions = node.stash[OPTIONS_KEY]
    return options


@pytest.fixture
def fake_assistants(request: pytest.FixtureRequest) -> Iterator[FakeAssistants]:
    """A fresh, isolated fake for each test, configured by the `fake_assistants` marker."""
    options = _options(request)
    fake = options.build_fake()
    request.node.stash[FAKE_KEY] = fake
    with ExitStack() as stack:
        if options.intercept:
            stack.enter_context(fake.intercept())
        yield fake


@pytest.fixture
def openai_client(fake_assistants: FakeAssistants, request: pytest.FixtureRequest) -> Iterator[Any]:
    """An `openai.OpenAI` client talking to this test's fake, closed afterwards."""
    client = fake_assistants.openai_client(**_options(request).client_kwargs())
    yield client
    client.close()


@pytest.fixture
def async_openai_client(fake_assistants: FakeAssistants, request: pytest.FixtureRequest) -> Iterator[Any]:
    """An `openai.AsyncOpenAI` client talking to this test's fake, closed afterwards.

    A plain (not async) fixture, so any async test can use it, under pytest-asyncio or anyio alike.
    """
    client = fake_assistants.async_openai_client(**_options(request).client_kwargs())
    yield client
    close_without_event_loop(client)


def close_without_event_loop(client: Any) -> None:
    """`AsyncOpenAI.close()` on the fake's transport never waits for anything: finish it without a loop."""
    closing = client.close()
    try:
        closing.send(None)
    except StopIteration:
        return
    closing.close()
    raise RuntimeError("closing an AsyncOpenAI client on the fake's transport had to wait, which it never should")
